"""Unit tests for ``userpool.domain.filters.parse``: ListUsers' ``AttributeName Filter-Type "Value"``."""

from __future__ import annotations

import pytest

from userpool.domain.filters import SEARCHABLE, parse
from userpool.errors import InvalidParameterException

PARSE_ERROR = "Error while parsing filter."


def parse_error(text: str) -> str:
    with pytest.raises(InvalidParameterException) as info:
        parse(text)
    assert info.value.status == 400
    return info.value.message


def test_searchable_attributes_are_the_documented_ones():
    assert SEARCHABLE == {
        "username",
        "email",
        "phone_number",
        "name",
        "given_name",
        "family_name",
        "preferred_username",
        "cognito:user_status",
        "status",
        "sub",
    }


@pytest.mark.parametrize("text", ["", " ", "   ", "\t", "\n"])
def test_empty_filter_is_every_user(text):
    assert parse(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('email = "jane@example.com"', ("email", "=", "jane@example.com")),
        ('given_name ^= "Jo"', ("given_name", "^=", "Jo")),
        ('family_name = "Reddy"', ("family_name", "=", "Reddy")),
        ('phone_number ^= "+1312"', ("phone_number", "^=", "+1312")),
        ('username = "jane"', ("username", "=", "jane")),
        ('name = "Jane Doe"', ("name", "=", "Jane Doe")),
        ('preferred_username = "jd"', ("preferred_username", "=", "jd")),
        ('cognito:user_status = "UNCONFIRMED"', ("cognito:user_status", "=", "UNCONFIRMED")),
        ('status = "Enabled"', ("status", "=", "Enabled")),
        (
            'sub = "0a1b2c3d-0000-4000-8000-00000000000f"',
            ("sub", "=", "0a1b2c3d-0000-4000-8000-00000000000f"),
        ),
    ],
)
def test_valid_filters(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        'email="a@b.c"',
        'email ="a@b.c"',
        'email= "a@b.c"',
        '  email  =  "a@b.c"  ',
        '\temail\t=\t"a@b.c"\n',
    ],
)
def test_spaces_around_the_parts_are_optional(text):
    assert parse(text) == ("email", "=", "a@b.c")


def test_prefix_without_spaces():
    assert parse('email^="a"') == ("email", "^=", "a")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('name = ""', ""),
        ('name = "  padded  "', "  padded  "),
        ('name = "Al \\"the\\" Great"', 'Al "the" Great'),
        ('name = "\\""', '"'),
        ('name = "back\\\\slash"', "back\\slash"),
        ('name = "ends with backslash\\\\"', "ends with backslash\\"),
        ('name = "a = \\"b\\" ^= c"', 'a = "b" ^= c'),
        ('name = "Zoë 李"', "Zoë 李"),
        ('name = "100%_sure"', "100%_sure"),
        ('name = "it\'s"', "it's"),
    ],
)
def test_values(text, value):
    assert parse(text) == ("name", "=", value)


@pytest.mark.parametrize(
    "text",
    [
        'email == "x"',
        'email != "x"',
        'email ^ "x"',
        'email =^ "x"',
        'email < "x"',
        "email = x",
        "email = 'x'",
        'email "x"',
        'email = "x',
        'email = x"',
        'email = "x" extra',
        'email = "a"b"',
        'email = "x\\"',
        'email = "x" and name = "y"',
        '= "x"',
        '"email" = "x"',
        "email =",
        "email",
        'e mail = "x"',
        'email = "x""',
    ],
)
def test_malformed_filters(text):
    assert parse_error(text) == PARSE_ERROR


@pytest.mark.parametrize(
    "name",
    ["locale", "nickname", "email_verified", "custom:team", "dev:custom:team", "Email", "USERNAME", "address"],
)
def test_unsearchable_attributes(name):
    assert parse_error(f'{name} = "x"') == f"Invalid search attribute: {name}"


def test_malformed_filter_with_unsearchable_attribute_is_a_parse_error():
    assert parse_error('locale == "x"') == PARSE_ERROR
