"""Migration 0007 on a store written before it: every client secret made before rotation existed was made with
its client, and such a store opens and authenticates as before."""

from __future__ import annotations

import sqlite3

from tests.helpers import migrate_sqlite
from userpool.store import Store
from userpool.store.sealing import SecretBox


async def test_0007_dates_each_older_secret_at_its_clients_creation(tmp_path) -> None:
    path = tmp_path / "old.db"
    migrate_sqlite(path, "0005")
    box = SecretBox(b"\x04" * 32)
    sealed = box.seal("an-older-secret-value-000", "sealed")
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO pools VALUES ('us-east-1_A', 'p', '{}', 0, 0)")
        rows = [
            ("sealed", None, sealed, 1700000000.1236),
            ("legacy", "a-plain-secret-value-0000", None, 1700000001.0),
            ("public", None, None, 1700000002.0),
        ]
        for client_id, plain, sealed_secret, created in rows:
            db.execute(
                "INSERT INTO clients (id, pool_id, name, secret, settings, created_at, modified_at, secret_sealed)"
                " VALUES (?, 'us-east-1_A', 'c', ?, '{}', ?, ?, ?)",
                (client_id, plain, created, created, sealed_secret),
            )

    store = Store.open(f"sqlite:///{path}", box)
    try:
        await store.migrate()
        with sqlite3.connect(path) as db:
            stamps = dict(db.execute("SELECT id, secret_created_ms FROM clients"))
        assert stamps == {"sealed": 1700000000124, "legacy": 1700000001000, "public": None}
        assert await store.seal_client_secrets() == 1
        sealed_client = await store.get_client("sealed")
        assert [(s.id, s.value) for s in sealed_client.secrets] == [
            ("sealed--1700000000124", "an-older-secret-value-000")
        ]
        added = await store.add_client_secret("legacy", "a-newer-secret-value-0000", 1700000100.0)
        assert added is not None and added.id == "legacy--1700000100000"
        assert (await store.get_client("legacy")).secret_values == (
            "a-plain-secret-value-0000",
            "a-newer-secret-value-0000",
        )
        assert (await store.get_client("public")).secrets == ()
        assert await store.integrity_check() == []
    finally:
        await store.close()
