"""The records every layer passes around: pools, clients, users, groups, codes, tokens, sessions, auth events,
outbox messages, and the changes the store applies in one transaction. Pure dataclasses, no SQL: the store reads
and writes them, the operations, triggers and delivery use them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from userpool.domain.ids import client_secret_id


@dataclass(frozen=True)
class Pool:
    id: str
    name: str
    settings: dict[str, Any]
    created_at: float
    modified_at: float


@dataclass(frozen=True)
class ClientSecret:
    """One active secret of a confidential app client, made at epoch millisecond ``created_ms`` (its id is
    ``<client id>--<created_ms>``)."""

    client_id: str
    value: str
    created_ms: int

    @property
    def id(self) -> str:
        return client_secret_id(self.client_id, self.created_ms)

    @property
    def created_at(self) -> float:
        """When it was made, in epoch seconds (as AWS JSON answers timestamps)."""
        return self.created_ms / 1000


@dataclass(frozen=True)
class Client:
    """An app client. A confidential one has one or two active ``secrets``, oldest first, and ``secret`` is the
    oldest one's value (None for a public client). A client made with ``secret`` alone has that one secret, made
    with the client."""

    id: str
    pool_id: str
    name: str
    secret: str | None
    settings: dict[str, Any]
    created_at: float
    modified_at: float
    secrets: tuple[ClientSecret, ...] = ()

    def __post_init__(self) -> None:
        if self.secrets:
            if self.secret != self.secrets[0].value:
                raise ValueError("a client's secret is its oldest active secret")
        elif self.secret is not None:
            first = ClientSecret(self.id, self.secret, round(self.created_at * 1000))
            object.__setattr__(self, "secrets", (first,))

    @property
    def secret_values(self) -> tuple[str, ...]:
        """Every active secret's value: what a SecretHash or a ClientSecret is checked against."""
        return tuple(s.value for s in self.secrets)


@dataclass(frozen=True)
class User:
    id: int
    pool_id: str
    username: str
    sub: str
    status: str
    enabled: bool
    password_hash: str | None
    created_at: float
    modified_at: float
    attributes: dict[str, str] = field(default_factory=dict)
    srp_salt: str | None = None
    srp_verifier: str | None = None
    failed_sign_ins: int | None = None
    last_failed_sign_in: float | None = None
    locked_until: float | None = None
    password_expires_at: float | None = None


@dataclass(frozen=True)
class NewUser:
    pool_id: str
    username: str
    username_key: str
    sub: str
    status: str
    password_hash: str | None
    created_at: float
    attributes: Mapping[str, str]
    # (kind, folded value) pairs this user claims: username-attribute values and verified aliases.
    keys: Sequence[tuple[str, str]] = ()
    # Aliases of a user created already confirmed: (kind, folded value, force). With force the alias moves from
    # its current owner (whose verified flag turns false), as ForceAliasCreation does; without, an owner is a
    # Conflict(kind).
    claims: Sequence[tuple[str, str, bool]] = ()
    srp_salt: str | None = None
    srp_verifier: str | None = None
    password_expires_at: float | None = None


@dataclass(frozen=True)
class Code:
    code_hash: str
    attribute: str | None
    expires_at: float
    failed_attempts: int


@dataclass(frozen=True)
class NewCode:
    purpose: str
    code_hash: str
    attribute: str | None
    expires_at: float


@dataclass(frozen=True)
class OutboxMessage:
    pool_id: str
    username: str
    medium: str
    destination: str
    subject: str | None
    body: str
    code: str | None
    created_at: float
    link: str | None = None
    id: int | None = None


@dataclass(frozen=True)
class Confirmation:
    """What confirming a user changes, applied in one transaction."""

    user_id: int
    from_status: str
    to_status: str
    verify: Sequence[str]  # attribute names whose *_verified flag becomes "true"
    claim_keys: Sequence[tuple[str, str]]  # (kind, folded value) the user now owns
    force_alias: bool
    consume_code: str | None  # purpose of the code that was used
    at: float


@dataclass(frozen=True)
class PasswordChange:
    """A new password for a user, applied in one transaction."""

    user_id: int
    password_hash: str
    srp_salt: str | None
    srp_verifier: str | None
    at: float
    status: str | None = None  # the status it moves to (None: unchanged)
    from_status: str | None = None  # only when the status is still this one
    expires_at: float | None = None  # a temporary password's end
    history_size: int = 0  # keep this many previous hashes
    consume_codes: tuple[str, ...] = ()  # purposes of the codes it uses up (the one that allowed it, ...)
    attributes: Mapping[str, str] = field(default_factory=dict)  # attributes set with it


@dataclass(frozen=True)
class Attempts:
    """A user's failed sign-ins (``domain.lockout`` decides what one more does)."""

    failures: int = 0
    last_failure_at: float | None = None
    locked_until: float | None = None


@dataclass(frozen=True)
class PublicKey:
    """What checking a token needs of a signing key (never its private half)."""

    kid: str
    pool_id: str
    public_jwk: dict[str, Any]


@dataclass(frozen=True)
class StoredKey:
    kid: str
    pool_id: str
    private_key: str
    public_jwk: dict[str, Any]
    created_at: float
    retired_at: float | None = None
    # Whether ``private_key`` came out of the store's AES-GCM seal: then it is the key we made, unaltered (not a
    # column: the store says it of each key it reads).
    sealed: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class SigningCertificate:
    """A pool's X.509 certificate for signing SAML 2.0 requests (``certificate``: Base64 of its DER) and its
    private key (PKCS#8 PEM; sealed at rest)."""

    pool_id: str
    certificate: str
    private_key: str
    created_at: float


@dataclass(frozen=True)
class RefreshToken:
    token_hash: str
    pool_id: str
    client_id: str
    user_id: int
    origin_jti: str
    session_id: str
    auth_time: float
    created_at: float
    expires_at: float
    revoked_at: float | None = None
    replaced_at: float | None = None
    scopes: str | None = None  # an OAuth grant's scopes (space-separated); None: the API's sign-in
    device_key: str | None = None  # the device of the sign-in (devices): tokens refreshed from it name it too


@dataclass(frozen=True)
class TokenSession:
    """One sign-in's token session: its refresh tokens carry its id (``RefreshToken.session_id``)."""

    id: str
    pool_id: str
    user_id: int
    client_id: str
    created_at: float
    last_active_at: float
    expires_at: float
    ip_address: str | None = None
    device: str | None = None
    revoked_at: float | None = None


@dataclass(frozen=True)
class AuthSession:
    id_hash: str
    pool_id: str
    client_id: str
    user_id: int | None
    challenge: str
    data: dict[str, Any]
    created_at: float
    expires_at: float
    used_at: float | None = None
    failed_attempts: int = 0  # answers taken (MFA codes), counted before each is checked


@dataclass(frozen=True)
class MfaSettings:
    """A user's MFA factors (``domain.mfa``): which are enabled, the preferred one, and its authenticator (TOTP):
    the registered secret, one associated but not yet verified, its name, and the last time step a code was
    accepted for (each code is accepted once)."""

    user_id: int
    sms_enabled: bool = False
    totp_enabled: bool = False
    email_enabled: bool = False
    preferred: str | None = None
    totp_secret: str | None = None
    totp_pending_secret: str | None = None
    totp_name: str | None = None
    totp_last_step: int | None = None


@dataclass(frozen=True)
class AuthEvent:
    """One event of a user's threat-protection history (``domain.auth_events``)."""

    event_id: str
    pool_id: str
    user_id: int
    event_type: str
    created_at: float
    response: str
    risk_decision: str
    compromised: bool
    challenge_responses: list[dict[str, str]]
    ip_address: str | None
    device_name: str | None
    feedback_value: str | None = None
    feedback_provider: str | None = None
    feedback_at: float | None = None
    id: int | None = None  # the row's number, given by the store: the order events were recorded in


@dataclass(frozen=True)
class Group:
    """A group of a pool (``domain.groups``): Cognito's ``GroupType``. ``precedence`` None is Cognito's null (the
    weakest); ``id`` is the row's number, given by the store: the order groups were made in."""

    pool_id: str
    name: str
    description: str | None
    role_arn: str | None
    precedence: int | None
    created_at: float
    modified_at: float
    id: int | None = None


def ordered_attributes(attributes: Mapping[str, str]) -> dict[str, str]:
    """``sub`` first, then the rest by name: a stable order for every answer."""
    ordered = {"sub": attributes["sub"]} if "sub" in attributes else {}
    ordered.update(sorted(attributes.items()))  # a key already there (``sub``) keeps its place
    return ordered


def created_user(user: NewUser, user_id: int) -> User:
    """The ``User`` that ``Store.create_user(user)`` stored as ``user_id``, without reading it back (the insert
    writes exactly these values; alias claims change other users only)."""
    return User(
        id=user_id,
        pool_id=user.pool_id,
        username=user.username,
        sub=user.sub,
        status=user.status,
        enabled=True,
        password_hash=user.password_hash,
        created_at=user.created_at,
        modified_at=user.created_at,
        attributes=ordered_attributes(user.attributes),
        srp_salt=user.srp_salt,
        srp_verifier=user.srp_verifier,
        password_expires_at=user.password_expires_at,
    )


# ---- the hosted UI and OAuth 2.0 -------------------------------------------------------------------------------
@dataclass(frozen=True)
class PoolDomain:
    """A user pool's domain: a prefix (``custom`` False) or a custom domain's FQDN."""

    domain: str
    pool_id: str
    custom: bool
    managed_login_version: int
    custom_domain_config: dict[str, Any] | None
    created_at: float
    modified_at: float


@dataclass(frozen=True)
class ResourceServer:
    pool_id: str
    identifier: str
    name: str
    scopes: list[dict[str, str]]
    created_at: float


@dataclass(frozen=True)
class UICustomization:
    """The hosted UI's CSS and logo of a pool (``client_id`` ``ALL``) or of one app client."""

    pool_id: str
    client_id: str
    css: str | None
    image: bytes | None
    created_at: float
    modified_at: float


@dataclass(frozen=True)
class AuthorizationCode:
    """An authorization code, by the SHA-256 of the code: the client, redirect URI, scopes, nonce and PKCE challenge
    it is bound to, and the refresh token of the sign-in it stands for (sealed at rest), used once."""

    code_hash: str
    pool_id: str
    client_id: str
    user_id: int
    redirect_uri: str
    scopes: str
    nonce: str | None
    code_challenge: str | None
    refresh_token: str
    created_at: float
    expires_at: float
    used_at: float | None = None


@dataclass(frozen=True)
class WebSession:
    """A hosted-UI session (the ``cognito`` cookie), by the SHA-256 of the cookie's token."""

    id_hash: str
    pool_id: str
    user_id: int
    auth_time: float
    created_at: float
    expires_at: float
    revoked_at: float | None = None


@dataclass(frozen=True)
class ConsoleSession:
    """A signed-in admin console session (the ``userpool-console`` cookie), by the SHA-256 of the cookie's token,
    and who signed in: the credential's name (``console-password`` or the access key id, never a secret)."""

    id_hash: str
    who: str
    created_at: float
    expires_at: float


@dataclass(frozen=True)
class Device:
    """A device of a user in a pool that tracks devices: made (unconfirmed) when a sign-in hands out its key in
    ``NewDeviceMetadata``, confirmed by ConfirmDevice with the SRP verifier and salt the client made (kept as sent,
    Base64); ``remembered`` is ``remembered``/``not_remembered`` once confirmed (None before)."""

    key: str
    pool_id: str
    user_id: int
    group_key: str
    created_at: float
    modified_at: float
    last_authenticated_at: float
    last_ip: str | None = None
    name: str | None = None
    verifier: str | None = None
    salt: str | None = None
    remembered: str | None = None

    @property
    def confirmed(self) -> bool:
        return self.verifier is not None


@dataclass(frozen=True)
class WebAuthnCredential:
    """A user's passkey (``domain.webauthn``): the credential id (base64url, as the authenticator made it), the
    COSE public key, the signature counter last seen, what the authenticator said of itself at registration
    (transports, attachment) and the relying party it was registered for. Public data: nothing here is a secret."""

    pool_id: str
    credential_id: str
    user_id: int
    public_key: bytes
    sign_count: int
    relying_party_id: str
    friendly_name: str
    transports: list[str]
    attachment: str | None
    created_at: float
    last_used_at: float | None = None


# ---- federation ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class IdentityProvider:
    """A pool's identity provider: its name (unique in the pool), type, ``ProviderDetails`` (secrets included,
    sealed at rest), ``AttributeMapping`` (pool attribute -> provider claim) and ``IdpIdentifiers``."""

    pool_id: str
    name: str
    type: str
    details: dict[str, str]
    attribute_mapping: dict[str, str]
    idp_identifiers: list[str]
    created_at: float
    modified_at: float


@dataclass(frozen=True)
class ProviderLink:
    """AdminLinkProviderForUser: the provider identity whose ``attribute_name`` (``Cognito_Subject`` or a claim)
    is ``attribute_value`` signs in as the pool's user ``user_id``."""

    pool_id: str
    provider_name: str
    attribute_name: str
    attribute_value: str
    user_id: int
    created_at: float


@dataclass(frozen=True)
class FederationRequest:
    """A federated sign-in on its way through a provider: the ``state`` we sent (stored by its hash, used once),
    the browser it is bound to (a hash of its cookie), the provider, the app's authorize request to resume, and
    the ``nonce`` and PKCE verifier we sent the provider (sealed at rest)."""

    state_hash: str
    pool_id: str
    provider_name: str
    browser_hash: str
    authorize_query: dict[str, str]
    nonce: str
    code_verifier: str
    created_at: float
    expires_at: float
    used_at: float | None = None
