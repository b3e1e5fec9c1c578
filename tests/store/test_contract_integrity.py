"""Store contract: the integrity check finds each broken invariant (here broken on purpose, behind the store's back,
and mended afterwards so the shared database stays sound), and migrations are idempotent."""

from __future__ import annotations

import pytest

from tests import databases
from tests.store.records import confirmation, new_client, new_code, new_pool, new_user
from userpool.store import Store
from userpool.store.sealing import SecretBox


def _execute(url: str, sql: str, **params: object) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(databases.sync_url(url))
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(sql), params)
    finally:
        engine.dispose()


async def test_a_migrated_store_is_sound_and_migrating_again_changes_nothing(store: Store) -> None:
    await store.migrate()
    assert await store.healthy() is True
    assert await store.integrity_check() == []


async def test_a_user_without_its_sub_attribute_is_found(store: Store, store_url: str) -> None:
    pool = await new_pool(store)
    user_id = await store.create_user(new_user(pool, "ann"))
    _execute(store_url, "UPDATE user_attributes SET value = 'other' WHERE user_id = :id AND name = 'sub'", id=user_id)
    try:
        assert await store.integrity_check() == [f"user {user_id} has no sub attribute equal to its sub"]
    finally:
        await store.delete_user(user_id)
    assert await store.integrity_check() == []


async def test_a_confirmed_user_with_a_sign_up_code_is_found(store: Store) -> None:
    pool = await new_pool(store)
    user_id = await store.create_user(new_user(pool, "ann"), new_code())
    assert await store.confirm(confirmation(user_id, consume_code=None)) is True
    try:
        assert await store.integrity_check() == [f"confirmed user {user_id} still has a sign-up code"]
    finally:
        await store.delete_user(user_id)


async def test_a_key_of_a_user_in_another_pool_is_found(store: Store, store_url: str) -> None:
    pool, other = await new_pool(store), await new_pool(store)
    user_id = await store.create_user(new_user(pool, "ann", "ann@example.com"))
    _execute(store_url, "UPDATE user_keys SET pool_id = :other WHERE user_id = :id", other=other.id, id=user_id)
    try:
        assert await store.integrity_check() == [f"email key in pool {other.id} points at missing user {user_id}"]
    finally:
        await store.delete_user(user_id)


@pytest.mark.parametrize("key", [b"\x01" * 32, None])
async def test_a_client_secret_that_does_not_open_is_found(store: Store, store_url: str, key: bytes | None) -> None:
    pool = await new_pool(store)
    other = Store.open(store_url, SecretBox(key) if key else None)
    # sealed with another key, or (without a key) sealed with the suite's key and checked by a store that has none
    writer, checker = (other, store) if key else (store, other)
    try:
        client = await new_client(writer, pool, secret="secret")
        assert await checker.integrity_check() == [f"the secret of client {client.id} does not open"]
    finally:
        await other.close()
        await store.delete_pool(pool.id)
