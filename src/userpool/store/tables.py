"""The schema: SQLAlchemy Core tables, one definition for SQLite and PostgreSQL.

Every uniqueness rule is a constraint here, so two racing requests can never both win:
- ``users``: one username (case-folded where the pool says so) per pool, one sub overall;
- ``user_keys``: one owner per sign-in value of a pool (a username-attribute value, verified or not, or a
  verified alias), keyed by attribute and folded value.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

pools = Table(
    "pools",
    metadata,
    Column("id", String(55), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("settings", JSON, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("modified_at", Float, nullable=False),
)

clients = Table(
    "clients",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("pool_id", String(55), ForeignKey("pools.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(128), nullable=False),
    Column("secret", String(64)),  # legacy plaintext secrets, sealed into secret_sealed on start
    Column("settings", JSON, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("modified_at", Float, nullable=False),
    Column("secret_sealed", Text),  # the client secret, encrypted (see store/sealing.py)
    # Client secret rotation (migration 0007): a confidential client has one or two active secrets. The oldest is
    # in ``secret_sealed`` (or the legacy ``secret``), the newer in ``second_secret_sealed``; each with the epoch
    # millisecond it was made, which is also its id (``<client id>--<ms>``), so it is kept exact: an integer, the
    # second always later than the first. Deleting the oldest moves the newer into its place.
    Column("secret_created_ms", BigInteger),
    Column("second_secret_sealed", Text),
    Column("second_secret_created_ms", BigInteger),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("pool_id", String(55), ForeignKey("pools.id", ondelete="CASCADE"), nullable=False),
    Column("username", String(128), nullable=False),
    Column("username_key", String(128), nullable=False),
    Column("sub", String(36), nullable=False, unique=True),
    Column("status", String(32), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("password_hash", Text),
    Column("created_at", Float, nullable=False),
    Column("modified_at", Float, nullable=False),
    # Sign-in (migration 0002): the SRP salt and verifier beside the hash, the lockout counters, and when a
    # temporary password (AdminCreateUser) stops working.
    Column("srp_salt", String(64)),
    Column("srp_verifier", Text),
    Column("failed_sign_ins", Integer),
    Column("last_failed_sign_in", Float),
    Column("locked_until", Float),
    Column("password_expires_at", Float),
    UniqueConstraint("pool_id", "username_key", name="uq_users_pool_username"),
    # ListUsers' pages: a pool's users in creation order, read in order rather than sorted (migration 0020).
    Index("ix_users_pool_order", "pool_id", "id"),
)

user_attributes = Table(
    "user_attributes",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("pool_id", String(55), nullable=False),
    Column("value", Text, nullable=False),
    Index("ix_user_attributes_lookup", "pool_id", "name", "value"),
)

user_keys = Table(
    "user_keys",
    metadata,
    Column("pool_id", String(55), ForeignKey("pools.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("value_key", String(2048), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
)

codes = Table(
    "codes",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("purpose", String(32), primary_key=True),
    Column("code_hash", String(128), nullable=False),
    Column("attribute", String(32)),  # the attribute the code was sent to verify (email, phone_number)
    Column("expires_at", Float, nullable=False),
    Column("failed_attempts", Integer, nullable=False, default=0),
    Column("created_at", Float, nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("pool_id", String(55), nullable=False, index=True),
    Column("username", String(128), nullable=False),
    Column("medium", String(8), nullable=False),
    Column("destination", String(2048), nullable=False),
    Column("subject", Text),
    Column("body", Text, nullable=False),
    Column("code", String(16)),
    Column("created_at", Float, nullable=False),
    Column("link", Text),  # the confirmation link of a link message
)

# Messages sent per pool, medium and UTC day, for the daily quota; incremented in one statement.
send_counts = Table(
    "send_counts",
    metadata,
    Column("pool_id", String(55), primary_key=True),
    Column("medium", String(8), primary_key=True),
    Column("day", String(10), primary_key=True),  # YYYY-MM-DD (UTC)
    Column("count", Integer, nullable=False),
)

# ---- sign-in and tokens (migration 0002) ----------------------------------------------------------------------

# Per-pool RSA keys that sign tokens. The newest unretired key signs; a retired key stays in the JWKS until every
# token it signed has expired.
signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", String(64), primary_key=True),
    Column("pool_id", String(55), ForeignKey("pools.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("private_key", Text),  # keys written before sealing, sealed into private_key_sealed on start
    Column("public_jwk", JSON, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("retired_at", Float),
    Column("private_key_sealed", Text),  # the private key, encrypted (store/sealing.py, the kid as associated data)
)

# Refresh tokens, by the SHA-256 of the opaque token. ``origin_jti`` ties the access and ID tokens issued from it
# (at sign-in and at each refresh) to it: revoking the row revokes them all. ``session_id`` names the sign-in the
# token descends from: with rotation, each refresh adds a row to the session and marks the used one ``replaced_at``.
refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("pool_id", String(55), ForeignKey("pools.id", ondelete="CASCADE"), nullable=False),
    Column("client_id", String(128), ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("origin_jti", String(36), nullable=False, unique=True),
    Column("session_id", String(36), nullable=False, index=True),
    Column("auth_time", Float, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("revoked_at", Float),
    Column("replaced_at", Float),
    Column("scopes", Text),  # an OAuth grant's scopes, space-separated (migration 0015); NULL: the API's sign-in
    Column("device_key", String(55)),  # migration 0014: the sign-in's device, named by the tokens refreshed from it
)

# Token sessions (ListUserSessions): one per sign-in, named like Cognito's (``tkn`` + 25 letters and digits); the
# refresh tokens of a session carry its id. Revoking a session revokes its rows in both tables.
token_sessions = Table(
    "token_sessions",
    metadata,
    Column("id", String(28), primary_key=True),
    Column("pool_id", String(55), ForeignKey("pools.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("client_id", String(128), ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("last_active_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("ip_address", String(128)),
    Column("device", String(1024)),
    Column("revoked_at", Float),
)

# Challenge sessions (PASSWORD_VERIFIER's SECRET_BLOCK, NEW_PASSWORD_REQUIRED's Session), by the SHA-256 of the
# opaque value handed out. Used once: ``used_at`` is set by the one request that wins.
auth_sessions = Table(
    "auth_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("pool_id", String(55), ForeignKey("pools.id", ondelete="CASCADE"), nullable=False),
    Column("client_id", String(128), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE")),
    Column("challenge", String(32), nullable=False),
    Column("data", JSON, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
    Column("used_at", Float),
    Column("failed_attempts", Integer, nullable=False, default=0, server_default="0"),  # migration 0013
)

# Previous password hashes, for the policy's PasswordHistorySize.
password_history = Table(
    "password_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("password_hash", Text, nullable=False),
    Column("created_at", Float, nullable=False),
)

# Fixed-window request counters, shared by every process on the store: (scope, key, window start) -> count.
rate_counters = Table(
    "rate_counters",
    metadata,
    Column("scope", String(32), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("window_start", BigInteger, primary_key=True),
    Column("count", Integer, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
)

# SetRiskConfiguration: per pool (client_id "ALL") or per app client.
risk_configurations = Table(
    "risk_configurations",
    metadata,
    Column("pool_id", String(55), ForeignKey("pools.id", ondelete="CASCADE"), primary_key=True),
    Column("client_id", String(128), primary_key=True),
    Column("configuration", JSON, nullable=False),
    Column("modified_at", Float, nullable=False),
)

# Session tracking (Get/SetUserPoolSessionConfiguration, Get/SetUserPoolClientSessionConfiguration): the pool's
# under client id ``ALL``, each client's under its id. Kept apart from the pool's settings, which UpdateUserPool
# replaces whole.
session_configurations = Table(
    "session_configurations",
    metadata,
    Column("pool_id", String(55), ForeignKey("pools.id", ondelete="CASCADE"), primary_key=True),
    Column("client_id", String(128), primary_key=True),
    Column("configuration", JSON, nullable=False),
    Column("modified_at", Float, nullable=False),
)

# Threat protection's user event history (migration 0008): one row per recorded sign-up, sign-in, password change,
# forgotten password or resent code, kept for the retention period (``domain.auth_events``) and swept as new ones
# are written. ``id`` is the order they were recorded in (newest first is ``id`` descending), ``event_id`` the
# random id the API shows.
auth_events = Table(
    "auth_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(50), nullable=False, unique=True),
    Column("pool_id", String(55), ForeignKey("pools.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("event_type", String(16), nullable=False),
    Column("created_at", Float, nullable=False, index=True),
    Column("response", String(16), nullable=False),
    Column("risk_decision", String(16), nullable=False),
    Column("compromised", Boolean, nullable=False),
    Column("challenge_responses", JSON, nullable=False),
    Column("ip_address", String(64)),
    Column("device_name", String(256)),
    Column("feedback_value", String(8)),
    Column("feedback_provider", String(8)),
    Column("feedback_at", Float),
    Index("ix_auth_events_user", "user_id", "id"),
)

# GetSigningCertificate (migration 0007): each pool's self-signed X.509 certificate for SAML 2.0 signing (Base64
# DER), made on first request, one per pool (the primary key: of two racing first requests one insert wins), and its
# private key sealed like client secrets (store/sealing.py, the pool id as associated data).
signing_certificates = Table(
    "signing_certificates",
    metadata,
    Column("pool_id", String(55), ForeignKey("pools.id", ondelete="CASCADE"), primary_key=True),
    Column("certificate", Text, nullable=False),
    Column("private_key_sealed", Text, nullable=False),
    Column("created_at", Float, nullable=False),
)

# Groups (migration 0010): a pool's groups, one name per pool (case-sensitive, as given), and their members. ``id``
# is the order groups were made in (the lists' stable order). A membership is its (group, user) pair, the primary
# key, so adding a member twice, even from racing processes, leaves one row; deleting a group, a user or the pool
# deletes its memberships with it (ON DELETE CASCADE).
groups = Table(
    "groups",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("pool_id", String(55), ForeignKey("pools.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("description", Text),
    Column("role_arn", String(2048)),
    Column("precedence", BigInteger),
    Column("created_at", Float, nullable=False),
    Column("modified_at", Float, nullable=False),
    UniqueConstraint("pool_id", "name", name="uq_groups_pool_name"),
)

group_members = Table(
    "group_members",
    metadata,
    Column("group_id", Integer, ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("created_at", Float, nullable=False),
    Index("ix_group_members_user", "user_id", "group_id"),
)

# A user's MFA (migration 0013): the enabled factors and the preferred one, and its authenticator app (TOTP): the
# registered secret and one associated but not yet verified, each sealed like client secrets (store/sealing.py, the
# user's id as associated data), its friendly name, and the last time step a code was accepted for, so each code is
# accepted once (a conditional UPDATE moves it forward only).
user_mfa = Table(
    "user_mfa",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("sms_enabled", Boolean, nullable=False, default=False),
    Column("totp_enabled", Boolean, nullable=False, default=False),
    Column("email_enabled", Boolean, nullable=False, default=False),
    Column("preferred", String(32)),
    Column("totp_secret_sealed", Text),
    Column("totp_pending_sealed", Text),
    Column("totp_name", String(256)),
    Column("totp_last_step", BigInteger),
    Column("modified_at", Float, nullable=False),
)

# ---- the hosted UI and OAuth 2.0 (migration 0015) ----------------------------------------------------------------
# A domain is unique across every pool (Cognito: across all accounts of a region); a pool has at most one prefix
# domain and one custom domain.
user_pool_domains = Table(
    "user_pool_domains",
    metadata,
    Column("domain", String(253), primary_key=True),
    Column("pool_id", String(55), ForeignKey("pools.id", ondelete="CASCADE"), nullable=False),
    Column("custom", Boolean, nullable=False),
    Column("managed_login_version", Integer, nullable=False),
    Column("custom_domain_config", JSON),
    Column("created_at", Float, nullable=False),
    Column("modified_at", Float, nullable=False),
    UniqueConstraint("pool_id", "custom", name="uq_user_pool_domains_pool_kind"),
)

resource_servers = Table(
    "resource_servers",
    metadata,
    Column("pool_id", String(55), ForeignKey("pools.id", ondelete="CASCADE"), primary_key=True),
    Column("identifier", String(256), primary_key=True),
    Column("name", String(256), nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("created_at", Float, nullable=False),
)

# SetUICustomization: a pool's (client_id ``ALL``) or one client's CSS and logo.
ui_customizations = Table(
    "ui_customizations",
    metadata,
    Column("pool_id", String(55), ForeignKey("pools.id", ondelete="CASCADE"), primary_key=True),
    Column("client_id", String(128), primary_key=True),
    Column("css", Text),
    Column("image", LargeBinary),
    Column("created_at", Float, nullable=False),
    Column("modified_at", Float, nullable=False),
)

# Authorization codes by the SHA-256 of the code; the sign-in's refresh token sealed (the code hash as associated
# data); ``used_at`` set by the one exchange that wins.
authorization_codes = Table(
    "authorization_codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("pool_id", String(55), ForeignKey("pools.id", ondelete="CASCADE"), nullable=False),
    Column("client_id", String(128), ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("redirect_uri", Text, nullable=False),
    Column("scopes", Text, nullable=False),
    Column("nonce", Text),
    Column("code_challenge", String(128)),
    Column("refresh_token_sealed", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
    Column("used_at", Float),
)

# Hosted-UI sessions (the ``cognito`` cookie) by the SHA-256 of the cookie's token: revocable server-side.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("pool_id", String(55), ForeignKey("pools.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("auth_time", Float, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
    Column("revoked_at", Float),
)

# Admin console sessions (migration 0019), by the SHA-256 of the cookie's token; signing out deletes the row.
console_sessions = Table(
    "console_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("who", String(2048), nullable=False),  # the console form's longest field (an access key id)
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
)

# Remembered devices (migration 0014): one row per device key a sign-in handed out in ``NewDeviceMetadata``, its
# user's (gone with the user). ConfirmDevice fills in the SRP verifier and salt the client made (Base64, as sent:
# they are the device's public half, its secret never reaches the server), its name and remembered status.
# Unconfirmed rows older than a day are swept when the user gets its next new device.
devices = Table(
    "devices",
    metadata,
    Column("key", String(55), primary_key=True),
    Column("pool_id", String(55), ForeignKey("pools.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("group_key", String(32), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("modified_at", Float, nullable=False),
    Column("last_authenticated_at", Float, nullable=False),
    Column("last_ip", String(64)),
    Column("name", String(1024)),
    Column("verifier", Text),
    Column("salt", Text),
    Column("remembered", String(16)),
    Index("ix_devices_user", "user_id", "key"),
)

# User import jobs (migration 0012): the job, its progress (``lines_done``: the last line of the file whose outcome
# is committed, in the same transaction as that batch's users) and the runner's lease on it; the uploaded file in
# chunks (one upload id per complete upload, so a replaced or abandoned upload never mixes with the kept one); and
# the report: one row per line that was skipped or failed, with its reason.
import_jobs = Table(
    "import_jobs",
    metadata,
    Column("id", String(55), primary_key=True),
    Column("pool_id", String(55), ForeignKey("pools.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(128), nullable=False),
    Column("role_arn", String(2048), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("created_at", Float, nullable=False),
    Column("url_expires_at", Float, nullable=False),
    Column("started_at", Float),
    Column("completed_at", Float),
    Column("completion_message", String(128)),
    Column("imported", Integer, nullable=False),
    Column("skipped", Integer, nullable=False),
    Column("failed", Integer, nullable=False),
    Column("lines_done", Integer, nullable=False),
    Column("upload_id", String(32)),
    Column("upload_bytes", BigInteger, nullable=False),
    Column("upload_rows", Integer, nullable=False),
    Column("lease_owner", String(64)),
    Column("lease_expires_at", Float),
)

import_chunks = Table(
    "import_chunks",
    metadata,
    Column("job_id", String(55), ForeignKey("import_jobs.id", ondelete="CASCADE"), primary_key=True),
    Column("upload_id", String(32), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("data", LargeBinary, nullable=False),
)

import_report = Table(
    "import_report",
    metadata,
    Column("job_id", String(55), ForeignKey("import_jobs.id", ondelete="CASCADE"), primary_key=True),
    Column("line", Integer, primary_key=True),
    Column("outcome", String(8), nullable=False),
    Column("reason", Text, nullable=False),
)

# Passkeys (migration 0017): one row per WebAuthn credential a user registered (CompleteWebAuthnRegistration), its
# user's (gone with the user). A credential id is registered once per pool (the primary key): the same
# authenticator credential can never be claimed by two users. ``sign_count`` is the counter of the last accepted
# assertion, moved forward only by a conditional ``UPDATE`` (a replayed or cloned authenticator's is refused).
webauthn_credentials = Table(
    "webauthn_credentials",
    metadata,
    Column("pool_id", String(55), ForeignKey("pools.id", ondelete="CASCADE"), primary_key=True),
    Column("credential_id", String(1400), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("public_key", LargeBinary, nullable=False),
    Column("sign_count", BigInteger, nullable=False),
    Column("relying_party_id", String(127), nullable=False),
    Column("friendly_name", String(256), nullable=False),
    Column("transports", JSON, nullable=False),
    Column("attachment", String(32)),
    Column("created_at", Float, nullable=False),
    Column("last_used_at", Float),
    Index("ix_webauthn_credentials_user", "user_id", "created_at"),
)


# Identity providers (migration 0018): one row per provider of a pool, its ProviderDetails without the secrets
# (``secrets_sealed``: client_secret / private_key as sealed JSON, the pool id and name as associated data).
identity_providers = Table(
    "identity_providers",
    metadata,
    Column("pool_id", String(55), ForeignKey("pools.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(32), primary_key=True),
    Column("type", String(16), nullable=False),
    Column("details", JSON, nullable=False),
    Column("secrets_sealed", Text),
    Column("attribute_mapping", JSON, nullable=False),
    Column("idp_identifiers", JSON, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("modified_at", Float, nullable=False),
)

# One row per IdpIdentifier: an identifier names one provider of its pool (the constraint decides).
identity_provider_identifiers = Table(
    "identity_provider_identifiers",
    metadata,
    Column("pool_id", String(55), primary_key=True),
    Column("identifier", String(40), primary_key=True),
    Column("provider_name", String(32), nullable=False),
    ForeignKeyConstraint(
        ["pool_id", "provider_name"],
        ["identity_providers.pool_id", "identity_providers.name"],
        ondelete="CASCADE",
        name="fk_idp_identifiers_provider",
    ),
)

# AdminLinkProviderForUser: a provider identity (by subject or a claim's value) that signs in as a pool user.
provider_links = Table(
    "provider_links",
    metadata,
    Column("pool_id", String(55), primary_key=True),
    Column("provider_name", String(32), primary_key=True),
    Column("attribute_name", String(64), primary_key=True),
    Column("attribute_value", String(2048), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", Float, nullable=False),
    ForeignKeyConstraint(
        ["pool_id", "provider_name"],
        ["identity_providers.pool_id", "identity_providers.name"],
        ondelete="CASCADE",
        name="fk_provider_links_provider",
    ),
)

# Federated sign-ins on their way through a provider, by the SHA-256 of the ``state`` we sent it: used once.
federation_requests = Table(
    "federation_requests",
    metadata,
    Column("state_hash", String(64), primary_key=True),
    Column("pool_id", String(55), ForeignKey("pools.id", ondelete="CASCADE"), nullable=False),
    Column("provider_name", String(32), nullable=False),
    Column("browser_hash", String(64), nullable=False),
    Column("authorize_query", JSON, nullable=False),
    Column("secrets_sealed", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
    Column("used_at", Float),
)
