"""The offline list of common and breached passwords, looked up without loading it.

``data/common-passwords.bin`` holds sorted 8-byte prefixes of SHA-256(lower-cased password), one after another
(built by ``scripts/build_password_blocklist.py`` from Django's list of the 20,000 most common passwords; 157 KB).
The file is memory-mapped once by the app and searched by bisection: O(log n) reads of 8 bytes, nothing loaded per
request. A random password matches a prefix by accident with odds of about n / 2^64 (1 in 10^15).
"""

from __future__ import annotations

import bisect
import hashlib
import mmap
from pathlib import Path

SHIPPED = Path(__file__).parent / "data" / "common-passwords.bin"
PREFIX_BYTES = 8


def fold(password: str) -> bytes:
    """What a password is compared by: its stripped, lower-cased form, hashed."""
    return hashlib.sha256(password.strip().lower().encode("utf-8")).digest()[:PREFIX_BYTES]


class _Records:
    """The mapped file as a sequence of fixed-width records, for ``bisect``."""

    def __init__(self, data: mmap.mmap) -> None:
        self._data = data

    def __len__(self) -> int:
        return len(self._data) // PREFIX_BYTES

    def __getitem__(self, index: int) -> bytes:
        start = index * PREFIX_BYTES
        return self._data[start : start + PREFIX_BYTES]


class PasswordBlocklist:
    def __init__(self, path: Path = SHIPPED) -> None:
        with path.open("rb") as fh:
            self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        if len(self._map) % PREFIX_BYTES:
            raise ValueError(f"{path} is not a list of {PREFIX_BYTES}-byte records")
        self._records = _Records(self._map)

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, password: object) -> bool:
        if not isinstance(password, str):
            return False
        key = fold(password)
        index = bisect.bisect_left(self._records, key)
        return index < len(self._records) and self._records[index] == key

    def close(self) -> None:
        self._map.close()
