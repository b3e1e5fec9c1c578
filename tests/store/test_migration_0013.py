"""Migration 0013 on a store written before it: challenge sessions in flight keep working (their answer count
starts at zero), and users get MFA settings only when they set a factor up."""

from __future__ import annotations

import sqlite3

from tests.helpers import migrate_sqlite
from userpool.store import Store
from userpool.store.sealing import SecretBox


async def test_0013_keeps_sessions_in_flight_answerable(tmp_path) -> None:
    path = tmp_path / "old.db"
    migrate_sqlite(path, "0009")
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO pools VALUES ('us-east-1_A', 'p', '{}', 0, 0)")
        db.execute(
            "INSERT INTO auth_sessions (id_hash, pool_id, client_id, user_id, challenge, data, created_at, expires_at)"
            " VALUES ('h', 'us-east-1_A', 'c', NULL, 'NEW_PASSWORD_REQUIRED', '{}', 0, 180)"
        )
    store = Store.open(f"sqlite:///{path}", SecretBox(b"\x05" * 32))
    try:
        await store.migrate()
        session = await store.get_session("h")
        assert session is not None and session.failed_attempts == 0
        assert await store.take_session_attempt("h", 3) is True
        assert await store.use_session("h", 1) is True
        with sqlite3.connect(path) as db:
            assert db.execute("SELECT count(*) FROM user_mfa").fetchone() == (0,)
    finally:
        await store.close()
