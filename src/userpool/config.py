"""Typed settings: flags, ``USERPOOL_*`` environment variables and a TOML config file, in that precedence."""

from __future__ import annotations

import ipaddress
import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


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
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"

    # --- security (README: "Security model") ---------------------------------------------------------------
    # Access key id -> secret access key. Empty: IAM-authorized operations accept any signature (local use).
    # Env: USERPOOL_ACCESS_KEYS="AKID1:secret1,AKID2:secret2"; TOML: a [server.access_keys] table.
    access_keys: Annotated[dict[str, SecretStr], NoDecode] = Field(default_factory=dict, repr=False)
    # The key that seals client secrets in the store (base64 of 32 bytes), or a file holding it. Neither set:
    # <data_dir>/secret.key, created on first start.
    secret_key: SecretStr | None = Field(None, repr=False)
    secret_key_file: Path | None = None
    # Rate limits, counted in the store (fixed windows). 0 turns a limit off.
    user_creation_rate: int = Field(50, ge=0)  # per pool per second: SignUp + ConfirmSignUp + AdminConfirmSignUp
    confirm_per_user_per_hour: int = Field(15, ge=0)  # ConfirmSignUp, per user (Cognito's quota)
    resend_per_user_per_hour: int = Field(5, ge=0)  # ResendConfirmationCode, per user (Cognito's quota)
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


def load(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Settings from the ``[server]`` table of a TOML file, then the environment, then ``overrides`` (flags)."""
    values: dict[str, Any] = {}
    if config_file is not None:
        with config_file.open("rb") as fh:
            values.update(tomllib.load(fh).get("server", {}))
    env = Settings()  # the environment alone, to know which keys it sets
    values.update({k: getattr(env, k) for k in env.model_fields_set})
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings.model_validate(values)
