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
    Index,
    Integer,
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
    UniqueConstraint("pool_id", "username_key", name="uq_users_pool_username"),
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
