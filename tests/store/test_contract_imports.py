"""Store contract: user import jobs. A job moves Created → Pending → InProgress (claimed by exactly one runner, with
a lease) → Succeeded/Failed/Stopped; an upload is kept only when it completes while the job is Created; a batch is
one transaction with the job's progress, from the line the store holds, by the runner that holds the lease; a job of
a deleted pool goes with it."""

from __future__ import annotations

import asyncio

from tests.store.records import NOW, new_pool, new_user
from userpool.domain import imports
from userpool.domain.imports import ImportJob, RowOutcome
from userpool.domain.records import Pool
from userpool.store import Store

ROLE = "arn:aws:iam::123456789012:role/Import"


async def _started(store: Store, pool: Pool) -> ImportJob:
    job = imports.new_job(pool.id, "contract", ROLE, NOW)
    await store.create_import_job(job)
    await store.add_import_chunk(job.id, "upload", 0, b"header\n")
    assert await store.finish_import_upload(job.id, "upload", 7, 0)
    started = await store.start_import_job(job.id, NOW + 1)
    assert started is not None and (started.status, started.started_at) == ("Pending", NOW + 1)
    return started


def _rows(pool: Pool, *names: str, first_line: int = 2) -> list:
    return [
        (first_line + i, new_user(pool, name, f"{name}@example.com", status="RESET_REQUIRED"))
        for i, name in enumerate(names)
    ]


async def test_a_job_reads_back_as_written_and_lists_newest_first(store: Store) -> None:
    pool = await new_pool(store)
    jobs = [imports.new_job(pool.id, f"job{i}", ROLE, NOW + i) for i in range(3)]
    for job in jobs:
        await store.create_import_job(job)
    assert await store.get_import_job(jobs[0].id) == jobs[0]
    first, token = await store.list_import_jobs(pool.id, 2, None)
    assert [j.id for j in first] == [jobs[2].id, jobs[1].id] and token is not None
    rest, token = await store.list_import_jobs(pool.id, 2, token)
    assert [j.id for j in rest] == [jobs[0].id] and token is None
    assert await store.get_import_job("import-missing") is None


async def test_an_upload_is_kept_only_while_the_job_is_created(store: Store) -> None:
    pool = await new_pool(store)
    job = imports.new_job(pool.id, "uploads", ROLE, NOW)
    await store.create_import_job(job)
    await store.add_import_chunk(job.id, "first", 0, b"a")
    assert await store.finish_import_upload(job.id, "first", 1, 0)
    await store.add_import_chunk(job.id, "second", 0, b"b")
    await store.add_import_chunk(job.id, "second", 1, b"c")
    assert await store.finish_import_upload(job.id, "second", 2, 1)  # replaces the first
    assert await store.get_import_chunk(job.id, "first", 0) is None
    assert [await store.get_import_chunk(job.id, "second", i) for i in range(3)] == [b"b", b"c", None]
    await store.add_import_chunk(job.id, "abandoned", 0, b"d")
    await store.discard_import_upload(job.id, "abandoned")
    assert await store.get_import_chunk(job.id, "abandoned", 0) is None
    await store.start_import_job(job.id, NOW)
    await store.add_import_chunk(job.id, "late", 0, b"e")
    assert not await store.finish_import_upload(job.id, "late", 1, 0)
    assert await store.get_import_chunk(job.id, "late", 0) is None
    current = await store.get_import_job(job.id)
    assert current is not None and (current.upload_id, current.upload_bytes, current.upload_rows) == ("second", 2, 1)
    await store.stop_import_job(job.id, NOW)  # no job of this test is left for another's runner to claim


async def test_only_a_created_job_starts_and_racing_runners_claim_it_once(store: Store) -> None:
    pool = await new_pool(store)
    job = await _started(store, pool)
    assert await store.start_import_job(job.id, NOW) is None
    claims = await asyncio.gather(*(store.claim_import_job(f"runner{i}", NOW, 30) for i in range(4)))
    won = [c for c in claims if c is not None and c.id == job.id]
    assert len(won) == 1 and (won[0].status, won[0].lease_expires_at) == ("InProgress", NOW + 30)
    taken = await store.claim_import_job("after-lease", NOW + 31, 30)
    assert taken is not None and taken.id == job.id and taken.lease_owner == "after-lease"


async def test_a_batch_commits_users_report_and_progress_together(store: Store) -> None:
    pool = await new_pool(store)
    await store.create_user(new_user(pool, "existing", "existing@example.com"))
    job = await _started(store, pool)
    held = await store.claim_import_job("runner", NOW, 30)
    assert held is not None and held.id == job.id
    rows = _rows(pool, "ann", "existing", "bob", "ann")
    result = await store.commit_import_batch(held, rows, [RowOutcome(6, "FAILED", "why")], 6, NOW + 60)
    assert (result.state, result.imported) == ("ok", 2)
    assert result.outcomes == [RowOutcome(3, "SKIPPED", imports.EXISTS), RowOutcome(5, "SKIPPED", imports.EXISTS)]
    after = await store.get_import_job(job.id)
    assert after is not None
    assert (after.lines_done, after.imported, after.skipped, after.failed) == (6, 2, 2, 1)
    assert after.lease_expires_at == NOW + 60
    assert [o.line for o in await store.list_import_report(job.id, 0, 10)] == [3, 5, 6]
    assert [o.line for o in await store.list_import_report(job.id, 3, 1)] == [5]
    user = await store.find_user(pool.id, "bob")
    assert user is not None and user.status == "RESET_REQUIRED"
    # The same batch again (a runner that did not see its own commit) is refused: the job has moved on.
    again = await store.commit_import_batch(held, _rows(pool, "cid"), [], 6, NOW + 60)
    assert again.state == "lost" and await store.find_user(pool.id, "cid") is None


async def test_a_batch_of_a_runner_without_the_lease_or_of_a_stopping_job_writes_nothing(store: Store) -> None:
    pool = await new_pool(store)
    job = await _started(store, pool)
    first = await store.claim_import_job("first", NOW, 30)
    second = await store.claim_import_job("second", NOW + 31, 30)
    assert first is not None and second is not None and second.id == first.id == job.id
    assert (await store.commit_import_batch(first, _rows(pool, "ann"), [], 2, NOW + 60)).state == "lost"
    stopping = await store.stop_import_job(job.id, NOW + 32)
    assert stopping is not None and stopping.status == "Stopping"
    assert (await store.commit_import_batch(second, _rows(pool, "ann"), [], 2, NOW + 60)).state == "stopping"
    assert await store.find_user(pool.id, "ann") is None
    assert not await store.finish_import_job(first, "Stopped", imports.STOPPED_MESSAGE, NOW + 33)
    assert await store.finish_import_job(second, "Stopped", imports.STOPPED_MESSAGE, NOW + 33)
    ended = await store.get_import_job(job.id)
    assert ended is not None and (ended.status, ended.completed_at) == ("Stopped", NOW + 33)
    assert await store.get_import_chunk(job.id, "upload", 0) is None  # the file goes with the job's end


async def test_a_pending_job_stops_at_once_and_old_created_jobs_expire(store: Store) -> None:
    pool = await new_pool(store)
    job = await _started(store, pool)
    stopped = await store.stop_import_job(job.id, NOW + 5)
    assert stopped is not None and (stopped.status, stopped.completion_message) == ("Stopped", imports.STOPPED_MESSAGE)
    assert await store.stop_import_job(job.id, NOW + 6) is None
    old = imports.new_job(pool.id, "old", ROLE, NOW - 100)
    await store.create_import_job(old)
    assert await store.expire_import_jobs(NOW - 50) >= 1
    expired = await store.get_import_job(old.id)
    assert expired is not None and expired.status == "Expired"


async def test_a_job_goes_with_its_pool(store: Store) -> None:
    pool = await new_pool(store)
    job = await _started(store, pool)
    await store.delete_pool(pool.id)
    assert await store.get_import_job(job.id) is None
    assert await store.get_import_chunk(job.id, "upload", 0) is None


async def _claim(store: Store, job_id: str, owner: str, now: float) -> ImportJob:
    """Claim until this job comes (earlier tests' jobs whose leases have run out by ``now`` come first)."""
    for _ in range(50):
        claimed = await store.claim_import_job(owner, now, 30)
        assert claimed is not None
        if claimed.id == job_id:
            return claimed
    raise AssertionError(f"{job_id} was never claimed")


async def test_a_released_job_is_claimed_again_at_once(store: Store) -> None:
    pool = await new_pool(store)
    job = await _started(store, pool)
    held = await _claim(store, job.id, "stopping-server", NOW + 100)
    await store.release_import_job(held)
    taken = await _claim(store, job.id, "next-server", NOW + 101)  # its lease would have run to NOW + 130
    assert taken.lease_owner == "next-server"
    await store.stop_import_job(job.id, NOW + 102)
    assert await store.finish_import_job(taken, "Stopped", imports.STOPPED_MESSAGE, NOW + 102)
