"""Store contract: token sessions (started with their first refresh token, evicted past a limit, touched by
refreshes, listed live, revoked with their tokens) and session configurations."""

from __future__ import annotations

import asyncio
import dataclasses

from tests.store.records import NOW, new_client, new_pool, new_user, refresh_token, token_session
from userpool.store import Store


async def _user(store: Store) -> tuple:
    pool = await new_pool(store)
    client = await new_client(store, pool)
    return pool, client, await store.create_user(new_user(pool, "ann", status="CONFIRMED"))


async def test_a_session_starts_with_its_refresh_token_and_is_listed_until_revoked_or_expired(store: Store) -> None:
    _, client, user_id = await _user(store)
    token = refresh_token(client, user_id)
    session = token_session(token, ip_address="192.0.2.1")
    assert await store.start_session(session, token) == []
    assert await store.get_token_session(session.id) == session
    assert (await store.get_refresh_token(token.token_hash)).session_id == session.id
    assert await store.list_token_sessions(user_id, NOW) == [session]
    assert await store.list_token_sessions(user_id, session.expires_at) == []  # expired
    assert await store.get_token_session("tkn" + "0" * 25) is None

    assert await store.revoke_token_session(session.id, NOW + 1) is True
    assert await store.revoke_token_session(session.id, NOW + 2) is False
    assert (await store.get_refresh_token(token.token_hash)).revoked_at == NOW + 1
    assert await store.list_token_sessions(user_id, NOW + 1) == []


async def test_a_refresh_touches_the_session(store: Store) -> None:
    _, client, user_id = await _user(store)
    token = refresh_token(client, user_id)
    await store.start_session(token_session(token), token)
    await store.touch_session(token.session_id, NOW + 60, "198.51.100.7", "curl/8")
    touched = await store.get_token_session(token.session_id)
    assert (touched.last_active_at, touched.ip_address, touched.device) == (NOW + 60, "198.51.100.7", "curl/8")
    assert touched.created_at == NOW


async def test_a_rotation_touches_the_session_in_its_own_write(store: Store) -> None:
    _, client, user_id = await _user(store)
    used = refresh_token(client, user_id)
    await store.start_session(token_session(used), used)
    new = dataclasses.replace(refresh_token(client, user_id, session_id=used.session_id), created_at=NOW + 60)
    assert await store.rotate_refresh_token(used, new, NOW + 60, grace=0, touch=("198.51.100.7", "curl/8")) is True
    touched = await store.get_token_session(used.session_id)
    assert (touched.last_active_at, touched.ip_address, touched.device) == (NOW + 60, "198.51.100.7", "curl/8")
    # A reuse revokes the session and touches nothing.
    again = refresh_token(client, user_id, session_id=used.session_id)
    assert await store.rotate_refresh_token(used, again, NOW + 90, grace=0, touch=("203.0.113.9", "x")) is False
    revoked = await store.get_token_session(used.session_id)
    assert (revoked.last_active_at, revoked.ip_address, revoked.revoked_at) == (NOW + 60, "198.51.100.7", NOW + 90)


async def test_past_the_limit_the_least_recently_active_sessions_are_evicted(store: Store) -> None:
    _, client, user_id = await _user(store)
    tokens = [refresh_token(client, user_id, at=NOW + i) for i in range(3)]
    for token in tokens:
        assert await store.start_session(token_session(token), token, keep=3) == []
    await store.touch_session(tokens[0].session_id, NOW + 10, None, None)  # the oldest is now the most recent
    newest = refresh_token(client, user_id, at=NOW + 20)
    evicted = await store.start_session(token_session(newest), newest, keep=2)
    assert evicted == [tokens[2].session_id, tokens[1].session_id]
    live = {s.id for s in await store.list_token_sessions(user_id, NOW + 20)}
    assert live == {tokens[0].session_id, newest.session_id}
    for token in tokens[1:]:
        assert (await store.get_refresh_token(token.token_hash)).revoked_at == NOW + 20


async def test_revoking_a_token_or_the_user_revokes_sessions_too(store: Store) -> None:
    _, client, user_id = await _user(store)
    first, second = refresh_token(client, user_id), refresh_token(client, user_id)
    for token in (first, second):
        await store.start_session(token_session(token), token)
    assert await store.revoke_refresh_token(first.token_hash, NOW + 1) is True
    assert [s.id for s in await store.list_token_sessions(user_id, NOW + 1)] == [second.session_id]
    assert await store.revoke_user_tokens(user_id, NOW + 2) == 1
    assert await store.list_token_sessions(user_id, NOW + 2) == []
    assert (await store.get_token_session(second.session_id)).revoked_at == NOW + 2


async def test_a_reused_rotated_token_revokes_its_session_record(store: Store) -> None:
    _, client, user_id = await _user(store)
    used = refresh_token(client, user_id)
    await store.start_session(token_session(used), used)
    new = dataclasses.replace(refresh_token(client, user_id, session_id=used.session_id), created_at=NOW + 1)
    assert await store.rotate_refresh_token(used, new, NOW + 1, grace=0) is True
    again = refresh_token(client, user_id, session_id=used.session_id)
    assert await store.rotate_refresh_token(used, again, NOW + 2, grace=0) is False
    assert (await store.get_token_session(used.session_id)).revoked_at == NOW + 2


async def test_racing_revocations_of_a_session_have_one_winner(store: Store) -> None:
    _, client, user_id = await _user(store)
    token = refresh_token(client, user_id)
    await store.start_session(token_session(token), token)
    results = await asyncio.gather(*(store.revoke_token_session(token.session_id, NOW + 1) for _ in range(5)))
    assert sorted(results) == [False] * 4 + [True]


async def test_session_configurations_are_replaced_whole_per_pool_and_client(store: Store) -> None:
    pool, client, _ = await _user(store)
    assert await store.get_session_configuration(pool.id, "ALL") is None
    await store.put_session_configuration(pool.id, "ALL", {"UserSessionTracking": "ENABLED"}, NOW)
    await store.put_session_configuration(pool.id, "ALL", {"UserSessionTracking": "DISABLED"}, NOW + 1)
    await store.put_session_configuration(pool.id, client.id, {"SSOSession": {"MaxValidityMinutes": 5}}, NOW)
    assert await store.get_session_configuration(pool.id, "ALL") == {"UserSessionTracking": "DISABLED"}
    assert await store.get_session_configuration(pool.id, client.id) == {"SSOSession": {"MaxValidityMinutes": 5}}
