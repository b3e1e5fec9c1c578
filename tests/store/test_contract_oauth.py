"""Store contract: the hosted UI's records. Domains (unique across pools, one of each kind per pool, gone with
their pool), resource servers (unique per pool, paged, limited), UI customizations (a client's own, else the
pool's), authorization codes (sealed, taken once, giving their refresh token its scopes) and hosted-UI sessions."""

from __future__ import annotations

import asyncio

import pytest

from tests.store.records import NOW, new_client, new_pool, new_user, refresh_token, token_session, unique
from userpool.domain.records import AuthorizationCode, PoolDomain, ResourceServer, UICustomization, WebSession
from userpool.store import Conflict, Store


def domain(pool_id: str, name: str | None = None, custom: bool = False) -> PoolDomain:
    return PoolDomain(name or unique("d"), pool_id, custom, 1, None, NOW, NOW)


async def test_a_domain_belongs_to_one_pool_and_a_pool_has_one_of_each_kind(store: Store) -> None:
    first, second = await new_pool(store), await new_pool(store)
    made = domain(first.id)
    await store.create_domain(made)
    assert await store.find_domain(made.domain) == made
    with pytest.raises(Conflict) as taken:
        await store.create_domain(domain(second.id, made.domain))
    assert taken.value.what == "domain"
    with pytest.raises(Conflict) as has_one:
        await store.create_domain(domain(first.id))
    assert has_one.value.what == "pool"
    custom = domain(first.id, custom=True)
    await store.create_domain(custom)
    assert await store.pool_domains(first.id) == [made, custom]
    assert await store.update_domain(made.domain, 2, None, NOW + 1) is True
    assert (await store.find_domain(made.domain)).managed_login_version == 2
    assert await store.delete_domain(made.domain) is True
    assert await store.delete_domain(made.domain) is False
    await store.delete_pool(first.id)
    assert await store.find_domain(custom.domain) is None


async def test_resource_servers_are_unique_per_pool_paged_and_limited(store: Store) -> None:
    pool = await new_pool(store)
    scopes = [{"ScopeName": "read", "ScopeDescription": "r"}]
    for name in ("b", "a", "c"):
        await store.create_resource_server(ResourceServer(pool.id, name, name, scopes, NOW), limit=3)
    with pytest.raises(Conflict) as limit:
        await store.create_resource_server(ResourceServer(pool.id, "d", "d", [], NOW), limit=3)
    assert limit.value.what == "limit"
    with pytest.raises(Conflict) as same:
        await store.create_resource_server(ResourceServer(pool.id, "a", "a", [], NOW), limit=10)
    assert same.value.what == "identifier"
    first, token = await store.list_resource_servers(pool.id, 2, None)
    assert [s.identifier for s in first] == ["a", "b"]
    rest, end = await store.list_resource_servers(pool.id, 2, token)
    assert ([s.identifier for s in rest], end) == (["c"], None)
    assert await store.update_resource_server(pool.id, "a", "renamed", []) is True
    assert await store.get_resource_server(pool.id, "a") == ResourceServer(pool.id, "a", "renamed", [], NOW)
    assert await store.delete_resource_server(pool.id, "a") is True
    assert [s.identifier for s in await store.pool_resource_servers(pool.id)] == ["b", "c"]
    assert await store.update_resource_server(pool.id, "a", "x", []) is False


async def test_a_clients_customization_wins_over_the_pools(store: Store) -> None:
    pool = await new_pool(store)
    assert await store.find_ui_customization(pool.id, "client") is None
    await store.put_ui_customization(UICustomization(pool.id, "ALL", "a {}", None, NOW, NOW))
    assert (await store.find_ui_customization(pool.id, "client")).css == "a {}"
    await store.put_ui_customization(UICustomization(pool.id, "client", None, b"\x89PNG", NOW, NOW))
    again = await store.put_ui_customization(UICustomization(pool.id, "client", "b {}", b"\x89PNG", NOW + 5, NOW + 5))
    assert (again.created_at, again.modified_at, again.css) == (NOW, NOW + 5, "b {}")
    assert (await store.find_ui_customization(pool.id, "client")).image == b"\x89PNG"


async def _code(store: Store) -> tuple[AuthorizationCode, str]:
    pool = await new_pool(store)
    client = await new_client(store, pool)
    user_id = await store.create_user(new_user(pool, "ann", status="CONFIRMED"))
    token = refresh_token(client, user_id)
    await store.start_session(token_session(token), token)
    code = AuthorizationCode(
        unique("code"), pool.id, client.id, user_id, "https://app/cb", "openid email", "n-0S6", None,
        "the-refresh-token", NOW, NOW + 300,
    )  # fmt: skip
    await store.add_authorization_code(code, token.token_hash)
    return code, token.token_hash


async def test_a_code_is_taken_once_and_gives_its_refresh_token_the_scopes(store: Store) -> None:
    code, token_hash = await _code(store)
    assert (await store.get_refresh_token(token_hash)).scopes == "openid email"
    refused, outcome = await store.take_authorization_code(code.code_hash, NOW + 1, lambda c: False)
    assert (refused.used_at, outcome) == (None, "refused")
    taken, outcome = await store.take_authorization_code(code.code_hash, NOW + 1)
    assert outcome == "taken"
    assert taken.refresh_token == "the-refresh-token" and taken.used_at == NOW + 1 and taken.nonce == "n-0S6"
    again, outcome = await store.take_authorization_code(code.code_hash, NOW + 2)
    assert (again.used_at, outcome) == (NOW + 1, "used")
    assert await store.take_authorization_code("missing", NOW) == (None, "missing")


async def test_racing_exchanges_of_one_code_have_one_winner(store: Store) -> None:
    code, _ = await _code(store)
    results = await asyncio.gather(*(store.take_authorization_code(code.code_hash, NOW + 1) for _ in range(5)))
    assert sorted(outcome for _, outcome in results) == ["taken", "used", "used", "used", "used"]


async def test_a_web_session_is_kept_and_revoked(store: Store) -> None:
    pool = await new_pool(store)
    user_id = await store.create_user(new_user(pool, "ann", status="CONFIRMED"))
    session = WebSession(unique("s"), pool.id, user_id, NOW, NOW, NOW + 3600)
    await store.add_web_session(session)
    assert await store.get_web_session(session.id_hash) == session
    assert await store.revoke_web_session(session.id_hash, NOW + 1) is True
    assert await store.revoke_web_session(session.id_hash, NOW + 2) is False
    assert (await store.get_web_session(session.id_hash)).revoked_at == NOW + 1
