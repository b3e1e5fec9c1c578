"""Store contract: threat protection's user event history. Events are listed per user, newest first, a page at a
time; feedback is kept on one event of one user; expired events are swept a batch at a time as new ones are
written; a user's events go with the user."""

from __future__ import annotations

import dataclasses

import pytest

from tests.store.records import NOW, auth_event, new_pool, new_user
from userpool.store import InvalidToken, Store
from userpool.store.events import SWEEP_BATCH


async def _user(store: Store, name: str = "ann") -> tuple:
    pool = await new_pool(store)
    return pool, await store.create_user(new_user(pool, name, status="CONFIRMED"))


async def test_events_come_back_newest_first_a_page_at_a_time(store: Store) -> None:
    pool, user_id = await _user(store)
    recorded = [auth_event(pool, user_id, NOW + i, ip_address=None if i == 2 else "192.0.2.1") for i in range(5)]
    for event in recorded:
        await store.add_auth_event(event, NOW - 86400)
    first, token = await store.list_auth_events(user_id, 2, None)
    assert [e.event_id for e in first] == [recorded[4].event_id, recorded[3].event_id]
    assert token is not None
    second, token = await store.list_auth_events(user_id, 2, token)
    assert [e.event_id for e in second] == [recorded[2].event_id, recorded[1].event_id]
    last, token = await store.list_auth_events(user_id, 2, token)
    assert [e.event_id for e in last] == [recorded[0].event_id] and token is None
    # what was written is what is read, the row's number aside
    assert dataclasses.replace(second[0], id=None) == recorded[2]
    assert first[0].id is not None and first[0].id > first[1].id


async def test_an_exact_last_page_has_no_token_and_a_user_without_events_an_empty_page(store: Store) -> None:
    pool, user_id = await _user(store)
    _, quiet = await _user(store, "bob")
    for i in range(2):
        await store.add_auth_event(auth_event(pool, user_id, NOW + i), NOW - 86400)
    found, token = await store.list_auth_events(user_id, 2, None)
    assert len(found) == 2 and token is None
    assert await store.list_auth_events(quiet, 60, None) == ([], None)


async def test_a_token_the_store_did_not_make_is_refused(store: Store) -> None:
    _, user_id = await _user(store)
    for token in ("garbage", "InN0cmluZyI=", "LTE="):  # not base64 JSON; a string; a negative number
        with pytest.raises(InvalidToken):
            await store.list_auth_events(user_id, 10, token)


async def test_users_see_only_their_own_events(store: Store) -> None:
    pool, ann = await _user(store)
    bob = await store.create_user(new_user(pool, "bob", status="CONFIRMED"))
    await store.add_auth_event(auth_event(pool, ann), NOW - 86400)
    bobs = auth_event(pool, bob, event_type="SignUp")
    await store.add_auth_event(bobs, NOW - 86400)
    found, _ = await store.list_auth_events(bob, 10, None)
    assert [e.event_id for e in found] == [bobs.event_id]


async def test_feedback_is_kept_on_the_users_event_and_replaced_by_later_feedback(store: Store) -> None:
    pool, ann = await _user(store)
    bob = await store.create_user(new_user(pool, "bob", status="CONFIRMED"))
    event = auth_event(pool, ann)
    await store.add_auth_event(event, NOW - 86400)
    assert await store.set_auth_event_feedback(ann, event.event_id, "Invalid", "Admin", NOW + 5) is True
    (stored,), _ = await store.list_auth_events(ann, 10, None)
    assert (stored.feedback_value, stored.feedback_provider, stored.feedback_at) == ("Invalid", "Admin", NOW + 5)
    assert await store.set_auth_event_feedback(ann, event.event_id, "Valid", "User", NOW + 6) is True
    (stored,), _ = await store.list_auth_events(ann, 10, None)
    assert (stored.feedback_value, stored.feedback_provider, stored.feedback_at) == ("Valid", "User", NOW + 6)
    # another user's event, or no event at all, takes no feedback
    assert await store.set_auth_event_feedback(bob, event.event_id, "Invalid", "Admin", NOW + 7) is False
    assert await store.set_auth_event_feedback(ann, "no-such-event", "Invalid", "Admin", NOW + 7) is False
    (stored,), _ = await store.list_auth_events(ann, 10, None)
    assert stored.feedback_value == "Valid"


async def test_expired_events_are_swept_a_batch_at_a_time_as_new_ones_are_written(store: Store) -> None:
    # Long before NOW, so that no other test's write (which sweeps before NOW minus the retention) reaches them
    # first, and no event of another test is old enough to be swept here.
    old_times = 1_000.0
    pool, user_id = await _user(store)
    _, other = await _user(store, "bob")
    for i in range(SWEEP_BATCH + 5):
        await store.add_auth_event(auth_event(pool, user_id, old_times + i), old_times - 1)
    kept = auth_event(pool, user_id, old_times + 10_000)
    await store.add_auth_event(kept, old_times - 1)
    assert len((await store.list_auth_events(user_id, 1000, None))[0]) == SWEEP_BATCH + 6

    # another user's event, written when every old one has expired, sweeps the oldest batch of them
    await store.add_auth_event(auth_event(pool, other, old_times + 20_000), old_times + 5_000)
    left, _ = await store.list_auth_events(user_id, 1000, None)
    assert [e.created_at for e in left] == [
        kept.created_at,
        *(old_times + i for i in range(SWEEP_BATCH + 4, SWEEP_BATCH - 1, -1)),
    ]
    await store.add_auth_event(auth_event(pool, other, old_times + 20_001), old_times + 5_000)
    left, _ = await store.list_auth_events(user_id, 1000, None)
    assert [e.event_id for e in left] == [kept.event_id]


async def test_a_users_events_go_with_the_user_and_the_pool(store: Store) -> None:
    pool, user_id = await _user(store)
    await store.add_auth_event(auth_event(pool, user_id), NOW - 86400)
    assert await store.delete_user(user_id) is True
    assert await store.list_auth_events(user_id, 10, None) == ([], None)
    pool, user_id = await _user(store)
    await store.add_auth_event(auth_event(pool, user_id), NOW - 86400)
    await store.delete_pool(pool.id)
    assert await store.list_auth_events(user_id, 10, None) == ([], None)
    assert await store.integrity_check() == []
