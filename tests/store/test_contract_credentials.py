"""Store contract: passkeys (WebAuthn credentials). A credential id is registered once per pool (another user, or
the same, cannot take it again; another pool may), within the user's limit; a user's passkeys are listed oldest
first a page at a time; the signature counter moves forward once from the value seen (of two racing assertions
one wins); a passkey is deleted only by its user, and passkeys go with their user."""

from __future__ import annotations

import asyncio

import pytest

from tests.store.records import NOW, new_pool, new_user, webauthn_credential
from userpool.store import Conflict, InvalidToken, LimitReached, Store


async def _user(store: Store, name: str = "ann", pool=None) -> tuple:
    pool = pool or await new_pool(store)
    return pool, await store.create_user(new_user(pool, name, status="CONFIRMED"))


async def test_a_passkey_is_registered_and_found_as_stored(store: Store) -> None:
    pool, user_id = await _user(store)
    passkey = webauthn_credential(pool, user_id, transports=["usb", "nfc"], attachment=None, sign_count=7)
    assert await store.add_webauthn_credential(passkey, 20)
    assert await store.get_webauthn_credential(pool.id, passkey.credential_id) == passkey
    assert await store.get_webauthn_credential(pool.id, "unknown") is None
    other_pool = await new_pool(store)
    assert await store.get_webauthn_credential(other_pool.id, passkey.credential_id) is None


async def test_a_credential_id_is_taken_once_per_pool(store: Store) -> None:
    pool, ann = await _user(store)
    _, bob = await _user(store, "bob", pool)
    passkey = webauthn_credential(pool, ann)
    await store.add_webauthn_credential(passkey, 20)
    with pytest.raises(Conflict) as taken:
        await store.add_webauthn_credential(webauthn_credential(pool, bob, credential_id=passkey.credential_id), 20)
    assert taken.value.what == "credential"
    with pytest.raises(Conflict):
        await store.add_webauthn_credential(webauthn_credential(pool, ann, credential_id=passkey.credential_id), 20)
    stored = await store.get_webauthn_credential(pool.id, passkey.credential_id)
    assert stored is not None and stored.user_id == ann
    other_pool, carol = await _user(store, "carol")
    assert await store.add_webauthn_credential(
        webauthn_credential(other_pool, carol, credential_id=passkey.credential_id), 20
    )


async def test_the_users_limit_holds_even_for_racing_registrations(store: Store) -> None:
    pool, user_id = await _user(store)
    await store.add_webauthn_credential(webauthn_credential(pool, user_id), 3)
    results = await asyncio.gather(
        *(store.add_webauthn_credential(webauthn_credential(pool, user_id), 3) for _ in range(4)),
        return_exceptions=True,
    )
    assert sum(r is True for r in results) == 2
    assert all(isinstance(r, LimitReached) for r in results if r is not True)
    assert len(await store.webauthn_credentials_of_user(user_id)) == 3
    _, gone = await _user(store, "gone", pool)
    await store.delete_user(gone)
    assert not await store.add_webauthn_credential(webauthn_credential(pool, gone), 3)


async def test_a_users_passkeys_are_listed_oldest_first_a_page_at_a_time(store: Store) -> None:
    pool, user_id = await _user(store)
    _, other = await _user(store, "bob", pool)
    made = [webauthn_credential(pool, user_id, NOW + i) for i in range(5)]
    for passkey in reversed(made):
        await store.add_webauthn_credential(passkey, 20)
    await store.add_webauthn_credential(webauthn_credential(pool, other), 20)
    assert await store.webauthn_credentials_of_user(user_id) == made
    seen, token = [], None
    while True:
        found, token = await store.list_webauthn_credentials(user_id, 2, token)
        seen += found
        if token is None:
            break
    assert seen == made
    assert await store.list_webauthn_credentials(user_id, 5, None) == (made, None)
    with pytest.raises(InvalidToken):
        await store.list_webauthn_credentials(user_id, 2, "garbage")


async def test_the_signature_counter_moves_forward_once_from_the_value_seen(store: Store) -> None:
    pool, user_id = await _user(store)
    passkey = webauthn_credential(pool, user_id, sign_count=4)
    await store.add_webauthn_credential(passkey, 20)
    results = await asyncio.gather(
        *(store.use_webauthn_credential(pool.id, passkey.credential_id, 4, 5, NOW + 1) for _ in range(3))
    )
    assert sorted(results) == [False, False, True]
    stored = await store.get_webauthn_credential(pool.id, passkey.credential_id)
    assert stored is not None and (stored.sign_count, stored.last_used_at) == (5, NOW + 1)
    assert not await store.use_webauthn_credential(pool.id, passkey.credential_id, 4, 6, NOW + 2)


async def test_a_passkey_is_deleted_by_its_user_only_and_passkeys_go_with_their_user(store: Store) -> None:
    pool, user_id = await _user(store)
    _, other = await _user(store, "bob", pool)
    first, second = webauthn_credential(pool, user_id), webauthn_credential(pool, user_id)
    await store.add_webauthn_credential(first, 20)
    await store.add_webauthn_credential(second, 20)
    assert not await store.delete_webauthn_credential(pool.id, first.credential_id, other)
    assert await store.delete_webauthn_credential(pool.id, first.credential_id, user_id)
    assert not await store.delete_webauthn_credential(pool.id, first.credential_id, user_id)
    assert await store.get_webauthn_credential(pool.id, first.credential_id) is None
    await store.delete_user(user_id)
    assert await store.get_webauthn_credential(pool.id, second.credential_id) is None
