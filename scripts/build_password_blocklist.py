"""Build ``src/userpool/data/common-passwords.bin`` from a list of common passwords.

    python scripts/build_password_blocklist.py django-5.2.19-py3-none-any.whl [more lists ...]

Each argument is a wheel holding ``django/contrib/auth/common-passwords.txt.gz`` (Django's list of the 20,000
most common passwords, Royce Williams' list of passwords cracked from breach corpora), or a gzip'd or plain text
file with one password a line. Every password is lower-cased and stripped (the lookup folds the same way), hashed
with SHA-256, and its first 8 bytes kept; the sorted, deduplicated prefixes are written one after the other, so
the service looks a password up by binary search over a memory-mapped file.
"""

from __future__ import annotations

import gzip
import hashlib
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "userpool" / "data" / "common-passwords.bin"
DJANGO_MEMBER = "django/contrib/auth/common-passwords.txt.gz"
PREFIX_BYTES = 8


def read_list(path: Path) -> list[str]:
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            data = gzip.decompress(wheel.read(DJANGO_MEMBER))
    elif path.suffix == ".gz":
        data = gzip.decompress(path.read_bytes())
    else:
        data = path.read_bytes()
    return [line.strip() for line in data.decode("utf-8").splitlines() if line.strip()]


def prefix(password: str) -> bytes:
    return hashlib.sha256(password.strip().lower().encode("utf-8")).digest()[:PREFIX_BYTES]


def main(paths: list[str]) -> int:
    passwords = [p for path in paths for p in read_list(Path(path))]
    prefixes = sorted({prefix(p) for p in passwords})
    OUT.write_bytes(b"".join(prefixes))
    print(f"{len(passwords)} passwords, {len(prefixes)} distinct prefixes, {OUT.stat().st_size} bytes -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
