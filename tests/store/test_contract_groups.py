"""Store contract: groups and their members. A group's name is unique in its pool (case-sensitive); updates set
only the fields they name; lists come a page at a time in a stable order that inserts between pages do not
disturb; limits hold; memberships go with the group, the user or the pool."""

from __future__ import annotations

import asyncio

import pytest

from tests.store.records import NOW, new_pool, new_user
from userpool.domain.records import Group, Pool
from userpool.store import Conflict, InvalidToken, LimitReached, Store


def group(pool: Pool, name: str, **fields) -> Group:
    values = {"description": None, "role_arn": None, "precedence": None, "created_at": NOW, "modified_at": NOW}
    return Group(pool_id=pool.id, name=name, **{**values, **fields})


async def made(store: Store, pool: Pool, name: str, **fields) -> Group:
    created = await store.create_group(group(pool, name, **fields), limit=100)
    assert created is not None and created.id is not None
    return created


async def test_a_group_is_stored_and_found_by_its_exact_name(store: Store) -> None:
    pool = await new_pool(store)
    wanted = group(pool, "admins", description="The admins", role_arn="arn:aws:iam::1:role/A", precedence=3)
    created = await store.create_group(wanted, limit=100)
    assert created is not None and created.id is not None
    assert await store.find_group(pool.id, "admins") == created
    assert created.name == "admins" and created.precedence == 3 and created.role_arn == "arn:aws:iam::1:role/A"
    assert await store.find_group(pool.id, "Admins") is None
    other = await new_pool(store)
    assert await store.find_group(other.id, "admins") is None


async def test_a_name_is_taken_once_per_pool_and_case_matters(store: Store) -> None:
    pool, other = await new_pool(store), await new_pool(store)
    await made(store, pool, "staff")
    with pytest.raises(Conflict) as excinfo:
        await store.create_group(group(pool, "staff", description="again"), limit=100)
    assert excinfo.value.what == "group"
    await made(store, pool, "Staff")
    await made(store, other, "staff")


async def test_racing_creates_of_one_name_make_one_group(store: Store) -> None:
    pool = await new_pool(store)
    outcomes = await asyncio.gather(
        *(store.create_group(group(pool, "race"), limit=100) for _ in range(8)), return_exceptions=True
    )
    assert sum(isinstance(o, Group) for o in outcomes) == 1
    assert all(isinstance(o, Group | Conflict) for o in outcomes)
    assert len((await store.list_groups(pool.id, 60, None))[0]) == 1


async def test_a_pool_holds_at_most_its_limit_of_groups(store: Store) -> None:
    pool = await new_pool(store)
    for name in ("a", "b"):
        await store.create_group(group(pool, name), limit=2)
    with pytest.raises(LimitReached):
        await store.create_group(group(pool, "c"), limit=2)
    with pytest.raises(Conflict):  # a taken name is "exists", not "full"
        await store.create_group(group(pool, "a"), limit=2)


async def test_a_group_of_a_deleted_pool_is_not_made(store: Store) -> None:
    pool = await new_pool(store)
    await store.delete_pool(pool.id)
    assert await store.create_group(group(pool, "late"), limit=100) is None


async def test_an_update_sets_only_the_fields_it_names(store: Store) -> None:
    pool = await new_pool(store)
    await made(store, pool, "g", description="d", role_arn="arn:aws:iam::1:role/A", precedence=1)
    updated = await store.update_group(pool.id, "g", {"precedence": 7}, NOW + 5)
    assert updated is not None
    assert (updated.description, updated.role_arn, updated.precedence) == ("d", "arn:aws:iam::1:role/A", 7)
    assert (updated.created_at, updated.modified_at) == (NOW, NOW + 5)
    assert await store.find_group(pool.id, "g") == updated
    updated = await store.update_group(pool.id, "g", {"description": None, "role_arn": None}, NOW + 6)
    assert updated is not None and (updated.description, updated.role_arn, updated.precedence) == (None, None, 7)
    assert await store.update_group(pool.id, "missing", {"precedence": 1}, NOW) is None


async def test_groups_are_listed_in_the_order_they_were_made_a_page_at_a_time(store: Store) -> None:
    pool = await new_pool(store)
    for name in ("c", "a", "b"):
        await made(store, pool, name)
    first, token = await store.list_groups(pool.id, 2, None)
    assert [g.name for g in first] == ["c", "a"] and token is not None
    await made(store, pool, "0-made-between-pages")
    second, token = await store.list_groups(pool.id, 2, token)
    assert [g.name for g in second] == ["b", "0-made-between-pages"] and token is None
    assert await store.list_groups((await new_pool(store)).id, 60, None) == ([], None)


async def test_a_token_the_store_did_not_make_is_refused(store: Store) -> None:
    pool = await new_pool(store)
    user_id = await store.create_user(new_user(pool, "ann"))
    for token in ("garbage", "InN0cmluZyI=", "LTE="):
        with pytest.raises(InvalidToken):
            await store.list_groups(pool.id, 10, token)
        with pytest.raises(InvalidToken):
            await store.list_user_groups(user_id, 10, token)
        with pytest.raises(InvalidToken):
            await store.list_group_users(1, 10, token)


async def test_adding_a_member_twice_keeps_one_membership(store: Store) -> None:
    pool = await new_pool(store)
    g = await made(store, pool, "g")
    user_id = await store.create_user(new_user(pool, "ann", "ann@example.com"))
    assert g.id is not None
    assert await store.add_group_member(g.id, user_id, NOW, limit=100) == "added"
    assert await store.add_group_member(g.id, user_id, NOW, limit=100) == "member"
    outcomes = await asyncio.gather(*(store.add_group_member(g.id, user_id, NOW, limit=100) for _ in range(6)))
    assert set(outcomes) == {"member"}
    users, token = await store.list_group_users(g.id, 60, None)
    assert [u.username for u in users] == ["ann"] and token is None
    assert users[0].attributes["email"] == "ann@example.com"


async def test_racing_adds_of_new_members_never_pass_the_users_limit(store: Store) -> None:
    pool = await new_pool(store)
    groups = [await made(store, pool, f"g{i}") for i in range(6)]
    user_id = await store.create_user(new_user(pool, "ann"))
    outcomes = await asyncio.gather(*(store.add_group_member(g.id, user_id, NOW, limit=4) for g in groups))
    assert sorted(outcomes) == ["added"] * 4 + ["full"] * 2
    assert len(await store.groups_of_user(user_id)) == 4
    # at the limit, a group the user is in still answers "member"
    member_of = (await store.groups_of_user(user_id))[0]
    assert await store.add_group_member(member_of.id, user_id, NOW, limit=4) == "member"


async def test_adding_to_a_deleted_group_or_a_deleted_user_is_gone(store: Store) -> None:
    pool = await new_pool(store)
    g = await made(store, pool, "g")
    user_id = await store.create_user(new_user(pool, "ann"))
    await store.delete_user(user_id)
    assert await store.add_group_member(g.id, user_id, NOW, limit=100) == "gone"
    other = await store.create_user(new_user(pool, "bob"))
    await store.delete_group(pool.id, "g")
    assert await store.add_group_member(g.id, other, NOW, limit=100) == "gone"


async def test_removing_a_member(store: Store) -> None:
    pool = await new_pool(store)
    g = await made(store, pool, "g")
    user_id = await store.create_user(new_user(pool, "ann"))
    await store.add_group_member(g.id, user_id, NOW, limit=100)
    assert await store.remove_group_member(g.id, user_id) is True
    assert await store.remove_group_member(g.id, user_id) is False
    assert await store.groups_of_user(user_id) == []


async def test_a_users_groups_and_a_groups_users_come_a_page_at_a_time(store: Store) -> None:
    pool = await new_pool(store)
    groups = [await made(store, pool, name, precedence=p) for name, p in (("x", 2), ("y", None), ("z", 0))]
    users = [await store.create_user(new_user(pool, name)) for name in ("u1", "u2", "u3")]
    for g in groups:
        await store.add_group_member(g.id, users[0], NOW, limit=100)
    for user_id in users:
        await store.add_group_member(groups[0].id, user_id, NOW, limit=100)

    first, token = await store.list_user_groups(users[0], 2, None)
    assert [g.name for g in first] == ["x", "y"] and token is not None
    rest, token = await store.list_user_groups(users[0], 2, token)
    assert [g.name for g in rest] == ["z"] and token is None
    assert [g.name for g in await store.groups_of_user(users[0])] == ["x", "y", "z"]
    assert await store.groups_of_user(users[1]) == [groups[0]]

    first_users, token = await store.list_group_users(groups[0].id, 2, None)
    assert [u.username for u in first_users] == ["u1", "u2"] and token is not None
    late = await store.create_user(new_user(pool, "u0-late"))  # made between pages: after the others
    await store.add_group_member(groups[0].id, late, NOW, limit=100)
    rest_users, token = await store.list_group_users(groups[0].id, 2, token)
    assert [u.username for u in rest_users] == ["u3", "u0-late"] and token is None


async def test_memberships_go_with_the_group_the_user_and_the_pool(store: Store) -> None:
    pool = await new_pool(store)
    kept, dropped = await made(store, pool, "kept"), await made(store, pool, "dropped")
    ann = await store.create_user(new_user(pool, "ann"))
    bob = await store.create_user(new_user(pool, "bob"))
    for g in (kept, dropped):
        for user_id in (ann, bob):
            await store.add_group_member(g.id, user_id, NOW, limit=100)

    assert await store.delete_group(pool.id, "dropped") is True
    assert await store.delete_group(pool.id, "dropped") is False
    assert [g.name for g in await store.groups_of_user(ann)] == ["kept"]
    assert await store.list_group_users(dropped.id, 60, None) == ([], None)

    await store.delete_user(bob)
    users, _ = await store.list_group_users(kept.id, 60, None)
    assert [u.username for u in users] == ["ann"]

    await store.delete_pool(pool.id)
    assert await store.find_group(pool.id, "kept") is None
    assert await store.list_group_users(kept.id, 60, None) == ([], None)
    assert await store.groups_of_user(ann) == []
    assert await store.integrity_check() == []


async def test_the_integrity_check_finds_a_member_of_another_pools_group(store: Store) -> None:
    pool, other = await new_pool(store), await new_pool(store)
    g = await made(store, pool, "g")
    stranger = await store.create_user(new_user(other, "stranger"))
    await store.add_group_member(g.id, stranger, NOW, limit=100)  # the operations never do: they look both up
    try:
        assert f"user {stranger} is a member of group {g.id} of another pool" in await store.integrity_check()
    finally:
        await store.remove_group_member(g.id, stranger)
    assert await store.integrity_check() == []
