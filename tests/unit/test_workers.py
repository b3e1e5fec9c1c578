"""The threads that run the store's and the hashing pool's calls (``userpool.workers``): answers and errors come
back to the caller's loop, a call given up before it started never runs, and closing either waits for what was
handed over or cancels it."""

from __future__ import annotations

import asyncio
import threading

import pytest

from userpool.workers import Workers


def test_a_call_runs_on_a_named_thread_and_its_error_reaches_the_caller():
    asyncio.run(_a_call_runs_on_a_named_thread_and_its_error_reaches_the_caller())


async def _a_call_runs_on_a_named_thread_and_its_error_reaches_the_caller():
    workers = Workers(2, "probe")
    try:
        assert await workers.run(lambda a, b: (a + b, threading.current_thread().name), 2, 3) in {
            (5, "probe_0"),
            (5, "probe_1"),
        }
        with pytest.raises(ZeroDivisionError):
            await workers.run(lambda: 1 / 0)
    finally:
        workers.close()


def test_a_call_given_up_before_a_thread_took_it_never_runs():
    asyncio.run(_a_call_given_up_before_a_thread_took_it_never_runs())


async def _a_call_given_up_before_a_thread_took_it_never_runs():
    skipped: list[tuple[object, ...]] = []
    workers = Workers(1, "probe", skipped=skipped.append)
    release, ran = threading.Event(), []
    try:
        busy = asyncio.ensure_future(workers.run(release.wait, 10))
        await asyncio.sleep(0.05)  # the only thread is now waiting on ``release``
        queued = asyncio.ensure_future(workers.run(ran.append, "given up"))
        await asyncio.sleep(0.01)
        queued.cancel()
        release.set()
        assert await busy is True
        assert await workers.run(ran.append, "after") is None  # runs behind the skipped one
        assert ran == ["after"]
        assert skipped == [("given up",)]
        assert queued.cancelled()
    finally:
        release.set()
        workers.close()


def test_closing_and_waiting_runs_what_was_handed_over_then_refuses_more():
    asyncio.run(_closing_and_waiting_runs_what_was_handed_over_then_refuses_more())


async def _closing_and_waiting_runs_what_was_handed_over_then_refuses_more():
    workers = Workers(1, "probe")
    ran: list[int] = []
    calls = [asyncio.ensure_future(workers.run(ran.append, i)) for i in range(5)]
    await asyncio.sleep(0)  # handed over
    await asyncio.to_thread(workers.close, True)
    await asyncio.gather(*calls)
    assert ran == [0, 1, 2, 3, 4]
    with pytest.raises(RuntimeError, match="the probe threads are closed"):
        await workers.run(ran.append, 5)


def test_closing_without_waiting_cancels_what_has_not_started():
    asyncio.run(_closing_without_waiting_cancels_what_has_not_started())


async def _closing_without_waiting_cancels_what_has_not_started():
    workers = Workers(1, "probe")
    release, ran = threading.Event(), []
    running = asyncio.ensure_future(workers.run(release.wait, 10))
    await asyncio.sleep(0.05)
    waiting = asyncio.ensure_future(workers.run(ran.append, "never"))
    await asyncio.sleep(0.01)
    workers.close(wait=False)
    release.set()
    assert await running is True  # the running call finishes on its own
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert ran == []
