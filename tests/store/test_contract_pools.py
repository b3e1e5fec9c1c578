"""Store contract: pools and app clients, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import dataclasses

import pytest

from tests import databases
from tests.store.records import NOW, new_client, new_pool, new_user, unique
from userpool.domain.records import OutboxMessage
from userpool.store import InvalidToken, Store
from userpool.store.paging import page_token


async def test_a_pool_reads_back_as_stored_and_updates_only_when_it_exists(store: Store) -> None:
    pool = await new_pool(store)
    assert await store.get_pool(pool.id) == pool
    assert await store.update_pool(pool.id, "renamed", {"MfaConfiguration": "ON"}, NOW + 5) is True
    assert await store.get_pool(pool.id) == dataclasses.replace(
        pool, name="renamed", settings={"MfaConfiguration": "ON"}, modified_at=NOW + 5
    )
    assert await store.update_pool("us-east-1_missing00", "x", {}, NOW) is False
    assert await store.get_pool("us-east-1_missing00") is None


async def test_deleting_a_pool_takes_its_clients_users_messages_and_send_counts(store: Store) -> None:
    pool = await new_pool(store)
    client = await new_client(store, pool)
    user_id = await store.create_user(new_user(pool, "ann", "ann@example.com"))
    message = OutboxMessage(pool.id, "ann", "EMAIL", "ann@example.com", "Hi", "code 123456", "123456", NOW)
    await store.add_message(message)
    assert await store.take_send_quota(pool.id, "EMAIL", "2023-11-14", 1) is True
    assert await store.count_users(pool.id) == 1

    assert await store.delete_pool(pool.id) is True
    assert await store.delete_pool(pool.id) is False
    assert (await store.get_pool(pool.id), await store.get_client(client.id)) == (None, None)
    assert await store.get_user(user_id) is None
    assert await store.list_messages(pool_id=pool.id) == []
    assert await store.take_send_quota(pool.id, "EMAIL", "2023-11-14", 1) is True  # counted from zero again
    assert await store.count_users(pool.id) == 0


async def test_list_pools_pages_through_every_pool_once_in_id_order(store: Store) -> None:
    mine = {(await new_pool(store)).id for _ in range(5)}
    seen: list[str] = []
    token = None
    while True:
        pools, token = await store.list_pools(2, token)
        assert len(pools) <= 2
        seen += [p.id for p in pools]
        if token is None:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    assert mine <= set(seen)


@pytest.mark.parametrize("token", ["not base64 json!", "e30=", page_token(-1), page_token(True), page_token(2**63)])
async def test_a_page_token_the_store_did_not_hand_out_is_invalid(store: Store, token: str) -> None:
    pool = await new_pool(store)
    for listing in (
        store.list_pools(2, token),
        store.list_clients(pool.id, 2, token),
        store.list_users(pool.id, 2, token),
    ):
        with pytest.raises(InvalidToken):
            await listing


async def test_a_page_token_of_another_listing_is_invalid(store: Store) -> None:
    pool = await new_pool(store)
    with pytest.raises(InvalidToken):
        await store.list_users(pool.id, 2, page_token(pool.id))  # users are paged by row number
    with pytest.raises(InvalidToken):
        await store.list_pools(2, page_token(12))  # pools and clients by id


async def test_a_client_secret_is_sealed_at_rest_and_opens_on_read(store: Store, store_url: str) -> None:
    pool = await new_pool(store)
    secret = unique("secret")
    client = await new_client(store, pool, secret=secret)
    assert await store.get_client(client.id) == client
    assert await store.get_client_and_pool(client.id) == (client, pool)
    assert await store.get_client_and_pool("no-such-client") is None
    [(plain, sealed)] = databases.query(
        store_url, "SELECT secret, secret_sealed FROM clients WHERE id = :id", id=client.id
    )
    assert plain is None and sealed.startswith("v1:") and secret not in sealed


async def test_secrets_written_in_plain_text_are_sealed_once(store_url: str, box, store: Store) -> None:
    plain_store = Store.open(store_url)  # no key: secrets kept as given (tools only)
    try:
        pool = await new_pool(plain_store)
        client = await new_client(plain_store, pool, secret="s3cret")
    finally:
        await plain_store.close()
    assert await store.seal_client_secrets() >= 1
    assert await store.seal_client_secrets() == 0
    assert (await store.get_client(client.id)).secret == "s3cret"
    [(plain,)] = databases.query(store_url, "SELECT secret FROM clients WHERE id = :id", id=client.id)
    assert plain is None


async def test_clients_update_delete_and_list_by_pool_in_pages(store: Store) -> None:
    pool, other = await new_pool(store), await new_pool(store)
    clients = sorted([await new_client(store, pool, name=f"c{i}") for i in range(3)], key=lambda c: c.id)
    await new_client(store, other)
    first, token = await store.list_clients(pool.id, 2, None)
    rest, end = await store.list_clients(pool.id, 2, token)
    assert (first + rest, end) == (clients, None)

    assert await store.update_client(clients[0].id, "new name", {"A": 1}, NOW + 1) is True
    assert await store.get_client(clients[0].id) == dataclasses.replace(
        clients[0], name="new name", settings={"A": 1}, modified_at=NOW + 1
    )
    assert await store.update_client("no-such-client", "x", {}, NOW) is False
    await store.put_risk_configuration(pool.id, clients[1].id, {"Blocked": True}, NOW)
    assert await store.delete_client(clients[1].id) is True
    assert await store.delete_client(clients[1].id) is False
    assert await store.get_risk_configuration(pool.id, clients[1].id) is None
    assert [c.id for c in (await store.list_clients(pool.id, 10, None))[0]] == [clients[0].id, clients[2].id]
