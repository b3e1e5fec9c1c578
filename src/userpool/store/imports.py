"""User import jobs: the job, the uploaded file (in chunks, so a file is never whole in memory and any process on
the store can read it), the runner's lease, and the batches a runner commits.

A batch is one transaction: the lease is checked and renewed (the job row's conditional ``UPDATE`` first, which
also serializes it with StopUserImportJob), names already taken are found, the rest of the batch's users are
inserted, the rows skipped or failed go to the report, and the job's counts and ``lines_done`` move past the batch.
So a job resumes after its last committed line: never half a user, never one twice."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, bindparam, case, delete, insert, or_, select, text, tuple_, update
from sqlalchemy.exc import IntegrityError

from userpool.domain import imports as rules
from userpool.domain.imports import ImportJob, RowOutcome
from userpool.domain.records import NewUser
from userpool.store import tables as t
from userpool.store.engine import StoreBase, StoreConnection, on_store_thread, point_read, retrying
from userpool.store.errors import InvalidToken
from userpool.store.paging import page, read_token
from userpool.store.users import insert_users

_JOB_BY_ID = select(t.import_jobs).where(t.import_jobs.c.id == bindparam("job_id"))
_CHUNK = select(t.import_chunks.c.data).where(
    t.import_chunks.c.job_id == bindparam("job_id"),
    t.import_chunks.c.upload_id == bindparam("upload_id"),
    t.import_chunks.c.seq == bindparam("seq"),
)
ATTEMPTS = 5  # a batch that loses a race for a name to a concurrent sign-up is checked and written again


class BatchResult:
    """What committing a batch did: ``state`` is ``"ok"``, ``"stopping"`` (the job is being stopped: nothing was
    written) or ``"lost"`` (another runner holds the job, or it is gone: nothing was written); ``outcomes`` are the
    rows the store skipped (names already taken)."""

    def __init__(self, state: str, outcomes: list[RowOutcome] | None = None, imported: int = 0) -> None:
        self.state = state
        self.outcomes = outcomes or []
        self.imported = imported


class ImportJobStore(StoreBase):
    @on_store_thread
    async def create_import_job(self, job: ImportJob) -> None:
        async with self._write() as conn:
            await conn.execute(insert(t.import_jobs).values(**dataclasses.asdict(job)))

    @point_read
    async def get_import_job(self, job_id: str) -> ImportJob | None:
        return await self._read_one(_JOB_BY_ID, {"job_id": job_id}, ImportJob)

    @on_store_thread
    async def list_import_jobs(self, pool_id: str, limit: int, token: str | None) -> tuple[list[ImportJob], str | None]:
        """A pool's jobs, newest first; the token is the position (creation time and id) after the page."""
        jobs = t.import_jobs
        query = select(jobs).where(jobs.c.pool_id == pool_id).order_by(jobs.c.created_at.desc(), jobs.c.id.desc())
        if token is not None:
            created, _, job_id = read_token(token, str).partition("|")
            try:
                after = float(created)
            except ValueError:
                raise InvalidToken(token) from None
            query = query.where(or_(jobs.c.created_at < after, and_(jobs.c.created_at == after, jobs.c.id < job_id)))
        async with self._read() as conn:
            rows = (await conn.execute(query.limit(limit + 1))).mappings().all()
        found = [ImportJob(**r) for r in rows[:limit]]
        return page(found, rows, limit, lambda job: f"{job.created_at!r}|{job.id}")

    # ---- the upload --------------------------------------------------------------------------------------------
    @on_store_thread
    async def add_import_chunk(self, job_id: str, upload_id: str, seq: int, data: bytes) -> None:
        async with self._write() as conn:
            await conn.execute(insert(t.import_chunks).values(job_id=job_id, upload_id=upload_id, seq=seq, data=data))

    @on_store_thread
    @retrying
    async def finish_import_upload(self, job_id: str, upload_id: str, size: int, rows: int) -> bool:
        """Make ``upload_id`` the job's file (and drop any other upload's chunks) while the job is ``Created``;
        otherwise drop this upload's chunks and answer False."""
        jobs, chunks = t.import_jobs, t.import_chunks
        async with self._write() as conn:
            kept = await conn.execute(
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.status == rules.CREATED)
                .values(upload_id=upload_id, upload_bytes=size, upload_rows=rows)
            )
            other = chunks.c.upload_id != upload_id if kept.rowcount == 1 else chunks.c.upload_id == upload_id
            await conn.execute(delete(chunks).where(chunks.c.job_id == job_id, other))
        return kept.rowcount == 1

    @on_store_thread
    async def discard_import_upload(self, job_id: str, upload_id: str) -> None:
        """Drop the chunks of an upload that did not complete."""
        chunks = t.import_chunks
        async with self._write() as conn:
            await conn.execute(delete(chunks).where(chunks.c.job_id == job_id, chunks.c.upload_id == upload_id))

    @point_read
    async def get_import_chunk(self, job_id: str, upload_id: str, seq: int) -> bytes | None:
        async with self._read(statements=1) as conn:
            row = (await conn.execute(_CHUNK, {"job_id": job_id, "upload_id": upload_id, "seq": seq})).first()
        return None if row is None else bytes(row[0])

    # ---- state changes -----------------------------------------------------------------------------------------
    @on_store_thread
    @retrying
    async def start_import_job(self, job_id: str, now: float) -> ImportJob | None:
        """``Created`` → ``Pending``; the job after, or None when it was not ``Created``."""
        jobs = t.import_jobs
        async with self._write() as conn:
            moved = await conn.execute(
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.status == rules.CREATED)
                .values(status=rules.PENDING, started_at=now)
            )
            if moved.rowcount != 1:
                return None
            row = (await conn.execute(_JOB_BY_ID, {"job_id": job_id})).mappings().one()
        return ImportJob(**row)

    @on_store_thread
    @retrying
    async def stop_import_job(self, job_id: str, now: float) -> ImportJob | None:
        """``Pending`` → ``Stopped`` at once; ``InProgress`` → ``Stopping`` (its runner stops it after its current
        batch). The job after, or None when it was neither."""
        jobs = t.import_jobs
        async with self._write() as conn:
            moved = await conn.execute(
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.status == rules.PENDING)
                .values(status=rules.STOPPED, completed_at=now, completion_message=rules.STOPPED_MESSAGE)
            )
            if moved.rowcount != 1:
                moved = await conn.execute(
                    update(jobs)
                    .where(jobs.c.id == job_id, jobs.c.status == rules.IN_PROGRESS)
                    .values(status=rules.STOPPING)
                )
            if moved.rowcount != 1:
                return None
            row = (await conn.execute(_JOB_BY_ID, {"job_id": job_id})).mappings().one()
            if row["status"] == rules.STOPPED:
                await conn.execute(delete(t.import_chunks).where(t.import_chunks.c.job_id == job_id))
        return ImportJob(**row)

    @on_store_thread
    @retrying
    async def claim_import_job(self, owner: str, now: float, lease: float) -> ImportJob | None:
        """Take a job to run: a ``Pending`` one (it becomes ``InProgress``), or an ``InProgress``/``Stopping`` one
        whose runner's lease has expired. One conditional ``UPDATE``, so of racing runners exactly one wins."""
        jobs = t.import_jobs
        due = or_(
            jobs.c.status == rules.PENDING,
            and_(jobs.c.status.in_((rules.IN_PROGRESS, rules.STOPPING)), jobs.c.lease_expires_at < now),
        )
        async with self._read() as conn:
            candidates = (await conn.execute(select(jobs.c.id).where(due).order_by(jobs.c.started_at).limit(5))).all()
        for (job_id,) in candidates:
            async with self._write() as conn:
                claimed = await conn.execute(
                    update(jobs)
                    .where(jobs.c.id == job_id, due)
                    .values(
                        status=case((jobs.c.status == rules.PENDING, rules.IN_PROGRESS), else_=jobs.c.status),
                        lease_owner=owner,
                        lease_expires_at=now + lease,
                    )
                )
                if claimed.rowcount == 1:  # the row is ours (and locked) now: read it as it is
                    return ImportJob(**(await conn.execute(_JOB_BY_ID, {"job_id": job_id})).mappings().one())
        return None

    @on_store_thread
    async def commit_import_batch(
        self,
        job: ImportJob,
        users: Sequence[tuple[int, NewUser]],
        outcomes: Sequence[RowOutcome],
        lines_done: int,
        lease_until: float,
    ) -> BatchResult:
        """Write a batch of the job's rows (see the module's docstring): ``users`` by line, ``outcomes`` of the rows
        that failed their checks, ``lines_done`` the last line the batch covers. ``job`` is as the runner holds it:
        its lease owner, and its ``lines_done`` the line the batch goes on from (a job that has moved on is lost)."""
        for attempt in range(ATTEMPTS):
            try:
                return await self._commit_batch(job, users, outcomes, lines_done, lease_until)
            except IntegrityError:
                if attempt == ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    @retrying
    async def _commit_batch(self, job: ImportJob, *batch: Any) -> BatchResult:
        users, outcomes, lines_done, lease_until = batch
        jobs = t.import_jobs
        async with self._write() as conn:
            held = await conn.execute(
                update(jobs)
                .where(
                    jobs.c.id == job.id,
                    jobs.c.lease_owner == job.lease_owner,
                    jobs.c.status == rules.IN_PROGRESS,
                    jobs.c.lines_done == job.lines_done,  # the batch starts where the store says the job is
                )
                .values(lease_expires_at=lease_until)
            )
            if held.rowcount != 1:
                status = (await conn.execute(select(jobs.c.status).where(jobs.c.id == job.id))).scalar()
                return BatchResult("stopping" if status == rules.STOPPING else "lost")
            if self.dialect == "postgresql":
                # A cached generic plan made while the pool was small scans the whole table for the batch's
                # thousand names (asyncpg keeps prepared statements): plan this transaction's statements afresh.
                await conn.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
            kept, skipped = await _untaken(conn, job.pool_id, users)
            await insert_users(conn, [user for _, user in kept])
            rows = sorted([*outcomes, *skipped], key=lambda o: o.line)
            if rows:
                await conn.execute(
                    insert(t.import_report),
                    [{"job_id": job.id, "line": o.line, "outcome": o.outcome, "reason": o.reason} for o in rows],
                )
            failed = sum(1 for o in rows if o.outcome == rules.FAILED_ROW)
            await conn.execute(
                update(jobs)
                .where(jobs.c.id == job.id)
                .values(
                    lines_done=lines_done,
                    imported=jobs.c.imported + len(kept),
                    skipped=jobs.c.skipped + (len(rows) - failed),
                    failed=jobs.c.failed + failed,
                )
            )
        return BatchResult("ok", skipped, len(kept))

    @on_store_thread
    @retrying
    async def finish_import_job(self, job: ImportJob, status: str, message: str, now: float) -> bool:
        """End a job the runner holds (``Succeeded``, ``Failed`` or ``Stopped``) and drop its file; False when the
        runner no longer holds it."""
        jobs = t.import_jobs
        async with self._write() as conn:
            ended = await conn.execute(
                update(jobs)
                .where(
                    jobs.c.id == job.id,
                    jobs.c.lease_owner == job.lease_owner,
                    jobs.c.status.in_((rules.IN_PROGRESS, rules.STOPPING)),
                )
                .values(status=status, completion_message=message, completed_at=now, lease_expires_at=None)
            )
            if ended.rowcount == 1:
                await conn.execute(delete(t.import_chunks).where(t.import_chunks.c.job_id == job.id))
        return ended.rowcount == 1

    @on_store_thread
    @retrying
    async def release_import_job(self, job: ImportJob) -> None:
        """Let a job this runner holds go (its lease ends now), so that any runner claims it at once."""
        jobs = t.import_jobs
        async with self._write() as conn:
            await conn.execute(
                update(jobs)
                .where(jobs.c.id == job.id, jobs.c.lease_owner == job.lease_owner)
                .values(lease_expires_at=0.0)
            )

    @on_store_thread
    @retrying
    async def expire_import_jobs(self, created_before: float) -> int:
        """Jobs still ``Created`` that were made before ``created_before`` become ``Expired``; their files go.
        Looked for with a read first: the runner sweeps every few minutes, and a sweep that finds nothing makes no
        write transaction (none that would wait for the disk on an idle server)."""
        jobs = t.import_jobs
        stale = and_(jobs.c.status == rules.CREATED, jobs.c.created_at < created_before)
        async with self._read(statements=1) as conn:
            if (await conn.execute(select(jobs.c.id).where(stale).limit(1))).first() is None:
                return 0
        async with self._write() as conn:
            ids = [r[0] for r in await conn.execute(select(jobs.c.id).where(stale))]
            if not ids:
                return 0
            await conn.execute(update(jobs).where(jobs.c.id.in_(ids), stale).values(status=rules.EXPIRED))
            await conn.execute(delete(t.import_chunks).where(t.import_chunks.c.job_id.in_(ids)))
        return len(ids)

    @on_store_thread
    async def list_import_report(self, job_id: str, after_line: int, limit: int) -> list[RowOutcome]:
        """The job's skipped and failed rows after line ``after_line``, in line order."""
        report = t.import_report
        query = (
            select(report.c.line, report.c.outcome, report.c.reason)
            .where(report.c.job_id == job_id, report.c.line > after_line)
            .order_by(report.c.line)
            .limit(limit)
        )
        async with self._read() as conn:
            return [RowOutcome(*row) for row in await conn.execute(query)]


async def _untaken(
    conn: StoreConnection, pool_id: str, users: Sequence[tuple[int, NewUser]]
) -> tuple[list[tuple[int, NewUser]], list[RowOutcome]]:
    """The batch's users whose username and keys no user of the pool (nor an earlier row of the batch) has, and the
    others as skipped (the username, or a sign-in attribute that is the username) or failed (an alias) rows."""
    if not users:
        return [], []
    names = {u.username_key for _, u in users}
    taken_names = {
        r[0]
        for r in await conn.execute(
            select(t.users.c.username_key).where(t.users.c.pool_id == pool_id, t.users.c.username_key.in_(names))
        )
    }
    wanted = {(kind, value) for _, u in users for kind, value in u.keys}
    taken_keys: set[tuple[str, str]] = set()
    if wanted:
        keys = t.user_keys
        found = await conn.execute(
            select(keys.c.kind, keys.c.value_key).where(
                keys.c.pool_id == pool_id, tuple_(keys.c.kind, keys.c.value_key).in_(sorted(wanted))
            )
        )
        taken_keys = {(kind, value) for kind, value in found}
    kept: list[tuple[int, NewUser]] = []
    outcomes: list[RowOutcome] = []
    for line, user in users:
        clash = next((kind for kind in (k for k, _ in user.keys) if _taken(user, kind, taken_keys)), None)
        if user.username_key in taken_names:
            outcomes.append(RowOutcome(line, rules.SKIPPED_ROW, rules.EXISTS))
        elif clash is not None:
            outcomes.append(_clash(line, user, clash))
        else:
            kept.append((line, user))
            taken_names.add(user.username_key)
            taken_keys.update(user.keys)
    return kept, outcomes


def _taken(user: NewUser, kind: str, taken: set[tuple[str, str]]) -> bool:
    return any((k, v) in taken for k, v in user.keys if k == kind)


def _clash(line: int, user: NewUser, kind: str) -> RowOutcome:
    """A row whose sign-in value another user has: the username itself (email/phone pools) is skipped as an existing
    user; an alias fails the row."""
    if user.username == user.sub:  # a pool whose username attributes are sign-in values: the value is the name
        return RowOutcome(line, rules.SKIPPED_ROW, rules.EXISTS)
    return RowOutcome(line, rules.FAILED_ROW, f"An account with the {kind} already exists (an alias of another user).")
