"""Store contract: users' MFA (factors, preference, the authenticator secret sealed and each time step accepted
once), and a challenge session's wrong-answer count (the last allowed one spends it)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from tests.store.records import NOW, auth_session, new_client, new_pool, new_user
from userpool.domain.records import MfaSettings, Pool
from userpool.store import Store, tables

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
POOLS: list[str] = []


@pytest.fixture(autouse=True)
def _drop_pools(store: Store, loop: asyncio.AbstractEventLoop) -> Iterator[None]:
    """Each test's pools go with it: sealed secrets left behind would be found by another test's integrity check
    made without the key."""
    yield
    while POOLS:
        loop.run_until_complete(store.delete_pool(POOLS.pop()))


async def _pool(store: Store) -> Pool:
    pool = await new_pool(store)
    POOLS.append(pool.id)
    return pool


async def _user(store: Store) -> int:
    return await store.create_user(new_user(await _pool(store), "ann", status="CONFIRMED"))


async def test_a_user_without_mfa_has_none(store: Store) -> None:
    assert await store.get_mfa_settings(await _user(store)) is None


async def test_factors_and_preference_read_back(store: Store) -> None:
    user_id = await _user(store)
    await store.set_mfa_factors(MfaSettings(user_id, sms_enabled=True, preferred="SMS_MFA"), NOW)
    assert await store.get_mfa_settings(user_id) == MfaSettings(user_id, sms_enabled=True, preferred="SMS_MFA")
    await store.set_mfa_factors(MfaSettings(user_id, email_enabled=True), NOW + 1)
    assert await store.get_mfa_settings(user_id) == MfaSettings(user_id, email_enabled=True)


async def test_an_authenticator_is_sealed_and_registered_only_as_associated(store: Store) -> None:
    user_id = await _user(store)
    await store.set_pending_totp(user_id, SECRET, NOW)
    assert (await store.get_mfa_settings(user_id)).totp_pending_secret == SECRET
    async with store._read() as conn:
        row = (
            (await conn.execute(sa.select(tables.user_mfa).where(tables.user_mfa.c.user_id == user_id)))
            .mappings()
            .one()
        )
    assert SECRET not in str(dict(row))
    assert await store.register_totp(user_id, "OTHERSECRETOTHERSECRET", "phone", 10, NOW) is False
    assert await store.register_totp(user_id, SECRET, "phone", 10, NOW, enable=True) is True
    settings = await store.get_mfa_settings(user_id)
    assert (settings.totp_secret, settings.totp_pending_secret, settings.totp_name) == (SECRET, None, "phone")
    assert (settings.totp_enabled, settings.preferred, settings.totp_last_step) == (True, "SOFTWARE_TOKEN_MFA", 10)
    assert await store.register_totp(user_id, SECRET, "phone", 11, NOW) is False  # nothing waits any more


async def test_each_time_step_is_accepted_once_even_by_racing_requests(store: Store) -> None:
    user_id = await _user(store)
    assert await store.use_totp_step(user_id, 5) is False  # no authenticator
    await store.set_pending_totp(user_id, SECRET, NOW)
    await store.register_totp(user_id, SECRET, None, 10, NOW)
    assert await store.use_totp_step(user_id, 10) is False
    assert await store.use_totp_step(user_id, 9) is False
    results = await asyncio.gather(*(store.use_totp_step(user_id, 11) for _ in range(5)))
    assert sorted(results) == [False, False, False, False, True]


async def test_mfa_goes_with_its_user(store: Store) -> None:
    user_id = await _user(store)
    await store.set_mfa_factors(MfaSettings(user_id, sms_enabled=True), NOW)
    await store.delete_user(user_id)
    assert await store.get_mfa_settings(user_id) is None


async def test_a_session_takes_its_attempts_and_no_more_even_racing(store: Store) -> None:
    pool = await _pool(store)
    client = await new_client(store, pool)
    user_id = await store.create_user(new_user(pool, "ann", status="CONFIRMED"))
    session = auth_session(client, user_id)
    await store.add_session(session)
    results = await asyncio.gather(*(store.take_session_attempt(session.id_hash, 3) for _ in range(5)))
    assert sorted(results) == [False, False, True, True, True]
    assert (await store.get_session(session.id_hash)).failed_attempts == 3
    other = auth_session(client, user_id)
    await store.add_session(other)
    assert await store.use_session(other.id_hash, NOW) is True
    assert await store.take_session_attempt(other.id_hash, 3) is False  # a used session takes no answer
