"""Looking after the store as a whole: its invariants (``integrity_check``, which the fuzz suite runs) and its
size on disk."""

from __future__ import annotations

from sqlalchemy import select, text

from userpool.store import tables as t
from userpool.store.certificates import open_certificate
from userpool.store.clients import open_client
from userpool.store.engine import StoreBase, on_store_thread
from userpool.store.mfa import open_mfa_settings
from userpool.store.sealing import SealingError
from userpool.store.tokens import open_signing_key


class IntegrityStore(StoreBase):
    @on_store_thread
    async def integrity_check(self, sign_up_purpose: str = "signup", confirmed: str = "CONFIRMED") -> list[str]:
        """The store's invariants, as a list of violations (empty when all hold): every user has a ``sub``
        attribute equal to its sub; every key points at an existing user of its pool; no confirmed user still
        has a sign-up code; every auth event is in its user's pool; every group member is in its group's pool;
        every sealed client secret (each of a client's active secrets), every token signing key and every signing
        certificate's sealed private key opens; a client's second secret is newer than its first; and, on SQLite,
        ``PRAGMA integrity_check`` and ``PRAGMA foreign_key_check`` find nothing."""
        problems: list[str] = []
        async with self._read() as conn:
            subs = select(t.user_attributes.c.user_id).where(
                t.user_attributes.c.name == "sub", t.user_attributes.c.value == t.users.c.sub
            )
            for (user_id,) in await conn.execute(select(t.users.c.id).where(t.users.c.id.not_in(subs))):
                problems.append(f"user {user_id} has no sub attribute equal to its sub")
            keys = await conn.execute(
                select(t.user_keys.c.pool_id, t.user_keys.c.kind, t.user_keys.c.user_id)
                .outerjoin(
                    t.users, (t.users.c.id == t.user_keys.c.user_id) & (t.users.c.pool_id == t.user_keys.c.pool_id)
                )
                .where(t.users.c.id.is_(None))
            )
            for pool_id, kind, user_id in keys:
                problems.append(f"{kind} key in pool {pool_id} points at missing user {user_id}")
            codes = await conn.execute(
                select(t.codes.c.user_id)
                .join(t.users, t.users.c.id == t.codes.c.user_id)
                .where(t.codes.c.purpose == sign_up_purpose, t.users.c.status == confirmed)
            )
            for (user_id,) in codes:
                problems.append(f"confirmed user {user_id} still has a sign-up code")
            events = await conn.execute(
                select(t.auth_events.c.event_id)
                .join(t.users, t.users.c.id == t.auth_events.c.user_id)
                .where(t.users.c.pool_id != t.auth_events.c.pool_id)
            )
            for (event_id,) in events:
                problems.append(f"auth event {event_id} is not in its user's pool")
            memberships = await conn.execute(
                select(t.group_members.c.group_id, t.group_members.c.user_id)
                .join(t.groups, t.groups.c.id == t.group_members.c.group_id)
                .join(t.users, t.users.c.id == t.group_members.c.user_id)
                .where(t.users.c.pool_id != t.groups.c.pool_id)
            )
            for group_id, user_id in memberships:
                problems.append(f"user {user_id} is a member of group {group_id} of another pool")
            for row in (await conn.execute(select(t.clients))).mappings():
                try:
                    open_client(self._box, dict(row))
                except SealingError:
                    problems.append(f"the secret of client {row['id']} does not open")
                first, second = row["secret_created_ms"], row["second_secret_created_ms"]
                if row["second_secret_sealed"] is not None and not (
                    (row["secret_sealed"] is not None or row["secret"] is not None)
                    and first is not None
                    and second is not None
                    and second > first
                ):
                    problems.append(f"the second secret of client {row['id']} is not newer than a first")
            for row in (await conn.execute(select(t.signing_keys))).mappings():
                try:
                    open_signing_key(self._box, dict(row))
                except SealingError:
                    problems.append(f"the token signing key {row['kid']} does not open")
            for row in (await conn.execute(select(t.signing_certificates))).mappings():
                try:
                    open_certificate(self._box, dict(row))
                except SealingError:
                    problems.append(f"the signing key of pool {row['pool_id']} does not open")
            for row in (await conn.execute(select(t.user_mfa))).mappings():
                try:
                    open_mfa_settings(self._box, dict(row))
                except SealingError:
                    problems.append(f"the authenticator secret of user {row['user_id']} does not open")
            if self.dialect == "sqlite":
                verdict = [r[0] for r in await conn.execute(text("PRAGMA integrity_check"))]
                if verdict != ["ok"]:
                    problems.append(f"PRAGMA integrity_check: {verdict}")
                for row in await conn.execute(text("PRAGMA foreign_key_check")):
                    problems.append(f"PRAGMA foreign_key_check: {tuple(row)}")
        return problems

    @on_store_thread
    async def storage_bytes(self) -> int:
        """How much space the database takes: SQLite's pages (the WAL not yet checkpointed aside), or
        PostgreSQL's ``pg_database_size``."""
        async with self._read() as conn:
            if self.dialect == "postgresql":
                return int((await conn.execute(text("SELECT pg_database_size(current_database())"))).scalar_one())
            pages = (await conn.execute(text("PRAGMA page_count"))).scalar_one()
            size = (await conn.execute(text("PRAGMA page_size"))).scalar_one()
            return int(pages) * int(size)
