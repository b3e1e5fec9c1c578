"""Federation's pure rules: ProviderDetails per type, the mapping, the ``identities`` attribute and claim, the
checks of a provider's ID token (PyJWT), the subject of each provider type, and Sign in with Apple's client secret."""

from __future__ import annotations

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import RSAAlgorithm

from userpool.domain import identity_providers as rules
from userpool.domain.records import IdentityProvider
from userpool.errors import InvalidParameterException
from userpool.operations.shared import upstream

NOW = 1_700_000_000.0


def provider(kind: str = "OIDC", **details: str) -> IdentityProvider:
    return IdentityProvider("us-east-1_a", kind if kind != "OIDC" else "Corp", kind, details, {}, [], NOW, NOW)


def test_loopback_http_issuers_are_accepted_for_local_use_and_others_must_be_https():
    rules.check_issuer("https://idp.example.com")
    rules.check_issuer("http://127.0.0.1:9229/us-east-1_a")
    rules.check_issuer("http://localhost:8080")
    for bad in ("http://idp.example.com", "https://idp.example.com/", "https://idp.example.com?x=1", "ftp://x"):
        with pytest.raises(InvalidParameterException):
            rules.check_issuer(bad)


def test_a_social_types_details_drop_what_describe_shows_and_keep_the_rest():
    stored = rules.check_details(
        "Google",
        {"client_id": "c", "client_secret": "s", "authorize_scopes": "email", "token_url": "https://x/token"},
    )
    assert stored == {"client_id": "c", "client_secret": "s", "authorize_scopes": "email"}


def test_the_identities_attribute_gains_and_loses_entries():
    corp = provider()
    first = rules.with_identity(None, rules.identity(corp, "s1", 1, "https://i", primary=True))
    both = rules.with_identity(first, rules.identity(corp, "s2", 2, "https://i", primary=False))
    assert [e["userId"] for e in json.loads(both)] == ["s1", "s2"]
    again = rules.with_identity(both, rules.identity(corp, "s1", 3, "https://i", primary=True))
    assert [e["userId"] for e in json.loads(again)] == ["s2", "s1"]
    assert rules.without_identity(both, "Corp", "s1") == json.dumps([json.loads(both)[1]], separators=(",", ":"))
    assert rules.without_identity(first, "Corp", "s1") is None
    claim = rules.identities_claim(first)
    assert claim[0]["primary"] == "true" and claim[0]["dateCreated"] == "1"


def test_mapped_attributes_are_strings_of_the_pools_attributes():
    schema = [{"Name": "email"}, {"Name": "email_verified"}, {"Name": "name"}]
    claims = {"mail": "a@b.c", "verified": True, "nick": None, "other": "x"}
    mapping = {"email": "mail", "email_verified": "verified", "name": "nick", "username": "sub"}
    assert rules.mapped_attributes(mapping, claims, schema) == {"email": "a@b.c", "email_verified": "true"}


def test_the_subject_of_each_provider_type():
    assert rules.subject_of("Google", {"sub": "g"}) == "g"
    assert rules.subject_of("Facebook", {"id": "f", "sub": "x"}) == "f"
    assert rules.subject_of("LoginWithAmazon", {"user_id": "amzn1.account.X"}) == "amzn1.account.X"
    assert rules.subject_of("LoginWithAmazon", {"sub": "s"}) == "s"
    assert rules.subject_of("OIDC", {"email": "x"}) is None


def keys() -> tuple[object, dict]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = {**json.loads(RSAAlgorithm.to_jwk(key.public_key())), "kid": "k1", "alg": "RS256"}
    return key, {"keys": [jwk]}


def token(key, **changes) -> str:
    claims = {"iss": "https://i", "aud": "c", "sub": "s", "iat": int(NOW), "exp": int(NOW) + 60, "nonce": "n"}
    claims.update(changes)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, "RS256", headers={"kid": "k1"})


def test_an_id_token_is_checked_against_the_servers_clock_not_the_hosts():
    key, jwks = keys()
    expected = rules.Expected("https://i", "c", "n", NOW)
    assert rules.verify_id_token(token(key), jwks, expected)["sub"] == "s"
    later = rules.Expected("https://i", "c", "n", NOW + 3600)
    with pytest.raises(rules.TokenRefused, match="expired"):
        rules.verify_id_token(token(key), jwks, later)


@pytest.mark.parametrize(
    ("spoiled", "message"),
    [
        ({"nonce": None}, "nonce"),
        ({"sub": None}, "not valid"),
        ({"aud": ["other"]}, "not issued to this user pool"),
    ],
)
def test_an_id_token_missing_what_it_must_carry_is_refused(spoiled, message):
    key, jwks = keys()
    with pytest.raises(rules.TokenRefused, match=message):
        rules.verify_id_token(token(key, **spoiled), jwks, rules.Expected("https://i", "c", "n", NOW))


def test_an_unsigned_or_symmetric_token_is_refused():
    _, jwks = keys()
    expected = rules.Expected("https://i", "c", "n", NOW)
    unsigned = jwt.encode({"sub": "s"}, None, "none")
    hmac_signed = jwt.encode({"sub": "s"}, "secret-key-long-enough-for-hs256-0123456789", "HS256")
    for forged in (unsigned, hmac_signed, "not-a-jwt"):
        with pytest.raises(rules.TokenRefused):
            rules.verify_id_token(forged, jwks, expected)


def test_sign_in_with_apple_gets_the_es256_client_secret_apple_asks_for():
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    apple = provider("SignInWithApple", client_id="com.example.app", team_id="TEAM", key_id="KEY", private_key=pem)
    secret = upstream.client_secret_for(apple, time.time())
    assert jwt.get_unverified_header(secret)["kid"] == "KEY"
    claims = jwt.decode(secret, key.public_key(), ["ES256"], audience="https://appleid.apple.com")
    assert (claims["iss"], claims["sub"]) == ("TEAM", "com.example.app")
    broken = provider("SignInWithApple", client_id="c", team_id="t", key_id="k", private_key="not a key")
    with pytest.raises(upstream.UpstreamError):
        upstream.client_secret_for(broken, time.time())
