"""The service's clock: wall time plus an offset that tests may move forward, or stop."""

from __future__ import annotations

import time


class Clock:
    def __init__(self) -> None:
        self._offset = 0.0
        self._frozen_at: float | None = None

    def now(self) -> float:
        """Seconds since the epoch."""
        if self._frozen_at is not None:
            return self._frozen_at + self._offset
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += seconds

    def freeze(self, frozen: bool) -> None:
        """Stop the clock at the current time (it then moves only by ``advance``), or let it run again from there."""
        if frozen and self._frozen_at is None:
            self._frozen_at = time.time()
        elif not frozen and self._frozen_at is not None:
            self._offset += self._frozen_at - time.time()
            self._frozen_at = None
