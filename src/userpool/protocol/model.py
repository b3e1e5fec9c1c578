"""Request validation and response shaping driven by botocore's shipped ``cognito-idp`` service model.

The service model that ships inside botocore is the single source of every request and response shape;
nothing here copies a shape by hand. :class:`ServiceModel` loads it once and, per operation and on first use,
compiles the operation's input shape into a tree of small validator nodes (regexes compiled, constraint
messages rendered) and its output shape into a tree of serializer nodes, each structure's compiled once into a
function (one statement per member). Both are cached on the instance.

Input validation follows what AWS's JSON 1.1 services do:

* a value of the wrong JSON type is a :class:`~userpool.errors.SerializationException`, raised at once;
* members the shape does not declare are ignored, and JSON ``null`` counts as absent;
* constraint violations (required, length, range, pattern, enum) are collected and raised together as one
  :class:`~userpool.errors.InvalidParameterException` in AWS's ``N validation error(s) detected: ...`` format.
  Values of members marked ``sensitive`` (or nested in a sensitive member) are never echoed.

Patterns in the model are Java regular expressions (the service validates with ``java.util.regex``). They
are compiled with the ``regex`` package (which knows ``\\p{L}`` and friends) after a small rewrite that gives
the predefined classes their Java meaning: ``\\w``, ``\\d``, ``\\s`` (and their negations) are ASCII-only,
and ``.`` does not match any Java line terminator. Messages always show the pattern as written in the model.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import os
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Final

import botocore
import botocore.loaders
import botocore.model
import regex

from userpool.errors import InvalidParameterException, SerializationException, UnknownOperationException

__all__ = ["PATTERN_OVERRIDES", "ServiceModel"]

_SERVICE_NAME: Final = "cognito-idp"

#: Deliberate departures from the shipped model, keyed by shape name: the pattern the live service enforces.
#: ``PasswordType`` (shared by SignUp, ChangePassword, AdminSetUserPassword, ...) is ``[\S]+`` in the model,
#: but Cognito accepts inner spaces and rejects only leading/trailing whitespace. Messages show this pattern.
PATTERN_OVERRIDES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "PasswordType": r"^[\S]+.*[\S]+$",
    }
)

# --- Java regular expressions -> ``regex`` ------------------------------------------------------------------

# Java's predefined classes are ASCII-only (no UNICODE_CHARACTER_CLASS flag). Bodies for use inside a set.
_JAVA_CLASS_BODIES: Final[Mapping[str, str]] = MappingProxyType(
    {"w": "a-zA-Z0-9_", "d": "0-9", "s": " \\t\\n\\x0B\\f\\r"}
)
# Without DOTALL, Java's ``.`` matches anything but these.
_JAVA_NOT_LINE_TERMINATOR: Final = "[^\\n\\r\\x85\\u2028\\u2029]"

# A pattern with two or more unbounded quantifiers may backtrack polynomially on a long non-matching string
# (e.g. ``X*\{##X*##\}X*``, 20000 characters allowed). Such patterns run under a time limit once the value is
# longer than this; a value that exhausts the limit is reported as not matching.
_RISKY_PATTERN_MIN_LENGTH: Final = 64
_PATTERN_TIMEOUT_SECONDS: Final = 0.1

_INT32: Final = (-(2**31), 2**31 - 1)
_INT64: Final = (-(2**63), 2**63 - 1)


def _java_pattern_to_regex(pattern: str) -> str:
    """Rewrite a Java pattern so the ``regex`` package gives it Java's meaning (see the module docstring).

    Only the constructs the Cognito model uses are handled: ``\\w \\d \\s \\W \\D \\S`` in and out of sets (a
    negated escape inside a larger set is left alone), ``.`` outside sets, and a leading ``(?s)``.
    """
    dotall = pattern.startswith("(?s)")
    out: list[str] = []
    in_set = False
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            e = pattern[i + 1]
            if e in _JAVA_CLASS_BODIES:
                body = _JAVA_CLASS_BODIES[e]
                out.append(body if in_set else f"[{body}]")
            elif e.lower() in _JAVA_CLASS_BODIES and not in_set:
                out.append(f"[^{_JAVA_CLASS_BODIES[e.lower()]}]")
            else:
                out.append(c + e)
            i += 2
            continue
        if in_set:
            if c == "]":
                in_set = False
        elif c == "[":
            # A set holding just a negated class, e.g. ``[\S]``, becomes the negated ASCII set.
            e = pattern[i + 2] if i + 3 < n and pattern[i + 1] == "\\" and pattern[i + 3] == "]" else ""
            if e and e.isupper() and e.lower() in _JAVA_CLASS_BODIES:
                out.append(f"[^{_JAVA_CLASS_BODIES[e.lower()]}]")
                i += 4
                continue
            in_set = True
        elif c == "." and not dotall:
            out.append(_JAVA_NOT_LINE_TERMINATOR)
            i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _is_risky_pattern(pattern: str) -> bool:
    """Whether ``pattern`` has two or more unbounded quantifiers outside sets (may backtrack heavily)."""
    count = 0
    in_set = False
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_set:
            in_set = c != "]"
        elif c == "[":
            in_set = True
        elif c in "*+" or (c == "{" and regex.match(r"\{\d*,\}", pattern[i:])):
            count += 1
        i += 1
    return count >= 2


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


# --- paths --------------------------------------------------------------------------------------------------
#
# While validating, the position of a value is a chain of tuples ``(parent, kind, data)`` (``None`` at the
# top); it is only rendered when an error is reported. Kinds: a structure member (data: ``_Member``), a list
# element (data: 0-based index) or a map value (data: the key, or ``None`` when the map is sensitive).

_MEMBER: Final = 0
_INDEX: Final = 1
_MAP_VALUE: Final = 2

_Path = tuple[Any, int, Any] | None


def _segments(path: _Path) -> list[tuple[int, Any]]:
    segs: list[tuple[int, Any]] = []
    while path is not None:
        path, kind, data = path
        segs.append((kind, data))
    segs.reverse()
    return segs


def _constraint_path(path: _Path) -> str:
    """AWS's path: ``userAttributes.1.member.name``, ``clientMetadata.key.member``."""
    parts: list[str] = []
    for kind, data in _segments(path):
        if kind == _MEMBER:
            parts.append(data.label)
        elif kind == _INDEX:
            parts.append(f"{data + 1}.member")
        else:
            parts.append(f"{'*' if data is None else data}.member")
    return ".".join(parts)


def _payload_path(path: _Path) -> str:
    """The JSON position with wire names, for type errors: ``UserAttributes[0].Name``, ``Metadata.key``."""
    out = ""
    for kind, data in _segments(path):
        if kind == _MEMBER:
            out = f"{out}.{data.key}" if out else data.key
        elif kind == _INDEX:
            out = f"{out}[{data}]"
        else:
            out = f"{out}.{'*' if data is None else data}"
    return out


def _type_error(path: _Path, expected: str) -> SerializationException:
    where = _payload_path(path)
    if not where:
        return SerializationException("Unexpected value type in payload: the request body must be a JSON object")
    return SerializationException(f"Unexpected value type in payload at '{where}': expected {expected}")


def _sort_key(path: str) -> tuple[tuple[int, int, str], ...]:
    """Alphabetical by path, with list positions compared as numbers (``2`` before ``10``)."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in path.split("."))


# One collected constraint violation: (path, echoed value or None, constraint text). The echo is already
# quoted (``'abc'``) or the word ``null``; ``None`` means the value is not shown.
_Violation = tuple[_Path, str | None, str]

_NOT_NULL: Final = "Member must not be null"


def _min_length(n: int) -> str:
    return f"Member must have length greater than or equal to {n}"


def _max_length(n: int) -> str:
    return f"Member must have length less than or equal to {n}"


def _format_violations(violations: list[_Violation]) -> str:
    rendered = [(_constraint_path(path), echo, text) for path, echo, text in violations]
    rendered.sort(key=lambda v: _sort_key(v[0]))  # stable: keeps the per-member constraint order
    parts = [
        f"Value {echo} at '{path}' failed to satisfy constraint: {text}"
        if echo is not None
        else f"Value at '{path}' failed to satisfy constraint: {text}"
        for path, echo, text in rendered
    ]
    count = len(parts)
    return f"{count} validation error{'' if count == 1 else 's'} detected: {'; '.join(parts)}"


# --- input validator nodes ----------------------------------------------------------------------------------


class _Node:
    """A compiled input shape. ``check`` raises on a type error and appends constraint violations."""

    __slots__ = ()

    def check(self, value: object, path: _Path, out: list[_Violation]) -> None:
        raise NotImplementedError

    def constraint_texts(self) -> list[str]:
        """Every constraint of the shape, for ``Map keys/value must satisfy constraint: [...]``."""
        return []

    @property
    def is_scalar(self) -> bool:
        return True


class _AnyNode(_Node):
    """A document (any JSON value)."""

    __slots__ = ()

    def check(self, value: object, path: _Path, out: list[_Violation]) -> None:
        return None


class _StringNode(_Node):
    __slots__ = (
        "enum_set",
        "enum_text",
        "fullmatch",
        "max",
        "max_text",
        "min",
        "min_text",
        "pattern_text",
        "risky",
        "sensitive",
    )

    def __init__(
        self,
        *,
        min_len: int | None,
        max_len: int | None,
        pattern: str | None,
        enum: list[str],
        sensitive: bool,
    ) -> None:
        self.min = min_len
        self.max = max_len
        self.min_text = _min_length(min_len) if min_len is not None else ""
        self.max_text = _max_length(max_len) if max_len is not None else ""
        self.fullmatch: Callable[..., object] | None = None
        self.pattern_text = ""
        self.risky = False
        if pattern is not None:
            self.fullmatch = regex.compile(_java_pattern_to_regex(pattern)).fullmatch
            self.pattern_text = f"Member must satisfy regular expression pattern: {pattern}"
            self.risky = _is_risky_pattern(pattern)
        self.enum_set = frozenset(enum) if enum else None
        self.enum_text = f"Member must satisfy enum value set: [{', '.join(enum)}]" if enum else ""
        self.sensitive = sensitive

    def check(self, value: object, path: _Path, out: list[_Violation]) -> None:
        if type(value) is not str:
            raise _type_error(path, "string")
        failed: list[str] | None = None
        if self.min is not None or self.max is not None:
            n = len(value)
            if self.min is not None and n < self.min:
                failed = [self.min_text]
            elif self.max is not None and n > self.max:
                failed = [self.max_text]
        if self.fullmatch is not None and not self._matches(value):
            failed = [*failed, self.pattern_text] if failed else [self.pattern_text]
        if self.enum_set is not None and value not in self.enum_set:
            failed = [*failed, self.enum_text] if failed else [self.enum_text]
        if failed:
            echo = None if self.sensitive else f"'{value}'"
            out.extend((path, echo, text) for text in failed)

    def _matches(self, value: str) -> bool:
        assert self.fullmatch is not None
        if self.risky and len(value) > _RISKY_PATTERN_MIN_LENGTH:
            try:
                return self.fullmatch(value, timeout=_PATTERN_TIMEOUT_SECONDS) is not None
            except TimeoutError:
                return False
        return self.fullmatch(value) is not None

    def constraint_texts(self) -> list[str]:
        texts = [self.max_text, self.min_text, self.pattern_text, self.enum_text]
        return [t for t in texts if t]


class _NumberNode(_Node):
    __slots__ = ("bounds", "floating", "max", "max_text", "min", "min_text", "sensitive", "type_name")

    def __init__(self, *, type_name: str, min_val: float | None, max_val: float | None, sensitive: bool) -> None:
        self.type_name = type_name
        self.floating = type_name in ("float", "double")
        self.bounds = _INT64 if type_name == "long" else _INT32
        self.min = min_val
        self.max = max_val
        self.min_text = f"Member must have value greater than or equal to {min_val}" if min_val is not None else ""
        self.max_text = f"Member must have value less than or equal to {max_val}" if max_val is not None else ""
        self.sensitive = sensitive

    def check(self, value: object, path: _Path, out: list[_Violation]) -> None:
        t = type(value)
        if self.floating:
            if t is not int and t is not float:
                raise _type_error(path, self.type_name)
        elif t is not int:
            raise _type_error(path, self.type_name)
        elif not self.bounds[0] <= value <= self.bounds[1]:  # type: ignore[operator]
            raise SerializationException(
                f"Numeric value out of range in payload at '{_payload_path(path)}': expected {self.type_name}"
            )
        if self.min is not None and value < self.min:  # type: ignore[operator]
            text = self.min_text
        elif self.max is not None and value > self.max:  # type: ignore[operator]
            text = self.max_text
        else:
            return
        out.append((path, None if self.sensitive else f"'{value}'", text))

    def constraint_texts(self) -> list[str]:
        return [t for t in (self.max_text, self.min_text) if t]


class _BooleanNode(_Node):
    __slots__ = ()

    def check(self, value: object, path: _Path, out: list[_Violation]) -> None:
        if type(value) is not bool:
            raise _type_error(path, "boolean")


class _TimestampNode(_Node):
    """JSON 1.1 timestamps are epoch seconds."""

    __slots__ = ()

    def check(self, value: object, path: _Path, out: list[_Violation]) -> None:
        t = type(value)
        if t is not int and t is not float:
            raise _type_error(path, "timestamp (epoch seconds)")


class _BlobNode(_Node):
    """A base64 string; length constraints apply to the decoded bytes."""

    __slots__ = ("max", "max_text", "min", "min_text")

    def __init__(self, *, min_len: int | None, max_len: int | None) -> None:
        self.min = min_len
        self.max = max_len
        self.min_text = _min_length(min_len) if min_len is not None else ""
        self.max_text = _max_length(max_len) if max_len is not None else ""

    def check(self, value: object, path: _Path, out: list[_Violation]) -> None:
        if type(value) is not str:
            raise _type_error(path, "blob (base64 string)")
        try:
            n = len(base64.b64decode(value, validate=True))
        except (binascii.Error, ValueError):
            raise _type_error(path, "blob (base64 string)") from None
        if self.min is not None and n < self.min:
            out.append((path, None, self.min_text))
        elif self.max is not None and n > self.max:
            out.append((path, None, self.max_text))

    def constraint_texts(self) -> list[str]:
        return [t for t in (self.max_text, self.min_text) if t]


class _Member:
    __slots__ = ("key", "label", "node", "null_echo", "required")

    def __init__(self, *, key: str, label: str, required: bool, sensitive: bool) -> None:
        self.key = key  # name on the wire
        self.label = label  # name in constraint messages
        self.required = required
        self.null_echo = None if sensitive else "null"
        self.node: _Node = _AnyNode()  # set once the member's shape is compiled


class _StructureNode(_Node):
    __slots__ = ("members",)

    def __init__(self) -> None:
        self.members: tuple[_Member, ...] = ()

    @property
    def is_scalar(self) -> bool:
        return False

    def check(self, value: object, path: _Path, out: list[_Violation]) -> None:
        if type(value) is not dict:
            raise _type_error(path, "structure (JSON object)")
        get = value.get
        for member in self.members:
            v = get(member.key)
            if v is None:
                if member.required:
                    out.append(((path, _MEMBER, member), member.null_echo, _NOT_NULL))
                continue
            member.node.check(v, (path, _MEMBER, member), out)


class _ListNode(_Node):
    __slots__ = ("max", "max_text", "member", "min", "min_text", "null_echo")

    def __init__(self, *, min_len: int | None, max_len: int | None, sensitive: bool) -> None:
        self.min = min_len
        self.max = max_len
        self.min_text = _min_length(min_len) if min_len is not None else ""
        self.max_text = _max_length(max_len) if max_len is not None else ""
        self.null_echo = None if sensitive else "null"
        self.member: _Node = _AnyNode()

    @property
    def is_scalar(self) -> bool:
        return False

    def check(self, value: object, path: _Path, out: list[_Violation]) -> None:
        if type(value) is not list:
            raise _type_error(path, "list (JSON array)")
        n = len(value)
        if self.min is not None and n < self.min:
            out.append((path, None, self.min_text))
        elif self.max is not None and n > self.max:
            out.append((path, None, self.max_text))
        check = self.member.check
        for i, item in enumerate(value):
            if item is None:
                out.append(((path, _INDEX, i), self.null_echo, _NOT_NULL))
            else:
                check(item, (path, _INDEX, i), out)

    def constraint_texts(self) -> list[str]:
        return [t for t in (self.max_text, self.min_text) if t]


class _MapNode(_Node):
    __slots__ = (
        "key",
        "keys_text",
        "max",
        "max_text",
        "min",
        "min_text",
        "sensitive",
        "value",
        "values_text",
    )

    def __init__(self, *, min_len: int | None, max_len: int | None, sensitive: bool) -> None:
        self.min = min_len
        self.max = max_len
        self.min_text = _min_length(min_len) if min_len is not None else ""
        self.max_text = _max_length(max_len) if max_len is not None else ""
        self.sensitive = sensitive
        self.key: _Node = _AnyNode()
        self.value: _Node = _AnyNode()
        self.keys_text = ""
        self.values_text = ""

    def finish(self, key: _Node, value: _Node) -> None:
        self.key = key
        self.value = value
        self.keys_text = f"Map keys must satisfy constraint: [{', '.join(key.constraint_texts())}]"
        value_texts = [_NOT_NULL, *value.constraint_texts()]
        self.values_text = f"Map value must satisfy constraint: [{', '.join(value_texts)}]"

    @property
    def is_scalar(self) -> bool:
        return False

    def check(self, value: object, path: _Path, out: list[_Violation]) -> None:
        if type(value) is not dict:
            raise _type_error(path, "map (JSON object)")
        n = len(value)
        if self.min is not None and n < self.min:
            out.append((path, None, self.min_text))
        elif self.max is not None and n > self.max:
            out.append((path, None, self.max_text))
        if not value:
            return
        # Scalar keys and values are reported once for the whole map, in AWS's "Map keys/value must satisfy
        # constraint: [...]" form; structured values are validated in place at ``<map>.<key>.member``.
        scratch: list[_Violation] = []
        check_key = self.key.check
        for k in value:
            check_key(k, (path, _MAP_VALUE, None), scratch)
        bad_keys = bool(scratch)
        scratch.clear()
        bad_values = False
        scalar = self.value.is_scalar
        check_value = self.value.check
        for k, v in value.items():
            item_path = (path, _MAP_VALUE, None if self.sensitive else k)
            if v is None:
                bad_values = True
            elif scalar:
                check_value(v, item_path, scratch)
            else:
                check_value(v, item_path, out)
        if bad_keys:
            out.append((path, None, self.keys_text))
        if bad_values or scratch:
            out.append((path, None, self.values_text))

    def constraint_texts(self) -> list[str]:
        return [t for t in (self.max_text, self.min_text) if t]


# --- output serializer nodes --------------------------------------------------------------------------------


class _OutNode:
    __slots__ = ()

    def dump(self, value: Any) -> Any:
        raise NotImplementedError

    def function(self) -> Callable[[Any], Any]:
        """The callable that dumps a value of this node, as fast as the node can make it (compiled once)."""
        return self.dump


def _not_a_sequence(value: Any) -> bool:
    return type(value) is not list and isinstance(value, str | bytes | Mapping)


class _OutStructure(_OutNode):
    """A structure's declared members, in the shape's order, ``None`` dropped. Its ``function`` is a function
    compiled for the shape (one statement per member, no loop over the members), built at its first use."""

    __slots__ = ("_compiled", "_compiling", "members")

    def __init__(self) -> None:
        # (member name in the result, name on the wire, serializer or None to copy the value as is)
        self.members: tuple[tuple[str, str, _OutNode | None], ...] = ()
        self._compiled: Callable[[Any], dict[str, Any]] | None = None
        self._compiling = False

    def dump(self, value: Any) -> dict[str, Any]:
        return (self._compiled or self._compile())(value)

    def function(self) -> Callable[[Any], Any]:
        if self._compiled is not None:
            return self._compiled
        if self._compiling:  # a recursive shape reaches itself: its members call it through ``dump``
            return self.dump
        return self._compile()

    def _compile(self) -> Callable[[Any], dict[str, Any]]:
        self._compiling = True
        try:
            namespace: dict[str, Any] = {"Mapping": Mapping, "_structure_error": _structure_error}
            lines = [
                "def dump(value):",
                "    if type(value) is not dict and not isinstance(value, Mapping):",
                "        _structure_error(value)",
                "    get = value.get",
                "    out = {}",
            ]
            for i, (name, key, node) in enumerate(self.members):
                lines += [f"    v = get({name!r})", "    if v is not None:"]
                if node is None:
                    lines.append(f"        out[{key!r}] = v")
                elif isinstance(node, _OutTimestamp):  # epoch seconds (the usual value) pass as they are
                    namespace[f"f{i}"] = node.dump
                    lines.append(f"        out[{key!r}] = v if type(v) is float or type(v) is int else f{i}(v)")
                else:
                    namespace[f"f{i}"] = node.function()
                    lines.append(f"        out[{key!r}] = f{i}(v)")
            lines.append("    return out")
            # The source is built above from the model's member names only (repr'd literals), as dataclasses does.
            exec("\n".join(lines), namespace)
            self._compiled = namespace["dump"]
        finally:
            self._compiling = False
        return self._compiled


def _structure_error(value: Any) -> None:
    raise TypeError(f"expected a mapping for a structure, got {type(value).__name__}")


class _OutList(_OutNode):
    __slots__ = ("_built", "member")

    def __init__(self, member: _OutNode | None) -> None:
        self.member = member
        self._built: Callable[[Any], list[Any]] | None = None

    def dump(self, value: Any) -> list[Any]:
        return self.function()(value)

    def function(self) -> Callable[[Any], Any]:
        if self._built is None:
            self._built = self._build()
        return self._built

    def _build(self) -> Callable[[Any], list[Any]]:
        member = self.member
        if member is None:

            def copy(value: Any) -> list[Any]:
                if _not_a_sequence(value):
                    raise TypeError(f"expected a sequence for a list, got {type(value).__name__}")
                return [v for v in value if v is not None]

            return copy
        each = member.function()

        def dump(value: Any) -> list[Any]:
            if _not_a_sequence(value):
                raise TypeError(f"expected a sequence for a list, got {type(value).__name__}")
            return [each(v) for v in value if v is not None]

        return dump


class _OutMap(_OutNode):
    __slots__ = ("_built", "value")

    def __init__(self, value: _OutNode | None) -> None:
        self.value = value
        self._built: Callable[[Any], dict[str, Any]] | None = None

    def dump(self, value: Any) -> dict[str, Any]:
        return self.function()(value)

    def function(self) -> Callable[[Any], Any]:
        if self._built is None:
            self._built = self._build()
        return self._built

    def _build(self) -> Callable[[Any], dict[str, Any]]:
        node = self.value
        each = None if node is None else node.function()

        def dump(value: Any) -> dict[str, Any]:
            if not isinstance(value, Mapping):
                raise TypeError(f"expected a mapping for a map, got {type(value).__name__}")
            if each is None:
                return {k: v for k, v in value.items() if v is not None}
            return {k: each(v) for k, v in value.items() if v is not None}

        return dump


class _OutTimestamp(_OutNode):
    """Epoch seconds as a number; a naive ``datetime`` is taken as UTC."""

    __slots__ = ()

    def dump(self, value: Any) -> int | float:
        if isinstance(value, _dt.datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=_dt.UTC)
            return value.timestamp()
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        raise TypeError(f"expected a datetime or epoch seconds for a timestamp, got {type(value).__name__}")


class _OutBlob(_OutNode):
    __slots__ = ()

    def dump(self, value: Any) -> str:
        if isinstance(value, bytes | bytearray | memoryview):
            return base64.b64encode(value).decode("ascii")
        return value  # already encoded


# --- the model ----------------------------------------------------------------------------------------------


def _load_botocore_model() -> botocore.model.ServiceModel:
    """The model shipped inside botocore only (not ``~/.aws/models`` or ``AWS_DATA_PATH``): reproducible."""
    data_path = os.path.join(os.path.dirname(botocore.__file__), "data")
    loader = botocore.loaders.Loader(extra_search_paths=[data_path], include_default_search_paths=False)
    # Straight to the service's newest API version: ``load_service_model`` first lists every service botocore
    # ships (hundreds of folders), which is most of the start-up time this load costs.
    version = max(loader.list_api_versions(_SERVICE_NAME, "service-2"))
    raw = loader.load_data(f"{_SERVICE_NAME}/{version}/service-2")
    return botocore.model.ServiceModel(raw, service_name=_SERVICE_NAME)


class ServiceModel:
    """The ``cognito-idp`` operations, with input validation and output shaping compiled per operation."""

    def __init__(self) -> None:
        self._model = _load_botocore_model()
        self._operations: tuple[str, ...] = tuple(sorted(self._model.operation_names))
        self._operation_set = frozenset(self._operations)
        self._unauthenticated = frozenset(
            name for name in self._operations if self._op_is_unauthenticated(self._model.operation_model(name))
        )
        # Compiled lazily, per operation; shape nodes are shared between operations.
        self._validators: dict[str, _StructureNode] = {}
        self._serializers: dict[str, _OutStructure | None] = {}
        self._input_nodes: dict[tuple[Any, ...], _Node] = {}
        self._output_nodes: dict[str, _OutNode | None] = {}

    # -- operations --

    @property
    def operation_names(self) -> list[str]:
        return list(self._operations)

    def has_operation(self, name: str) -> bool:
        return name in self._operation_set

    def input_members(self, operation: str) -> list[str]:
        """The names of an operation's request members, in model order."""
        shape = self._model.operation_model(operation).input_shape
        return list(shape.members) if shape is not None else []

    def is_unauthenticated(self, name: str) -> bool:
        """True for operations called without AWS credentials (``smithy.api#noAuth``); False if unknown."""
        return name in self._unauthenticated

    @staticmethod
    def _op_is_unauthenticated(op: botocore.model.OperationModel) -> bool:
        return op.auth_type == "none" or list(getattr(op, "auth", None) or ()) == ["smithy.api#noAuth"]

    def _operation_model(self, name: str) -> botocore.model.OperationModel:
        if name not in self._operation_set:
            raise UnknownOperationException("The requested operation is not recognized by this service.")
        return self._model.operation_model(name)

    def input_shape(self, name: str) -> botocore.model.StructureShape | None:
        """The operation's input shape as botocore models it (``None`` for an operation without input)."""
        return self._operation_model(name).input_shape

    # -- input --

    def validate_input(self, operation: str, params: object) -> None:
        """Check a decoded JSON request body against the operation's input shape.

        Raises :class:`SerializationException` for a value of the wrong type (the first one met) and
        :class:`InvalidParameterException` listing every constraint violation.
        """
        validator = self._validators.get(operation)
        if validator is None:
            validator = self._compile_input(operation)
        violations: list[_Violation] = []
        validator.check(params, None, violations)
        if violations:
            raise InvalidParameterException(_format_violations(violations))

    def _compile_input(self, operation: str) -> _StructureNode:
        shape = self._operation_model(operation).input_shape
        if shape is None:
            node = _StructureNode()
        else:
            compiled = self._input_node(shape, sensitive=False)
            assert isinstance(compiled, _StructureNode)
            node = compiled
        self._validators[operation] = node
        return node

    def _input_node(self, shape: botocore.model.Shape, *, sensitive: bool) -> _Node:
        meta = shape.metadata
        sensitive = sensitive or bool(meta.get("sensitive"))
        cache_key = (
            shape.name,
            sensitive,
            meta.get("min"),
            meta.get("max"),
            meta.get("pattern"),
            tuple(meta.get("enum") or ()),
            tuple(meta.get("required") or ()),
        )
        cached = self._input_nodes.get(cache_key)
        if cached is not None:
            return cached
        t = shape.type_name
        node: _Node
        if t == "structure":
            if meta.get("document"):
                node = _AnyNode()
            else:
                struct = _StructureNode()
                self._input_nodes[cache_key] = struct  # registered first: recursive shapes end here
                required = set(meta.get("required") or ())
                members = []
                assert isinstance(shape, botocore.model.StructureShape)
                for name, member_shape in shape.members.items():
                    member_sensitive = sensitive or bool(member_shape.metadata.get("sensitive"))
                    member = _Member(
                        key=member_shape.serialization.get("name", name),
                        label=_lower_first(name),
                        required=name in required,
                        sensitive=member_sensitive,
                    )
                    member.node = self._input_node(member_shape, sensitive=member_sensitive)
                    members.append(member)
                struct.members = tuple(members)
                node = struct
        elif t == "list":
            assert isinstance(shape, botocore.model.ListShape)
            lst = _ListNode(min_len=meta.get("min"), max_len=meta.get("max"), sensitive=sensitive)
            self._input_nodes[cache_key] = lst
            lst.member = self._input_node(shape.member, sensitive=sensitive)
            node = lst
        elif t == "map":
            assert isinstance(shape, botocore.model.MapShape)
            mp = _MapNode(min_len=meta.get("min"), max_len=meta.get("max"), sensitive=sensitive)
            self._input_nodes[cache_key] = mp
            mp.finish(
                self._input_node(shape.key, sensitive=sensitive),
                self._input_node(shape.value, sensitive=sensitive),
            )
            node = mp
        elif t == "string":
            node = _StringNode(
                min_len=meta.get("min"),
                max_len=meta.get("max"),
                pattern=PATTERN_OVERRIDES.get(shape.name, meta.get("pattern")),
                enum=list(getattr(shape, "enum", None) or ()),
                sensitive=sensitive,
            )
        elif t in ("integer", "long", "float", "double"):
            node = _NumberNode(type_name=t, min_val=meta.get("min"), max_val=meta.get("max"), sensitive=sensitive)
        elif t == "boolean":
            node = _BooleanNode()
        elif t == "timestamp":
            node = _TimestampNode()
        elif t == "blob":
            node = _BlobNode(min_len=meta.get("min"), max_len=meta.get("max"))
        else:
            node = _AnyNode()
        self._input_nodes[cache_key] = node
        return node

    # -- output --

    def serialize_output(self, operation: str, result: dict) -> dict:
        """Shape a result for the wire: only declared members, no ``None``, timestamps as epoch seconds."""
        if operation in self._serializers:
            serializer = self._serializers[operation]
        else:
            shape = self._operation_model(operation).output_shape
            serializer = None
            if shape is not None:
                out_node = self._output_node(shape)
                assert isinstance(out_node, _OutStructure)
                serializer = out_node
            self._serializers[operation] = serializer
        if serializer is None or result is None:
            return {}
        return serializer.function()(result)

    def _output_node(self, shape: botocore.model.Shape) -> _OutNode | None:
        """The serializer for ``shape``, or None when values of it are copied unchanged."""
        if shape.name in self._output_nodes:
            return self._output_nodes[shape.name]
        t = shape.type_name
        node: _OutNode | None = None
        if t == "structure" and not shape.metadata.get("document"):
            assert isinstance(shape, botocore.model.StructureShape)
            struct = _OutStructure()
            self._output_nodes[shape.name] = struct  # registered first: recursive shapes end here
            struct.members = tuple(
                (name, member_shape.serialization.get("name", name), self._output_node(member_shape))
                for name, member_shape in shape.members.items()
            )
            node = struct
        elif t == "list":
            assert isinstance(shape, botocore.model.ListShape)
            node = _OutList(self._output_node(shape.member))
        elif t == "map":
            assert isinstance(shape, botocore.model.MapShape)
            node = _OutMap(self._output_node(shape.value))
        elif t == "timestamp":
            node = _OutTimestamp()
        elif t == "blob":
            node = _OutBlob()
        self._output_nodes[shape.name] = node
        return node
