"""One-time codes: ``codes (user_id, purpose)`` holds a salted hash of the code, the attribute it verifies, its
expiry and an attempt counter that ``take_attempt`` counts before the comparison, in one conditional UPDATE."""

from __future__ import annotations

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from userpool.domain.records import Code, NewCode
from userpool.store import counters
from userpool.store import tables as t
from userpool.store.engine import (
    StoreBase,
    StoreConnection,
    first_record,
    on_store_thread,
    point_read,
    point_statement,
    retrying,
)

_CODE_COLUMNS = (t.codes.c.code_hash, t.codes.c.attribute, t.codes.c.expires_at, t.codes.c.failed_attempts)

# The statements of the hot paths, built once with bound parameters. (In an UPDATE, a parameter may not be named
# like a column: those are ``b_``.)
INSERT_CODE = point_statement(insert(t.codes))
DELETE_CODE = point_statement(
    delete(t.codes).where(t.codes.c.user_id == bindparam("user_id"), t.codes.c.purpose == bindparam("purpose"))
)
_GET_CODE = point_statement(
    select(*_CODE_COLUMNS).where(t.codes.c.user_id == bindparam("user_id"), t.codes.c.purpose == bindparam("purpose"))
)
_TAKE_ATTEMPT = point_statement(
    update(t.codes)
    .where(
        t.codes.c.user_id == bindparam("b_user_id"),
        t.codes.c.purpose == bindparam("b_purpose"),
        t.codes.c.failed_attempts < bindparam("b_max_attempts"),
    )
    .values(failed_attempts=t.codes.c.failed_attempts + 1)
    .returning(*_CODE_COLUMNS)
)


class CodeStore(StoreBase):
    @point_read
    async def get_code(self, user_id: int, purpose: str) -> Code | None:
        return await self._read_one(_GET_CODE, {"user_id": user_id, "purpose": purpose}, Code)

    @on_store_thread
    async def replace_code(self, user_id: int, code: NewCode, at: float) -> None:
        """A new code for (user, purpose); the old one, and its failed attempts, are gone. (Of two racing first
        codes, the loser's insert hits the primary key and runs again as an update.)"""
        try:
            await self._replace_code(user_id, code, at)
        except IntegrityError:
            await self._replace_code(user_id, code, at)

    @retrying
    async def _replace_code(self, user_id: int, code: NewCode, at: float) -> None:
        async with self._write() as conn:
            values = {"failed_attempts": 0, "created_at": at, **code.__dict__}
            replaced = await conn.execute(
                update(t.codes).where(t.codes.c.user_id == user_id, t.codes.c.purpose == code.purpose).values(values)
            )
            if replaced.rowcount == 0:
                await conn.execute(insert(t.codes).values(user_id=user_id, **values))

    @on_store_thread
    @retrying
    async def take_attempt(self, user_id: int, purpose: str, max_attempts: int) -> Code | None:
        """Count one attempt against the user's code and return it, or None when there is no code or its
        attempts are used up. Counting comes before comparing, in one statement, so that concurrent guesses
        can never take more than ``max_attempts`` between them."""
        attempt = {"b_user_id": user_id, "b_purpose": purpose, "b_max_attempts": max_attempts}
        async with self._write() as conn:
            return await first_record(conn, _TAKE_ATTEMPT, attempt, Code)

    @on_store_thread
    @retrying
    async def take_counted_attempt(
        self, user_id: int, purpose: str, max_attempts: int, hit: tuple[str, str, int, float] | None, limit: int
    ) -> tuple[int, Code | None]:
        """``take_attempt`` after counting ``hit`` (the user's quota of the operation), in one durable transaction:
        ``take_counted``."""
        async with self._write() as conn:
            return await take_counted(conn, self.dialect, user_id, purpose, max_attempts, hit, limit)


async def take_counted(
    conn: StoreConnection,
    dialect: str,
    user_id: int,
    purpose: str,
    max_attempts: int,
    hit: tuple[str, str, int, float] | None,
    limit: int,
) -> tuple[int, Code | None]:
    """In the caller's transaction: count ``hit`` (a rate counter's scope, key, window start and end: the user's
    quota of the operation; None when there is none), then take one attempt at the user's ``purpose`` code. The
    quota's new count (0 without ``hit``) and the code, or None when there is none, its attempts are used up, or
    the count is past ``limit`` (then no attempt is taken)."""
    count = 0
    if hit is not None:
        [count] = await counters.count_in(conn, dialect, [hit])
        if count > limit:
            return count, None
    attempt = {"b_user_id": user_id, "b_purpose": purpose, "b_max_attempts": max_attempts}
    return count, await first_record(conn, _TAKE_ATTEMPT, attempt, Code)
