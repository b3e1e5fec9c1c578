"""Users' MFA: ``user_mfa``, one row per user who has set any factor up: enabled factors, the preferred one, and the
authenticator (TOTP) secrets, sealed with the user's id as associated data, with the last time step a code was
accepted for (moved forward only, by one conditional UPDATE, so a code is accepted once even by racing requests)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from userpool.domain.records import MfaSettings
from userpool.store import tables as t
from userpool.store.engine import StoreBase, StoreConnection, on_store_thread, point_read, point_statement, retrying
from userpool.store.sealing import SealingError, SecretBox

m = t.user_mfa
_GET = point_statement(select(m).where(m.c.user_id == bindparam("user_id")))
_USE_STEP = (
    update(m)
    .where(
        m.c.user_id == bindparam("b_user_id"),
        m.c.totp_secret_sealed.is_not(None),
        or_(m.c.totp_last_step.is_(None), m.c.totp_last_step < bindparam("b_step")),
    )
    .values(totp_last_step=bindparam("b_step"))
)


def _context(user_id: int) -> str:
    return f"totp:{user_id}"


def _open(box: SecretBox | None, user_id: int, sealed: str) -> str:
    if box is None:
        raise SealingError("this store has no key to open authenticator secrets")
    return box.open(sealed, _context(user_id))


def open_mfa_settings(box: SecretBox | None, row: dict[str, Any]) -> MfaSettings:
    """The settings of a ``user_mfa`` row, its sealed secrets opened with ``box`` (``SealingError`` when one cannot
    be)."""
    row = dict(row)
    opened = {}
    for column, name in (("totp_secret_sealed", "totp_secret"), ("totp_pending_sealed", "totp_pending_secret")):
        sealed = row.pop(column)
        if sealed is not None:
            opened[name] = _open(box, row["user_id"], sealed)
    row.pop("modified_at")
    return MfaSettings(**row, **opened)


class MfaStore(StoreBase):
    @point_read
    async def get_mfa_settings(self, user_id: int) -> MfaSettings | None:
        """The user's MFA, its authenticator secrets opened; None when it never set a factor up."""
        return await self._read_one(_GET, {"user_id": user_id}, self._settings)

    def _settings(self, **row: Any) -> MfaSettings:
        return open_mfa_settings(self._box, row)

    def _seal(self, user_id: int, secret: str) -> str:
        if self._box is None:
            raise SealingError("this store has no key to seal authenticator secrets")
        return self._box.seal(secret, _context(user_id))

    @on_store_thread
    async def set_mfa_factors(self, settings: MfaSettings, at: float) -> None:
        """Store which factors the user enabled and which it prefers (its authenticator is left as it is)."""
        values = {
            "sms_enabled": settings.sms_enabled,
            "totp_enabled": settings.totp_enabled,
            "email_enabled": settings.email_enabled,
            "preferred": settings.preferred,
        }
        await self._upsert(settings.user_id, values, at)

    @on_store_thread
    async def set_pending_totp(self, user_id: int, secret: str, at: float) -> None:
        """AssociateSoftwareToken: a new secret, waiting to be verified (it replaces any other waiting one; the
        registered one keeps working until it is)."""
        await self._upsert(user_id, {"totp_pending_sealed": self._seal(user_id, secret)}, at)

    @on_store_thread
    @retrying
    async def register_totp(
        self, user_id: int, secret: str, name: str | None, step: int, at: float, enable: bool = False
    ) -> bool:
        """VerifySoftwareToken: the waiting ``secret`` becomes the user's authenticator, its code of ``step``
        used; ``enable`` also turns TOTP on (finishing ``MFA_SETUP``). False when the waiting secret changed."""
        values: dict[str, Any] = {
            "totp_secret_sealed": self._seal(user_id, secret),
            "totp_pending_sealed": None,
            "totp_name": name,
            "totp_last_step": step,
            "modified_at": at,
        }
        if enable:
            values["totp_enabled"] = True
        async with self._write() as conn:
            current = (await conn.execute(select(m.c.totp_pending_sealed).where(m.c.user_id == user_id))).first()
            if current is None or current[0] is None or _open(self._box, user_id, current[0]) != secret:
                return False
            await conn.execute(update(m).where(m.c.user_id == user_id).values(**values))
            if enable:
                await conn.execute(
                    update(m)
                    .where(m.c.user_id == user_id, m.c.preferred.is_(None))
                    .values(preferred="SOFTWARE_TOKEN_MFA")
                )
            return True

    @on_store_thread
    @retrying
    async def use_totp_step(self, user_id: int, step: int) -> bool:
        """Accept the authenticator's code of ``step``: True for the one request that moves the last used step
        past it; False when that step (or a later one) was already used."""
        async with self._write() as conn:
            result = await conn.execute(_USE_STEP, {"b_user_id": user_id, "b_step": step})
        return result.rowcount == 1

    async def _upsert(self, user_id: int, values: dict[str, Any], at: float) -> None:
        try:
            await self._upsert_once(user_id, values, at)
        except IntegrityError:  # a racing first row: now it exists, update it
            await self._upsert_once(user_id, values, at)

    @retrying
    async def _upsert_once(self, user_id: int, values: dict[str, Any], at: float) -> None:
        async with self._write() as conn:
            await _upsert_in(conn, user_id, {**values, "modified_at": at})


async def _upsert_in(conn: StoreConnection, user_id: int, values: dict[str, Any]) -> None:
    done = await conn.execute(update(m).where(m.c.user_id == user_id).values(**values))
    if done.rowcount == 0:
        row = {"sms_enabled": False, "totp_enabled": False, "email_enabled": False, **values}
        await conn.execute(insert(m).values(user_id=user_id, **row))
