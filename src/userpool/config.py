"""Typed settings: flags, ``USERPOOL_*`` environment variables and a TOML config file, in that precedence."""

from __future__ import annotations

import ipaddress
import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from userpool.domain.passwords import HASH_ITERATIONS, HASH_MEMORY_KIB

# Keys of the TOML ``[triggers]`` table and the settings they fill (``functions`` is the ``[triggers.functions]``
# table: Lambda ARN -> where that function is reached).
TRIGGER_TABLE_KEYS = {
    "functions": "trigger_functions",
    "lambda_endpoint_url": "lambda_endpoint_url",
    "timeout": "trigger_timeout",
    "attempts": "trigger_attempts",
    "code_key": "trigger_code_key",
    "pre_sign_up": "trigger_pre_sign_up",
    "custom_message": "trigger_custom_message",
    "post_confirmation": "trigger_post_confirmation",
    "custom_email_sender": "trigger_custom_email_sender",
    "custom_sms_sender": "trigger_custom_sms_sender",
    "pre_authentication": "trigger_pre_authentication",
    "post_authentication": "trigger_post_authentication",
    "pre_token_generation": "trigger_pre_token_generation",
    "user_migration": "trigger_user_migration",
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="USERPOOL_", extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(9229, ge=0, le=65535)
    data_dir: Path = Path(".userpool")
    database_url: str | None = None
    region: str = "us-east-1"
    workers: int = Field(1, ge=1, le=64)
    account_id: str = Field("000000000000", pattern=r"^[0-9]{12}$")
    # None: on when the server binds a loopback address, off otherwise (the outbox shows codes).
    expose_outbox: bool | None = None
    max_body_bytes: int = Field(1024 * 1024, ge=1024)
    hash_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    hash_queue: int = Field(64, ge=1)
    # argon2id's cost for new password hashes (p=1). The default is OWASP's first recommendation; a test suite may
    # lower it (1024 KiB, 1 iteration hashes in about a millisecond), and the server warns when it is below OWASP's
    # weakest. Stored hashes carry their own parameters and keep verifying when these change.
    password_hash_memory_kib: int = Field(HASH_MEMORY_KIB, ge=8, le=4 * 1024 * 1024)
    password_hash_iterations: int = Field(HASH_ITERATIONS, ge=1, le=100)
    code_attempts: int = Field(5, ge=1)
    # How long (seconds) a process may answer from its cache of app clients and pools: a change made by another
    # process (or host) is obeyed everywhere at most this long after it was committed. 0 turns the cache off.
    config_cache_seconds: float = Field(1.0, ge=0, le=60)
    # Base of the tokens' ``iss`` (``<issuer_url>/<pool id>``) and of the JWKS / OpenID discovery documents.
    # None: ``http://<host>:<port>``. Set ``https://cognito-idp.<region>.amazonaws.com`` to look like AWS.
    issuer_url: str | None = Field(None, pattern=r"^https?://[^/\s]+(/[^\s]*)?$")
    # Lets tests move this process's clock forward through POST /_userpool/clock. Never for production.
    clock_control: bool = False
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    log_json: bool = False  # one JSON object per log line instead of readable text
    # Every confirmation code is this value (for test suites written against emulators that accept any code).
    # Refused unless the server binds a loopback address or allow_fixed_code_anywhere is set.
    fixed_code: str | None = Field(None, pattern=r"^[0-9]{6}$")
    allow_fixed_code_anywhere: bool = False

    @model_validator(mode="after")
    def _fixed_code_only_where_safe(self) -> Settings:
        if self.fixed_code and not self.binds_loopback and not self.allow_fixed_code_anywhere:
            raise ValueError(
                f"fixed_code makes every confirmation code {self.fixed_code}: it is refused unless the server binds a "
                f"loopback address (host is {self.host}); set allow_fixed_code_anywhere to insist"
            )
        return self

    # Lambda triggers (see triggers/): where each function ARN is reached, the Invoke API endpoint for ARNs with no
    # mapping, Cognito's invocation budget (5 s per attempt, 3 attempts), the key that encrypts codes handed to
    # custom sender functions, and server-wide functions for pools whose LambdaConfig has no entry of that kind.
    trigger_functions: dict[str, str] = Field(default_factory=dict)
    lambda_endpoint_url: str | None = None
    trigger_timeout: float = Field(5.0, gt=0, le=300)
    trigger_attempts: int = Field(3, ge=1, le=10)
    trigger_code_key: SecretStr | None = None
    trigger_pre_sign_up: str | None = None
    trigger_custom_message: str | None = None
    trigger_post_confirmation: str | None = None
    trigger_custom_email_sender: str | None = None
    trigger_custom_sms_sender: str | None = None
    trigger_pre_authentication: str | None = None
    trigger_post_authentication: str | None = None
    trigger_pre_token_generation: str | None = None  # V1_0 events
    trigger_user_migration: str | None = None

    # Delivery: which sender each medium uses (see README "Messages").
    email_sender: Literal["outbox", "smtp"] = "outbox"
    sms_sender: Literal["outbox", "sns", "webhook"] = "outbox"
    # From of every email whose pool sets neither EmailConfiguration.From nor SourceArn (Cognito's default).
    email_from: str = "no-reply@verificationemail.com"
    smtp_host: str | None = None
    smtp_port: int | None = Field(None, ge=1, le=65535)  # None: 587 (starttls), 465 (tls), 25 (none)
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout: float = Field(10.0, gt=0)
    smtp_validate_certs: bool = True
    smtp_ca_file: Path | None = None
    sns_endpoint_url: str | None = None
    sns_region: str | None = None  # None: the server's region
    sms_webhook_url: str | None = None
    sms_timeout: float = Field(10.0, gt=0)
    # Base of confirmation links (CONFIRM_WITH_LINK pools). None: http://<host>:<port>.
    public_url: str | None = Field(None, pattern=r"^https?://[^\s?#]+$")
    # Emails a pool that sends through Cognito's account (EmailSendingAccount COGNITO_DEFAULT) may send per UTC day.
    daily_email_quota: int | None = Field(None, ge=0)

    # Federation: where a social provider type (Google, Facebook, LoginWithAmazon, SignInWithApple) is reached
    # instead of its real endpoints, for tests and local development. Each value is the issuer URL of an OpenID
    # provider standing in for it (its endpoints found by discovery), or a table of the endpoints
    # (``authorize_url``, ``token_url``, ``attributes_url``, ``jwks_uri``, ``oidc_issuer``). Env: JSON.
    social_endpoints: dict[str, str | dict[str, str]] = Field(default_factory=dict)
    # Seconds to wait for an identity provider's token, userInfo, JWKS or discovery answer.
    federation_timeout: float = Field(10.0, gt=0, le=60)

    # --- security (README: "Security model") ---------------------------------------------------------------
    # Access key id -> secret access key. Empty: IAM-authorized operations accept any signature (local use).
    # Env: USERPOOL_ACCESS_KEYS="AKID1:secret1,AKID2:secret2"; TOML: a [server.access_keys] table.
    access_keys: Annotated[dict[str, SecretStr], NoDecode] = Field(default_factory=dict, repr=False)
    # The admin console (/_userpool/console, README "Console"): served on a loopback address, or anywhere once a
    # console credential is configured (this password and/or the access keys above; either then signs in); False
    # turns it off everywhere.
    console: bool = True
    console_password: SecretStr | None = Field(None, repr=False, min_length=12)
    # The key that seals client secrets in the store (base64 of 32 bytes), or a file holding it. Neither set:
    # <data_dir>/secret.key, created on first start.
    secret_key: SecretStr | None = Field(None, repr=False)
    secret_key_file: Path | None = None
    # Rate limits, counted in the store (fixed windows). 0 turns a limit off.
    user_creation_rate: int = Field(50, ge=0)  # per pool per second: SignUp + ConfirmSignUp + AdminConfirmSignUp
    confirm_per_user_per_hour: int = Field(15, ge=0)  # ConfirmSignUp, per user (Cognito's quota)
    resend_per_user_per_hour: int = Field(5, ge=0)  # ResendConfirmationCode, per user (Cognito's quota)
    sign_in_codes_per_user_per_hour: int = Field(10, ge=0)  # EMAIL_OTP/SMS_OTP sign-in codes sent, per user
    sign_up_per_ip_per_hour: int = Field(0, ge=0)  # SignUp per source IP
    confirm_per_ip_per_hour: int = Field(0, ge=0)  # ConfirmSignUp + ResendConfirmationCode per source IP
    # Proxies whose X-Forwarded-For is believed (addresses or networks). Env: comma-separated.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Limits on what a client controls.
    max_json_depth: int = Field(20, ge=2)
    max_attributes: int = Field(100, ge=1)  # entries of an attribute list (UserAttributes, ValidationData, ...)
    max_client_metadata_bytes: int = Field(16384, ge=0)  # UTF-8 bytes of a ClientMetadata map's keys and values
    max_header_bytes: int = Field(16384, ge=1024)  # request line + headers
    keep_alive_timeout: float = Field(5, gt=0)  # seconds an idle connection stays open
    header_read_timeout: float = Field(10, gt=0)  # seconds to receive a request line and headers
    body_read_timeout: float = Field(30, gt=0)  # seconds to receive a whole request body
    max_connections: int = Field(1000, ge=1)  # connections + requests in progress; beyond: 503

    @field_validator("social_endpoints")
    @classmethod
    def _social_types(cls, value: dict[str, Any]) -> dict[str, Any]:
        unknown = set(value) - {"Google", "Facebook", "LoginWithAmazon", "SignInWithApple"}
        if unknown:
            raise ValueError(f"social_endpoints: not a social provider type: {', '.join(sorted(unknown))}")
        return value

    @field_validator("access_keys", mode="before")
    @classmethod
    def _parse_access_keys(cls, value: Any) -> Any:
        if isinstance(value, str):
            pairs = [item.strip() for item in value.split(",") if item.strip()]
            keys: dict[str, str] = {}
            for pair in pairs:
                key_id, sep, secret = pair.partition(":")
                if not sep or not key_id.strip() or not secret:
                    raise ValueError("access keys are written AKID:secret, separated by commas")
                keys[key_id.strip()] = secret
            return keys
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _parse_proxies(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [item.strip() for item in value.split(",") if item.strip()]
        for item in value:
            ipaddress.ip_network(item, strict=False)  # raises ValueError for a bad address
        return value

    @property
    def url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'userpool.db').resolve()}"

    def issuer(self, pool_id: str) -> str:
        """The ``iss`` of a pool's tokens."""
        base = self.issuer_url or f"http://{self.host}:{self.port}"
        return f"{base.rstrip('/')}/{pool_id}"

    @property
    def binds_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    @property
    def outbox_exposed(self) -> bool:
        return self.binds_loopback if self.expose_outbox is None else self.expose_outbox

    @property
    def console_sign_in(self) -> bool:
        """Whether the console asks for a credential (one is configured)."""
        return self.console_password is not None or bool(self.access_keys)

    @property
    def console_on(self) -> bool:
        """The console is served on a loopback address, or anywhere once a console credential is configured."""
        return self.console and (self.binds_loopback or self.console_sign_in)

    @property
    def public_base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def check(self) -> None:
        """Rules across settings, checked once every source is in (one source alone may be incomplete)."""
        if self.email_sender == "smtp" and not self.smtp_host:
            raise ValueError("email_sender = smtp needs smtp_host (USERPOOL_SMTP_HOST)")
        if self.sms_sender == "webhook" and not self.sms_webhook_url:
            raise ValueError("sms_sender = webhook needs sms_webhook_url (USERPOOL_SMS_WEBHOOK_URL)")
        if self.smtp_password is not None and not self.smtp_username:
            raise ValueError("smtp_password needs smtp_username (USERPOOL_SMTP_USERNAME)")


def _trigger_table(table: dict[str, Any]) -> dict[str, Any]:
    """The ``[triggers]`` table as settings; an unknown key is a configuration error."""
    unknown = sorted(set(table) - set(TRIGGER_TABLE_KEYS))
    if unknown:
        raise ValueError(f"unknown key(s) in [triggers]: {', '.join(unknown)}")
    return {TRIGGER_TABLE_KEYS[key]: value for key, value in table.items()}


def load(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Settings from the ``[server]`` and ``[triggers]`` tables of a TOML file, then the environment, then
    ``overrides`` (flags)."""
    values: dict[str, Any] = {}
    if config_file is not None:
        with config_file.open("rb") as fh:
            document = tomllib.load(fh)
        values.update(document.get("server", {}))
        values.update(_trigger_table(document.get("triggers", {})))
    env = Settings()  # the environment alone, to know which keys it sets
    values.update({k: getattr(env, k) for k in env.model_fields_set})
    values.update({k: v for k, v in overrides.items() if v is not None})
    settings = Settings.model_validate(values)
    settings.check()
    return settings
