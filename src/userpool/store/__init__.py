"""Persistence: the only package that knows SQL (``repository.Store``, composed of one module per area).

The records the store reads and writes are the domain's (``userpool.domain.records``)."""

from userpool.store.errors import Conflict, InvalidToken, LimitReached
from userpool.store.repository import Store

__all__ = ["Conflict", "InvalidToken", "LimitReached", "Store"]
