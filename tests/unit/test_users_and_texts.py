"""User statuses and Cognito's message texts: one home each."""

from __future__ import annotations

import ast
import json
from collections import defaultdict
from pathlib import Path

import botocore.session
import pytest

import userpool
from userpool.domain import clients, texts
from userpool.domain.users import UserStatus, creation_conflict, sign_in_kinds
from userpool.errors import AliasExistsException, InternalErrorException, UsernameExistsException

SOURCE = Path(userpool.__file__).parent
# Where the operations' and the domain rules' messages are raised; texts.py is their home.
SCANNED = [
    *sorted((SOURCE / "operations").rglob("*.py")),
    *sorted((SOURCE / "domain").glob("*.py")),
    SOURCE / "seed.py",
]


def test_user_statuses_are_the_models_and_stay_strings():
    model = botocore.session.get_session().get_service_model("cognito-idp")
    assert [s.value for s in UserStatus] == model.shape_for("UserStatusType").enum
    assert UserStatus.CONFIRMED == "CONFIRMED"
    assert f"{UserStatus.FORCE_CHANGE_PASSWORD}" == "FORCE_CHANGE_PASSWORD"
    assert json.dumps({"UserStatus": UserStatus.RESET_REQUIRED}) == '{"UserStatus": "RESET_REQUIRED"}'


def _messages(path: Path) -> list[tuple[str, int]]:
    """String literals in ``path`` that read like a message (capitalised, with a space), docstrings aside."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    return [
        (node.value, node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and " " in node.value
        and node.value[:1].isupper()
    ]


def test_a_text_of_texts_is_written_nowhere_else():
    known = {v for k, v in vars(texts).items() if k.isupper() and isinstance(v, str)}
    known |= set(texts.DELIVERY_FAILED.values())
    found = [
        f"{path.relative_to(SOURCE)}:{line}: {text!r}"
        for path in SCANNED
        if path.name != "texts.py"
        for text, line in _messages(path)
        if text in known
    ]
    assert found == []


def test_no_message_is_written_twice():
    places = defaultdict(list)
    for path in SCANNED:
        if path.name != "texts.py":
            for text, line in _messages(path):
                places[text].append(f"{path.relative_to(SOURCE)}:{line}")
    # Two templates that happen to read the same are two settings, not one message.
    places.pop("Your verification code is {####}. ", None)
    assert {text: where for text, where in places.items() if len(where) > 1} == {}


@pytest.mark.parametrize(
    ("what", "settings", "error", "message"),
    [
        ("email", {"UsernameAttributes": ["email"]}, UsernameExistsException, "An account with the given email"),
        ("username", {}, UsernameExistsException, "User already exists"),
        ("phone_number", {"AliasAttributes": ["phone_number"]}, AliasExistsException, "An account with the phone"),
        ("preferred_username", {}, InternalErrorException, "An internal error occurred."),
    ],
)
def test_a_taken_name_is_cognitos_error(what, settings, error, message):
    raised = creation_conflict(what, settings, texts.USERNAME_EXISTS)
    assert isinstance(raised, error)
    assert raised.message.startswith(message)


def test_sign_in_kinds_and_user_existence_rules():
    assert sign_in_kinds({"UsernameAttributes": ["email"]}) == ["email"]
    assert sign_in_kinds({"AliasAttributes": ["preferred_username"]}) == ["preferred_username"]
    assert sign_in_kinds({}) == []
    assert clients.hides_user_existence({"PreventUserExistenceErrors": "ENABLED"})
    assert not clients.hides_user_existence({"PreventUserExistenceErrors": "LEGACY"})
    assert not clients.hides_user_existence({})
