"""Store contract: users, their uniqueness rules as ``Conflict``, look-ups, listing and pagination."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from tests.store.records import NOW, new_code, new_pool, new_user
from userpool.domain.records import created_user
from userpool.store import Conflict, Store


async def test_a_created_user_reads_back_by_every_key_as_created_user_builds_it(store: Store) -> None:
    pool = await new_pool(store)
    new = new_user(pool, "Ann", "Ann@Example.com", status="CONFIRMED")
    user_id = await store.create_user(new)
    expected = created_user(new, user_id)
    assert list(expected.attributes) == ["sub", "email", "email_verified"]  # sub first, then by name
    assert await store.find_user(pool.id, "ann") == expected
    assert await store.find_user_by_key(pool.id, ["phone_number", "email"], "ann@example.com") == expected
    assert await store.find_user_by_sub(pool.id, new.sub) == expected
    assert await store.get_user(user_id) == expected
    assert await store.get_user(user_id) == expected  # the old name of get_user
    other = await new_pool(store)
    assert await store.find_user(other.id, "ann") is None
    assert await store.find_user_by_key(pool.id, ["phone_number"], "ann@example.com") is None


@pytest.mark.parametrize(
    ("change", "what"),
    [
        ({"username": "ANN"}, "username"),  # the same folded username
        ({"email": "ann@example.com"}, "email"),  # a username-attribute value another user holds
        ({"sub": "same-sub"}, "sub"),
    ],
)
async def test_a_taken_username_key_or_sub_is_a_conflict_that_writes_nothing(
    store: Store, change: dict[str, str], what: str
) -> None:
    pool = await new_pool(store)
    await store.create_user(new_user(pool, "ann", "ann@example.com", **({"sub": "same-sub"} if what == "sub" else {})))
    fields = {"username": "bob", "email": "bob@example.com", **change}
    clash = new_user(pool, fields.pop("username"), fields.pop("email"), **fields)
    with pytest.raises(Conflict) as raised:
        await store.create_user(clash, new_code())
    assert raised.value.what == what
    assert await store.count_users(pool.id) == 1
    assert await store.find_user(pool.id, "bob") is None
    assert await store.integrity_check() == []


async def test_the_same_username_in_another_pool_is_no_conflict(store: Store) -> None:
    first, second = await new_pool(store), await new_pool(store)
    await store.create_user(new_user(first, "ann", "ann@example.com"))
    await store.create_user(new_user(second, "ann", "ann@example.com"))
    assert (await store.count_users(first.id), await store.count_users(second.id)) == (1, 1)


async def test_of_racing_sign_ups_with_one_username_exactly_one_is_created(store: Store) -> None:
    pool = await new_pool(store)
    results = await asyncio.gather(
        *(store.create_user(new_user(pool, "race", f"race{i}@example.com")) for i in range(6)), return_exceptions=True
    )
    created = [r for r in results if isinstance(r, int)]
    assert len(created) == 1
    assert [r.what for r in results if isinstance(r, Conflict)] == ["username"] * 5
    assert (await store.find_user(pool.id, "race")).id == created[0]


async def test_an_alias_claimed_at_creation_conflicts_or_moves_with_force(store: Store) -> None:
    pool = await new_pool(store)
    owner = await store.create_user(new_user(pool, "owner", status="CONFIRMED", claims=[("email", "a@x.org", False)]))
    with pytest.raises(Conflict) as raised:
        await store.create_user(new_user(pool, "second", status="CONFIRMED", claims=[("email", "a@x.org", False)]))
    assert raised.value.what == "email"
    await store.update_attributes(owner, {"email_verified": "true"}, NOW)

    taker = await store.create_user(new_user(pool, "taker", status="CONFIRMED", claims=[("email", "a@x.org", True)]))
    assert (await store.find_user_by_key(pool.id, ["email"], "a@x.org")).id == taker
    moved_from = await store.get_user(owner)
    assert moved_from.attributes["email_verified"] == "false" and moved_from.modified_at == NOW


async def test_listed_users_carry_every_attribute_value_as_stored(store: Store) -> None:
    """A page reads each user's attributes aggregated as JSON by the database: any text comes back as it went in."""
    pool = await new_pool(store)
    odd = 'quote " backslash \\ tab \t newline \n nul-free unicode é 😀 \u2028 <b>&amp;</b>'
    new = new_user(pool, "odd", "odd@example.com")
    odd_id = await store.create_user(dataclasses.replace(new, attributes={**new.attributes, "custom:text": odd}))
    users, token = await store.list_users(pool.id, 60, None)
    assert users == [await store.get_user(odd_id)] and token is None
    assert users[0].attributes["custom:text"] == odd


async def test_list_users_pages_in_creation_order_and_filters(store: Store) -> None:
    pool = await new_pool(store)
    names = ["amy", "andy", "bea", "ben", "cal"]
    ids = [await store.create_user(new_user(pool, n, f"{n}@example.com")) for n in names]
    await store.set_status(ids[3], "CONFIRMED", NOW)
    await store.set_enabled(ids[4], False, NOW)
    pages, token = [], None
    while True:
        users, token = await store.list_users(pool.id, 2, token)
        pages.append([u.username for u in users])
        if token is None:
            break
    assert pages == [["amy", "andy"], ["bea", "ben"], ["cal"]]
    full = (await store.list_users(pool.id, 1, None))[0][0]
    assert full == await store.get_user(ids[0])  # listed users carry their attributes

    async def usernames(where: tuple[str, str, str]) -> list[str]:
        return [u.username for u in (await store.list_users(pool.id, 60, None, where))[0]]

    assert await usernames(("username", "^=", "an")) == ["andy"]
    assert await usernames(("email", "^=", "b")) == ["bea", "ben"]
    assert await usernames(("email", "=", "cal@example.com")) == ["cal"]
    assert await usernames(("email", "^=", "A")) == []  # case-sensitive on every database
    assert await usernames(("cognito:user_status", "=", "CONFIRMED")) == ["ben"]
    assert await usernames(("status", "=", "Disabled")) == ["cal"]
    assert await usernames(("status", "=", "Enabled")) == ["amy", "andy", "bea", "ben"]
    assert await usernames(("status", "=", "enabled")) == []


async def test_deleting_a_user_frees_its_username_and_keys(store: Store) -> None:
    pool = await new_pool(store)
    user_id = await store.create_user(new_user(pool, "ann", "ann@example.com"), new_code())
    assert await store.delete_user(user_id) is True
    assert await store.delete_user(user_id) is False
    assert await store.get_code(user_id, "signup") is None
    assert await store.find_user_by_key(pool.id, ["email"], "ann@example.com") is None
    again = new_user(pool, "ann", "ann@example.com")
    await store.create_user(again)
    assert (await store.find_user(pool.id, "ann")).sub == again.sub


async def test_bulk_insert_stores_users_with_attributes_and_keys(store: Store) -> None:
    pool = await new_pool(store)
    users = [new_user(pool, f"bulk{i}", f"bulk{i}@example.com") for i in range(30)]
    assert await store.bulk_insert_users(users) == 30
    assert await store.bulk_insert_users([]) == 0
    found = await store.find_user_by_key(pool.id, ["email"], "bulk7@example.com")
    assert found == dataclasses.replace(created_user(users[7], found.id))
    assert await store.count_users(pool.id) == 30
    assert await store.storage_bytes() > 0
