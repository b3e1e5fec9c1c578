"""Threads that run calls for an asyncio loop: the SQLite store's (``store.engine.SqliteThreads``) and the hashing
pool's (``hashing.PasswordHashing``).

A call is handed over with a queue's ``put`` and answered with one ``call_soon_threadsafe``: a third of the CPU of
``ThreadPoolExecutor.submit`` and ``asyncio.wrap_future`` (~100 → ~55 µs a call one at a time, ~40 → ~13 µs with
16 in flight, in a stand-alone loop), which every store write and every hash and token signature paid. As with an
executor, a call whose caller was cancelled before a thread took it never runs (``skipped`` is told of it), and a
call's exception is raised to its caller. The threads start with the first call and are daemons: a process that
exits without closing them cuts off what they run (a SQLite transaction then rolls back).
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from typing import Any

_Call = tuple[Callable[..., Any], tuple[Any, ...], asyncio.AbstractEventLoop, "asyncio.Future[Any]"]


class Workers:
    """``size`` threads named ``name_0``, ``name_1``... running ``fn(*args)`` for ``await run(fn, *args)``.

    ``started()`` runs first on each thread (to mark it); ``skipped(args)`` is called, on the thread, for a call
    not run because its caller gave up or the workers were closed without waiting (a coroutine handed over is
    closed there, so that it is not left never awaited)."""

    def __init__(
        self,
        size: int,
        name: str,
        started: Callable[[], None] | None = None,
        skipped: Callable[[tuple[Any, ...]], None] | None = None,
    ) -> None:
        self._size = size
        self._name = name
        self._started = started
        self._skipped = skipped
        self._calls: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False
        self._dropping = False  # closed without waiting: what is still queued is skipped, not run

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` on one of the threads; ``RuntimeError`` once the workers are closed."""
        if len(self._threads) < self._size or self._closed:
            self._start()
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        self._calls.put((fn, args, loop, done))
        return await done

    def _start(self) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError(f"the {self._name} threads are closed")
            while len(self._threads) < self._size:
                name = f"{self._name}_{len(self._threads)}"
                thread = threading.Thread(target=self._serve, name=name, daemon=True)
                thread.start()
                self._threads.append(thread)

    def _serve(self) -> None:
        if self._started is not None:
            self._started()
        while (item := self._calls.get()) is not None:
            fn, args, loop, done = item
            if done.cancelled() or self._dropping:
                if self._skipped is not None:
                    self._skipped(args)
                _answer(loop, done, None, None, cancel=True)
                continue
            try:
                result, error = fn(*args), None
            except BaseException as failed:  # handed to the caller, as an executor's future would
                result, error = None, failed
            _answer(loop, done, result, error)
            del item, fn, args, result, error

    def close(self, wait: bool = True) -> None:
        """Start no call any more. ``wait``: the calls already handed over run first and the threads are joined;
        otherwise those not yet started are cancelled and the running ones finish on their own."""
        with self._lock:
            self._closed = True
            self._dropping = not wait
            threads = list(self._threads)
        for _ in threads:
            self._calls.put(None)
        if wait:
            for thread in threads:
                thread.join()
            with self._lock:
                self._threads.clear()


def _answer(
    loop: asyncio.AbstractEventLoop,
    done: asyncio.Future[Any],
    result: Any,
    error: BaseException | None,
    cancel: bool = False,
) -> None:
    try:
        loop.call_soon_threadsafe(_settle, done, result, error, cancel)
    except RuntimeError:  # the caller's loop is closed: nobody waits for this answer any more
        pass


def _settle(done: asyncio.Future[Any], result: Any, error: BaseException | None, cancel: bool) -> None:
    """On the caller's loop: answer a call (unless its caller gave up meanwhile)."""
    if done.cancelled():
        return
    if cancel:
        done.cancel()
    elif error is None:
        done.set_result(result)
    else:
        done.set_exception(error)
