"""Store contract: a pool's settings changed by a rule in one transaction (AddCustomAttributes, TagResource), and a
deletion of attributes that takes keys and codes with it (Admin/DeleteUserAttributes), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pytest

from tests.store.records import NOW, new_code, new_pool, new_user
from userpool.store import Store


def add_tag(key: str):
    def rule(settings: dict[str, Any]) -> dict[str, Any]:
        return {**settings, "UserPoolTags": {**settings.get("UserPoolTags", {}), key: "v"}}

    return rule


async def test_a_rule_changes_the_settings_and_dates_only_when_asked(store: Store) -> None:
    pool = await new_pool(store)
    changed = await store.change_pool_settings(pool.id, add_tag("a"), None)
    expected = dataclasses.replace(pool, settings={**pool.settings, "UserPoolTags": {"a": "v"}})
    assert changed == expected
    assert await store.get_pool(pool.id) == expected
    dated = await store.change_pool_settings(pool.id, add_tag("b"), NOW + 9, name="renamed")
    assert dated is not None and (dated.modified_at, dated.name) == (NOW + 9, "renamed")
    assert await store.get_pool(pool.id) == dated


async def test_a_missing_pool_is_none_and_a_refusing_rule_writes_nothing(store: Store) -> None:
    assert await store.change_pool_settings("us-east-1_missing00", add_tag("a"), NOW) is None
    pool = await new_pool(store)

    def refuse(settings: dict[str, Any]) -> dict[str, Any]:
        raise ValueError("no")

    with pytest.raises(ValueError):
        await store.change_pool_settings(pool.id, refuse, NOW + 1)
    assert await store.get_pool(pool.id) == pool


async def test_concurrent_changes_lose_nothing(store: Store) -> None:
    pool = await new_pool(store)
    await asyncio.gather(*(store.change_pool_settings(pool.id, add_tag(f"t{i}"), None) for i in range(10)))
    stored = await store.get_pool(pool.id)
    assert stored is not None and stored.settings["UserPoolTags"] == {f"t{i}": "v" for i in range(10)}


async def test_deleting_attributes_releases_keys_and_drops_codes_in_one_go(store: Store) -> None:
    pool = await new_pool(store)
    user_id = await store.create_user(new_user(pool, "ann", "ann@example.com"))
    await store.replace_code(user_id, new_code("verify_email"), NOW)
    await store.update_attributes(
        user_id, {}, NOW + 1, remove=["email", "email_verified"], release_keys=["email"], drop_codes=["verify_email"]
    )
    user = await store.get_user(user_id)
    assert user is not None and set(user.attributes) == {"sub"} and user.modified_at == NOW + 1
    assert await store.get_code(user_id, "verify_email") is None
    assert await store.find_user_by_key(pool.id, ["email"], "ann@example.com") is None
    other = await store.create_user(new_user(pool, "bob", "ann@example.com"))
    found = await store.find_user_by_key(pool.id, ["email"], "ann@example.com")
    assert found is not None and found.id == other
