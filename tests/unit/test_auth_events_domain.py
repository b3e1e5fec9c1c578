"""The user event history's pure rules: what an event holds and how AdminListUserAuthEvents answers it, what is
kept of the User-Agent, the retention, and UpdateAuthEventFeedback's tokens."""

from __future__ import annotations

import dataclasses
import re

from userpool.domain import auth_events, ids, risk

KEY = auth_events.feedback_key(b"k" * 32)


def event(**fields):
    values = {"challenge_responses": auth_events.PASSWORD_SUCCESS, "ip_address": "192.0.2.7", "user_agent": "Boto3/1"}
    return auth_events.new_event(
        "e-1", "us-east-1_pool", 7, auth_events.SIGN_IN, auth_events.PASS, 1_700_000_000.5, **{**values, **fields}
    )


def test_an_event_is_answered_as_cognitos_auth_event_type():
    assert auth_events.describe(event()) == {
        "EventId": "e-1",
        "EventType": "SignIn",
        "CreationDate": 1_700_000_000.5,
        "EventResponse": "Pass",
        "EventRisk": {"RiskDecision": "NoRisk", "CompromisedCredentialsDetected": False},
        "ChallengeResponses": [{"ChallengeName": "Password", "ChallengeResponse": "Success"}],
        "EventContextData": {"IpAddress": "192.0.2.7", "DeviceName": "Boto3/1"},
    }


def test_a_refused_compromised_password_is_a_block():
    risk_part = auth_events.describe(event(compromised=True))["EventRisk"]
    assert risk_part == {"RiskDecision": "Block", "CompromisedCredentialsDetected": True}


def test_unknown_address_and_agent_are_left_out_and_a_long_agent_is_cut():
    assert auth_events.describe(event(ip_address=None, user_agent="  "))["EventContextData"] == {}
    long_agent = "Mozilla/5.0 " + "x" * 1000
    name = auth_events.describe(event(user_agent=long_agent))["EventContextData"]["DeviceName"]
    assert name == long_agent[: auth_events.DEVICE_NAME_LENGTH]


def test_feedback_is_answered_once_given():
    given = dataclasses.replace(event(), feedback_value="Invalid", feedback_provider="Admin", feedback_at=5.0)
    assert auth_events.describe(given)["EventFeedback"] == {
        "FeedbackValue": "Invalid",
        "Provider": "Admin",
        "FeedbackDate": 5.0,
    }
    assert "EventFeedback" not in auth_events.describe(event())


def test_history_is_kept_two_years_as_cognitos_and_pages_hold_sixty():
    assert auth_events.RETENTION_SECONDS == 730 * 86400
    assert auth_events.DEFAULT_PAGE == 60


def test_a_feedback_token_fits_one_pool_user_and_event():
    token = auth_events.feedback_token(KEY, "us-east-1_pool", "sub-1", "e-1")
    assert auth_events.feedback_token_matches(KEY, "us-east-1_pool", "sub-1", "e-1", token)
    for pool, sub, event_id in (("us-east-1_other", "sub-1", "e-1"), ("us-east-1_pool", "sub-2", "e-1"),
                                ("us-east-1_pool", "sub-1", "e-2")):  # fmt: skip
        assert not auth_events.feedback_token_matches(KEY, pool, sub, event_id, token)
    other_key = auth_events.feedback_key(b"j" * 32)
    assert not auth_events.feedback_token_matches(other_key, "us-east-1_pool", "sub-1", "e-1", token)
    assert not auth_events.feedback_token_matches(KEY, "us-east-1_pool", "sub-1", "e-1", token[:-1])
    assert not auth_events.feedback_token_matches(KEY, "us-east-1_pool", "sub-1", "e-1", "ünïcode")


def test_a_token_and_an_event_id_fit_the_models_patterns():
    token = auth_events.feedback_token(KEY, "us-east-1_pool", "sub-1", "e-1")
    assert re.fullmatch(r"[A-Za-z0-9-_=.]+", token)  # TokenModelType
    event_id = ids.auth_event_id()
    assert re.fullmatch(r"[\w+-]+", event_id) and len(event_id) <= 50  # EventIdType


def test_threat_protection_is_on_in_audit_and_enforced_modes_only():
    assert [risk.protects({"UserPoolAddOns": {"AdvancedSecurityMode": m}}) for m in ("OFF", "AUDIT", "ENFORCED")] == [
        False,
        True,
        True,
    ]
    assert risk.protects({}) is False
