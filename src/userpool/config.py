"""Typed settings: flags, ``USERPOOL_*`` environment variables and a TOML config file, in that precedence."""

from __future__ import annotations

import ipaddress
import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import Field
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
    # Base of the tokens' ``iss`` (``<issuer_url>/<pool id>``) and of the JWKS / OpenID discovery documents.
    # None: ``http://<host>:<port>``. Set ``https://cognito-idp.<region>.amazonaws.com`` to look like AWS.
    issuer_url: str | None = Field(None, pattern=r"^https?://[^/\s]+(/[^\s]*)?$")
    # Lets tests move this process's clock forward through POST /_userpool/clock. Never for production.
    clock_control: bool = False
    log_level: str = "info"

    @property
    def url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'userpool.db').resolve()}"

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
