"""Pagination: the tokens a list hands out (the position after its last item, as URL-safe base64 JSON) and the
page of ``limit`` items read as ``limit + 1`` rows (one more row says there is a next page)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from userpool.store.errors import InvalidToken

R = TypeVar("R")


def page_token(value: str | int) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def read_token(token: str, kind: type) -> Any:
    """The position a page token holds, if it is one this store made (a string id, or a row number)."""
    try:
        value = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, UnicodeError):
        raise InvalidToken(token) from None
    if type(value) is not kind or (kind is int and not 0 <= value < 2**63):
        raise InvalidToken(token)
    return value


def page(
    found: list[R], rows: Sequence[Any], limit: int, position: Callable[[R], str | int]
) -> tuple[list[R], str | None]:
    """``found`` (the records of the first ``limit`` of ``rows``) and the token of the next page, if there is one."""
    return found, (page_token(position(found[-1])) if len(rows) > limit else None)
