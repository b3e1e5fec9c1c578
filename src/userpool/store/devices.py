"""Remembered devices: a device handed out at sign-in (sweeping its user's stale unconfirmed ones in the same
transaction), confirmed once, its remembered status, its last sign-in, a user's confirmed devices page by page,
and forgetting one. A user's devices go with the user (``ON DELETE CASCADE``)."""

from __future__ import annotations

from sqlalchemy import bindparam, delete, insert, select, update

from userpool.domain.records import Device
from userpool.store import tables as t
from userpool.store.engine import StoreBase, on_store_thread, point_read
from userpool.store.paging import page, read_token

_devices = t.devices
_GET_DEVICE = select(_devices).where(_devices.c.key == bindparam("key"))


class DeviceStore(StoreBase):
    @on_store_thread
    async def add_device(self, device: Device, unconfirmed_before: float) -> None:
        """Keep a new (unconfirmed) device; in the same transaction, forget the user's devices that were never
        confirmed and were made before ``unconfirmed_before``."""
        async with self._write() as conn:
            await conn.execute(
                delete(_devices).where(
                    _devices.c.user_id == device.user_id,
                    _devices.c.verifier.is_(None),
                    _devices.c.created_at < unconfirmed_before,
                )
            )
            await conn.execute(insert(_devices).values(**device.__dict__))

    @point_read
    async def get_device(self, key: str) -> Device | None:
        return await self._read_one(_GET_DEVICE, {"key": key}, Device)

    @on_store_thread
    async def confirm_device(
        self, key: str, verifier: str, salt: str, name: str | None, remembered: str, at: float
    ) -> bool:
        """Confirm an unconfirmed device; False when it is gone or was confirmed already (of two racing
        confirmations one wins)."""
        async with self._write() as conn:
            result = await conn.execute(
                update(_devices)
                .where(_devices.c.key == key, _devices.c.verifier.is_(None))
                .values(verifier=verifier, salt=salt, name=name, remembered=remembered, modified_at=at)
            )
        return result.rowcount == 1

    @on_store_thread
    async def set_device_status(self, key: str, remembered: str, at: float) -> bool:
        """Set a confirmed device's remembered status; False when there is no such confirmed device."""
        async with self._write() as conn:
            result = await conn.execute(
                update(_devices)
                .where(_devices.c.key == key, _devices.c.verifier.is_not(None))
                .values(remembered=remembered, modified_at=at)
            )
        return result.rowcount == 1

    @on_store_thread
    async def touch_device(self, key: str, at: float, ip: str | None) -> None:
        """A sign-in from the device: when and from where."""
        async with self._write() as conn:
            await conn.execute(
                update(_devices).where(_devices.c.key == key).values(last_authenticated_at=at, last_ip=ip)
            )

    @on_store_thread
    async def list_devices(self, user_id: int, limit: int, token: str | None) -> tuple[list[Device], str | None]:
        """The user's confirmed devices by key, ``limit`` of them after the position ``token`` holds."""
        query = (
            select(_devices)
            .where(_devices.c.user_id == user_id, _devices.c.verifier.is_not(None))
            .order_by(_devices.c.key)
        )
        if token is not None:
            query = query.where(_devices.c.key > read_token(token, str))
        async with self._read(statements=1) as conn:
            rows = (await conn.execute(query.limit(limit + 1))).mappings().all()
        found = [Device(**r) for r in rows[:limit]]
        return page(found, rows, limit, lambda device: device.key)

    @on_store_thread
    async def delete_device(self, key: str) -> bool:
        async with self._write() as conn:
            result = await conn.execute(delete(_devices).where(_devices.c.key == key))
        return result.rowcount == 1
