"""Pure sign-in rules: SRP helpers, the lockout schedule, flows, and the 0002 migration over a 0001 store."""

from __future__ import annotations

import sqlite3

import pytest

from tests.helpers import migrate_sqlite
from userpool.domain import flows, lockout, passwords, srp


def test_pad_hex_matches_cognitos_padhex():
    assert srp.pad_hex(0x7F) == "7f"
    assert srp.pad_hex(0x80) == "0080"
    assert srp.pad_hex(0xABC) == "0abc"


def test_k_is_hash_of_padded_n_and_g():
    assert srp.K == int(srp.hex_hash("00" + srp.N_HEX + "02"), 16)


@pytest.mark.parametrize(
    ("sent", "read"),
    [
        ("Sat Sep 5 09:03:07 UTC 2026", "Sat Sep 5 09:03:07 UTC 2026"),
        ("Sat Sep 05 09:03:07 UTC 2026", "Sat Sep 5 09:03:07 UTC 2026"),
        ("Sat Sep 5 09:03:07 GMT 2026", "Sat Sep 5 09:03:07 UTC 2026"),
        ("Fri Sep 5 09:03:07 UTC 2026", None),  # wrong weekday
        ("Sat Sep 31 09:03:07 UTC 2026", None),
        ("Sat Sep 5 9:03:07 UTC 2026", None),
        ("2026-09-05T09:03:07Z", None),
    ],
)
def test_timestamp_is_read_as_cognito_reads_it(sent, read):
    assert srp.canonical_timestamp(sent) == read


def test_verifier_salt_has_no_leading_zero_byte():
    for _ in range(50):
        salt = srp.make_verifier("us-east-1_X", "u", "p").salt
        assert len(salt) >= 31 and int(salt, 16) >> 120


def test_lockout_schedule():
    state = lockout.Attempts()
    for _ in range(4):
        state = lockout.after_failure(state, 100.0)
        assert state.locked_until is None
    state = lockout.after_failure(state, 100.0)
    assert state.locked_until == 101.0
    assert lockout.locked(state, 100.5) and not lockout.locked(state, 101.0)
    state = lockout.after_failure(state, 101.0)
    assert state.locked_until == 103.0
    assert lockout.after_failure(state, 101.0 + 900).failures == 1  # fifteen quiet minutes start again


def test_legacy_flows_keep_srp_and_refresh():
    assert flows.enabled(["ADMIN_NO_SRP_AUTH"], "USER_SRP_AUTH")
    assert flows.enabled(["ADMIN_NO_SRP_AUTH"], "REFRESH_TOKEN_AUTH")
    assert not flows.enabled(["CUSTOM_AUTH_FLOW_ONLY"], "USER_SRP_AUTH")
    assert not flows.enabled(["ALLOW_USER_PASSWORD_AUTH"], "USER_SRP_AUTH")


def test_temporary_passwords_meet_the_policy():
    policy = {"MinimumLength": 14, "RequireUppercase": True, "RequireLowercase": True, "RequireNumbers": True,
              "RequireSymbols": True}  # fmt: skip
    for _ in range(100):
        password = passwords.temporary_password(policy)
        assert len(password) == 14 and passwords.policy_violation(password, policy) is None


def test_0002_upgrades_a_0001_store(tmp_path):
    path = tmp_path / "old.db"
    migrate_sqlite(path, "0001")
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO pools VALUES ('us-east-1_A', 'p', '{}', 0, 0)")
        db.execute(
            "INSERT INTO users (pool_id, username, username_key, sub, status, enabled, password_hash, created_at,"
            " modified_at) VALUES ('us-east-1_A', 'u', 'u', 's', 'CONFIRMED', 1, 'h', 0, 0)"
        )
    migrate_sqlite(path, "head")
    with sqlite3.connect(path) as db:
        columns = {row[1] for row in db.execute("PRAGMA table_info(users)")}
        assert {"srp_salt", "srp_verifier", "failed_sign_ins", "locked_until", "password_expires_at"} <= columns
        assert db.execute("SELECT username, srp_verifier FROM users").fetchall() == [("u", None)]
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"signing_keys", "refresh_tokens", "auth_sessions", "password_history"} <= tables


def test_0005_and_0006_give_each_older_refresh_token_a_session_of_its_own(tmp_path):
    path = tmp_path / "old.db"
    migrate_sqlite(path, "0004")
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO pools VALUES ('us-east-1_A', 'p', '{}', 0, 0)")
        db.execute("INSERT INTO clients (id, pool_id, name, settings, created_at, modified_at)"
                   " VALUES ('c', 'us-east-1_A', 'c', '{}', 0, 0)")  # fmt: skip
        db.execute(
            "INSERT INTO users (pool_id, username, username_key, sub, status, enabled, password_hash, created_at,"
            " modified_at) VALUES ('us-east-1_A', 'u', 'u', 's', 'CONFIRMED', 1, 'h', 0, 0)"
        )
        for n, jti in ((1, "a1a1a1a1-a1a1-a1a1-a1a1-a1a1a1a1a1a1"), (2, "b2b2b2b2-b2b2-b2b2-b2b2-b2b2b2b2b2b2")):
            db.execute(
                "INSERT INTO refresh_tokens (token_hash, pool_id, client_id, user_id, origin_jti, auth_time,"
                f" created_at, expires_at) VALUES ('h{n}', 'us-east-1_A', 'c', 1, '{jti}', 0, 0, 9)"
            )
    migrate_sqlite(path, "head")
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT token_hash, session_id, replaced_at FROM refresh_tokens ORDER BY 1").fetchall()
        assert rows == [("h1", "tkn" + "a1" * 12 + "a", None), ("h2", "tkn" + "b2" * 12 + "b", None)]
        # 0006: each of them is a token session of its own, as ListUserSessions shows them
        sessions = db.execute("SELECT id, user_id, client_id, created_at, expires_at FROM token_sessions ORDER BY 1")
        assert sessions.fetchall() == [("tkn" + "a1" * 12 + "a", 1, "c", 0, 9), ("tkn" + "b2" * 12 + "b", 1, "c", 0, 9)]
