"""A magic-code custom authentication as in-process Lambda handlers (``python:tests.custom_auth_hooks:...``), for
clients that run in another process (the JavaScript client tests): the code "emailed" for a user is
``expected_code(username)``, which the test hands the client as the user would read it from the mail."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

SECRET = b"tests-only"


def expected_code(username: str) -> str:
    digest = hmac.new(SECRET, username.encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:4], 'big') % 10**6:06d}"


def define(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The password first when the client starts with SRP_A, then one code, three tries."""
    rounds = event["request"]["session"]
    names = [r["challengeName"] for r in rounds]
    response = event["response"]
    response.update(challengeName=None, issueTokens=False, failAuthentication=False)
    if names == ["SRP_A"]:
        response["challengeName"] = "PASSWORD_VERIFIER"
    elif rounds and rounds[-1]["challengeName"] == "CUSTOM_CHALLENGE" and rounds[-1]["challengeResult"]:
        response["issueTokens"] = True
    elif names.count("CUSTOM_CHALLENGE") >= 3 or (
        rounds and not rounds[-1]["challengeResult"] and names[-1] != "CUSTOM_CHALLENGE"
    ):
        response["failAuthentication"] = True
    else:
        response["challengeName"] = "CUSTOM_CHALLENGE"
    return event


def create(event: dict[str, Any], context: Any) -> dict[str, Any]:
    event["response"].update(
        publicChallengeParameters={"delivery": "email"},
        privateChallengeParameters={"code": expected_code(event["userName"])},
        challengeMetadata="MAGIC_CODE",
    )
    return event


def verify(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request = event["request"]
    event["response"]["answerCorrect"] = request["challengeAnswer"] == request["privateChallengeParameters"]["code"]
    return event
