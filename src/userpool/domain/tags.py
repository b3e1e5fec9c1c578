"""A user pool's tags: TagResource, UntagResource, ListTagsForResource and ``UserPoolTags`` of Create/Update/
DescribeUserPool. Tags are part of the pool's settings (``UserPoolTags``); a resource is named by the pool's ARN.

The model bounds keys (1-128 characters) and values (0-256); a pool has at most 50 tags (AWS documents the limit,
not the text of its error: ours is unverified).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from userpool.domain import texts
from userpool.errors import InvalidParameterException, ResourceNotFoundException

MAX_TAGS = 50
_POOL_ARN = re.compile(
    r"arn:(?P<partition>aws[\w-]*):cognito-idp:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):userpool/"
    r"(?P<pool_id>[\w-]+_[0-9a-zA-Z]+)"
)


def pool_id_of(arn: str, region: str, account_id: str) -> str:
    """The id of the pool a user pool ARN names. An ARN that is no user pool's is InvalidParameterException; a
    user pool of another region or account is not here, so ResourceNotFoundException."""
    match = _POOL_ARN.fullmatch(arn)
    if match is None:
        raise InvalidParameterException(texts.INVALID_ARN.format(arn=arn))
    pool_id = match["pool_id"]
    if (match["region"], match["account"]) != (region, account_id):
        raise ResourceNotFoundException(texts.POOL_NOT_FOUND.format(pool_id=pool_id))
    return pool_id


def check_count(tags: Mapping[str, str]) -> dict[str, str]:
    if len(tags) > MAX_TAGS:
        raise InvalidParameterException(texts.TOO_MANY_TAGS)
    return dict(tags)


def tagged(current: Mapping[str, str], added: Mapping[str, str]) -> dict[str, str]:
    """TagResource: the added tags replace values of keys the pool has, within the limit."""
    return check_count({**current, **added})


def untagged(current: Mapping[str, str], keys: Iterable[str]) -> dict[str, str]:
    """UntagResource: keys the pool does not have are ignored."""
    removed = set(keys)
    return {k: v for k, v in current.items() if k not in removed}
