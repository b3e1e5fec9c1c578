"""Groups: CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup, AdminAddUserToGroup,
AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup.

A group is named exactly (case-sensitive) within its pool; a user by any name they answer to (username, alias,
sub). Adding a member twice, or removing a non-member, changes nothing and is no error. What a user's groups put in
their tokens is ``domain.groups.group_claims``, read once where tokens are signed (``operations.shared.issuing``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from userpool.context import Call, Context
from userpool.domain import groups as group_rules
from userpool.domain import texts
from userpool.domain.records import Group, Pool
from userpool.domain.users import user_description
from userpool.errors import (
    GroupExistsException,
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
    UserNotFoundException,
)
from userpool.operations.shared import lookups
from userpool.store import Conflict, InvalidToken, LimitReached, Store

DEFAULT_LIMIT = 60
Page = tuple[list[Any], str | None]


async def _require_group(store: Store, pool_id: str, name: str) -> Group:
    group = await store.find_group(pool_id, name)
    if group is None:
        raise ResourceNotFoundException(texts.GROUP_NOT_FOUND)
    return group


async def _pool_and_group(store: Store, params: dict[str, Any]) -> tuple[Pool, Group]:
    """The pool and group a request names (``UserPoolId``, ``GroupName``), or the not-found error of the one that is
    missing."""
    pool = await lookups.require_pool(store, params["UserPoolId"])
    return pool, await _require_group(store, pool.id, params["GroupName"])


def _page(params: dict[str, Any]) -> tuple[int, str | None]:
    """A list request's ``Limit`` (0 or absent: 60) and ``NextToken``."""
    return params.get("Limit") or DEFAULT_LIMIT, params.get("NextToken")


async def _listed(key: str, describe: Callable[[Any], dict[str, Any]], page: Awaitable[Page]) -> dict[str, Any]:
    """A list's answer: ``key`` holding the page's items as ``describe`` answers them, and the next page's token."""
    try:
        found, token = await page
    except InvalidToken:
        raise InvalidParameterException(texts.INVALID_PAGINATION_TOKEN) from None
    return {key: [describe(item) for item in found], **({"NextToken": token} if token else {})}


async def create_group(ctx: Context, call: Call) -> dict[str, Any]:
    p = call.params
    pool = await lookups.require_pool(ctx.store, p["UserPoolId"])
    group = group_rules.new_group(pool.id, p, ctx.clock.now())
    try:
        created = await ctx.store.create_group(group, group_rules.MAX_GROUPS_PER_POOL)
    except Conflict:
        raise GroupExistsException(texts.GROUP_EXISTS.format(name=group.name)) from None
    except LimitReached:
        limit = group_rules.MAX_GROUPS_PER_POOL
        raise LimitExceededException(texts.GROUPS_PER_POOL_EXCEEDED.format(limit=limit)) from None
    if created is None:  # the pool was deleted meanwhile
        raise ResourceNotFoundException(texts.POOL_NOT_FOUND.format(pool_id=pool.id))
    return {"Group": group_rules.group_description(created)}


async def get_group(ctx: Context, call: Call) -> dict[str, Any]:
    _, group = await _pool_and_group(ctx.store, call.params)
    return {"Group": group_rules.group_description(group)}


async def list_groups(ctx: Context, call: Call) -> dict[str, Any]:
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    return await _listed("Groups", group_rules.group_description, ctx.store.list_groups(pool.id, *_page(call.params)))


async def update_group(ctx: Context, call: Call) -> dict[str, Any]:
    p = call.params
    pool = await lookups.require_pool(ctx.store, p["UserPoolId"])
    group = await ctx.store.update_group(pool.id, p["GroupName"], group_rules.changes(p), ctx.clock.now())
    if group is None:
        raise ResourceNotFoundException(texts.GROUP_NOT_FOUND)
    return {"Group": group_rules.group_description(group)}


async def delete_group(ctx: Context, call: Call) -> dict[str, Any]:
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    if not await ctx.store.delete_group(pool.id, call.params["GroupName"]):
        raise ResourceNotFoundException(texts.GROUP_NOT_FOUND)
    return {}


async def admin_add_user_to_group(ctx: Context, call: Call) -> dict[str, Any]:
    pool, group = await _pool_and_group(ctx.store, call.params)
    user = await lookups.require_user(ctx.store, pool, call.params["Username"])
    assert group.id is not None
    limit = group_rules.MAX_GROUPS_PER_USER
    outcome = await ctx.store.add_group_member(group.id, user.id, ctx.clock.now(), limit)
    if outcome == "full":
        raise LimitExceededException(texts.GROUPS_PER_USER_EXCEEDED.format(limit=limit))
    if outcome == "gone":  # the group or the user was deleted meanwhile: answer as if it had been first
        if await ctx.store.find_group(pool.id, group.name) is None:
            raise ResourceNotFoundException(texts.GROUP_NOT_FOUND)
        raise UserNotFoundException(texts.USER_NOT_FOUND)
    return {}


async def admin_remove_user_from_group(ctx: Context, call: Call) -> dict[str, Any]:
    pool, group = await _pool_and_group(ctx.store, call.params)
    user = await lookups.require_user(ctx.store, pool, call.params["Username"])
    assert group.id is not None
    await ctx.store.remove_group_member(group.id, user.id)
    return {}


async def admin_list_groups_for_user(ctx: Context, call: Call) -> dict[str, Any]:
    _, user = await lookups.pool_and_user(ctx.store, call.params["UserPoolId"], call.params["Username"])
    page = ctx.store.list_user_groups(user.id, *_page(call.params))
    return await _listed("Groups", group_rules.group_description, page)


async def list_users_in_group(ctx: Context, call: Call) -> dict[str, Any]:
    _, group = await _pool_and_group(ctx.store, call.params)
    assert group.id is not None
    return await _listed("Users", user_description, ctx.store.list_group_users(group.id, *_page(call.params)))


OPERATIONS = {
    "CreateGroup": create_group,
    "GetGroup": get_group,
    "ListGroups": list_groups,
    "UpdateGroup": update_group,
    "DeleteGroup": delete_group,
    "AdminAddUserToGroup": admin_add_user_to_group,
    "AdminRemoveUserFromGroup": admin_remove_user_from_group,
    "AdminListGroupsForUser": admin_list_groups_for_user,
    "ListUsersInGroup": list_users_in_group,
}
