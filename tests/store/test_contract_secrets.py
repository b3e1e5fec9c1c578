"""Store contract: a confidential client's one or two active secrets (rotation) and each pool's SAML signing
certificate, sealed at rest, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from tests import databases
from tests.store.records import NOW, new_client, new_pool, unique
from userpool.domain.records import ClientSecret, SigningCertificate
from userpool.store import Store
from userpool.store.sealing import SealingError, SecretBox

FIRST_MS = round(NOW * 1000)


def sealed_columns(store_url: str, client_id: str) -> tuple[str | None, str | None, str | None]:
    [row] = databases.query(
        store_url, "SELECT secret, secret_sealed, second_secret_sealed FROM clients WHERE id = :id", id=client_id
    )
    return tuple(row)


async def test_a_client_made_with_a_secret_has_it_as_its_one_secret_made_with_the_client(store: Store) -> None:
    pool = await new_pool(store)
    client = await new_client(store, pool, secret="first-secret-value-000000")
    read = await store.get_client(client.id)
    assert read == client
    assert read.secrets == (ClientSecret(client.id, "first-secret-value-000000", FIRST_MS),)
    assert read.secrets[0].id == f"{client.id}--{FIRST_MS}" and read.secrets[0].created_at == NOW
    public = await new_client(store, pool)
    assert (await store.get_client(public.id)).secrets == ()


async def test_a_second_secret_is_sealed_and_both_open_on_every_read(store: Store, store_url: str) -> None:
    pool = await new_pool(store)
    client = await new_client(store, pool, secret="first-secret-value-000000")
    added = await store.add_client_secret(client.id, "second-secret-value-11111", NOW + 60)
    assert added == ClientSecret(client.id, "second-secret-value-11111", FIRST_MS + 60_000)
    expected = dataclasses.replace(client, secrets=(client.secrets[0], added))
    assert await store.get_client(client.id) == expected
    assert await store.get_client_and_pool(client.id) == (expected, pool)
    assert (await store.list_clients(pool.id, 10, None))[0] == [expected]
    plain, first, second = sealed_columns(store_url, client.id)
    assert plain is None and first.startswith("v1:") and second.startswith("v1:")
    assert "first-secret" not in first + second and "second-secret" not in first + second
    assert await store.integrity_check() == []


async def test_a_client_has_at_most_two_secrets_and_a_public_one_none(store: Store) -> None:
    pool = await new_pool(store)
    client = await new_client(store, pool, secret="first-secret-value-000000")
    assert await store.add_client_secret(client.id, "second-secret-value-11111", NOW + 1) is not None
    assert await store.add_client_secret(client.id, "third-secret-value-222222", NOW + 2) is None
    assert [s.value for s in (await store.get_client(client.id)).secrets] == [
        "first-secret-value-000000",
        "second-secret-value-11111",
    ]
    public = await new_client(store, pool)
    assert await store.add_client_secret(public.id, "second-secret-value-11111", NOW) is None
    assert (await store.get_client(public.id)).secret is None
    assert await store.add_client_secret("no-such-client", "second-secret-value-11111", NOW) is None


async def test_of_racing_adds_exactly_one_wins(store: Store) -> None:
    pool = await new_pool(store)
    client = await new_client(store, pool, secret="first-secret-value-000000")
    values = [f"racing-secret-value-{n:05d}" for n in range(6)]
    results = await asyncio.gather(*(store.add_client_secret(client.id, v, NOW + 1) for v in values))
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    assert (await store.get_client(client.id)).secrets[1] == winners[0]


async def test_a_second_secret_is_made_after_the_first_even_when_the_clock_says_otherwise(store: Store) -> None:
    pool = await new_pool(store)
    client = await new_client(store, pool, secret="first-secret-value-000000")
    same_ms = await store.add_client_secret(client.id, "second-secret-value-11111", NOW + 0.0001)
    assert same_ms is not None and same_ms.created_ms == FIRST_MS + 1
    assert same_ms.id != client.secrets[0].id
    other = await new_client(store, pool, secret="first-secret-value-000000")
    earlier = await store.add_client_secret(other.id, "second-secret-value-11111", NOW - 3600)
    assert earlier is not None and earlier.created_ms == FIRST_MS + 1


async def test_deleting_the_oldest_secret_moves_the_newer_into_its_place(store: Store, store_url: str) -> None:
    pool = await new_pool(store)
    client = await new_client(store, pool, secret="first-secret-value-000000")
    added = await store.add_client_secret(client.id, "second-secret-value-11111", NOW + 5)
    assert await store.delete_client_secret(client.id, client.secrets[0]) == "deleted"
    read = await store.get_client(client.id)
    assert (read.secret, read.secrets) == ("second-secret-value-11111", (added,))
    plain, first, second = sealed_columns(store_url, client.id)
    assert plain is None and first.startswith("v1:") and second is None
    assert await store.delete_client_secret(client.id, client.secrets[0]) == "missing"
    assert await store.delete_client_secret(client.id, added) == "last"
    # a third secret after the move is newer than the one left
    third = await store.add_client_secret(client.id, "third-secret-value-222222", NOW + 1)
    assert third is not None and third.created_ms == added.created_ms + 1
    assert await store.integrity_check() == []


async def test_deleting_the_newer_secret_keeps_the_oldest(store: Store) -> None:
    pool = await new_pool(store)
    client = await new_client(store, pool, secret="first-secret-value-000000")
    added = await store.add_client_secret(client.id, "second-secret-value-11111", NOW + 5)
    assert await store.delete_client_secret(client.id, added) == "deleted"
    assert await store.get_client(client.id) == client
    assert await store.delete_client_secret(client.id, added) == "missing"
    assert await store.delete_client_secret(client.id, client.secrets[0]) == "last"
    assert await store.delete_client_secret("no-such-client", added) == "missing"


async def test_of_racing_deletes_of_both_secrets_one_is_refused_as_the_last(store: Store) -> None:
    pool = await new_pool(store)
    client = await new_client(store, pool, secret="first-secret-value-000000")
    added = await store.add_client_secret(client.id, "second-secret-value-11111", NOW + 5)
    outcomes = await asyncio.gather(
        store.delete_client_secret(client.id, client.secrets[0]), store.delete_client_secret(client.id, added)
    )
    assert sorted(outcomes) == ["deleted", "last"]
    assert len((await store.get_client(client.id)).secrets) == 1


async def test_a_store_without_a_key_cannot_add_a_secret(store_url: str, store: Store) -> None:
    pool = await new_pool(store)
    client = await new_client(store, pool, secret="first-secret-value-000000")
    keyless = Store.open(store_url)
    try:
        with pytest.raises(SealingError):
            await keyless.add_client_secret(client.id, "second-secret-value-11111", NOW)
        with pytest.raises(SealingError):
            await keyless.add_signing_certificate(SigningCertificate(pool.id, "MIIB", "-----PEM-----", NOW))
    finally:
        await keyless.close()
    assert len((await store.get_client(client.id)).secrets) == 1


async def test_a_second_secret_that_does_not_open_is_found(store: Store, store_url: str) -> None:
    pool = await new_pool(store)
    client = await new_client(store, pool, secret="first-secret-value-000000")
    other = Store.open(store_url, SecretBox(b"\x02" * 32))
    try:
        await other.add_client_secret(client.id, "second-secret-value-11111", NOW + 1)
        assert await store.integrity_check() == [f"the secret of client {client.id} does not open"]
        with pytest.raises(SealingError):
            await store.get_client(client.id)
    finally:
        await other.close()
        await store.delete_pool(pool.id)
    assert await store.integrity_check() == []


def certificate(pool_id: str, text: str = "MIIBcertificate") -> SigningCertificate:
    return SigningCertificate(pool_id, text, f"-----BEGIN PRIVATE KEY-----{unique()}", NOW)


async def test_a_pool_keeps_one_signing_certificate_its_key_sealed(store: Store, store_url: str) -> None:
    pool = await new_pool(store)
    assert await store.get_signing_certificate(pool.id) is None
    mine = certificate(pool.id)
    assert await store.add_signing_certificate(mine) == mine
    assert await store.get_signing_certificate(pool.id) == mine
    assert await store.add_signing_certificate(certificate(pool.id, "MIIBlater")) == mine  # the first one stays
    [(stored, sealed)] = databases.query(
        store_url, "SELECT certificate, private_key_sealed FROM signing_certificates WHERE pool_id = :p", p=pool.id
    )
    assert stored == "MIIBcertificate" and sealed.startswith("v1:") and mine.private_key not in sealed
    assert await store.integrity_check() == []


async def test_of_racing_first_certificates_one_is_kept_and_every_caller_gets_it(store: Store) -> None:
    pool = await new_pool(store)
    made = [certificate(pool.id, f"MIIB{n}") for n in range(5)]
    kept = await asyncio.gather(*(store.add_signing_certificate(c) for c in made))
    assert kept[0] in made and all(k == kept[0] for k in kept)
    assert await store.get_signing_certificate(pool.id) == kept[0]


async def test_a_certificate_goes_with_its_pool_and_none_is_kept_for_a_missing_pool(store: Store) -> None:
    pool = await new_pool(store)
    await store.add_signing_certificate(certificate(pool.id))
    assert await store.delete_pool(pool.id) is True
    assert await store.get_signing_certificate(pool.id) is None
    assert await store.add_signing_certificate(certificate(pool.id)) is None


async def test_a_signing_key_sealed_with_another_key_is_found(store: Store, store_url: str) -> None:
    pool = await new_pool(store)
    other = Store.open(store_url, SecretBox(b"\x03" * 32))
    try:
        await other.add_signing_certificate(certificate(pool.id))
        assert await store.integrity_check() == [f"the signing key of pool {pool.id} does not open"]
    finally:
        await other.close()
        await store.delete_pool(pool.id)
    assert await store.integrity_check() == []
