"""domain/pre_token: Cognito's rules for what a PreTokenGeneration answer does to the claims, and the pool's two
views of the function."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from userpool.domain import pre_token
from userpool.domain.pre_token import GroupConfiguration, PreTokenAnswer, TokenGeneration, apply_overrides
from userpool.errors import InvalidParameterException


def tokens() -> tuple[dict, dict]:
    claims_id = {"sub": "s", "email": "a@example.com", "cognito:groups": ["old"], "cognito:roles": ["r"], "iss": "i"}
    claims_access = {
        "sub": "s",
        "scope": "aws.cognito.signin.user.admin",
        "username": "alice",
        "cognito:groups": ["old"],
    }
    return claims_id, claims_access


def test_no_answer_changes_nothing():
    claims_id, claims_access = tokens()
    apply_overrides(claims_id, claims_access, None)
    assert (claims_id, claims_access) == tokens()


def test_suppress_beats_add_and_protected_claims_keep_their_values():
    claims_id, claims_access = tokens()
    answer = PreTokenAnswer(
        id_token=TokenGeneration(add={"email": "x", "plan": "pro", "sub": "other"}, suppress=("email", "iss")),
        access_token=TokenGeneration(add={"username": "mallory", "tier": 2}, suppress=("sub",)),
    )
    apply_overrides(claims_id, claims_access, answer)
    assert "email" not in claims_id and claims_id["plan"] == "pro"
    assert (claims_id["sub"], claims_id["iss"]) == ("s", "i")
    assert (claims_access["username"], claims_access["tier"], claims_access["sub"]) == ("alice", 2, "s")


def test_scopes_added_and_suppressed_but_never_the_user_admin_scope():
    claims_id, claims_access = tokens()
    generation = TokenGeneration(
        scopes_to_add=("a", "b", pre_token.USER_ADMIN_SCOPE), scopes_to_suppress=("b", pre_token.USER_ADMIN_SCOPE)
    )
    apply_overrides(claims_id, claims_access, PreTokenAnswer(access_token=generation))
    assert claims_access["scope"] == f"{pre_token.USER_ADMIN_SCOPE} a"


def test_group_override_and_its_empty_form():
    claims_id, claims_access = tokens()
    override = GroupConfiguration(groups=("g",), roles=("arn:r",), preferred_role="arn:r")
    apply_overrides(claims_id, claims_access, PreTokenAnswer(groups=override))
    assert claims_id["cognito:groups"] == ["g"] and claims_id["cognito:preferred_role"] == "arn:r"
    assert claims_access["cognito:groups"] == ["g"] and "cognito:roles" not in claims_access
    apply_overrides(claims_id, claims_access, PreTokenAnswer(groups=GroupConfiguration()))
    assert not any(name.startswith("cognito:") for name in [*claims_id, *claims_access])


def test_group_configuration_accepts_any_groups_record():
    @dataclass(frozen=True)
    class Claims:
        groups: tuple[str, ...] = ("admins",)
        roles: tuple[str, ...] = ()
        preferred_role: str | None = None

    assert pre_token.group_configuration(Claims()) == {
        "groupsToOverride": ["admins"],
        "iamRolesToOverride": [],
        "preferredRole": None,
    }


def test_lambda_config_fills_in_both_views():
    arn = "arn:aws:lambda:us-east-1:1:function:f"
    assert pre_token.lambda_config({"PreTokenGeneration": arn}) == {
        "PreTokenGeneration": arn,
        "PreTokenGenerationConfig": {"LambdaArn": arn, "LambdaVersion": "V1_0"},
    }
    versioned = {"PreTokenGenerationConfig": {"LambdaArn": arn, "LambdaVersion": "V2_0"}}
    assert pre_token.lambda_config(versioned) == {**versioned, "PreTokenGeneration": arn}
    assert pre_token.lambda_config(None) == {}
    with pytest.raises(InvalidParameterException):
        pre_token.lambda_config({**versioned, "PreTokenGeneration": arn + "x"})
