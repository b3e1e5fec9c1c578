"""Store contract: remembered devices. A device handed out at sign-in is kept unconfirmed, confirmed once (of two
confirmations one wins), its remembered status set only once confirmed; a user's confirmed devices are listed by
key a page at a time; stale unconfirmed devices are swept when the user gets a new one; devices go with their
user."""

from __future__ import annotations

import pytest

from tests.store.records import NOW, device, new_pool, new_user
from userpool.store import InvalidToken, Store


async def _user(store: Store, name: str = "ann") -> tuple:
    pool = await new_pool(store)
    return pool, await store.create_user(new_user(pool, name, status="CONFIRMED"))


async def test_a_device_is_kept_unconfirmed_then_confirmed_once(store: Store) -> None:
    pool, user_id = await _user(store)
    handed = device(pool, user_id)
    await store.add_device(handed, NOW - 86400)
    assert await store.get_device(handed.key) == handed
    assert not handed.confirmed
    assert await store.confirm_device(handed.key, "dmVyaWZpZXI=", "c2FsdA==", "phone", "remembered", NOW + 5)
    assert not await store.confirm_device(handed.key, "b3RoZXI=", "c2FsdA==", "other", "remembered", NOW + 6)
    stored = await store.get_device(handed.key)
    assert stored is not None and stored.confirmed
    assert (stored.verifier, stored.salt, stored.name, stored.remembered, stored.modified_at) == (
        "dmVyaWZpZXI=",
        "c2FsdA==",
        "phone",
        "remembered",
        NOW + 5,
    )
    assert stored.created_at == NOW
    assert await store.get_device("us-east-1_00000000-0000-0000-0000-000000000000") is None


async def test_status_is_set_only_on_a_confirmed_device_and_a_sign_in_is_recorded(store: Store) -> None:
    pool, user_id = await _user(store)
    handed = device(pool, user_id)
    await store.add_device(handed, NOW - 86400)
    assert not await store.set_device_status(handed.key, "remembered", NOW + 1)
    await store.confirm_device(handed.key, "dg==", "cw==", None, "not_remembered", NOW + 1)
    assert await store.set_device_status(handed.key, "remembered", NOW + 2)
    await store.touch_device(handed.key, NOW + 3, "198.51.100.7")
    stored = await store.get_device(handed.key)
    assert stored is not None
    assert (stored.remembered, stored.modified_at, stored.last_authenticated_at, stored.last_ip) == (
        "remembered",
        NOW + 2,
        NOW + 3,
        "198.51.100.7",
    )


async def test_only_confirmed_devices_are_listed_a_page_at_a_time(store: Store) -> None:
    pool, user_id = await _user(store)
    _, other = await _user(store, "bob")
    keys = []
    for i in range(3):
        d = device(pool, user_id, NOW + i)
        await store.add_device(d, NOW - 86400)
        await store.confirm_device(d.key, "dg==", "cw==", f"d{i}", "remembered", NOW + i)
        keys.append(d.key)
    await store.add_device(device(pool, user_id), NOW - 86400)  # never confirmed
    first, token = await store.list_devices(user_id, 2, None)
    assert [d.key for d in first] == sorted(keys)[:2] and token is not None
    second, token = await store.list_devices(user_id, 2, token)
    assert [d.key for d in second] == sorted(keys)[2:] and token is None
    assert await store.list_devices(other, 60, None) == ([], None)
    with pytest.raises(InvalidToken):
        await store.list_devices(user_id, 2, "garbage")


async def test_stale_unconfirmed_devices_are_swept_when_the_user_gets_a_new_one(store: Store) -> None:
    pool, user_id = await _user(store)
    _, other = await _user(store, "bob")
    stale = device(pool, user_id, NOW - 90000)
    fresh = device(pool, user_id, NOW - 100)
    kept = device(pool, user_id, NOW - 90000)
    others = device(pool, other, NOW - 90000)
    for d in (stale, fresh, kept, others):
        await store.add_device(d, NOW - 10**6)
    await store.confirm_device(kept.key, "dg==", "cw==", None, "remembered", NOW - 90000)
    await store.add_device(device(pool, user_id), NOW - 86400)
    assert await store.get_device(stale.key) is None
    assert await store.get_device(fresh.key) is not None
    assert await store.get_device(kept.key) is not None  # confirmed devices stay
    assert await store.get_device(others.key) is not None  # another user's stay


async def test_a_device_is_forgotten_and_devices_go_with_their_user(store: Store) -> None:
    pool, user_id = await _user(store)
    first, second = device(pool, user_id), device(pool, user_id)
    await store.add_device(first, NOW - 86400)
    await store.add_device(second, NOW - 86400)
    assert await store.delete_device(first.key)
    assert not await store.delete_device(first.key)
    assert await store.get_device(first.key) is None
    await store.delete_user(user_id)
    assert await store.get_device(second.key) is None
