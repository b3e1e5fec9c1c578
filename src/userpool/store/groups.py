"""Groups and their members: create (within the pool's limit), find by name, update the members sent, delete (its
memberships go with it, ON DELETE CASCADE), list a pool's; add and remove members (within a user's limit), list a
group's users and a user's groups, a page at a time, and a user's groups for their tokens (one statement).

Lists are in a stable order with keyset tokens (the position after the last item), so rows inserted or deleted
between two pages never make a page repeat or skip another row: groups in the order they were made (``id``), a
group's users in the order the users were made (``users.id``).

Limits are counted in the transaction that writes, after locking the row they count for (the pool for its groups,
the user for their memberships; ``FOR NO KEY UPDATE`` on PostgreSQL, which still lets other rows reference it; SQLite
writers are serialized anyway), so racing requests in any processes never pass a limit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Literal

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from userpool.domain.records import Group, User
from userpool.store import tables as t
from userpool.store.engine import StoreBase, dialect_insert, on_store_thread, point_read, point_statement, retrying
from userpool.store.errors import Conflict, LimitReached
from userpool.store.paging import page, read_token
from userpool.store.users import USER_COLUMNS, in_creation_order, page_statement, users_page

_g = t.groups
_m = t.group_members
_GROUP_COLUMNS = (
    _g.c.id,
    _g.c.pool_id,
    _g.c.name,
    _g.c.description,
    _g.c.role_arn,
    _g.c.precedence,
    _g.c.created_at,
    _g.c.modified_at,
)
_FIND_GROUP = select(*_GROUP_COLUMNS).where(_g.c.pool_id == bindparam("pool_id"), _g.c.name == bindparam("name"))
_GROUPS_OF_USER = point_statement(
    select(*_GROUP_COLUMNS)
    .select_from(_g.join(_m, _m.c.group_id == _g.c.id))
    .where(_m.c.user_id == bindparam("user_id"))
    .order_by(_g.c.id)
)
# The row a limit counts for, locked until the write's end (PostgreSQL; SQLite renders no FOR clause).
_LOCK_POOL = select(t.pools.c.id).where(t.pools.c.id == bindparam("pool_id")).with_for_update(key_share=True)
_LOCK_USER = select(t.users.c.id).where(t.users.c.id == bindparam("user_id")).with_for_update(key_share=True)
_KEEP_GROUP = select(_g.c.id).where(_g.c.id == bindparam("group_id")).with_for_update(read=True, key_share=True)
_MEMBERSHIPS_OF_USER = select(_m.c.group_id).where(_m.c.user_id == bindparam("user_id"))
_COUNT_GROUPS = select(func.count()).select_from(_g).where(_g.c.pool_id == bindparam("pool_id"))
_REMOVE_MEMBER = delete(_m).where(_m.c.group_id == bindparam("group_id"), _m.c.user_id == bindparam("user_id"))

# What adding a member did: added it, found it already a member, stopped at the user's limit, or found the group or
# the user gone (deleted since the caller read them).
Added = Literal["added", "member", "full", "gone"]


def _group(row: Mapping[str, Any]) -> Group:
    return Group(**row)


def _row(group: Group) -> dict[str, Any]:
    row = dict(group.__dict__)
    del row["id"]
    return row


class GroupStore(StoreBase):
    @on_store_thread
    @retrying
    async def create_group(self, group: Group, limit: int) -> Group | None:
        """Store ``group`` and answer it with its id; None when its pool is gone. Raises ``Conflict("group")``
        when the pool has a group of that name, ``LimitReached`` when it has ``limit`` groups."""
        try:
            async with self._write() as conn:
                if (await conn.execute(_LOCK_POOL, {"pool_id": group.pool_id})).first() is None:
                    return None
                if (await conn.execute(_FIND_GROUP, {"pool_id": group.pool_id, "name": group.name})).first():
                    raise Conflict("group")
                if (await conn.execute(_COUNT_GROUPS, {"pool_id": group.pool_id})).scalar_one() >= limit:
                    raise LimitReached("groups")
                result = await conn.execute(_g.insert().values(**_row(group)))
                return replace(group, id=int(result.inserted_primary_key[0]))
        except IntegrityError:  # a racing create of the same name (the constraint decides)
            raise Conflict("group") from None

    @point_read
    async def find_group(self, pool_id: str, name: str) -> Group | None:
        """The pool's group named ``name`` (case-sensitive)."""
        return await self._read_one(_FIND_GROUP, {"pool_id": pool_id, "name": name}, Group)

    @on_store_thread
    @retrying
    async def update_group(self, pool_id: str, name: str, changes: Mapping[str, Any], at: float) -> Group | None:
        """Set the group's ``changes`` (``description``, ``role_arn``, ``precedence``) and ``modified_at``, in one
        statement (racing updates of different members both stay); the group as updated, or None when there is
        none."""
        statement = (
            update(_g)
            .where(_g.c.pool_id == pool_id, _g.c.name == name)
            .values(**changes, modified_at=at)
            .returning(*_GROUP_COLUMNS)
        )
        async with self._write() as conn:
            row = (await conn.execute(statement)).mappings().first()
        return None if row is None else _group(row)

    @on_store_thread
    @retrying
    async def delete_group(self, pool_id: str, name: str) -> bool:
        """Delete the group and, with it, its memberships; False when there is none."""
        async with self._write() as conn:
            result = await conn.execute(delete(_g).where(_g.c.pool_id == pool_id, _g.c.name == name))
        return result.rowcount == 1

    @on_store_thread
    async def list_groups(self, pool_id: str, limit: int, token: str | None) -> tuple[list[Group], str | None]:
        """The pool's groups in the order they were made, ``limit`` of them after the position ``token`` holds."""
        query = select(*_GROUP_COLUMNS).where(_g.c.pool_id == pool_id).order_by(_g.c.id)
        if token is not None:
            query = query.where(_g.c.id > read_token(token, int))
        async with self._read(statements=1) as conn:
            rows = (await conn.execute(query.limit(limit + 1))).mappings().all()
        return page([_group(r) for r in rows[:limit]], rows, limit, lambda group: group.id or 0)

    @on_store_thread
    @retrying
    async def add_group_member(self, group_id: int, user_id: int, at: float, limit: int) -> Added:
        """Make the user a member of the group unless they are one already or are in ``limit`` groups. One row
        per pair whatever races (the primary key, ``ON CONFLICT DO NOTHING``)."""
        insert = (
            dialect_insert(self.dialect)(_m)
            .values(group_id=group_id, user_id=user_id, created_at=at)
            .on_conflict_do_nothing()
        )
        async with self._write() as conn:
            if (await conn.execute(_LOCK_USER, {"user_id": user_id})).first() is None:
                return "gone"
            if (await conn.execute(_KEEP_GROUP, {"group_id": group_id})).first() is None:
                return "gone"
            groups = set((await conn.execute(_MEMBERSHIPS_OF_USER, {"user_id": user_id})).scalars())
            if group_id in groups:
                return "member"
            if len(groups) >= limit:
                return "full"
            await conn.execute(insert)
        return "added"

    @on_store_thread
    @retrying
    async def remove_group_member(self, group_id: int, user_id: int) -> bool:
        """End the user's membership of the group; False when they were not a member."""
        async with self._write() as conn:
            result = await conn.execute(_REMOVE_MEMBER, {"group_id": group_id, "user_id": user_id})
        return result.rowcount == 1

    @on_store_thread
    async def list_user_groups(self, user_id: int, limit: int, token: str | None) -> tuple[list[Group], str | None]:
        """The user's groups in the order they were made, ``limit`` of them after the position ``token`` holds."""
        query = _GROUPS_OF_USER
        if token is not None:
            query = query.where(_g.c.id > read_token(token, int))
        async with self._read(statements=1) as conn:
            rows = (await conn.execute(query.limit(limit + 1), {"user_id": user_id})).mappings().all()
        return page([_group(r) for r in rows[:limit]], rows, limit, lambda group: group.id or 0)

    @point_read
    async def groups_of_user(self, user_id: int) -> list[Group]:
        """Every group of the user (at most the per-user limit): what their tokens claim (one statement by the
        memberships' index, straight on SQLite's connection: every sign-in and refresh reads it)."""
        return [_group(r) for r in await self._read_rows(_GROUPS_OF_USER, {"user_id": user_id})]

    @on_store_thread
    async def list_group_users(self, group_id: int, limit: int, token: str | None) -> tuple[list[User], str | None]:
        """The group's users, with their attributes, in the order the users were made, ``limit`` of them after the
        position ``token`` holds."""
        params: dict[str, Any] = {"group_id": group_id, "limit": limit + 1}
        if token is not None:
            params["after"] = read_token(token, int)
        statement = _GROUP_USERS_AFTER if token is not None else _GROUP_USERS
        async with self._read(statements=1) as conn:
            return await users_page(conn, statement, params, limit)


def _group_users_query(after: bool) -> Any:
    members = t.users.join(_m, _m.c.user_id == t.users.c.id)
    query = select(*USER_COLUMNS).select_from(members).where(_m.c.group_id == bindparam("group_id"))
    return in_creation_order(query, after)


# ListUsersInGroup's statements, built once.
_GROUP_USERS = page_statement(_group_users_query(after=False))
_GROUP_USERS_AFTER = page_statement(_group_users_query(after=True))
