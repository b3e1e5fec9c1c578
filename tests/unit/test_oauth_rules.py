"""The hosted UI's pure rules: PKCE, scopes granted, the attributes a scope reveals, redirect
URLs, and the form-action source that lets a sign-in form's redirect reach the app."""

from __future__ import annotations

import base64
import hashlib

import pytest

from userpool.domain import oauth
from userpool.errors import InvalidParameterException


def test_pkce_s256():
    verifier = "M25iVXpKU3puUjFaYWg3T1NDTDQtcW1ROUY5YXlwalNoc0hhakxifmZHag"
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert oauth.pkce_challenge(verifier) == challenge and "=" not in challenge
    assert oauth.pkce_matches(verifier, challenge)
    assert not oauth.pkce_matches(verifier[:-1] + "X", challenge)
    assert not oauth.pkce_matches(None, challenge)
    assert not oauth.pkce_matches("short", oauth.pkce_challenge("short"))  # under 43 characters
    assert oauth.pkce_matches(None, None)


def test_scopes_granted():
    allowed = ["openid", "email", "api/read", "gone/x"]
    defined = {"api/read"}
    assert oauth.granted_scopes(None, allowed, defined) == ["openid", "email", "api/read"]
    assert oauth.granted_scopes(["email", "openid"], allowed, defined) == ["email", "openid"]
    assert oauth.granted_scopes(["gone/x"], allowed, defined) == []  # a deleted resource server's scope: inactive
    with pytest.raises(ValueError):
        oauth.granted_scopes(["phone"], allowed, defined)
    assert oauth.parse_scopes(" openid  email openid ") == ["openid", "email"]
    with pytest.raises(ValueError):
        oauth.parse_scopes('open"id')


def test_the_attributes_a_scope_reveals():
    attributes = {"sub": "s", "email": "a@b", "email_verified": "true", "phone_number": "+1", "name": "A",
                  "custom:team": "x"}  # fmt: skip
    assert oauth.scoped_attributes(attributes, ["openid"]) == attributes
    assert oauth.scoped_attributes(attributes, ["openid", "email"]) == {
        "sub": "s", "email": "a@b", "email_verified": "true"
    }  # fmt: skip
    assert oauth.scoped_attributes(attributes, ["openid", "profile"]) == {"sub": "s", "name": "A", "custom:team": "x"}
    body = oauth.user_info("alice", {**attributes, "email_verified": "True"}, ["openid", "email"])
    assert body == {"sub": "s", "email": "a@b", "email_verified": "true", "username": "alice"}


@pytest.mark.parametrize(
    "url",
    ["https://app.example.com/cb", "http://localhost:3000/cb", "http://127.0.0.1/cb", "http://[::1]:8/x", "app://cb"],
)
def test_redirect_urls_cognito_accepts(url):
    oauth.check_redirect_url(url)


@pytest.mark.parametrize("url", ["http://app.example.com/cb", "https://app.example.com/cb#x", "/relative"])
def test_redirect_urls_cognito_refuses(url):
    with pytest.raises(InvalidParameterException):
        oauth.check_redirect_url(url)


def test_the_form_action_source_is_exactly_the_callback():
    assert oauth.csp_source("http://localhost:8765/callback?x=1") == "http://localhost:8765/callback"
    assert oauth.csp_source("https://a.example/cb;'x' y") == "https://a.example/cb%3B%27x%27%20y"
    assert oauth.csp_source("myapp://cb") == "myapp:"
