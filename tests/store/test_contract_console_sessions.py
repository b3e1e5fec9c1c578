"""Store contract: the admin console's sessions. Kept by the hash of their token, read by it, deleted once, and the
expired ones swept (at most ``SWEPT``) when a new one is kept."""

from __future__ import annotations

from tests import databases
from tests.store.records import NOW
from userpool.domain.records import ConsoleSession
from userpool.store import Store
from userpool.store.console_sessions import SWEPT


def session(id_hash: str, created_at: float = NOW, who: str = "AKIDCONSOLE") -> ConsoleSession:
    return ConsoleSession(id_hash, who, created_at, created_at + 3600)


async def test_a_session_is_kept_read_and_deleted_once(store: Store, store_url: str) -> None:
    kept = session("a1" * 32)
    await store.add_console_session(kept)
    assert await store.get_console_session(kept.id_hash) == kept
    rows = databases.query(store_url, "SELECT who, expires_at FROM console_sessions WHERE id_hash = :h", h=kept.id_hash)
    assert rows == [("AKIDCONSOLE", NOW + 3600)]
    assert await store.delete_console_session(kept.id_hash) is True
    assert await store.get_console_session(kept.id_hash) is None
    assert await store.delete_console_session(kept.id_hash) is False
    assert await store.get_console_session("b1" * 32) is None


async def test_expired_sessions_are_swept_when_one_is_kept_at_most_a_bounded_number(
    store: Store, store_url: str
) -> None:
    # Far in the future of the other tests' sessions, so only these are expired then (the sweep is store-wide).
    later = NOW + 10**9
    old = [session(f"{i:064x}", later) for i in range(SWEPT + 5)]
    alive = session("f" * 64, later + 3000)
    for kept in [*old, alive]:
        await store.add_console_session(kept)
    await store.add_console_session(session("e" * 64, later + 3601))  # the old ones expired at later + 3600
    count = "SELECT COUNT(*) FROM console_sessions WHERE created_at = :at"
    assert databases.query(store_url, count, at=later) == [(5,)]  # SWEPT deleted, the rest at the next sign-in
    assert await store.get_console_session(alive.id_hash) == alive
    await store.add_console_session(session("d" * 64, later + 3602))
    assert databases.query(store_url, count, at=later) == [(0,)]
    assert await store.get_console_session(alive.id_hash) == alive
