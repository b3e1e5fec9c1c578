"""What the store raises for the operations to turn into Cognito's errors."""

from __future__ import annotations


class Conflict(Exception):
    """A uniqueness rule stopped a write. ``what`` is ``username``, ``sub`` or a key kind such as ``email``."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class InvalidToken(ValueError):
    """A pagination token this store did not hand out."""


class LimitReached(Exception):
    """A count limit stopped a write (groups per pool, groups per user); nothing was written."""
