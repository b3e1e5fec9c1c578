"""Groups: Cognito's limits, a group as answered (``GroupType``), UpdateGroup's rule, and what a user's groups put in
their tokens.

- Limits (Cognito's quotas, not adjustable): 10,000 groups per pool, 100 groups per user.
- UpdateGroup changes the members it is sent and keeps the others (AWS CLI's documented example omits ``RoleArn``
  and answers the group's role; an empty ``Description`` is kept as sent).
- Token claims (``cognito:groups`` in ID and access tokens, ``cognito:roles`` and ``cognito:preferred_role`` in
  the ID token): the groups by precedence (a number before null, lower first), then by name; the roles of all the
  user's groups in that order, each once; the preferred role is the role of the best-precedence group that has one,
  left out when groups tied at that precedence have different roles. Cognito documents the preferred role and the
  tie; the order of the lists is our choice (unverified).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from userpool.domain.records import Group

MAX_GROUPS_PER_POOL = 10_000
MAX_GROUPS_PER_USER = 100
# The group members of Create/UpdateGroup's request, by the ``Group`` field each sets.
_MEMBERS = {"description": "Description", "role_arn": "RoleArn", "precedence": "Precedence"}


def new_group(pool_id: str, params: Mapping[str, Any], now: float) -> Group:
    """The group CreateGroup's request describes."""
    return Group(
        pool_id=pool_id,
        name=params["GroupName"],
        created_at=now,
        modified_at=now,
        **{field: params.get(member) for field, member in _MEMBERS.items()},
    )


def changes(params: Mapping[str, Any]) -> dict[str, Any]:
    """UpdateGroup: the group's fields the members sent replace (the others stay), by ``Group`` field name."""
    return {field: params[member] for field, member in _MEMBERS.items() if member in params}


def group_description(group: Group) -> dict[str, Any]:
    """Cognito's ``GroupType``; unset members are left out."""
    answer: dict[str, Any] = {"GroupName": group.name, "UserPoolId": group.pool_id}
    for field, member in _MEMBERS.items():
        value = getattr(group, field)
        if value is not None:
            answer[member] = value
    answer["LastModifiedDate"] = group.modified_at
    answer["CreationDate"] = group.created_at
    return answer


def claim_order(group: Group) -> tuple[bool, int, str]:
    """Groups in token order: a precedence before none, lower first, then by name."""
    return (group.precedence is None, group.precedence or 0, group.name)


@dataclass(frozen=True)
class GroupClaims:
    """What a user's groups say in their tokens (all empty for a user in no group)."""

    groups: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    preferred_role: str | None = None


def group_claims(groups: Iterable[Group]) -> GroupClaims:
    """``cognito:groups``, ``cognito:roles`` and ``cognito:preferred_role`` of a user in ``groups``."""
    ordered = sorted(groups, key=claim_order)
    with_roles = [g for g in ordered if g.role_arn is not None]
    roles = tuple(dict.fromkeys(g.role_arn for g in with_roles if g.role_arn is not None))
    preferred = None
    if with_roles:
        best = with_roles[0].precedence
        tied = {g.role_arn for g in with_roles if g.precedence == best}
        preferred = tied.pop() if len(tied) == 1 else None
    return GroupClaims(groups=tuple(g.name for g in ordered), roles=roles, preferred_role=preferred)
