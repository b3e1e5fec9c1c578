"""Threat protection's user event history: AdminListUserAuthEvents, AdminUpdateAuthEventFeedback and
UpdateAuthEventFeedback. With threat protection on (``UserPoolAddOns.AdvancedSecurityMode`` AUDIT or ENFORCED) the
pool records each user's sign-ups, sign-ins, password changes, forgotten passwords and resent codes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.helpers import error_of, latest_code
from tests.signin import PASSWORD, make_pool_and_client, password_auth

NOT_ON = (400, "UserPoolAddOnNotEnabledException", "Advanced security features are not enabled for this user pool.")


def failure(call: Any, **params: Any) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)


def audited(cognito: Any, mode: str = "AUDIT") -> tuple[str, str]:
    return make_pool_and_client(
        cognito, {"UserPoolAddOns": {"AdvancedSecurityMode": mode}, "AutoVerifiedAttributes": ["email"]}
    )


def events(cognito: Any, pool: str, username: str = "alice", **params: Any) -> list[dict[str, Any]]:
    return cognito.admin_list_user_auth_events(UserPoolId=pool, Username=username, **params)["AuthEvents"]


def test_events_need_threat_protection(cognito):
    pool, client = make_pool_and_client(cognito)
    cognito.sign_up(ClientId=client, Username="alice", Password=PASSWORD)
    assert failure(cognito.admin_list_user_auth_events, UserPoolId=pool, Username="alice") == NOT_ON


def test_a_users_history_newest_first(cognito, server):
    pool, client = audited(cognito)
    cognito.sign_up(
        ClientId=client,
        Username="alice",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}],
    )
    cognito.resend_confirmation_code(ClientId=client, Username="alice")
    cognito.confirm_sign_up(ClientId=client, Username="alice", ConfirmationCode=latest_code(server, pool, "alice"))
    with pytest.raises(ClientError):
        password_auth(cognito, client, password="Wrong-pass-1")
    tokens = password_auth(cognito, client)["AuthenticationResult"]
    cognito.change_password(AccessToken=tokens["AccessToken"], PreviousPassword=PASSWORD, ProposedPassword="N3w-pass!")
    cognito.forgot_password(ClientId=client, Username="alice")
    history = events(cognito, pool)
    kinds = [(e["EventType"], e["EventResponse"]) for e in history]
    assert kinds == [
        ("ForgotPassword", "Pass"),
        ("PasswordChange", "Pass"),
        ("SignIn", "Pass"),
        ("SignIn", "Fail"),
        ("ResendCode", "Pass"),
        ("SignUp", "Pass"),
    ]
    sign_in_fail, sign_in = history[3], history[2]
    assert sign_in_fail["ChallengeResponses"] == [{"ChallengeName": "Password", "ChallengeResponse": "Failure"}]
    assert sign_in["ChallengeResponses"] == [{"ChallengeName": "Password", "ChallengeResponse": "Success"}]
    for event in history:
        assert event["EventId"] and event["CreationDate"]
        assert event["EventContextData"]["IpAddress"] == "127.0.0.1"
        assert event["EventContextData"]["DeviceName"].startswith("Boto3/")
        assert event["EventRisk"] == {"RiskDecision": "NoRisk", "CompromisedCredentialsDetected": False}
    assert len({e["EventId"] for e in history}) == len(history)
    text = json.dumps(history, default=str)
    for secret in (PASSWORD, "Wrong-pass-1", "N3w-pass!", tokens["AccessToken"]):
        assert secret not in text


def test_events_are_paginated(cognito):
    pool, client = audited(cognito)
    cognito.sign_up(ClientId=client, Username="alice", Password=PASSWORD)
    cognito.admin_confirm_sign_up(UserPoolId=pool, Username="alice")
    for _ in range(4):
        password_auth(cognito, client)
    first = cognito.admin_list_user_auth_events(UserPoolId=pool, Username="alice", MaxResults=3)
    assert len(first["AuthEvents"]) == 3 and first["NextToken"]
    rest = cognito.admin_list_user_auth_events(
        UserPoolId=pool, Username="alice", MaxResults=3, NextToken=first["NextToken"]
    )
    assert len(rest["AuthEvents"]) == 2 and "NextToken" not in rest
    ids = [e["EventId"] for e in first["AuthEvents"] + rest["AuthEvents"]]
    assert ids == [e["EventId"] for e in events(cognito, pool)]
    assert failure(cognito.admin_list_user_auth_events, UserPoolId=pool, Username="alice", NextToken="garbage") == (
        400,
        "InvalidParameterException",
        "Invalid pagination token.",
    )


def test_only_that_users_events(cognito):
    pool, client = audited(cognito)
    for name in ("alice", "bob"):
        cognito.sign_up(ClientId=client, Username=name, Password=PASSWORD)
    assert len(events(cognito, pool, "bob")) == 1
    assert failure(cognito.admin_list_user_auth_events, UserPoolId=pool, Username="carol") == (
        400,
        "UserNotFoundException",
        "User does not exist.",
    )


def test_admin_feedback_is_kept_on_the_event(cognito):
    pool, client = audited(cognito)
    cognito.sign_up(ClientId=client, Username="alice", Password=PASSWORD)
    (event,) = events(cognito, pool)
    cognito.admin_update_auth_event_feedback(
        UserPoolId=pool, Username="alice", EventId=event["EventId"], FeedbackValue="Invalid"
    )
    (event,) = events(cognito, pool)
    feedback = event["EventFeedback"]
    assert (feedback["FeedbackValue"], feedback["Provider"]) == ("Invalid", "Admin")
    assert feedback["FeedbackDate"]
    assert failure(
        cognito.admin_update_auth_event_feedback,
        UserPoolId=pool,
        Username="alice",
        EventId="no-such-event",
        FeedbackValue="Valid",
    ) == (400, "ResourceNotFoundException", "Auth event not found.")


def test_user_feedback_needs_the_token_from_a_notification(cognito):
    pool, client = audited(cognito)
    cognito.sign_up(ClientId=client, Username="alice", Password=PASSWORD)
    (event,) = events(cognito, pool)
    assert failure(
        cognito.update_auth_event_feedback,
        UserPoolId=pool,
        Username="alice",
        EventId=event["EventId"],
        FeedbackToken="forged",
        FeedbackValue="Valid",
    ) == (400, "NotAuthorizedException", "Invalid feedback token.")
    (event,) = events(cognito, pool)
    assert "EventFeedback" not in event
