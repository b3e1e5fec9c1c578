"""Typed settings: flags, ``USERPOOL_*`` environment variables and a TOML config file, in that precedence."""

from __future__ import annotations

import ipaddress
import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="USERPOOL_", extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(9229, ge=0, le=65535)
    data_dir: Path = Path(".userpool")
    database_url: str | None = None
    region: str = "us-east-1"
    account_id: str = Field("000000000000", pattern=r"^[0-9]{12}$")
    # None: on when the server binds a loopback address, off otherwise (the outbox shows codes).
    expose_outbox: bool | None = None
    max_body_bytes: int = Field(1024 * 1024, ge=1024)
    hash_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    hash_queue: int = Field(64, ge=1)
    code_attempts: int = Field(5, ge=1)
    # Lets tests move this process's clock forward through POST /_userpool/clock. Never for production.
    clock_control: bool = False
    log_level: str = "info"

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

    @property
    def url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'userpool.db').resolve()}"

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


def load(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Settings from the ``[server]`` table of a TOML file, then the environment, then ``overrides`` (flags)."""
    values: dict[str, Any] = {}
    if config_file is not None:
        with config_file.open("rb") as fh:
            values.update(tomllib.load(fh).get("server", {}))
    env = Settings()  # the environment alone, to know which keys it sets
    values.update({k: getattr(env, k) for k in env.model_fields_set})
    values.update({k: v for k, v in overrides.items() if v is not None})
    settings = Settings.model_validate(values)
    settings.check()
    return settings
