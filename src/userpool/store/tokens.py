"""What sign-in leaves behind: the pools' signing keys, refresh tokens (and their sessions under rotation), and
the challenge sessions of multi-step sign-ins (each answers once)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update

from userpool.domain.records import AuthSession, PublicKey, RefreshToken, StoredKey
from userpool.store import tables as t
from userpool.store.engine import StoreBase, on_store_thread, point_read, point_statement, retrying
from userpool.store.sealing import SealingError, SecretBox
from userpool.store.sessions import INSERT_REFRESH_TOKEN, TOUCH, revoke_sessions, touch_parameters

_GET_PUBLIC_KEY = point_statement(
    select(t.signing_keys.c.kid, t.signing_keys.c.pool_id, t.signing_keys.c.public_jwk).where(
        t.signing_keys.c.kid == bindparam("kid")
    )
)
_REFRESH_BY_HASH = point_statement(
    select(t.refresh_tokens).where(t.refresh_tokens.c.token_hash == bindparam("token_hash"))
)
_REFRESH_BY_ORIGIN = point_statement(
    select(t.refresh_tokens).where(t.refresh_tokens.c.origin_jti == bindparam("origin_jti"))
)

# Rotation's first step: a token not yet replaced nor revoked is marked replaced (one request in any process wins).
_MARK_REPLACED = point_statement(
    update(t.refresh_tokens)
    .where(
        t.refresh_tokens.c.token_hash == bindparam("used"),
        t.refresh_tokens.c.replaced_at.is_(None),
        t.refresh_tokens.c.revoked_at.is_(None),
    )
    .values(replaced_at=bindparam("at"))
)


def _signing_key_now(*columns: Any) -> Any:
    """``columns`` of the key that signs a pool's tokens now: its newest unretired one."""
    keys = t.signing_keys
    return (
        select(*columns)
        .where(keys.c.pool_id == bindparam("pool_id"), keys.c.retired_at.is_(None))
        .order_by(keys.c.created_at.desc())
        .limit(1)
    )


_FIND_SIGNING_KEY = point_statement(_signing_key_now(t.signing_keys))
# Its id alone: what a process that has parsed the key already needs (nothing read to unseal).
_SIGNING_KEY_ID = point_statement(_signing_key_now(t.signing_keys.c.kid))

# Refresh tokens expired this long ago are deleted when their user signs out everywhere.
MAX_TOKEN_AGE = 86400.0


def open_signing_key(box: SecretBox | None, values: dict[str, Any]) -> StoredKey:
    """The key of a ``signing_keys`` row, its sealed private key opened with ``box`` (``SealingError`` when it
    cannot)."""
    sealed = values.pop("private_key_sealed", None)
    if sealed is not None:
        if box is None:
            raise SealingError("this store has no key to open token signing keys")
        values["private_key"] = box.open(sealed, values["kid"])
    return StoredKey(**values, sealed=sealed is not None)


class TokenStore(StoreBase):
    # ---- signing keys ----------------------------------------------------------------------------------
    @point_read
    async def find_signing_key(self, pool_id: str) -> StoredKey | None:
        """The key that signs the pool's tokens now: its newest unretired one (one statement on the pool's index:
        a point read). Not cached: a key rotated by another process (``userpool rotate-key``) signs at once."""
        return await self._read_one(_FIND_SIGNING_KEY, {"pool_id": pool_id}, self._signing_key)

    @point_read
    async def signing_key_id(self, pool_id: str) -> str | None:
        """The ``kid`` of the key ``find_signing_key`` would answer (a third of its CPU: no private key unsealed,
        no JWK decoded)."""
        rows = await self._read_rows(_SIGNING_KEY_ID, {"pool_id": pool_id})
        return str(rows[0]["kid"]) if rows else None

    @point_read
    async def get_public_key(self, kid: str) -> PublicKey | None:
        """A key's public half, as every token check reads it: one statement by the key's id, nothing unsealed."""
        return await self._read_one(_GET_PUBLIC_KEY, {"kid": kid}, PublicKey)

    def _signing_key(self, **values: Any) -> StoredKey:
        return open_signing_key(self._box, values)

    def _private_key_columns(self, kid: str, private_key: str) -> dict[str, str | None]:
        if self._box is None:
            return {"private_key": private_key, "private_key_sealed": None}
        return {"private_key": None, "private_key_sealed": self._box.seal(private_key, kid)}

    @on_store_thread
    async def seal_signing_keys(self) -> int:
        """Seal the private keys still stored in plain text (keys written before sealing existed). How many."""
        if self._box is None:
            return 0
        keys = t.signing_keys
        async with self._write() as conn:
            rows = (
                await conn.execute(
                    select(keys.c.kid, keys.c.private_key).where(
                        keys.c.private_key.is_not(None), keys.c.private_key_sealed.is_(None)
                    )
                )
            ).all()
            for kid, private_key in rows:
                await conn.execute(
                    update(keys).where(keys.c.kid == kid).values(**self._private_key_columns(kid, private_key))
                )
        return len(rows)

    @on_store_thread
    async def add_signing_key(self, key: StoredKey, retire_others: bool) -> None:
        """Store a new key; with ``retire_others`` the pool's other keys stop signing (rotation)."""
        async with self._write() as conn:
            if retire_others:
                await conn.execute(
                    update(t.signing_keys)
                    .where(t.signing_keys.c.pool_id == key.pool_id, t.signing_keys.c.retired_at.is_(None))
                    .values(retired_at=key.created_at)
                )
            values = {**key.__dict__, **self._private_key_columns(key.kid, key.private_key)}
            del values["sealed"]
            await conn.execute(insert(t.signing_keys).values(**values))

    @on_store_thread
    async def published_keys(self, pool_id: str, retired_after: float) -> list[dict[str, Any]]:
        """Public JWKs of the pool's signing key and of keys retired after ``retired_after`` (tokens they signed
        may still be alive), newest first."""
        async with self._read() as conn:
            rows = await conn.execute(
                select(t.signing_keys.c.public_jwk)
                .where(
                    t.signing_keys.c.pool_id == pool_id,
                    (t.signing_keys.c.retired_at.is_(None)) | (t.signing_keys.c.retired_at > retired_after),
                )
                .order_by(t.signing_keys.c.created_at.desc())
            )
            return [dict(r[0]) for r in rows]

    # ---- refresh tokens --------------------------------------------------------------------------------
    @point_read
    async def get_refresh_token(self, token_hash: str) -> RefreshToken | None:
        return await self._read_one(_REFRESH_BY_HASH, {"token_hash": token_hash}, RefreshToken)

    @point_read
    async def find_refresh_token_by_origin(self, origin_jti: str) -> RefreshToken | None:
        """The refresh token the access and ID tokens ``origin_jti`` came with (each request with an access token
        checks that its session is not revoked)."""
        return await self._read_one(_REFRESH_BY_ORIGIN, {"origin_jti": origin_jti}, RefreshToken)

    @on_store_thread
    async def revoke_refresh_token(self, token_hash: str, at: float) -> bool:
        """Revoke the token's whole session: the token, the tokens rotation issued from it or before it, and so
        every access and ID token issued from any of them."""
        r = t.refresh_tokens
        session = select(r.c.session_id).where(r.c.token_hash == token_hash).scalar_subquery()
        async with self._write() as conn:
            return await revoke_sessions(conn, at, session_id=session) > 0

    @on_store_thread
    @retrying
    async def rotate_refresh_token(
        self,
        used: RefreshToken,
        new: RefreshToken,
        at: float,
        grace: float,
        touch: tuple[str | None, str | None] | None = None,
    ) -> bool:
        """Refresh-token rotation, in one transaction: mark ``used`` replaced and add ``new`` to its session; with
        ``touch`` (the request's address and device), the session was active ``at`` from there (``touch_session``'s
        write, made here so that a rotating refresh is one write, not two).

        A token already replaced is still honoured for ``grace`` seconds after its first replacement (a client's
        retry, or concurrent refreshes in any number of processes: the conditional UPDATE lets exactly one request
        be the first; with no grace, every other one is a reuse). Past that, its use is a reuse: the whole session is
        revoked and False returned."""
        r = t.refresh_tokens
        async with self._write() as conn:
            first = await conn.execute(_MARK_REPLACED, {"used": used.token_hash, "at": at})
            if first.rowcount != 1:
                row = (
                    await conn.execute(select(r.c.replaced_at, r.c.revoked_at).where(r.c.token_hash == used.token_hash))
                ).first()
                honoured = row is not None and row.revoked_at is None and row.replaced_at is not None
                if not honoured or grace <= 0 or at > row.replaced_at + grace:
                    await revoke_sessions(conn, at, session_id=used.session_id)
                    return False
            await conn.execute(INSERT_REFRESH_TOKEN, new.__dict__)
            if touch is not None:
                await conn.execute(TOUCH, touch_parameters(used.session_id, at, *touch))
        return True

    @on_store_thread
    async def revoke_user_tokens(self, user_id: int, at: float) -> int:
        """Global sign-out: every session of the user, and so every token issued in them, is revoked."""
        async with self._write() as conn:
            revoked = await revoke_sessions(conn, at, user_id=user_id)
            # Expired sessions and refresh tokens are no use to anyone: let them go while we are here.
            old = at - MAX_TOKEN_AGE
            await conn.execute(
                delete(t.refresh_tokens).where(
                    t.refresh_tokens.c.user_id == user_id, t.refresh_tokens.c.expires_at < old
                )
            )
            await conn.execute(
                delete(t.token_sessions).where(
                    t.token_sessions.c.user_id == user_id, t.token_sessions.c.expires_at < old
                )
            )
        return revoked

    # ---- challenge sessions ----------------------------------------------------------------------------
    @on_store_thread
    async def add_session(self, session: AuthSession) -> None:
        async with self._write() as conn:
            # Sessions live minutes; drop the long-dead ones so the table stays small.
            await conn.execute(delete(t.auth_sessions).where(t.auth_sessions.c.expires_at < session.created_at - 3600))
            await conn.execute(insert(t.auth_sessions).values(**session.__dict__))

    @on_store_thread
    async def get_session(self, id_hash: str) -> AuthSession | None:
        s = t.auth_sessions
        return await self._read_one(select(s).where(s.c.id_hash == id_hash), {}, AuthSession)

    @on_store_thread
    @retrying
    async def take_session_attempt(self, id_hash: str, max_attempts: int) -> bool:
        """Count one answer to an unused session before it is checked; False when its ``max_attempts`` are taken.
        One conditional statement, so racing answers never take more than that between them."""
        s = t.auth_sessions
        async with self._write() as conn:
            result = await conn.execute(
                update(s)
                .where(s.c.id_hash == id_hash, s.c.used_at.is_(None), s.c.failed_attempts < max_attempts)
                .values(failed_attempts=s.c.failed_attempts + 1)
            )
        return result.rowcount == 1

    @on_store_thread
    async def use_session(self, id_hash: str, at: float) -> bool:
        """Mark a session used; True for the one caller that did it (a session answers once)."""
        async with self._write() as conn:
            result = await conn.execute(
                update(t.auth_sessions)
                .where(t.auth_sessions.c.id_hash == id_hash, t.auth_sessions.c.used_at.is_(None))
                .values(used_at=at)
            )
        return result.rowcount == 1
