"""Store contract: federation's records. Identity providers (unique per pool, limited, paged, their secrets sealed
at rest, their identifiers each naming one provider), linked identities (one per identity, at most ``limit`` per
user, gone with their provider) and federated sign-ins in flight (sealed, taken once, expiring)."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from tests import databases
from tests.store.records import NOW, new_pool, new_user
from userpool.domain.records import FederationRequest, IdentityProvider, ProviderLink
from userpool.store import Conflict, Store

DETAILS = {
    "client_id": "upstream-client",
    "client_secret": "upstream-secret-value",
    "authorize_scopes": "openid email",
    "oidc_issuer": "https://idp.example.com",
}


def provider(pool_id: str, name: str = "Corp", identifiers: list[str] | None = None) -> IdentityProvider:
    return IdentityProvider(pool_id, name, "OIDC", dict(DETAILS), {"email": "email"}, identifiers or [], NOW, NOW)


async def test_providers_are_unique_per_pool_limited_paged_and_their_secrets_sealed(
    store: Store, store_url: str
) -> None:
    pool = await new_pool(store)
    for name in ("b", "a", "c"):
        await store.create_identity_provider(provider(pool.id, name), limit=3)
    with pytest.raises(Conflict) as limit:
        await store.create_identity_provider(provider(pool.id, "d"), limit=3)
    assert limit.value.what == "limit"
    with pytest.raises(Conflict) as same:
        await store.create_identity_provider(provider(pool.id, "a"), limit=10)
    assert same.value.what == "name"
    assert await store.get_identity_provider(pool.id, "a") == provider(pool.id, "a")
    assert await store.identity_provider_names(pool.id) == {"a", "b", "c"}
    first, token = await store.list_identity_providers(pool.id, 2, None)
    assert [p.name for p in first] == ["a", "b"]
    rest, end = await store.list_identity_providers(pool.id, 2, token)
    assert ([p.name for p in rest], end) == (["c"], None)
    rows = databases.query(
        store_url, "SELECT details, secrets_sealed FROM identity_providers WHERE pool_id = :p", p=pool.id
    )
    assert all("upstream-secret-value" not in str(r) for r in rows)
    assert all(str(r[1]).startswith("v1:") for r in rows)
    assert await store.delete_identity_provider(pool.id, "a") is True
    assert await store.delete_identity_provider(pool.id, "a") is False
    assert await store.get_identity_provider(pool.id, "a") is None


async def test_an_identifier_names_one_provider_of_its_pool(store: Store) -> None:
    pool, other = await new_pool(store), await new_pool(store)
    await store.create_identity_provider(provider(pool.id, "One", ["example.com"]), limit=10)
    with pytest.raises(Conflict) as taken:
        await store.create_identity_provider(provider(pool.id, "Two", ["example.com"]), limit=10)
    assert taken.value.what == "identifier"
    assert await store.get_identity_provider(pool.id, "Two") is None
    await store.create_identity_provider(provider(other.id, "Two", ["example.com"]), limit=10)
    found = await store.find_identity_provider_by_identifier(pool.id, "example.com")
    assert found is not None and found.name == "One"
    await store.create_identity_provider(provider(pool.id, "Three", ["example.org"]), limit=10)
    moved = dataclasses.replace(provider(pool.id, "Three"), idp_identifiers=["example.com"])
    with pytest.raises(Conflict):
        await store.update_identity_provider(moved)
    assert (await store.get_identity_provider(pool.id, "Three")).idp_identifiers == ["example.org"]
    changed = dataclasses.replace(provider(pool.id, "One"), idp_identifiers=["example.net"], modified_at=NOW + 1)
    assert await store.update_identity_provider(changed) is True
    assert await store.find_identity_provider_by_identifier(pool.id, "example.com") is None
    assert (await store.find_identity_provider_by_identifier(pool.id, "example.net")).name == "One"
    assert await store.update_identity_provider(provider(pool.id, "Missing")) is False


async def test_links_are_one_per_identity_limited_per_user_and_go_with_their_provider(store: Store) -> None:
    pool = await new_pool(store)
    await store.create_identity_provider(provider(pool.id), limit=10)
    user_id = await store.create_user(new_user(pool, "destination", status="CONFIRMED"))
    other_id = await store.create_user(new_user(pool, "other", status="CONFIRMED"))
    link = ProviderLink(pool.id, "Corp", "Cognito_Subject", "s-1", user_id, NOW)
    await store.add_provider_link(link, limit=2)
    with pytest.raises(Conflict) as taken:
        await store.add_provider_link(dataclasses.replace(link, user_id=other_id), limit=2)
    assert taken.value.what == "taken"
    await store.add_provider_link(dataclasses.replace(link, attribute_value="s-2"), limit=2)
    with pytest.raises(Conflict) as full:
        await store.add_provider_link(dataclasses.replace(link, attribute_value="s-3"), limit=2)
    assert full.value.what == "limit"
    found = await store.find_provider_link(pool.id, "Corp", [("email", "x@example.com"), ("Cognito_Subject", "s-1")])
    assert found == link
    assert await store.find_provider_link(pool.id, "Corp", [("Cognito_Subject", "s-9")]) is None
    assert await store.delete_provider_link(pool.id, "Corp", "Cognito_Subject", "s-1") == link
    assert await store.delete_provider_link(pool.id, "Corp", "Cognito_Subject", "s-1") is None
    await store.delete_identity_provider(pool.id, "Corp")
    assert await store.find_provider_link(pool.id, "Corp", [("Cognito_Subject", "s-2")]) is None


async def test_racing_links_of_one_user_stay_within_the_limit(store: Store) -> None:
    pool = await new_pool(store)
    await store.create_identity_provider(provider(pool.id), limit=10)
    user_id = await store.create_user(new_user(pool, "destination", status="CONFIRMED"))

    async def link(n: int) -> bool:
        try:
            await store.add_provider_link(ProviderLink(pool.id, "Corp", "Cognito_Subject", f"s{n}", user_id, NOW), 5)
        except Conflict:
            return False
        return True

    assert sum(await asyncio.gather(*(link(n) for n in range(8)))) == 5


async def test_a_federated_sign_in_in_flight_is_taken_once_before_it_expires(store: Store, store_url: str) -> None:
    pool = await new_pool(store)
    request = FederationRequest(
        "a" * 64, pool.id, "Corp", "b" * 64, {"client_id": "c"}, "the-nonce", "the-verifier", NOW, NOW + 300
    )
    await store.add_federation_request(request)
    rows = databases.query(
        store_url, "SELECT secrets_sealed FROM federation_requests WHERE state_hash = :s", s="a" * 64
    )
    assert "the-verifier" not in rows[0][0] and "the-nonce" not in rows[0][0]
    assert await store.take_federation_request("a" * 64, NOW + 301) is None
    taken = await store.take_federation_request("a" * 64, NOW + 10)
    assert taken == dataclasses.replace(request, used_at=NOW + 10)
    assert await store.take_federation_request("a" * 64, NOW + 11) is None
    assert await store.take_federation_request("c" * 64, NOW) is None
