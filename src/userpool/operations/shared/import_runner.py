"""The user import runner: a background task of each server process (started and stopped by ``app.lifespan``) that
runs the user import jobs StartUserImportJob queued.

It claims a job in the store with a lease (one conditional ``UPDATE``, so with several processes on one store
exactly one runs a job), reads the uploaded file chunk by chunk (never whole in memory), checks each line by
``domain.imports`` and commits the rows in batches: each batch's users, its report rows and the job's progress in
one transaction, renewing the lease. A job whose runner stopped (the process was killed) is claimed again once its
lease has expired and resumes after its last committed line. StopUserImportJob marks a running job ``Stopping``;
its runner finds that at its next batch, writes nothing more and ends it ``Stopped``."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import secrets
import uuid
from collections.abc import AsyncIterator

from userpool.context import Context
from userpool.domain import imports
from userpool.domain.imports import ImportJob, LineSplitter, RowOutcome, RowReader
from userpool.domain.records import NewUser, Pool

log = logging.getLogger("userpool.imports")

POLL_SECONDS = 0.5  # how often an idle runner looks for a job
LEASE_SECONDS = 30.0  # a runner that has not committed for this long is taken to be gone
BATCH_ROWS = 1000  # rows per transaction
SWEEP_SECONDS = 300.0  # how often jobs never started are expired


class ImportRunner:
    """Runs import jobs, one at a time, until cancelled."""

    def __init__(
        self,
        ctx: Context,
        *,
        poll: float = POLL_SECONDS,
        lease: float = LEASE_SECONDS,
        batch: int = BATCH_ROWS,
    ) -> None:
        self.ctx = ctx
        self.poll = poll
        self.lease = lease
        self.batch = batch
        self.owner = f"runner-{secrets.token_hex(8)}"
        self._next_sweep = 0.0
        self.stopping = asyncio.Event()  # set at shutdown: the runner ends after its current batch

    async def run(self) -> None:
        """Claim and run jobs until cancelled; an error is logged and the loop goes on (the job's lease expires and
        it is claimed again)."""
        while not self.stopping.is_set():
            try:
                await self._sweep()
                job = await self.ctx.store.claim_import_job(self.owner, self.ctx.clock.now(), self.lease)
                if job is not None:
                    await self.run_job(job)
                    continue
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the import runner failed; it goes on after a pause")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), self.poll)

    async def stop(self, task: asyncio.Task[None], grace: float = 10.0) -> None:
        """End ``task`` (this runner's ``run``): after its current batch, letting its job go so that another
        process (or this one, restarted) takes it over at once; cancelled if that takes longer than ``grace``."""
        self.stopping.set()
        done, _ = await asyncio.wait({task}, timeout=grace)
        if not done:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _sweep(self) -> None:
        now = self.ctx.clock.now()
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_SECONDS
        expired = await self.ctx.store.expire_import_jobs(now - imports.EXPIRES_AFTER)
        if expired:
            log.info("expired %d import job(s) not started within a day", expired)

    async def run_job(self, job: ImportJob) -> None:
        """Run one claimed job to its end (or until it is stopped, or another runner holds it)."""
        store, clock = self.ctx.store, self.ctx.clock
        if job.status == imports.STOPPING:
            await self._end(job, imports.STOPPED, imports.STOPPED_MESSAGE)
            return
        pool = await store.get_pool(job.pool_id)
        if pool is None:
            return  # the pool (and so the job) was deleted
        problem = imports.pool_problem(pool)
        if problem is None and job.upload_id is None:
            problem = imports.NO_FILE
        if problem is not None:
            await self._end(job, imports.FAILED, problem)
            return
        log.info("import job %s: %s from line %d", job.id, "resumed" if job.lines_done else "started", job.lines_done)
        reader: RowReader | None = None
        users: list[tuple[int, NewUser]] = []
        outcomes: list[RowOutcome] = []
        last_line = job.lines_done
        batches = _Batches(self, job, pool)
        async for number, raw in self._lines(job):
            if reader is None:
                text = imports.decode_line(raw)
                columns = imports.split_row(text) if text is not None else []
                header = imports.header_problem(pool, columns) if text is not None else "The header is not UTF-8."
                if header is not None:
                    await self._end(job, imports.FAILED, header)
                    return
                reader = RowReader(pool, columns)
                continue
            if number <= job.lines_done:
                continue
            made = reader.user(number, raw, str(uuid.uuid4()), clock.now())
            if isinstance(made, RowOutcome):
                outcomes.append(made)
            elif made is not None:
                users.append((number, made))
            last_line = number
            if len(users) + len(outcomes) >= self.batch:
                if not await batches.send(users, outcomes, last_line):
                    return
                users, outcomes = [], []
        if not await batches.send(users, outcomes, last_line) or not await batches.settle():
            return
        status, message = imports.final_status(*batches.totals)
        await self._end(job, status, message)
        log.info("import job %s %s: %d imported, %d skipped, %d failed", job.id, status.lower(), *batches.totals)

    async def _lines(self, job: ImportJob) -> AsyncIterator[tuple[int, bytes]]:
        """The uploaded file's lines, numbered, read one chunk at a time."""
        assert job.upload_id is not None
        splitter = LineSplitter()
        seq = 0
        while (chunk := await self.ctx.store.get_import_chunk(job.id, job.upload_id, seq)) is not None:
            for line in splitter.feed(chunk):
                yield line
            seq += 1
        for line in splitter.end():
            yield line

    async def _commit(
        self,
        job: ImportJob,
        pool: Pool,
        users: list[tuple[int, NewUser]],
        outcomes: list[RowOutcome],
        last_line: int,
    ) -> tuple[str, tuple[int, int, int]]:
        """Commit a batch; its state and the (imported, skipped, failed) it added. Each row not imported is logged."""
        until = self.ctx.clock.now() + self.lease
        result = await self.ctx.store.commit_import_batch(job, users, outcomes, last_line, until)
        if result.state != "ok":
            return result.state, (0, 0, 0)
        rows = sorted([*outcomes, *result.outcomes], key=lambda o: o.line)
        for row in rows:
            log.warning("import job %s (pool %s): %s", job.id, pool.id, row.log_line())
        failed = sum(1 for o in rows if o.outcome == imports.FAILED_ROW)
        return "ok", (result.imported, len(rows) - failed, failed)

    async def _after_refusal(self, job: ImportJob, state: str) -> None:
        if state == "stopping":
            await self._end(job, imports.STOPPED, imports.STOPPED_MESSAGE)
        else:
            log.warning("import job %s: another runner holds it now; this one lets it go", job.id)

    async def _end(self, job: ImportJob, status: str, message: str) -> None:
        if status == imports.FAILED:
            log.warning("import job %s failed: %s", job.id, message)
        await self.ctx.store.finish_import_job(job, status, imports.completion_message(message), self.ctx.clock.now())


class _Batches:
    """A job's batches as one runner commits them: the job as the runner holds it (its ``lines_done`` the last line
    committed), the job's totals, and the batch being committed while the next one is read (the commit waits on the
    database, on a store thread or the network; the reading is Python)."""

    def __init__(self, runner: ImportRunner, job: ImportJob, pool: Pool) -> None:
        self.runner = runner
        self.job = job
        self.pool = pool
        self.totals = (job.imported, job.skipped, job.failed)
        self._pending: asyncio.Task[tuple[str, tuple[int, int, int]]] | None = None
        self._pending_line = job.lines_done

    async def settle(self) -> bool:
        """Wait for the batch being committed; False when the job is stopped or another runner holds it."""
        if self._pending is None:
            return True
        state, counts = await self._pending
        self._pending = None
        if state != "ok":
            await self.runner._after_refusal(self.job, state)
            return False
        self.totals = tuple(t + c for t, c in zip(self.totals, counts, strict=True))  # type: ignore[assignment]
        self.job = dataclasses.replace(self.job, lines_done=self._pending_line)
        return True

    async def send(self, users: list[tuple[int, NewUser]], outcomes: list[RowOutcome], last_line: int) -> bool:
        """Commit a batch once the one before it is committed; False when the job is no longer this runner's."""
        if not await self.settle():
            return False
        if self.runner.stopping.is_set():
            await self.runner.ctx.store.release_import_job(self.job)
            log.info("import job %s: let go at line %d (the server stops)", self.job.id, self.job.lines_done)
            return False
        self._pending = asyncio.create_task(self.runner._commit(self.job, self.pool, users, outcomes, last_line))
        self._pending_line = last_line
        return True
