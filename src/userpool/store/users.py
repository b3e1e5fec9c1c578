"""Users: create one (with its attributes, keys, alias claims and first code, in one transaction), insert many,
find one by username, key, id or sub (one statement each), list a pool's with a filter, delete."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import Text, bindparam, delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from userpool.domain.records import NewCode, NewUser, User, ordered_attributes
from userpool.store import tables as t
from userpool.store.attributes import INSERT_ATTRIBUTES, INSERT_KEYS, claim
from userpool.store.codes import INSERT_CODE
from userpool.store.engine import StoreBase, StoreConnection, on_store_thread, point_read, point_statement, retrying
from userpool.store.errors import Conflict
from userpool.store.paging import page, read_token

USER_COLUMNS = (
    t.users.c.id,
    t.users.c.pool_id,
    t.users.c.username,
    t.users.c.sub,
    t.users.c.status,
    t.users.c.enabled,
    t.users.c.password_hash,
    t.users.c.created_at,
    t.users.c.modified_at,
    t.users.c.srp_salt,
    t.users.c.srp_verifier,
    t.users.c.failed_sign_ins,
    t.users.c.last_failed_sign_in,
    t.users.c.locked_until,
    t.users.c.password_expires_at,
)
_INSERT_USER = point_statement(insert(t.users))


def _user_lookup(first: Any) -> Any:
    """The user whose id the scalar subquery ``first`` gives, joined to each of its attribute rows."""
    return (
        select(*USER_COLUMNS, t.user_attributes.c.name.label("attribute_name"), t.user_attributes.c.value)
        .select_from(t.users.outerjoin(t.user_attributes, t.user_attributes.c.user_id == t.users.c.id))
        .where(t.users.c.id == first)
    )


def _user_in_pool_by(column: Any) -> Any:
    """The point read of the user of a pool (``pool_id``) whose unique ``column`` has the value bound by its name."""
    first = (
        select(t.users.c.id)
        .where(t.users.c.pool_id == bindparam("pool_id"), column == bindparam(column.name))
        .limit(1)
        .scalar_subquery()
    )
    return point_statement(_user_lookup(first))


# The point reads of the hot paths, built once with bound parameters.
_USER_BY_NAME = _user_in_pool_by(t.users.c.username_key)
_USER_BY_KEY = _user_lookup(
    select(t.user_keys.c.user_id)
    .where(
        t.user_keys.c.pool_id == bindparam("pool_id"),
        t.user_keys.c.kind.in_(bindparam("kinds", expanding=True)),
        t.user_keys.c.value_key == bindparam("value_key"),
    )
    .limit(1)
    .scalar_subquery()
)
_USER_BY_ID = point_statement(_user_lookup(bindparam("user_id")))
_USER_BY_SUB = _user_in_pool_by(t.users.c.sub)


def _user_row(user: NewUser) -> dict[str, Any]:
    """The ``users`` row of a new user."""
    return {
        "pool_id": user.pool_id,
        "username": user.username,
        "username_key": user.username_key,
        "sub": user.sub,
        "status": user.status,
        "enabled": True,
        "password_hash": user.password_hash,
        "srp_salt": user.srp_salt,
        "srp_verifier": user.srp_verifier,
        "password_expires_at": user.password_expires_at,
        "created_at": user.created_at,
        "modified_at": user.created_at,
    }


def _attribute_rows(user_id: int, user: NewUser) -> list[dict[str, Any]]:
    return [{"user_id": user_id, "pool_id": user.pool_id, "name": n, "value": v} for n, v in user.attributes.items()]


def _key_rows(user_id: int, user: NewUser) -> list[dict[str, Any]]:
    return [{"pool_id": user.pool_id, "kind": k, "value_key": v, "user_id": user_id} for k, v in user.keys]


def _user_from_rows(rows: Sequence[Mapping[str, Any]]) -> User | None:
    """The user of a ``_user_lookup``'s rows (one per attribute), or None when it found none."""
    if not rows:
        return None
    columns = {c.name: rows[0][c.name] for c in USER_COLUMNS}
    attributes = {r["attribute_name"]: r["value"] for r in rows if r["attribute_name"] is not None}
    return User(**columns, attributes=ordered_attributes(attributes))


_COLUMN_FILTERS = {"username": t.users.c.username_key, "cognito:user_status": t.users.c.status}


def _matches(column: Any, op: str, value: str) -> Any:
    """``=`` or ``^=``, both case-sensitive on every database (LIKE folds ASCII case on SQLite)."""
    return column == value if op == "=" else func.substr(column, 1, len(value)) == value


def _filter_clause(pool_id: str, name: str, op: str, value: str) -> Any:
    if name == "status":
        if value not in ("Enabled", "Disabled"):
            return t.users.c.id.is_(None)
        return t.users.c.enabled == (value == "Enabled")
    if name in _COLUMN_FILTERS:
        return _matches(_COLUMN_FILTERS[name], op, value)
    attribute = t.user_attributes
    matches = select(attribute.c.user_id).where(
        attribute.c.pool_id == pool_id, attribute.c.name == name, _matches(attribute.c.value, op, value)
    )
    return t.users.c.id.in_(matches)


class UserStore(StoreBase):
    @on_store_thread
    @retrying
    async def create_user(self, user: NewUser, code: NewCode | None = None) -> int:
        """Insert a user, its attributes, its keys and its first code.

        Raises ``Conflict`` when the username, sub or a key is taken; then nothing is written.
        """
        try:
            async with self._write() as conn:
                result = await conn.execute(_INSERT_USER, _user_row(user))
                user_id = int(result.inserted_primary_key[0])
                await conn.execute(INSERT_ATTRIBUTES, _attribute_rows(user_id, user))
                if user.keys:
                    await conn.execute(INSERT_KEYS, _key_rows(user_id, user))
                for kind, value, force in user.claims:
                    await claim(conn, user.pool_id, user_id, kind, value, force, user.created_at)
                if code is not None:
                    await conn.execute(
                        INSERT_CODE,
                        {"user_id": user_id, "failed_attempts": 0, "created_at": user.created_at, **code.__dict__},
                    )
                return user_id
        except IntegrityError:
            what = await self._what_conflicts(user)
            if what is None:  # no uniqueness rule broken: a foreign key (the pool deleted meanwhile by another node)
                raise
            raise Conflict(what) from None

    async def _what_conflicts(self, user: NewUser) -> str | None:
        """After a rejected insert, name the uniqueness rule it broke (the database already decided; this only
        labels), or None when it broke none of them."""
        async with self._read() as conn:
            taken = await conn.execute(
                select(t.users.c.id).where(
                    t.users.c.pool_id == user.pool_id, t.users.c.username_key == user.username_key
                )
            )
            if taken.first():
                return "username"
            for kind, value in [*user.keys, *((k, v) for k, v, _ in user.claims)]:
                owner = await conn.execute(
                    select(t.user_keys.c.user_id).where(
                        t.user_keys.c.pool_id == user.pool_id,
                        t.user_keys.c.kind == kind,
                        t.user_keys.c.value_key == value,
                    )
                )
                if owner.first():
                    return kind
            if (await conn.execute(select(t.users.c.id).where(t.users.c.sub == user.sub))).first():
                return "sub"
        return None

    @on_store_thread
    async def bulk_insert_users(self, users: Sequence[NewUser]) -> int:
        """Insert many users (with their attributes and keys) in one transaction, by batched ``executemany``; for
        seeding large stores (benchmarks, imports). No codes or alias claims; a taken username, sub or key fails
        the whole batch (``IntegrityError``). Returns how many users were inserted."""
        if not users:
            return 0
        async with self._write() as conn:
            await insert_users(conn, users)
        return len(users)

    @point_read
    async def find_user(self, pool_id: str, username_key: str) -> User | None:
        """The user whose (folded) username is ``username_key``."""
        return await self._one_user(_USER_BY_NAME, {"pool_id": pool_id, "username_key": username_key})

    @point_read
    async def find_user_by_key(self, pool_id: str, kinds: Iterable[str], value_key: str) -> User | None:
        """The user who owns ``value_key`` as one of the key ``kinds`` (email, phone_number, ...)."""
        params = {"pool_id": pool_id, "kinds": list(kinds), "value_key": value_key}
        return await self._one_user(_USER_BY_KEY, params)

    @point_read
    async def get_user(self, user_id: int) -> User | None:
        return await self._one_user(_USER_BY_ID, {"user_id": user_id})

    @point_read
    async def find_user_by_sub(self, pool_id: str, sub: str) -> User | None:
        return await self._one_user(_USER_BY_SUB, {"pool_id": pool_id, "sub": sub})

    async def _one_user(self, lookup: Any, params: dict[str, Any]) -> User | None:
        """The user a ``_user_lookup`` statement finds, with its attributes, in one statement."""
        return _user_from_rows(await self._read_rows(lookup, params))

    @on_store_thread
    @retrying
    async def delete_user(self, user_id: int) -> bool:
        async with self._write() as conn:
            result = await conn.execute(delete(t.users).where(t.users.c.id == user_id))
        return result.rowcount == 1

    @on_store_thread
    async def list_users(
        self,
        pool_id: str,
        limit: int,
        token: str | None,
        where: tuple[str, str, str] | None = None,
    ) -> tuple[list[User], str | None]:
        """Users of a pool in creation order. ``where`` is ``(attribute, "=" or "^=", value)``; ``username``
        (compared folded as stored), ``cognito:user_status`` and ``status`` (Enabled/Disabled) are columns."""
        params: dict[str, Any] = {"pool_id": pool_id, "limit": limit + 1}
        if token is not None:
            params["after"] = read_token(token, int)
        if where is None:
            statement = _LIST_USERS_AFTER if token is not None else _LIST_USERS
        else:
            statement = page_statement(_list_users_query(token is not None).where(_filter_clause(pool_id, *where)))
        async with self._read(statements=1) as conn:
            return await users_page(conn, statement, params, limit)


def _list_users_query(after: bool) -> Any:
    return in_creation_order(select(*USER_COLUMNS).where(t.users.c.pool_id == bindparam("pool_id")), after)


def in_creation_order(query: Any, after: bool) -> Any:
    """``query`` (of ``users``) in the order the users were made; with ``after``, past the id bound as ``after``
    (the position a page token holds)."""
    query = query.order_by(t.users.c.id)
    return query.where(t.users.c.id > bindparam("after")) if after else query


class attributes_json(FunctionElement[str]):
    """The JSON object (as text) of the name/value pairs of the rows it aggregates: SQLite's ``json_group_object``,
    PostgreSQL's ``json_object_agg`` (NULL there when there are none)."""

    type = Text()
    name = "attributes_json"
    inherit_cache = True


@compiles(attributes_json)
def _sqlite_attributes_json(element: attributes_json, compiler: Any, **kw: Any) -> str:
    return f"json_group_object({compiler.process(element.clauses, **kw)})"


@compiles(attributes_json, "postgresql")
def _postgresql_attributes_json(element: attributes_json, compiler: Any, **kw: Any) -> str:
    return f"CAST(json_object_agg({compiler.process(element.clauses, **kw)}) AS TEXT)"


def page_statement(query: Any) -> Any:
    """``query`` (``USER_COLUMNS``, ordered by id) limited to ``:limit`` rows, each with its user's attributes as
    one JSON object (a subquery per row of the page, so a large pool is not aggregated): what ``users_page``
    reads. One row per user, where a join would repeat the user's columns (its SRP verifier, its hash) for each
    attribute: twice the SQLite time."""
    first = query.limit(bindparam("limit")).subquery()
    attribute = t.user_attributes
    attributes = select(attributes_json(attribute.c.name, attribute.c.value)).where(attribute.c.user_id == first.c.id)
    return select(first, attributes.scalar_subquery()).order_by(first.c.id)


# ``User`` takes the columns in ``USER_COLUMNS`` order, with its attributes after ``modified_at``.
_BEFORE_ATTRIBUTES = [c.name for c in USER_COLUMNS].index("modified_at") + 1


async def users_page(
    conn: StoreConnection, statement: Any, params: Mapping[str, Any], limit: int
) -> tuple[list[User], str | None]:
    """The users a ``page_statement`` finds with ``params`` (whose ``limit`` is ``limit + 1``), each with its
    attributes, in one statement; and the next page's token when there are more than ``limit``."""
    rows = (await conn.execute(statement, params)).all()
    split = _BEFORE_ATTRIBUTES
    users = [
        User(*row[:split], ordered_attributes(orjson.loads(row[-1]) if row[-1] else {}), *row[split:-1])
        for row in rows[:limit]
    ]
    return page(users, rows, limit, lambda user: user.id)


async def insert_users(conn: StoreConnection, users: Sequence[NewUser]) -> None:
    """Insert many users with their attributes and keys by batched ``executemany`` in the caller's transaction (no
    codes or alias claims): ``bulk_insert_users``, and the import job's batches. A taken username, sub or key
    raises ``IntegrityError``."""
    if not users:
        return
    # One executemany, then the new ids by sub (RETURNING in order would send the rows one by one).
    await conn.execute(_INSERT_USER, [_user_row(u) for u in users])
    by_sub: dict[str, int] = {}
    subs = [u.sub for u in users]
    for start in range(0, len(subs), 5000):
        chunk = subs[start : start + 5000]
        found = await conn.execute(select(t.users.c.sub, t.users.c.id).where(t.users.c.sub.in_(chunk)))
        by_sub.update({sub: user_id for sub, user_id in found})
    ids = [by_sub[u.sub] for u in users]
    attributes = [row for i, u in zip(ids, users, strict=True) for row in _attribute_rows(i, u)]
    keys = [row for i, u in zip(ids, users, strict=True) for row in _key_rows(i, u)]
    if attributes:
        await conn.execute(INSERT_ATTRIBUTES, attributes)
    if keys:
        await conn.execute(INSERT_KEYS, keys)


# ListUsers without a filter, built once (a filter's statement is built per request).
_LIST_USERS = page_statement(_list_users_query(after=False))
_LIST_USERS_AFTER = page_statement(_list_users_query(after=True))
