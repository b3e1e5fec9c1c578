"""Passkeys (WebAuthn): the pool's ``WebAuthnConfiguration``, the relying party and the origins it allows, the
options documents handed to the browser (``CredentialCreationOptions``, ``CREDENTIAL_REQUEST_OPTIONS``), and the
verification of what the authenticator answered, with py_webauthn (Duo Labs) doing the WebAuthn work.

Pure: no I/O. The checks whose failure Cognito names with an error of its own are made here first, so the answer
says which one failed: the challenge (found by the caller), the origin (``WebAuthnOriginNotAllowedException``), the
relying party (``WebAuthnRelyingPartyMismatchException``); whatever py_webauthn refuses after those (attestation,
algorithm, user verification) is ``WebAuthnCredentialNotSupportedException`` at registration and a refused sign-in.

The origins a relying party allows (our rule; Cognito documents only that the origin must "align with" the RP id):
``https://<rp id>`` and ``https://<any subdomain of it>``, on any port, as browsers scope a credential; and
``http://`` only when the RP id is ``localhost`` (or a name under ``.localhost``), the one secure context on plain
HTTP, so passkeys can be tried on a developer's machine.

py_webauthn (with pyasn1 and pyOpenSSL, ~0.15 s) is imported by the functions that verify, when a pool first uses
passkeys, not when the server starts.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from userpool.domain import ids, texts
from userpool.domain.records import WebAuthnCredential
from userpool.errors import (
    FeatureUnavailableInTierException,
    InvalidParameterException,
    NotAuthorizedException,
    WebAuthnCredentialNotSupportedException,
    WebAuthnOriginNotAllowedException,
    WebAuthnRelyingPartyMismatchException,
)

FACTOR = "WEB_AUTHN"  # the first factor (AllowedFirstAuthFactors) and the sign-in challenge's name
REQUIRED, PREFERRED = "required", "preferred"
SINGLE_FACTOR, MULTI_FACTOR = "SINGLE_FACTOR", "MULTI_FACTOR_WITH_USER_VERIFICATION"
CREDENTIAL_LIMIT = 20  # passkeys per user (unverified: ListWebAuthnCredentials pages at most 20)
REGISTRATION_SECONDS = 300  # a StartWebAuthnRegistration challenge's life (unverified)
CREATION_TIMEOUT_MS = 60_000  # as Amplify's fixtures show Cognito's options (unverified)
REQUEST_TIMEOUT_MS = 180_000
CHALLENGE_BYTES = 32
# ES256 and RS256, the algorithms every platform authenticator offers (Cognito's list, per Amplify's fixtures).
ALGORITHMS = (-7, -257)  # COSE algorithm identifiers: ECDSA_SHA_256, RSASSA_PKCS1_v1_5_SHA_256
TRANSPORTS = ("usb", "nfc", "ble", "internal", "hybrid")  # those the model's WebAuthnCredentialDescription names


# ---- the pool --------------------------------------------------------------------------------------------------------
def configured(request: Mapping[str, Any], tier: str) -> dict[str, Any]:
    """SetUserPoolMfaConfig's ``WebAuthnConfiguration`` as kept: Cognito's default ``UserVerification``
    (``preferred``), the RP id a bare domain name. Refused in the LITE plan, and passkeys counted as MFA only with
    user verification required (both texts unverified)."""
    if tier == "LITE":
        raise FeatureUnavailableInTierException(texts.WEBAUTHN_TIER)
    config: dict[str, Any] = {"UserVerification": request.get("UserVerification") or PREFERRED}
    rp_id = request.get("RelyingPartyId")
    if rp_id is not None:
        if not _is_host(rp_id):
            raise InvalidParameterException(texts.WEBAUTHN_RELYING_PARTY_INVALID)
        config["RelyingPartyId"] = rp_id.lower()
    factor = request.get("FactorConfiguration")
    if factor is not None:
        if factor == MULTI_FACTOR and config["UserVerification"] != REQUIRED:
            raise InvalidParameterException(texts.WEBAUTHN_MFA_NEEDS_VERIFICATION)
        config["FactorConfiguration"] = factor
    return config


def _is_host(value: str) -> bool:
    labels = value.split(".")
    return all(label and len(label) <= 63 and label.replace("-", "").isalnum() for label in labels)


def enabled(settings: Mapping[str, Any]) -> bool:
    """Passkeys are on when the pool's sign-in policy allows them as a first factor (and its plan has them)."""
    factors = ((settings.get("Policies") or {}).get("SignInPolicy") or {}).get("AllowedFirstAuthFactors") or []
    return FACTOR in factors and settings.get("UserPoolTier", "ESSENTIALS") != "LITE"


def user_verification(settings: Mapping[str, Any]) -> str:
    return str((settings.get("WebAuthnConfiguration") or {}).get("UserVerification") or PREFERRED)


def relying_party_id(settings: Mapping[str, Any], domains: Iterable[tuple[str, bool]], region: str) -> str | None:
    """The configured RP id; else the pool's custom domain, else its prefix domain's name
    (``<prefix>.auth.<region>.amazoncognito.com``); None when the pool has neither (``domains``: name, custom)."""
    configured_id = (settings.get("WebAuthnConfiguration") or {}).get("RelyingPartyId")
    if configured_id:
        return str(configured_id)
    names = dict((custom, name) for name, custom in domains)
    if True in names:
        return names[True]
    if False in names:
        return f"{names[False]}.auth.{region}.amazoncognito.com"
    return None


def origin_allowed(origin: str, rp_id: str) -> bool:
    """Our rule for the origins of a relying party (see the module's text)."""
    parts = urllib.parse.urlsplit(origin)
    host = (parts.hostname or "").lower()
    if parts.path or parts.query or parts.fragment or not host:
        return False
    if host != rp_id and not host.endswith("." + rp_id):
        return False
    local = rp_id == "localhost" or rp_id.endswith(".localhost")
    return parts.scheme == "https" or (parts.scheme == "http" and local)


# ---- the options documents ------------------------------------------------------------------------------------------
def new_challenge() -> str:
    """A fresh challenge, base64url."""
    return ids.base64url(secrets.token_bytes(CHALLENGE_BYTES))


def creation_options(
    rp_id: str, sub: str, username: str, challenge: str, existing: Iterable[str], verification: str
) -> dict[str, Any]:
    """StartWebAuthnRegistration's ``CredentialCreationOptions`` (PublicKeyCredentialCreationOptionsJSON): the
    user handle is the user's sub, a discoverable credential is required, and the user's passkeys are excluded."""
    return {
        "rp": {"id": rp_id, "name": rp_id},
        "user": {"id": ids.base64url(sub.encode()), "name": username, "displayName": username},
        "challenge": challenge,
        "pubKeyCredParams": [{"type": "public-key", "alg": alg} for alg in ALGORITHMS],
        "timeout": CREATION_TIMEOUT_MS,
        "excludeCredentials": [{"type": "public-key", "id": c} for c in existing],
        "authenticatorSelection": {
            "requireResidentKey": True,
            "residentKey": "required",
            "userVerification": verification,
        },
        "attestation": "none",
    }


def request_options(rp_id: str, challenge: str, credentials: Iterable[tuple[str, list[str]]], verification: str) -> str:
    """The ``WEB_AUTHN`` challenge's ``CREDENTIAL_REQUEST_OPTIONS`` (PublicKeyCredentialRequestOptionsJSON, as a
    JSON string): the user's passkeys (id, transports) allowed."""
    allowed = []
    for credential_id, transports in credentials:
        entry: dict[str, Any] = {"type": "public-key", "id": credential_id}
        if transports:
            entry["transports"] = list(transports)
        allowed.append(entry)
    return json.dumps(
        {
            "challenge": challenge,
            "timeout": REQUEST_TIMEOUT_MS,
            "rpId": rp_id,
            "allowCredentials": allowed,
            "userVerification": verification,
        },
        separators=(",", ":"),
    )


# ---- what the authenticator answered --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Presented:
    """A credential as the client sent it, parsed: its id, and the challenge and origin its client data names."""

    credential: Any  # py_webauthn's RegistrationCredential or AuthenticationCredential
    credential_id: str
    challenge: str
    origin: str


def _presented(credential: Any, parse: Any) -> Presented:
    from webauthn.helpers import parse_client_data_json
    from webauthn.helpers.exceptions import WebAuthnException

    try:
        parsed = parse(credential)
        client_data_bytes = bytes(parsed.response.client_data_json)
        client_data = parse_client_data_json(client_data_bytes)
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        raise InvalidParameterException(texts.WEBAUTHN_CREDENTIAL_INVALID.format(reason=_reason(exc))) from None
    return Presented(parsed, parsed.id, ids.base64url(client_data.challenge), client_data.origin)


def _reason(exc: Exception) -> str:
    return str(exc).rstrip(".") or type(exc).__name__


def presented_registration(credential: Any) -> Presented:
    """CompleteWebAuthnRegistration's ``Credential`` (RegistrationResponseJSON), parsed, or InvalidParameter."""
    from webauthn.helpers import parse_registration_credential_json

    return _presented(credential, parse_registration_credential_json)


def presented_assertion(credential: str) -> Presented:
    """The ``CREDENTIAL`` answer (AuthenticationResponseJSON, a JSON string), parsed; a malformed one refuses the
    sign-in."""
    from webauthn.helpers import parse_authentication_credential_json

    try:
        return _presented(credential, parse_authentication_credential_json)
    except InvalidParameterException as refused:
        raise NotAuthorizedException(refused.message) from None


def _rp_id_hash(rp_id: str) -> bytes:
    return hashlib.sha256(rp_id.encode()).digest()


def check_origin(presented: Presented, rp_id: str) -> None:
    if not origin_allowed(presented.origin, rp_id):
        raise WebAuthnOriginNotAllowedException(
            texts.WEBAUTHN_ORIGIN_NOT_ALLOWED.format(origin=presented.origin, rp_id=rp_id)
        )


@dataclass(frozen=True)
class Registered:
    """A verified registration: what the store keeps of it."""

    credential_id: str
    public_key: bytes
    sign_count: int
    transports: list[str]
    attachment: str | None


def verify_registration(presented: Presented, challenge: str, rp_id: str, verification: str) -> Registered:
    """Check a registration against the challenge handed out, the relying party and the pool's user verification."""
    from webauthn import verify_registration_response
    from webauthn.helpers import base64url_to_bytes, parse_attestation_object
    from webauthn.helpers.cose import COSEAlgorithmIdentifier
    from webauthn.helpers.exceptions import WebAuthnException

    check_origin(presented, rp_id)
    response = presented.credential.response
    try:
        auth_data = parse_attestation_object(bytes(response.attestation_object)).auth_data
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        raise InvalidParameterException(texts.WEBAUTHN_CREDENTIAL_INVALID.format(reason=_reason(exc))) from None
    if auth_data.rp_id_hash != _rp_id_hash(rp_id):
        raise WebAuthnRelyingPartyMismatchException(texts.WEBAUTHN_RELYING_PARTY_MISMATCH.format(rp_id=rp_id))
    try:
        verified = verify_registration_response(
            credential=presented.credential,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id,
            expected_origin=presented.origin,
            require_user_verification=verification == REQUIRED,
            supported_pub_key_algs=[COSEAlgorithmIdentifier(alg) for alg in ALGORITHMS],
        )
    except WebAuthnException as exc:
        raise WebAuthnCredentialNotSupportedException(
            texts.WEBAUTHN_CREDENTIAL_NOT_SUPPORTED.format(reason=_reason(exc))
        ) from None
    transports = [str(getattr(t, "value", t)) for t in response.transports or ()]
    attachment = presented.credential.authenticator_attachment
    return Registered(
        credential_id=ids.base64url(verified.credential_id),
        public_key=bytes(verified.credential_public_key),
        sign_count=verified.sign_count,
        transports=[t for t in transports if t in TRANSPORTS],
        attachment=None if attachment is None else str(getattr(attachment, "value", attachment)),
    )


def verify_assertion(
    presented: Presented, challenge: str, rp_id: str, verification: str, public_key: bytes, sign_count: int
) -> int:
    """Check a sign-in's assertion: the challenge of its session, origin, relying party, signature under the
    registered key, user verification as configured, and a signature counter that moved forward (a counter that
    stays 0 is an authenticator without one). The new counter; any failure refuses the sign-in."""
    from webauthn import verify_authentication_response
    from webauthn.helpers import base64url_to_bytes, parse_authenticator_data
    from webauthn.helpers.exceptions import WebAuthnException

    if not origin_allowed(presented.origin, rp_id):
        raise NotAuthorizedException(texts.WEBAUTHN_ORIGIN_NOT_ALLOWED.format(origin=presented.origin, rp_id=rp_id))
    try:
        auth_data = parse_authenticator_data(bytes(presented.credential.response.authenticator_data))
        if auth_data.rp_id_hash != _rp_id_hash(rp_id):
            raise NotAuthorizedException(texts.WEBAUTHN_RELYING_PARTY_MISMATCH.format(rp_id=rp_id))
        verified = verify_authentication_response(
            credential=presented.credential,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id,
            expected_origin=presented.origin,
            credential_public_key=public_key,
            credential_current_sign_count=sign_count,
            require_user_verification=verification == REQUIRED,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        raise NotAuthorizedException(texts.WEBAUTHN_CREDENTIAL_INVALID.format(reason=_reason(exc))) from None
    return int(verified.new_sign_count)


# ---- what the user sees ---------------------------------------------------------------------------------------------
def friendly_name(created_at: float) -> str:
    """The name Cognito generates for a passkey (its form is unverified: ours says when it was registered)."""
    return "Passkey registered " + datetime.fromtimestamp(created_at, UTC).strftime("%Y-%m-%d %H:%M UTC")


def describe(credential: WebAuthnCredential) -> dict[str, Any]:
    """A ``WebAuthnCredentialDescription``."""
    described: dict[str, Any] = {
        "CredentialId": credential.credential_id,
        "FriendlyCredentialName": credential.friendly_name,
        "RelyingPartyId": credential.relying_party_id,
        "AuthenticatorTransports": list(credential.transports),
        "CreatedAt": credential.created_at,
    }
    if credential.attachment:
        described["AuthenticatorAttachment"] = credential.attachment
    return described
