"""The one ``Store`` the operations see, composed of the store's areas.

Each area is a small module with one class over ``engine.StoreBase`` (the engine, its transactions and threads),
in the manner of Ory Kratos' per-area persisters; ``Store`` inherits them all. Every multi-row change is one
transaction; every uniqueness rule is a constraint, and a violated one comes back as ``Conflict`` naming what was
taken, decided by the database rather than by a read before the write. CPU-heavy work (password hashing) is done
by callers before they call.

Verbs: ``get_<record>`` reads one record by its primary key and ``find_<record>[_by_<key>]`` by another unique
key (both None when there is none); ``list_<records>`` reads a page; ``create_``/``add_``, ``update_``/``set_``,
``delete_`` write.
"""

from __future__ import annotations

from userpool.store.attributes import AttributeStore
from userpool.store.certificates import CertificateStore
from userpool.store.clients import ClientStore
from userpool.store.codes import CodeStore
from userpool.store.console_sessions import ConsoleSessionStore
from userpool.store.counters import CounterStore
from userpool.store.credentials import CredentialStore
from userpool.store.devices import DeviceStore
from userpool.store.events import AuthEventStore
from userpool.store.groups import GroupStore
from userpool.store.identity_providers import IdentityProviderStore
from userpool.store.imports import ImportJobStore
from userpool.store.integrity import IntegrityStore
from userpool.store.mfa import MfaStore
from userpool.store.oauth import OAuthStore
from userpool.store.outbox import OutboxStore
from userpool.store.pools import PoolStore
from userpool.store.risk import RiskStore
from userpool.store.schema import SchemaStore
from userpool.store.sessions import SessionStore
from userpool.store.signin import SignInStore
from userpool.store.tokens import TokenStore
from userpool.store.users import UserStore


class Store(
    SchemaStore,
    PoolStore,
    ClientStore,
    UserStore,
    AttributeStore,
    SignInStore,
    CodeStore,
    TokenStore,
    SessionStore,
    CertificateStore,
    CounterStore,
    OutboxStore,
    RiskStore,
    AuthEventStore,
    GroupStore,
    MfaStore,
    OAuthStore,
    IdentityProviderStore,
    ConsoleSessionStore,
    DeviceStore,
    CredentialStore,
    ImportJobStore,
    IntegrityStore,
):
    """Pools, clients, users, codes, tokens and sessions, signing certificates, the outbox, rate counters, send
    quotas, risk configurations, users' auth events, groups, MFA, remembered devices and passkeys, the hosted UI's
    records, identity providers and their links, the admin console's sessions, on one SQLAlchemy engine: asyncpg's
    (PostgreSQL) or sqlite3's, driven on ``SqliteThreads``. Client secrets and certificates' private keys are sealed
    with ``box`` (without one, a client's first secret is kept in plain text and nothing else that needs sealing can
    be stored: tools only)."""
