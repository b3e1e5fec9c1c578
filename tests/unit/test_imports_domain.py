"""The import rules of ``domain.imports``: lines split across chunks, Cognito's CSV escaping, the signed URL, the
header, and each row rule."""

from __future__ import annotations

from typing import Any

import pytest

from userpool.domain import imports
from userpool.domain import pools as pool_rules
from userpool.domain.imports import LineSplitter, RowOutcome, RowReader
from userpool.domain.records import NewUser, Pool

KEY = b"k" * 32


def pool_of(**request: Any) -> Pool:
    settings = pool_rules.settings_for_create({"PoolName": "p", "AutoVerifiedAttributes": ["email"], **request})
    return Pool("us-east-1_unit", "p", settings, 0.0, 0.0)


def read(pool: Pool, **values: str) -> NewUser | RowOutcome | None:
    columns = imports.csv_header(pool)
    row = {
        "cognito:username": "ann",
        "cognito:mfa_enabled": "false",
        "email": "a@example.com",
        "email_verified": "true",
    }
    row.update(values)
    line = ",".join(row.get(c, "") for c in columns).encode()
    return RowReader(pool, columns).user(2, line, "sub-1", 1.0)


def reason(pool: Pool, **values: str) -> str:
    outcome = read(pool, **values)
    assert isinstance(outcome, RowOutcome), outcome
    return outcome.reason


def test_lines_are_split_across_pieces_and_numbered() -> None:
    splitter = LineSplitter()
    assert splitter.feed(b"head") == []
    assert splitter.feed(b"er\r\nfirst\nsec") == [(1, b"header"), (2, b"first")]
    assert splitter.feed(b"ond\n\n") == [(3, b"second"), (4, b"")]
    assert splitter.feed(b"last") == []
    assert splitter.end() == [(5, b"last")]


def test_a_backslash_escapes_a_comma_and_values_are_trimmed() -> None:
    assert imports.split_row(' a\\, b , "q" ,,x') == ["a, b", '"q"', "", "x"]


def test_the_url_carries_a_signature_of_the_job_and_its_expiry() -> None:
    job = imports.new_job("us-east-1_unit", "j", "arn", 1000.0)
    url = imports.presigned_url("http://localhost:9229", KEY, job)
    query = dict(part.split("=", 1) for part in url.split("?", 1)[1].split("&"))
    assert url.startswith(f"http://localhost:9229/_userpool/import/{job.id}?expires={1000 + 900}&")
    assert imports.signature_matches(KEY, job.id, query["expires"], query["signature"]) == 1900
    assert imports.signature_matches(KEY, job.id, "1901", query["signature"]) is None
    assert imports.signature_matches(KEY, "import-other", query["expires"], query["signature"]) is None
    assert imports.signature_matches(b"x" * 32, job.id, query["expires"], query["signature"]) is None
    assert imports.signature_matches(KEY, job.id, "-1", query["signature"]) is None
    assert imports.signature_matches(KEY, job.id, query["expires"], None) is None


def test_the_header_must_name_every_column_once() -> None:
    pool = pool_of()
    header = imports.csv_header(pool)
    assert header[-2:] == ["cognito:mfa_enabled", "cognito:username"] and "sub" not in header
    assert imports.header_problem(pool, list(reversed(header))) is None
    assert imports.header_problem(pool, [*header, "email"]) == (
        "The .csv header does not match GetCSVHeader: repeated email."
    )
    assert imports.header_problem(pool, header[1:]) == (
        f"The .csv header does not match GetCSVHeader: missing {header[0]}."
    )


def test_a_valid_row_makes_a_reset_required_user_without_a_password() -> None:
    user = read(pool_of(), given_name="Ann", email_verified="TRUE")
    assert isinstance(user, NewUser)
    assert (user.username, user.status, user.password_hash, user.sub) == ("ann", "RESET_REQUIRED", None, "sub-1")
    assert user.attributes == {"sub": "sub-1", "given_name": "Ann", "email": "a@example.com", "email_verified": "true"}


@pytest.mark.parametrize(
    ("request_settings", "values", "expected"),
    [
        ({}, {"cognito:username": ""}, "The cognito:username value is required."),
        ({"MfaConfiguration": "ON"}, {}, "The cognito:mfa_enabled value must be true (the pool's MFA is ON)."),
        ({}, {"cognito:mfa_enabled": "true"}, "The cognito:mfa_enabled value must be false (the pool's MFA is OFF)."),
        ({}, {"email_verified": "yes"}, "Attributes did not conform to the schema: email_verified: Boolean must be "
         "true or false."),
        ({}, {"phone_number_verified": "true"}, "The phone_number_verified value is true but there is no "
         "phone_number."),
        ({}, {"phone_number": "5550100"}, "Invalid phone number format."),
        ({}, {"updated_at": "soon"}, "Attributes did not conform to the schema: updated_at: Number must be a valid "
         "number"),
        ({"Schema": [{"Name": "name", "AttributeDataType": "String", "Required": True}]}, {},
         "Attributes did not conform to the schema: name: The attribute is required"),
        ({"AutoVerifiedAttributes": ["phone_number"]}, {}, imports.NO_AUTO_VERIFIED),
        ({"UsernameAttributes": ["email"]}, {}, "In a pool whose users sign in by email or phone number, "
         "cognito:username must be that value."),
    ],
)  # fmt: skip
def test_each_row_rule(request_settings: dict[str, Any], values: dict[str, str], expected: str) -> None:
    assert reason(pool_of(**request_settings), **values) == expected


def test_a_row_too_long_or_not_utf8_fails() -> None:
    pool = pool_of()
    reader = RowReader(pool, imports.csv_header(pool))
    assert reader.user(7, b"\xff", "s", 0.0) == RowOutcome(7, "FAILED", "The row is not valid UTF-8.")
    assert reader.user(8, b"x" * 16_001, "s", 0.0) == RowOutcome(
        8, "FAILED", "The row is longer than 16,000 characters."
    )
    assert reader.user(9, b"  ", "s", 0.0) is None


def test_a_job_ends_failed_when_nothing_was_imported() -> None:
    assert imports.final_status(0, 0, 0) == ("Succeeded", imports.SUCCEEDED_MESSAGE)
    assert imports.final_status(1, 5, 5) == ("Succeeded", imports.SUCCEEDED_MESSAGE)
    assert imports.final_status(0, 1, 0) == ("Failed", imports.TOO_MANY_FAILED)
    assert len(imports.completion_message("x" * 300)) == 128
