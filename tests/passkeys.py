"""A test-side WebAuthn authenticator and browser, for the boto3 passkey tests: it makes what
``navigator.credentials.create``/``get`` hand a page (RegistrationResponseJSON, AuthenticationResponseJSON) with a
real P-256 key (``cryptography``), "none" attestation and a signature counter, so the server's verification runs on
real signatures. The browser test (``tests/api/test_passkeys_browser.py``) uses Chromium's own virtual
authenticator instead; this one lets the error paths be built exactly (another origin, a stale counter, ...)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import encode_cbor

ORIGIN = "http://localhost:8080"
RP_ID = "localhost"
UP, UV, AT = 0x01, 0x04, 0x40  # authenticator data flags: user present, user verified, attested credential data


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Authenticator:
    """One passkey: its key pair, id and counter (``counter_step`` 0: an authenticator without a counter)."""

    verifies_user: bool = True
    counter_step: int = 1
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    credential_id: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    count: int = 0

    @property
    def id(self) -> str:
        return b64url(self.credential_id)

    def _flags(self, attested: bool = False) -> int:
        return UP | (UV if self.verifies_user else 0) | (AT if attested else 0)

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return encode_cbor({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def create(
        self, options: dict[str, Any], origin: str = ORIGIN, rp_id: str | None = None, challenge: str | None = None
    ) -> dict[str, Any]:
        """What ``navigator.credentials.create({publicKey: options})`` resolves to, as JSON (``toJSON()``)."""
        rp = rp_id or options["rp"]["id"]
        client_data = _client_data("webauthn.create", challenge or options["challenge"], origin)
        attested = b"\x00" * 16 + struct.pack(">H", len(self.credential_id)) + self.credential_id + self._cose_key()
        auth_data = hashlib.sha256(rp.encode()).digest() + bytes([self._flags(True)]) + struct.pack(">I", 0) + attested
        attestation = encode_cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": self.id,
            "rawId": self.id,
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["internal", "hybrid"],
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        }

    def get(
        self,
        request_options: str | dict[str, Any],
        origin: str = ORIGIN,
        rp_id: str | None = None,
        challenge: str | None = None,
        count: int | None = None,
    ) -> str:
        """What ``navigator.credentials.get({publicKey: options})`` resolves to, as a JSON string (the
        ``CREDENTIAL`` answer). ``count``: the counter to sign (default: the next one)."""
        options = json.loads(request_options) if isinstance(request_options, str) else request_options
        rp = rp_id or options["rpId"]
        if count is None:
            self.count += self.counter_step
            count = self.count
        client_data = _client_data("webauthn.get", challenge or options["challenge"], origin)
        auth_data = hashlib.sha256(rp.encode()).digest() + bytes([self._flags()]) + struct.pack(">I", count)
        signed = auth_data + hashlib.sha256(client_data).digest()
        signature = self.key.sign(signed, ec.ECDSA(hashes.SHA256()))
        return json.dumps(
            {
                "id": self.id,
                "rawId": self.id,
                "type": "public-key",
                "response": {
                    "clientDataJSON": b64url(client_data),
                    "authenticatorData": b64url(auth_data),
                    "signature": b64url(signature),
                    "userHandle": None,
                },
                "authenticatorAttachment": "platform",
                "clientExtensionResults": {},
            }
        )


def _client_data(kind: str, challenge: str, origin: str) -> bytes:
    return json.dumps({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}).encode()
