"""Limits on what a client controls, beyond the service model's own constraints.

- JSON nesting depth, checked on the raw bytes before ``json.loads`` (a cheap scan that skips strings), so a
  deeply nested body never reaches the parser's recursion.
- The number of entries in attribute lists (every input member whose shape is ``AttributeListType`` or
  ``AttributeNameListType``: UserAttributes, ValidationData, AttributesToGet, ...) and the size of
  ``ClientMetadataType`` maps (keys and values, UTF-8 bytes). The members are found in botocore's model, so a new
  operation that carries them is covered without a change here.

The body size is capped where it is read (``wire``); header sizes, idle connections and slow bodies are bounded
by the HTTP server's settings (``cli``) and the body read timeout (``wire``).
"""

from __future__ import annotations

import re
from typing import Any, Final

from userpool.errors import InvalidParameterException, SerializationException
from userpool.protocol.model import ServiceModel

_ATTRIBUTE_LISTS: Final = frozenset({"AttributeListType", "AttributeNameListType"})
_METADATA_MAPS: Final = frozenset({"ClientMetadataType"})
# A JSON string (with its escapes) or a bracket; strings are matched whole so brackets inside them are skipped.
_TOKENS: Final = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)


def check_depth(body: bytes, max_depth: int) -> None:
    """Refuse a body whose arrays and objects nest deeper than ``max_depth``."""
    if body.count(b"[") + body.count(b"{") <= max_depth:
        return  # cannot nest deeper than the number of openers
    depth = 0
    for match in _TOKENS.finditer(body):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > max_depth:
                raise SerializationException("The request body is nested too deeply.")
        elif token in (b"]", b"}"):
            depth -= 1


class RequestLimits:
    """Per-operation checks of attribute-list lengths and ClientMetadata sizes, found from the model."""

    def __init__(self, model: ServiceModel, max_attributes: int, max_metadata_bytes: int) -> None:
        self._model = model
        self._max_attributes = max_attributes
        self._max_metadata_bytes = max_metadata_bytes
        self._members: dict[str, tuple[list[str], list[str]]] = {}

    def _members_of(self, operation: str) -> tuple[list[str], list[str]]:
        found = self._members.get(operation)
        if found is None:
            lists, maps = [], []
            shape = self._model.input_shape(operation)
            for name, member in shape.members.items() if shape is not None else ():
                if member.name in _ATTRIBUTE_LISTS:
                    lists.append(name)
                elif member.name in _METADATA_MAPS:
                    maps.append(name)
            found = self._members[operation] = (lists, maps)
        return found

    def check(self, operation: str, params: dict[str, Any]) -> None:
        lists, maps = self._members_of(operation)
        for name in lists:
            value = params.get(name)
            if isinstance(value, list) and len(value) > self._max_attributes:
                raise InvalidParameterException(
                    f"{name} holds {len(value)} entries; at most {self._max_attributes} are accepted."
                )
        for name in maps:
            value = params.get(name)
            if isinstance(value, dict):
                size = sum(len(k.encode("utf-8")) + len(str(v).encode("utf-8")) for k, v in value.items())
                if size > self._max_metadata_bytes:
                    raise InvalidParameterException(
                        f"{name} is {size} bytes; at most {self._max_metadata_bytes} bytes are accepted."
                    )
