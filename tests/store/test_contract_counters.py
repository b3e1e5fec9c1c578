"""Store contract: rate counters and send quotas (never past a limit, whatever the concurrency), the outbox (kept,
listed, forgotten with its pool) and risk configurations."""

from __future__ import annotations

import asyncio

from tests.store.records import NOW, new_client, new_pool, unique
from userpool.domain.records import OutboxMessage
from userpool.store import Store


async def test_concurrent_hits_each_get_their_own_count(store: Store) -> None:
    key = unique("key")
    counts = await asyncio.gather(*(store.count_hit("ip:SignUp", key, 0, NOW + 3600, NOW) for _ in range(30)))
    assert sorted(counts) == list(range(1, 31))
    assert await store.count_hits([("ip:SignUp", key, 0, NOW + 3600), ("ip:SignUp", key, 1, NOW + 3600)], NOW) == [
        31,
        1,
    ]
    assert await store.count_rate_counters() >= 2


async def test_the_send_quota_is_never_passed_and_a_returned_count_can_be_taken_again(store: Store) -> None:
    pool = await new_pool(store)
    taken = await asyncio.gather(*(store.take_send_quota(pool.id, "EMAIL", "2023-11-14", 5) for _ in range(12)))
    assert sorted(taken) == [False] * 7 + [True] * 5
    assert await store.take_send_quota(pool.id, "SMS", "2023-11-14", 5) is True  # each medium and day apart
    assert await store.take_send_quota(pool.id, "EMAIL", "2023-11-15", 5) is True
    assert await store.take_send_quota(pool.id, "EMAIL", "2023-11-16", 0) is False  # no quota at all

    await store.return_send_quota(pool.id, "EMAIL", "2023-11-14")
    assert await store.take_send_quota(pool.id, "EMAIL", "2023-11-14", 5) is True
    assert await store.take_send_quota(pool.id, "EMAIL", "2023-11-14", 5) is False
    for _ in range(7):  # never below zero
        await store.return_send_quota(pool.id, "SMS", "2023-11-14")
    assert [await store.take_send_quota(pool.id, "SMS", "2023-11-14", 1) for _ in range(2)] == [True, False]


def _message(pool_id: str, username: str, body: str) -> OutboxMessage:
    return OutboxMessage(pool_id, username, "EMAIL", f"{username}@example.com", "Your code", body, "123456", NOW)


async def test_the_outbox_keeps_messages_lists_the_newest_oldest_first_and_forgets_them_with_the_pool(
    store: Store,
) -> None:
    pool, other = await new_pool(store, "kept"), await new_pool(store, "other")
    ids = [
        await store.add_message(_message(pool.id, user, body))
        for user, body in [("ann", "1"), ("bob", "2"), ("ann", "3")]
    ]
    await store.add_message(_message(other.id, "ann", "4"))
    assert ids == sorted(ids)

    listed = await store.list_messages(pool_id=pool.id)
    assert [(m.id, m.username, m.body) for m in listed] == [
        (ids[0], "ann", "1"),
        (ids[1], "bob", "2"),
        (ids[2], "ann", "3"),
    ]
    assert listed[0] == OutboxMessage(**{**_message(pool.id, "ann", "1").__dict__, "id": ids[0]})
    assert [m.body for m in await store.list_messages(pool_id=pool.id, username="ann")] == ["1", "3"]
    assert [m.body for m in await store.list_messages(pool_id=pool.id, limit=2)] == ["2", "3"]
    assert ("ann", "4") in {(m.username, m.body) for m in await store.list_messages(username="ann")}
    counts = {pool_id: (name, count) for pool_id, name, count in await store.outbox_pools()}
    assert (counts[pool.id], counts[other.id]) == (("kept", 3), ("other", 1))

    await store.delete_pool(pool.id)
    assert await store.list_messages(pool_id=pool.id) == []
    assert pool.id not in {pool_id for pool_id, _, _ in await store.outbox_pools()}


async def test_a_message_of_a_pool_that_is_gone_is_listed_without_a_name(store: Store) -> None:
    pool_id = f"us-east-1_{unique()}"
    await store.add_message(_message(pool_id, "ann", "1"))
    assert (pool_id, None, 1) in await store.outbox_pools()


async def test_a_risk_configuration_is_replaced_whole_per_pool_and_client(store: Store) -> None:
    pool = await new_pool(store)
    client = await new_client(store, pool)
    assert await store.get_risk_configuration(pool.id, "ALL") is None
    await store.put_risk_configuration(pool.id, "ALL", {"CompromisedCredentials": {"Action": "BLOCK"}}, NOW)
    await store.put_risk_configuration(pool.id, client.id, {"AccountTakeover": {}}, NOW + 1)
    await store.put_risk_configuration(pool.id, "ALL", {"RiskExceptions": {}}, NOW + 2)
    assert await store.get_risk_configuration(pool.id, "ALL") == ({"RiskExceptions": {}}, NOW + 2)
    assert await store.get_risk_configuration(pool.id, client.id) == ({"AccountTakeover": {}}, NOW + 1)
