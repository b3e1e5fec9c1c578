"""Hypothesis strategies that build request bodies from botocore's ``cognito-idp`` model: valid, boundary and
invalid values, wrong types, missing and extra members, for any operation the model describes."""

from __future__ import annotations

import base64
import string
from collections.abc import Mapping, Sequence
from typing import Any

from botocore.model import Shape
from hypothesis import strategies as st

MAX_DEPTH = 6
# Any JSON value: for wrong types and extra members.
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=string.ascii_letters + string.digits + "_-.@+", max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=3),  # lone
    st.sampled_from(["", " ", "\x00", "{####}", "a{####}b", "Passw0rd!", "alice", "123456", "true", "null"]),
)


def _string(shape: Shape, world: Mapping[str, Sequence[str]], name: str) -> st.SearchStrategy[Any]:
    options: list[st.SearchStrategy[Any]] = [TEXT]
    if shape.enum:
        options += [st.sampled_from(shape.enum)] * 3
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if high is not None and high <= 4096:
        options.append(st.sampled_from([high, high + 1]).map(lambda n: "a" * n))
    if low:
        options.append(st.just("a" * (low - 1)))
    if world.get(name):
        options += [st.sampled_from(list(world[name]))] * 4
    return st.one_of(options)


def _number(shape: Shape) -> st.SearchStrategy[Any]:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    edges = [v for v in (low, high) if v is not None]
    edges += [v + d for v in edges for d in (-1, 1)]
    options = [st.integers(min_value=-(2**70), max_value=2**70), st.integers(min_value=-5, max_value=100)]
    if edges:
        options.append(st.sampled_from(edges))
    if shape.type_name in ("double", "float"):
        options.append(st.floats(allow_nan=False))
    return st.one_of(options)


def value_for(
    shape: Shape, world: Mapping[str, Sequence[str]], name: str = "", depth: int = 0
) -> st.SearchStrategy[Any]:
    """A value for ``shape``: mostly of the right type (valid or at the edges), now and then of a wrong one."""
    right = _right_type(shape, world, name, depth)
    return st.one_of(right, right, right, right, right, right, JSON)


def _right_type(shape: Shape, world: Mapping[str, Sequence[str]], name: str, depth: int) -> st.SearchStrategy[Any]:
    kind = shape.type_name
    if kind == "string":
        return _string(shape, world, name)
    if kind in ("integer", "long", "double", "float"):
        return _number(shape)
    if kind == "boolean":
        return st.booleans()
    if kind == "timestamp":
        return st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(), st.text(max_size=30))
    if kind == "blob":
        return st.one_of(st.binary(max_size=30).map(lambda b: base64.b64encode(b).decode()), TEXT)
    if depth >= MAX_DEPTH:
        return st.none()
    if kind == "list":
        high = min(shape.metadata.get("max", 6), 6)
        return st.lists(value_for(shape.member, world, name, depth + 1), max_size=high + 1)
    if kind == "map":
        keys = _string(shape.key, world, "") if shape.key.type_name == "string" else TEXT
        return st.dictionaries(keys, value_for(shape.value, world, "", depth + 1), max_size=4)
    if kind == "structure":
        return structure(shape, world, depth + 1)
    return JSON


def structure(shape: Shape, world: Mapping[str, Sequence[str]], depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """A structure with its required members (each sometimes dropped), some optional ones, and extra ones."""
    required = set(shape.required_members)
    members = {name: value_for(member, world, name, depth) for name, member in shape.members.items()}
    base = st.fixed_dictionaries(
        {k: v for k, v in members.items() if k in required},
        optional={k: v for k, v in members.items() if k not in required},
    )

    @st.composite
    def mutate(draw: st.DrawFn) -> dict[str, Any]:
        value = draw(base)
        if required and draw(st.integers(0, 9)) == 0:
            value.pop(draw(st.sampled_from(sorted(required))), None)
        if draw(st.integers(0, 9)) == 0:
            value.update(draw(st.dictionaries(st.text(max_size=12), JSON, min_size=1, max_size=2)))
        return value

    return mutate()


_SAFE = string.ascii_letters + string.digits


def _valid(shape: Shape, world: Mapping[str, Sequence[str]], name: str, depth: int) -> st.SearchStrategy[Any]:
    """A value that satisfies the model's shape in the common cases (enum, world value, short plain text), so that
    requests pass validation and reach the operations' own rules."""
    kind = shape.type_name
    if kind == "string":
        if shape.enum:
            return st.sampled_from(shape.enum)
        if world.get(name):
            return st.sampled_from(list(world[name]))
        low, high = shape.metadata.get("min", 1), shape.metadata.get("max", 20)
        return st.text(alphabet=_SAFE, min_size=max(low, 1), max_size=max(min(high, 20), max(low, 1)))
    if kind in ("integer", "long"):
        return st.integers(shape.metadata.get("min", 0), shape.metadata.get("max", 100))
    if kind == "boolean":
        return st.booleans()
    if kind in ("double", "float", "timestamp"):
        return st.floats(0, 1000)
    if kind == "blob":
        return st.just("YWJj")
    if depth >= MAX_DEPTH:
        return st.nothing()
    if kind == "list":
        low = shape.metadata.get("min", 0)
        return st.lists(_valid(shape.member, world, name, depth + 1), min_size=low, max_size=max(low, 3))
    if kind == "map":
        return st.dictionaries(
            st.text(alphabet=_SAFE, min_size=1, max_size=8), _valid(shape.value, world, "", depth + 1), max_size=3
        )
    if kind == "structure":
        return valid_structure(shape, world, depth + 1)
    return st.nothing()


def valid_structure(
    shape: Shape, world: Mapping[str, Sequence[str]], depth: int = 0
) -> st.SearchStrategy[dict[str, Any]]:
    required = set(shape.required_members)
    members = {name: _valid(member, world, name, depth) for name, member in shape.members.items()}
    return st.fixed_dictionaries(
        {k: v for k, v in members.items() if k in required},
        optional={k: v for k, v in members.items() if k not in required},
    )


def request(shape: Shape, world: Mapping[str, Sequence[str]]) -> st.SearchStrategy[dict[str, Any]]:
    """Half well-formed requests (they reach the operation), half mutated ones (they probe the protocol layer)."""
    return st.one_of(valid_structure(shape, world), structure(shape, world))
