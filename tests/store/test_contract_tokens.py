"""Store contract: signing keys, refresh tokens (rotation: one first, a grace period, reuse revokes the session),
and challenge sessions (each answers once)."""

from __future__ import annotations

import asyncio
import dataclasses

import sqlalchemy as sa

from tests.store.records import (
    NOW,
    auth_session,
    new_client,
    new_pool,
    new_user,
    refresh_token,
    signing_key,
    token_session,
)
from userpool.domain.records import PublicKey
from userpool.store import Store, tables


async def _signed_in(store: Store) -> tuple:
    pool = await new_pool(store)
    client = await new_client(store, pool)
    user_id = await store.create_user(new_user(pool, "ann", status="CONFIRMED"))
    return pool, client, user_id


async def test_the_newest_unretired_key_signs_and_retired_ones_stay_published_a_while(store: Store) -> None:
    pool = await new_pool(store)
    assert await store.find_signing_key(pool.id) is None
    assert await store.signing_key_id(pool.id) is None
    first, second = signing_key(pool, NOW), signing_key(pool, NOW + 1)
    await store.add_signing_key(first, retire_others=False)
    await store.add_signing_key(second, retire_others=False)
    assert await store.find_signing_key(pool.id) == second
    assert await store.signing_key_id(pool.id) == second.kid

    third = signing_key(pool, NOW + 100)
    await store.add_signing_key(third, retire_others=True)  # rotation
    assert await store.find_signing_key(pool.id) == third
    assert await store.signing_key_id(pool.id) == third.kid
    assert await store.get_public_key(first.kid) == PublicKey(first.kid, pool.id, first.public_jwk)
    assert await store.get_public_key("no-such-kid") is None
    assert [k["kid"] for k in await store.published_keys(pool.id, NOW + 50)] == [third.kid, second.kid, first.kid]
    assert [k["kid"] for k in await store.published_keys(pool.id, NOW + 100)] == [third.kid]


async def test_refresh_tokens_read_back_by_hash_and_origin_and_revoke_by_session(store: Store) -> None:
    _, client, user_id = await _signed_in(store)
    token, other = refresh_token(client, user_id), refresh_token(client, user_id)
    await store.start_session(token_session(token), token)
    await store.start_session(token_session(other), other)
    assert await store.get_refresh_token(token.token_hash) == token
    assert await store.find_refresh_token_by_origin(token.origin_jti) == token
    assert await store.get_refresh_token("no-such-hash") is None

    assert await store.revoke_refresh_token(token.token_hash, NOW + 5) is True
    assert await store.revoke_refresh_token(token.token_hash, NOW + 6) is False  # already revoked
    assert (await store.get_refresh_token(token.token_hash)).revoked_at == NOW + 5
    assert (await store.get_refresh_token(other.token_hash)).revoked_at is None  # another session


async def test_global_sign_out_revokes_every_token_of_the_user_and_drops_long_expired_ones(store: Store) -> None:
    _, client, user_id = await _signed_in(store)
    live = refresh_token(client, user_id)
    dead = dataclasses.replace(refresh_token(client, user_id), expires_at=NOW - 2 * 86400)
    for token in (live, dead):
        await store.start_session(token_session(token), token)
    assert await store.revoke_user_tokens(user_id, NOW) == 2
    assert (await store.get_refresh_token(live.token_hash)).revoked_at == NOW
    assert await store.get_refresh_token(dead.token_hash) is None
    assert await store.revoke_user_tokens(user_id, NOW) == 0


async def test_rotation_replaces_the_used_token_and_adds_the_new_one_to_its_session(store: Store) -> None:
    _, client, user_id = await _signed_in(store)
    used = refresh_token(client, user_id)
    await store.start_session(token_session(used), used)
    new = refresh_token(client, user_id, session_id=used.session_id, at=NOW + 10)
    assert await store.rotate_refresh_token(used, new, NOW + 10, grace=0) is True
    assert (await store.get_refresh_token(used.token_hash)).replaced_at == NOW + 10
    assert await store.get_refresh_token(new.token_hash) == new

    # the replaced token used again, with no grace: a reuse, and the whole session is revoked
    again = refresh_token(client, user_id, session_id=used.session_id, at=NOW + 11)
    assert await store.rotate_refresh_token(used, again, NOW + 11, grace=0) is False
    assert await store.get_refresh_token(again.token_hash) is None
    assert (await store.get_refresh_token(new.token_hash)).revoked_at == NOW + 11
    assert (await store.get_refresh_token(used.token_hash)).revoked_at == NOW + 11


async def test_a_replaced_token_is_honoured_within_the_grace_period_and_is_a_reuse_after_it(store: Store) -> None:
    _, client, user_id = await _signed_in(store)
    used = refresh_token(client, user_id)
    await store.start_session(token_session(used), used)

    def successor(at: float):
        return refresh_token(client, user_id, session_id=used.session_id, at=at)

    first, retry = successor(NOW + 10), successor(NOW + 40)
    assert await store.rotate_refresh_token(used, first, NOW + 10, grace=60) is True
    assert await store.rotate_refresh_token(used, retry, NOW + 40, grace=60) is True
    assert await store.get_refresh_token(retry.token_hash) == retry
    assert (await store.get_refresh_token(used.token_hash)).replaced_at == NOW + 10  # the first replacement counts

    assert await store.rotate_refresh_token(used, successor(NOW + 71), NOW + 71, grace=60) is False
    for token in (used, first, retry):
        assert (await store.get_refresh_token(token.token_hash)).revoked_at == NOW + 71
    # a revoked session stays revoked: even its newest token is refused
    assert await store.rotate_refresh_token(retry, successor(NOW + 72), NOW + 72, grace=60) is False


async def test_of_racing_rotations_of_one_token_exactly_one_is_first(store: Store) -> None:
    _, client, user_id = await _signed_in(store)
    used = refresh_token(client, user_id)
    await store.start_session(token_session(used), used)
    new = [refresh_token(client, user_id, session_id=used.session_id, at=NOW + 10) for _ in range(5)]
    results = await asyncio.gather(*(store.rotate_refresh_token(used, n, NOW + 10, grace=30) for n in new))
    assert results == [True] * 5  # within the grace period every racer is honoured
    assert (await store.get_refresh_token(used.token_hash)).replaced_at == NOW + 10

    used = refresh_token(client, user_id)
    await store.start_session(token_session(used), used)
    new = [refresh_token(client, user_id, session_id=used.session_id, at=NOW + 10) for _ in range(5)]
    results = await asyncio.gather(*(store.rotate_refresh_token(used, n, NOW + 10, grace=0) for n in new))
    assert sorted(results) == [False] * 4 + [True]  # without one, the first wins and the others are reuses
    stored = [await store.get_refresh_token(n.token_hash) for n in new]
    [first] = [token for token in stored if token is not None]  # the first one's new token, revoked by the reuses
    assert first.revoked_at == NOW + 10


async def test_a_challenge_session_answers_once_even_when_raced(store: Store) -> None:
    _, client, user_id = await _signed_in(store)
    session = auth_session(client, user_id)
    await store.add_session(session)
    assert await store.get_session(session.id_hash) == session
    assert await store.get_session("no-such-session") is None
    results = await asyncio.gather(*(store.use_session(session.id_hash, NOW + 1) for _ in range(5)))
    assert sorted(results) == [False] * 4 + [True]
    assert (await store.get_session(session.id_hash)).used_at == NOW + 1


async def test_adding_a_session_drops_sessions_dead_for_an_hour(store: Store) -> None:
    _, client, user_id = await _signed_in(store)
    old = auth_session(client, user_id, created_at=NOW)
    await store.add_session(old)
    await store.add_session(auth_session(client, None, created_at=NOW + 180 + 3600 + 1))
    assert await store.get_session(old.id_hash) is None


async def test_signing_keys_are_sealed_and_older_plain_ones_sealed_on_request(store: Store) -> None:
    pool = await new_pool(store)
    key = signing_key(pool, NOW)
    await store.add_signing_key(key, retire_others=False)
    async with store._read() as conn:  # the row as stored: no private key in the clear
        row = (await conn.execute(sa.select(tables.signing_keys).where(tables.signing_keys.c.kid == key.kid))).one()
    assert row.private_key is None and row.private_key_sealed and key.private_key not in row.private_key_sealed
    assert await store.find_signing_key(pool.id) == key
    assert (await store.find_signing_key(pool.id)).sealed  # out of the seal: parsed without the RSA check

    older = signing_key(pool, NOW + 1)  # as an earlier version wrote it (the newest key, so it signs)
    async with store._write() as conn:
        plain = {**older.__dict__, "private_key_sealed": None}
        del plain["sealed"]
        await conn.execute(sa.insert(tables.signing_keys).values(**plain))
    assert not (await store.find_signing_key(pool.id)).sealed  # in plain text: checked as it is parsed
    assert await store.seal_signing_keys() == 1
    assert await store.seal_signing_keys() == 0
    assert await store.find_signing_key(pool.id) == older
    assert await store.integrity_check() == []
