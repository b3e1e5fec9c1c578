"""Passkeys (WebAuthn credentials): registered within the user's limit (the user's row locked, so racing
registrations never pass it; a credential id is taken once per pool, by the primary key), found by id, a user's
listed oldest first, the signature counter moved forward once per assertion, deleted. A user's passkeys go with the
user (``ON DELETE CASCADE``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from userpool.domain.records import WebAuthnCredential
from userpool.store import tables as t
from userpool.store.engine import StoreBase, on_store_thread, point_read, retrying
from userpool.store.errors import Conflict, LimitReached
from userpool.store.paging import page_token, read_token

_c = t.webauthn_credentials
_GET = select(_c).where(_c.c.pool_id == bindparam("pool_id"), _c.c.credential_id == bindparam("credential_id"))
_OF_USER = select(_c).where(_c.c.user_id == bindparam("user_id")).order_by(_c.c.created_at, _c.c.credential_id)
_COUNT = select(func.count()).select_from(_c).where(_c.c.user_id == bindparam("user_id"))
# The user's row, locked until the write's end (PostgreSQL; SQLite renders no FOR clause): the limit's count holds.
_LOCK_USER = select(t.users.c.id).where(t.users.c.id == bindparam("user_id")).with_for_update(key_share=True)


def _credential(**values: Any) -> WebAuthnCredential:
    values["public_key"] = bytes(values["public_key"])
    values["transports"] = list(values["transports"] or [])
    return WebAuthnCredential(**values)


class CredentialStore(StoreBase):
    @on_store_thread
    @retrying
    async def add_webauthn_credential(self, credential: WebAuthnCredential, limit: int) -> bool:
        """Register ``credential``; False when its user is gone. Raises ``Conflict("credential")`` when the pool
        has that credential id already, ``LimitReached`` when the user has ``limit`` passkeys; nothing is written
        then."""
        try:
            async with self._write() as conn:
                if (await conn.execute(_LOCK_USER, {"user_id": credential.user_id})).first() is None:
                    return False
                if (await conn.execute(_COUNT, {"user_id": credential.user_id})).scalar_one() >= limit:
                    raise LimitReached("passkeys")
                await conn.execute(insert(_c).values(**credential.__dict__))
        except IntegrityError:  # the credential id is taken in this pool (the primary key decides)
            raise Conflict("credential") from None
        return True

    @point_read
    async def get_webauthn_credential(self, pool_id: str, credential_id: str) -> WebAuthnCredential | None:
        return await self._read_one(_GET, {"pool_id": pool_id, "credential_id": credential_id}, _credential)

    @on_store_thread
    async def webauthn_credentials_of_user(self, user_id: int) -> list[WebAuthnCredential]:
        """Every passkey of the user (at most its limit), oldest first."""
        async with self._read(statements=1) as conn:
            rows = (await conn.execute(_OF_USER, {"user_id": user_id})).mappings().all()
        return [_credential(**r) for r in rows]

    @on_store_thread
    async def list_webauthn_credentials(
        self, user_id: int, limit: int, token: str | None
    ) -> tuple[list[WebAuthnCredential], str | None]:
        """The user's passkeys oldest first, ``limit`` of them from the position ``token`` holds (a user has a few
        dozen at most: the position is a count)."""
        start = 0 if token is None else read_token(token, int)
        query = _OF_USER.offset(start).limit(limit + 1)
        async with self._read(statements=1) as conn:
            rows = (await conn.execute(query, {"user_id": user_id})).mappings().all()
        found = [_credential(**r) for r in rows[:limit]]
        return found, (page_token(start + limit) if len(rows) > limit else None)

    @on_store_thread
    @retrying
    async def use_webauthn_credential(self, pool_id: str, credential_id: str, seen: int, new: int, at: float) -> bool:
        """Move the credential's signature counter from ``seen`` to ``new`` after an accepted assertion; False when
        another assertion moved it first (of racing uses of one counter value, one wins) or the passkey is gone."""
        async with self._write() as conn:
            result = await conn.execute(
                update(_c)
                .where(_c.c.pool_id == pool_id, _c.c.credential_id == credential_id, _c.c.sign_count == seen)
                .values(sign_count=new, last_used_at=at)
            )
        return result.rowcount == 1

    @on_store_thread
    @retrying
    async def delete_webauthn_credential(self, pool_id: str, credential_id: str, user_id: int) -> bool:
        """Delete the user's passkey; False when the user has none with that id."""
        async with self._write() as conn:
            result = await conn.execute(
                delete(_c).where(_c.c.pool_id == pool_id, _c.c.credential_id == credential_id, _c.c.user_id == user_id)
            )
        return result.rowcount == 1
