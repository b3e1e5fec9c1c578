"""Attributes and the keys users claim (``user_keys``: username-attribute values and verified aliases, one owner
each per pool), and confirmation, which moves a status, verifies attributes and claims aliases in one go."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from userpool.domain.records import Code, Confirmation, NewCode
from userpool.store import tables as t
from userpool.store.codes import DELETE_CODE, INSERT_CODE, take_counted
from userpool.store.engine import StoreBase, StoreConnection, on_store_thread, point_statement, retrying
from userpool.store.errors import Conflict

# The statements of the hot paths (sign-up, confirmation), built once with bound parameters. (In an UPDATE, a
# parameter may not be named like a column: those are ``b_``.)
INSERT_ATTRIBUTES = point_statement(insert(t.user_attributes))
INSERT_KEYS = point_statement(insert(t.user_keys))
_KEY_OWNER = point_statement(
    select(t.user_keys.c.user_id).where(
        t.user_keys.c.pool_id == bindparam("pool_id"),
        t.user_keys.c.kind == bindparam("kind"),
        t.user_keys.c.value_key == bindparam("value_key"),
    )
)
_SET_ATTRIBUTE = point_statement(
    update(t.user_attributes)
    .where(t.user_attributes.c.user_id == bindparam("b_user_id"), t.user_attributes.c.name == bindparam("b_name"))
    .values(value=bindparam("b_value"))
)
_MOVE_STATUS = point_statement(
    update(t.users)
    .where(t.users.c.id == bindparam("user_id"), t.users.c.status == bindparam("from_status"))
    .values(status=bindparam("to_status"), modified_at=bindparam("at"))
    .returning(t.users.c.pool_id)
)
_POOL_OF_USER = select(t.users.c.pool_id).where(t.users.c.id == bindparam("user_id"))


async def pool_of(conn: StoreConnection, user_id: int) -> str:
    """The pool of an existing user."""
    return (await conn.execute(_POOL_OF_USER, {"user_id": user_id})).scalar_one()


async def claim(
    conn: StoreConnection,
    pool_id: str,
    user_id: int,
    kind: str,
    value: str,
    force: bool,
    at: float,
    replace: bool = False,
) -> None:
    """Make ``user_id`` the owner of the alias (kind, value). An alias owned by another user is a Conflict(kind),
    or with ``force`` moves to this user and is no longer verified on the other. With ``replace``, a new alias
    takes the place of the user's own of that kind."""
    key = {"pool_id": pool_id, "kind": kind, "value_key": value}
    owner = (await conn.execute(_KEY_OWNER, key)).scalar_one_or_none()
    if owner == user_id:
        return
    if owner is None:
        if replace:
            await conn.execute(delete(t.user_keys).where(t.user_keys.c.user_id == user_id, t.user_keys.c.kind == kind))
        await conn.execute(INSERT_KEYS, {**key, "user_id": user_id})
        return
    if not force:
        raise Conflict(kind)
    await _unverify(conn, owner, kind, at)
    await conn.execute(
        update(t.user_keys)
        .where(t.user_keys.c.pool_id == pool_id, t.user_keys.c.kind == kind, t.user_keys.c.value_key == value)
        .values(user_id=user_id)
    )


async def set_attribute(conn: StoreConnection, pool_id: str, user_id: int, name: str, value: str) -> None:
    changed = await conn.execute(_SET_ATTRIBUTE, {"b_user_id": user_id, "b_name": name, "b_value": value})
    if changed.rowcount == 0:
        await conn.execute(INSERT_ATTRIBUTES, {"user_id": user_id, "pool_id": pool_id, "name": name, "value": value})


async def _unverify(conn: StoreConnection, user_id: int, kind: str, at: float) -> None:
    """The alias ``kind`` moved away from ``user_id``: its verified flag there becomes false."""
    flag = {"email": "email_verified", "phone_number": "phone_number_verified"}.get(kind)
    if flag:
        await conn.execute(
            update(t.user_attributes)
            .where(t.user_attributes.c.user_id == user_id, t.user_attributes.c.name == flag)
            .values(value="false")
        )
    await conn.execute(update(t.users).where(t.users.c.id == user_id).values(modified_at=at))


async def _apply(conn: StoreConnection, change: Confirmation) -> bool:
    """Apply a confirmation in the caller's transaction; False (and nothing written) when the user's status was no
    longer ``change.from_status``."""
    moved = await conn.execute(
        _MOVE_STATUS,
        {"user_id": change.user_id, "from_status": change.from_status, "to_status": change.to_status, "at": change.at},
    )
    pool_id = moved.scalar_one_or_none()
    if pool_id is None:
        return False
    for kind, value in change.claim_keys:
        await claim(conn, pool_id, change.user_id, kind, value, change.force_alias, change.at)
    for name in change.verify:
        await set_attribute(conn, pool_id, change.user_id, name, "true")
    if change.consume_code:
        await conn.execute(DELETE_CODE, {"user_id": change.user_id, "purpose": change.consume_code})
    return True


class AttributeStore(StoreBase):
    @on_store_thread
    async def confirm(self, change: Confirmation) -> bool:
        """Apply a confirmation in one transaction. False (and nothing written) when the user's status was no
        longer ``from_status``: of several racing confirmations exactly one wins. Raises ``Conflict(kind)``
        when a key is owned by another user and ``force_alias`` is off, or another confirmation claimed it first."""
        try:
            return await self._confirm(change)
        except IntegrityError:
            raise Conflict(change.claim_keys[0][0] if change.claim_keys else "username") from None

    @retrying
    async def _confirm(self, change: Confirmation) -> bool:
        async with self._write() as conn:
            return await _apply(conn, change)

    @on_store_thread
    async def confirm_with_code(
        self,
        user_id: int,
        purpose: str,
        max_attempts: int,
        hit: tuple[str, str, int, float] | None,
        limit: int,
        decide: Callable[[Code], Confirmation | None],
    ) -> tuple[int, Code | None, bool]:
        """A code check and the confirmation it allows, in one durable transaction: count ``hit`` and take an
        attempt at the user's ``purpose`` code (``codes.take_counted``), then apply ``decide(code)``, the
        confirmation the code allows (None: it does not, and only the attempt is written). Returns the quota's
        count, the code (None: no code, no attempt left, or past the quota) and whether a confirmation was applied
        (False when the status was no longer ``from_status``: of racing confirmations exactly one wins). A key owned
        by another user rolls the whole transaction back; the attempt is then counted on its own, and
        ``Conflict(kind)`` raised, as ``confirm`` does."""
        decided: list[Confirmation] = []

        def deciding(code: Code) -> Confirmation | None:
            change = decide(code)
            decided[:] = [change] if change is not None else []
            return change

        try:
            return await self._confirm_with_code(user_id, purpose, max_attempts, hit, limit, deciding)
        except (Conflict, IntegrityError) as error:
            await self._take_counted(user_id, purpose, max_attempts, hit, limit)
            if isinstance(error, Conflict):
                raise
            keys = decided[0].claim_keys if decided else ()
            raise Conflict(keys[0][0] if keys else "username") from None

    @retrying
    async def _confirm_with_code(
        self,
        user_id: int,
        purpose: str,
        max_attempts: int,
        hit: tuple[str, str, int, float] | None,
        limit: int,
        decide: Callable[[Code], Confirmation | None],
    ) -> tuple[int, Code | None, bool]:
        async with self._write() as conn:
            count, code = await take_counted(conn, self.dialect, user_id, purpose, max_attempts, hit, limit)
            change = decide(code) if code is not None else None
            return count, code, change is not None and await _apply(conn, change)

    @retrying
    async def _take_counted(
        self, user_id: int, purpose: str, max_attempts: int, hit: tuple[str, str, int, float] | None, limit: int
    ) -> None:
        async with self._write() as conn:
            await take_counted(conn, self.dialect, user_id, purpose, max_attempts, hit, limit)

    @on_store_thread
    async def update_attributes(
        self,
        user_id: int,
        values: Mapping[str, str],
        at: float,
        remove: Sequence[str] = (),
        release_keys: Sequence[str] = (),
        set_keys: Sequence[tuple[str, str]] = (),
        new_codes: Sequence[NewCode] = (),
        drop_codes: Sequence[str] = (),
    ) -> None:
        """Set and delete attributes, release the user's claimed keys of ``release_keys`` kinds and claim
        ``set_keys``, replace codes and delete those of ``drop_codes`` purposes, in one transaction. Raises
        ``Conflict(kind)`` when a key is taken."""
        try:
            async with self._write() as conn:
                pool_id = await pool_of(conn, user_id)
                for name, value in values.items():
                    await set_attribute(conn, pool_id, user_id, name, value)
                if remove:
                    await conn.execute(
                        delete(t.user_attributes).where(
                            t.user_attributes.c.user_id == user_id, t.user_attributes.c.name.in_(list(remove))
                        )
                    )
                if release_keys:
                    await conn.execute(
                        delete(t.user_keys).where(
                            t.user_keys.c.user_id == user_id, t.user_keys.c.kind.in_(list(release_keys))
                        )
                    )
                for kind, value in set_keys:
                    await conn.execute(
                        INSERT_KEYS, {"pool_id": pool_id, "kind": kind, "value_key": value, "user_id": user_id}
                    )
                for purpose in drop_codes:
                    await conn.execute(DELETE_CODE, {"user_id": user_id, "purpose": purpose})
                for code in new_codes:
                    await conn.execute(DELETE_CODE, {"user_id": user_id, "purpose": code.purpose})
                    await conn.execute(
                        INSERT_CODE, {"user_id": user_id, "failed_attempts": 0, "created_at": at, **code.__dict__}
                    )
                await conn.execute(update(t.users).where(t.users.c.id == user_id).values(modified_at=at))
        except IntegrityError:
            kinds = [k for k, _ in set_keys]
            raise Conflict(kinds[0] if len(kinds) == 1 else "key") from None

    @on_store_thread
    async def claim_key(self, user_id: int, kind: str, value: str, force: bool, at: float) -> None:
        """Make ``user_id`` the owner of a sign-in value (a verified alias), in place of its own of that kind.
        Raises ``Conflict(kind)`` when another user owns it and ``force`` is off; with ``force`` the value moves
        and is unverified on its old owner."""
        async with self._write() as conn:
            await claim(conn, await pool_of(conn, user_id), user_id, kind, value, force, at, replace=True)
