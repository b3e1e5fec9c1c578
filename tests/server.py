"""The servers tests run against.

- ``in_process``: the app in the test process (``userpool.testing.LocalUserpool``: uvicorn in a background thread,
  real HTTP on loopback, the options ``userpool serve`` uses), with the test clock on. Every test that needs no
  process of its own uses one: the session's servers (``conftest.server``) or one with settings of its own.
- ``ServerProcess``: ``python -m userpool serve`` in a child process, only for what a process alone shows: start-up
  and configuration errors, the command line, what the process logs, restarts, kill -9, several processes (or
  ``--workers``) on one store.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from userpool.testing import LocalUserpool, ServerProcess, free_port

__all__ = ["LocalUserpool", "ServerProcess", "free_port", "in_process"]


def in_process(data_dir: Path, **settings: Any) -> LocalUserpool:
    """A started in-process server on ``data_dir`` with these settings (``Settings`` fields: ``issuer_url=...``)
    and the test clock on (``POST /_userpool/clock``). Stop it with ``stop()``."""
    return LocalUserpool(data_dir, clock_control=True, **settings).start()
