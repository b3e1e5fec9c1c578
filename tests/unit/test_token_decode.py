"""An access token is parsed once (``tokens.decode``) and its signature checked on that parse (``tokens.verify``):
every token PyJWT accepted or refused before, it still accepts or refuses, with the same claims."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from userpool.domain import tokens

KEY = tokens.new_signing_key()
PRIVATE = tokens.load_private(KEY.private_pem)
PUBLIC = tokens.load_public(KEY.public_jwk)
ISSUER = "http://localhost:9229/us-east-1_abcdefghi"
CLAIMS = {
    "sub": "5f0b3c1e-0000-4000-8000-000000000001",
    "iss": ISSUER,
    "client_id": "a" * 26,
    "token_use": "access",
    "exp": 2_000_000_000,
    "jti": "6a0b3c1e-0000-4000-8000-000000000002",
    "username": "alice",
}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signed(claims: dict[str, Any], **header: Any) -> str:
    """A token signed with our key, with ``header`` (``alg``/``kid`` given or left out) as it is written."""
    head = {"alg": "RS256", "kid": KEY.kid, **header}
    segments = f"{b64(json.dumps(head).encode())}.{b64(json.dumps(claims).encode())}"
    signature = PRIVATE.sign(segments.encode(), tokens._PKCS1V15, tokens._SHA256)
    return f"{segments}.{b64(signature)}"


def with_segment(token: str, index: int, segment: str) -> str:
    parts = token.split(".")
    parts[index] = segment
    return ".".join(parts)


def pyjwt_reads(token: str) -> dict[str, Any] | None:
    """What the access-token check accepted before, through PyJWT: the header and claims unverified (a string
    ``kid`` and ``iss``), then the claims verified with the key, or None for a refused token."""
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
        if not isinstance(header.get("kid"), str) or not isinstance(unverified.get("iss"), str):
            return None
        off = {"verify_exp": False, "verify_iat": False, "verify_nbf": False, "verify_aud": False}
        return jwt.decode(token, PUBLIC, algorithms=["RS256"], options=off)
    except jwt.PyJWTError:
        return None


def ours(token: str) -> dict[str, Any] | None:
    try:
        return tokens.verify(tokens.decode(token), PUBLIC)
    except tokens.InvalidToken:
        return None


GOOD = tokens.sign(CLAIMS, PRIVATE, KEY.kid)
SIGNATURE = GOOD.split(".")[2]
FORGER = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def flip_trailing_bits(segment: str) -> str:
    """The same bytes spelled with other unused trailing bits (a spelling PyJWT refuses)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(segment[-1])
    return segment[:-1] + alphabet[last ^ 1]


def hs256_with_the_public_jwk() -> str:
    """The algorithm-confusion forgery: HMAC keyed with what the JWKS publishes."""
    segments = f"{b64(json.dumps({'alg': 'HS256', 'kid': KEY.kid}).encode())}.{b64(json.dumps(CLAIMS).encode())}"
    mac = hmac.new(json.dumps(KEY.public_jwk).encode(), segments.encode(), hashlib.sha256).digest()
    return f"{segments}.{b64(mac)}"


CASES = {
    "ours": GOOD,
    "signature padded with ==": with_segment(GOOD, 2, SIGNATURE + "=="),
    "signature padded with one =": with_segment(GOOD, 2, SIGNATURE + "="),
    "signature padded with ===": with_segment(GOOD, 2, SIGNATURE + "==="),
    "signature with stray trailing bits": with_segment(GOOD, 2, flip_trailing_bits(SIGNATURE)),
    "signature of another key": jwt.encode(CLAIMS, FORGER, algorithm="RS256", headers={"kid": KEY.kid}),
    "signature cut short": with_segment(GOOD, 2, SIGNATURE[:-4]),
    "signature empty": with_segment(GOOD, 2, ""),
    "signature in standard base64": with_segment(GOOD, 2, SIGNATURE.replace("-", "+").replace("_", "/")),
    "a space in the signature": with_segment(GOOD, 2, SIGNATURE[:10] + " " + SIGNATURE[10:]),
    "alg none": with_segment(GOOD, 0, b64(json.dumps({"alg": "none", "kid": KEY.kid}).encode())),
    "HS256 keyed with the public JWK": hs256_with_the_public_jwk(),
    "no alg": signed(CLAIMS, alg=None),
    "no kid": with_segment(GOOD, 0, b64(b'{"alg":"RS256"}')),
    "a number for kid": signed(CLAIMS, kid=7),
    "crit b64 with b64 true": signed(CLAIMS, crit=["b64"], b64=True),
    "crit unknown": signed(CLAIMS, crit=["exp"]),
    "crit b64 without b64": signed(CLAIMS, crit=["b64"]),
    "crit empty": signed(CLAIMS, crit=[], b64=True),
    "crit a string": signed(CLAIMS, crit="b64", b64=True),
    "crit b64 and a number": signed(CLAIMS, crit=["b64", 1], b64=True),
    "b64 false": signed(CLAIMS, crit=["b64"], b64=False),
    "typ JWT": signed(CLAIMS, typ="JWT"),
    "header a list": with_segment(GOOD, 0, b64(b"[1]")),
    "header not JSON": with_segment(GOOD, 0, b64(b"{alg")),
    "claims a list": signed([CLAIMS]),  # type: ignore[arg-type]
    "claims not JSON": with_segment(GOOD, 1, b64(b"not json")),
    "no iss": signed({k: v for k, v in CLAIMS.items() if k != "iss"}),
    "a number for iss": signed({**CLAIMS, "iss": 1}),
    "a number for sub": signed({**CLAIMS, "sub": 1}),
    "a number for jti": signed({**CLAIMS, "jti": 1}),
    "no sub or jti": signed({k: v for k, v in CLAIMS.items() if k not in ("sub", "jti")}),
    "expired (time is the caller's)": signed({**CLAIMS, "exp": 1}),
    "nested too deep": signed({**CLAIMS, "deep": json.loads("[" * 50 + "]" * 50)}),
    "four segments": GOOD + ".abc",
    "two segments": GOOD.rsplit(".", 1)[0],
    "one segment": "abc",
    "empty": "",
    "dots only": "..",
    "not ASCII": "é.é.é",
    "header of length 4n+1": with_segment(GOOD, 0, "abcde"),
}


@pytest.mark.parametrize("token", CASES.values(), ids=CASES.keys())
def test_one_parse_accepts_and_refuses_what_pyjwt_did(token: str):
    assert ours(token) == pyjwt_reads(token)


def test_our_token_is_accepted_and_a_forged_one_is_not():
    # The parametrised comparison above would pass if both refused everything.
    assert ours(GOOD) == CLAIMS
    assert ours(CASES["signature padded with =="]) == CLAIMS
    assert ours(CASES["signature of another key"]) is None
    assert ours(CASES["signature with stray trailing bits"]) is None


def test_decode_gives_the_key_id_and_issuer_before_any_key_is_known():
    decoded = tokens.decode(GOOD)
    assert decoded.header == {"alg": "RS256", "kid": KEY.kid}
    assert decoded.claims["iss"] == ISSUER
