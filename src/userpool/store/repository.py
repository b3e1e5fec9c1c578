"""The store: the only module that knows SQL.

A small repository API over SQLAlchemy Core. Every multi-row change is one transaction; every uniqueness rule
is a constraint, and a violated one comes back as ``Conflict`` naming what was taken, decided by the database
rather than by a read before the write. CPU-heavy work (password hashing) is done by callers before they call.
"""

from __future__ import annotations

import ast
import asyncio
import base64
import functools
import json
import logging
import secrets
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Engine, bindparam, create_engine, delete, event, func, insert, inspect, select, text, update
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from userpool.domain.lockout import Attempts
from userpool.store import tables as t
from userpool.store.sealing import SealingError, SecretBox

if TYPE_CHECKING:  # SQLAlchemy's asyncio layer (and its ORM) is imported only for a PostgreSQL store
    from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"


class Conflict(Exception):
    """A uniqueness rule stopped a write. ``what`` is ``username``, ``sub`` or a key kind such as ``email``."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class InvalidToken(ValueError):
    """A pagination token this store did not hand out."""


@dataclass(frozen=True)
class Pool:
    id: str
    name: str
    settings: dict[str, Any]
    created_at: float
    modified_at: float


@dataclass(frozen=True)
class Client:
    id: str
    pool_id: str
    name: str
    secret: str | None
    settings: dict[str, Any]
    created_at: float
    modified_at: float


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
class StoredKey:
    kid: str
    pool_id: str
    private_key: str
    public_jwk: dict[str, Any]
    created_at: float
    retired_at: float | None = None


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
        attributes=_ordered(dict(user.attributes)),
        srp_salt=user.srp_salt,
        srp_verifier=user.srp_verifier,
        password_expires_at=user.password_expires_at,
    )


MAX_TOKEN_AGE = 86400.0

_CODE_COLUMNS = (t.codes.c.code_hash, t.codes.c.attribute, t.codes.c.expires_at, t.codes.c.failed_attempts)

# The statements of the hot paths (every client-facing call, sign-up, confirmation, sign-in), built once with bound
# parameters: building a statement and its cache key costs several times what running it does. (In an UPDATE, a
# parameter may not be named like a column: those are ``b_``.)
_GET_POOL = select(t.pools).where(t.pools.c.id == bindparam("pool_id"))
_GET_CLIENT = select(t.clients).where(t.clients.c.id == bindparam("client_id"))
_GET_CLIENT_AND_POOL = (
    select(t.clients, *(c.label(f"of_pool_{c.name}") for c in t.pools.c))
    .select_from(t.clients.outerjoin(t.pools, t.pools.c.id == t.clients.c.pool_id))
    .where(t.clients.c.id == bindparam("client_id"))
)
_INSERT_USER = insert(t.users)
_INSERT_ATTRIBUTES = insert(t.user_attributes)
_INSERT_KEYS = insert(t.user_keys)
_INSERT_CODE = insert(t.codes)
_INSERT_MESSAGE = insert(t.outbox)
_TAKE_ATTEMPT = (
    update(t.codes)
    .where(
        t.codes.c.user_id == bindparam("b_user_id"),
        t.codes.c.purpose == bindparam("b_purpose"),
        t.codes.c.failed_attempts < bindparam("b_max_attempts"),
    )
    .values(failed_attempts=t.codes.c.failed_attempts + 1)
    .returning(*_CODE_COLUMNS)
)
_MOVE_STATUS = (
    update(t.users)
    .where(t.users.c.id == bindparam("user_id"), t.users.c.status == bindparam("from_status"))
    .values(status=bindparam("to_status"), modified_at=bindparam("at"))
    .returning(t.users.c.pool_id)
)
_DELETE_CODE = delete(t.codes).where(
    t.codes.c.user_id == bindparam("user_id"), t.codes.c.purpose == bindparam("purpose")
)
_KEY_OWNER = select(t.user_keys.c.user_id).where(
    t.user_keys.c.pool_id == bindparam("pool_id"),
    t.user_keys.c.kind == bindparam("kind"),
    t.user_keys.c.value_key == bindparam("value_key"),
)
_SET_ATTRIBUTE = (
    update(t.user_attributes)
    .where(t.user_attributes.c.user_id == bindparam("b_user_id"), t.user_attributes.c.name == bindparam("b_name"))
    .values(value=bindparam("b_value"))
)
_SWEEP_COUNTERS = delete(t.rate_counters).where(t.rate_counters.c.expires_at <= bindparam("now"))


@functools.cache
def _count_hit_statement(dialect: str) -> Any:
    """Add one to a rate counter, creating it at one, and return the new count (an upsert of the dialect)."""
    statement = _dialect_insert(dialect)(t.rate_counters).values(
        scope=bindparam("scope"),
        key=bindparam("key"),
        window_start=bindparam("window_start"),
        count=1,
        expires_at=bindparam("expires_at"),
    )
    return statement.on_conflict_do_update(
        index_elements=[t.rate_counters.c.scope, t.rate_counters.c.key, t.rate_counters.c.window_start],
        set_={"count": t.rate_counters.c.count + 1},
    ).returning(t.rate_counters.c.count)


def _page_token(value: str | int) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def _read_token(token: str, kind: type) -> Any:
    """The position a page token holds, if it is one this store made (a string id, or a row number)."""
    try:
        value = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, UnicodeError):
        raise InvalidToken(token) from None
    if type(value) is not kind or (kind is int and not 0 <= value < 2**63):
        raise InvalidToken(token)
    return value


MIGRATION_LOCK = 0x75736572706F6F6C  # "userpool"
# PostgreSQL's serialization failure and deadlock: the transaction can simply run again.
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01"})
RETRIES = 6


def driver_url(url: str) -> str:
    """The SQLAlchemy URL with this store's driver for the database the URL names: asyncpg for PostgreSQL, the
    standard library's sqlite3 for SQLite (driven on the store's own threads, see ``SqliteThreads``)."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    for prefix in ("sqlite+pysqlite://", "sqlite+aiosqlite://", "sqlite://"):
        if url.startswith(prefix):
            return "sqlite+pysqlite://" + url[len(prefix) :]
    return url


class _Connection(Protocol):
    """What a store method uses of a connection: SQLAlchemy's ``AsyncConnection`` (PostgreSQL) or, on SQLite, a
    synchronous connection behind ``_SyncConnection``."""

    async def execute(self, statement: Any, parameters: Any = None) -> Any: ...

    async def run_sync(self, fn: Callable[..., Any], *args: Any) -> Any: ...


class _SyncConnection:
    """A synchronous SQLAlchemy connection with the awaitable face of ``AsyncConnection``: on the store's SQLite
    thread a statement simply runs (its results are the same buffered ``Result`` objects)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        return self._conn.execute(statement, parameters)

    async def run_sync(self, fn: Callable[..., Any], *args: Any) -> Any:
        return fn(self._conn, *args)


class SqliteThreads:
    """Where a SQLite store's methods run (all but the point reads, see ``_POINT_READS``): a few threads of the
    store's own, so that a whole store call (all its statements, its BEGIN and COMMIT) is one hand-off from the
    server's event loop instead of several per statement.

    The method bodies stay ``async`` (PostgreSQL awaits asyncpg), but on these threads nothing they await ever
    suspends (``_SyncConnection``; ``_retrying`` sleeps with ``time.sleep`` here), so a call is run by driving its
    coroutine to the end in one step. The sqlite3 driver releases the GIL while SQLite works; a writer waits for
    this process's other writers on ``write_lock`` (and for other processes on SQLite's busy timeout) on its own
    thread, never on the server's event loop."""

    def __init__(self, engine: Engine, threads: int = 4) -> None:
        self.engine = engine
        self.write_lock = threading.Lock()
        self._local = threading.local()
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="userpool-store", initializer=self._enter)
        self._kept: list[Connection] = []  # every thread's own connection, closed with the store
        self._kept_lock = threading.Lock()

    def _enter(self) -> None:
        self._local.inside = True

    def here(self) -> bool:
        """Whether the caller already runs on one of these threads (a store method calling another)."""
        return getattr(self._local, "inside", False)

    async def run(self, call: Coroutine[Any, Any, Any]) -> Any:
        return await asyncio.wrap_future(self._executor.submit(_drive, call))

    @contextmanager
    def connection(self, **options: Any) -> Iterator[Connection]:
        """This thread's own connection, kept between calls (taking one from the pool and giving it back costs
        about as much as a point read), with ``options``; a fresh one from the pool when this thread's is already
        in use (a store method inside another's transaction). No transaction is left open."""
        if getattr(self._local, "busy", False):
            with self.engine.connect() as fresh:
                yield fresh.execution_options(**options)
            return
        conn = getattr(self._local, "connection", None)
        if conn is None or conn.closed or conn.invalidated:
            conn = self._local.connection = self.engine.connect()
            with self._kept_lock:
                self._kept.append(conn)
        self._local.busy = True
        try:
            yield conn.execution_options(**options)
        finally:
            self._local.busy = False
            if conn.in_transaction():
                conn.rollback()

    def close(self) -> None:
        with self._kept_lock:
            for conn in self._kept:
                conn.close()
            self._kept.clear()
        self._executor.submit(self.engine.dispose).result()
        self._executor.shutdown(wait=True)


def _drive(call: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine that never suspends to its end, and return its result."""
    try:
        call.send(None)
    except StopIteration as done:
        return done.value
    call.close()
    raise RuntimeError("a SQLite store method awaited something that suspends")


def _on_store_thread(method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Run a store method on its SQLite threads (a PostgreSQL store, or a call from those threads, runs it here)."""

    @functools.wraps(method)
    async def run(self: Store, *args: Any, **kwargs: Any) -> Any:
        threads = self._sqlite
        if threads is None or threads.here():
            return await method(self, *args, **kwargs)
        return await threads.run(method(self, *args, **kwargs))

    return run


def _is_transient(error: DBAPIError) -> bool:
    state = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return state in TRANSIENT_SQLSTATES or "database is locked" in str(error.orig)


def _retrying(method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Run a write method again, with backoff, when its transaction hit a serialization failure or deadlock."""

    @functools.wraps(method)
    async def run(store: Store, *args: Any, **kwargs: Any) -> Any:
        for attempt in range(RETRIES - 1):
            try:
                return await method(store, *args, **kwargs)
            except DBAPIError as error:
                if not _is_transient(error):
                    raise
                pause = 0.005 * 2**attempt * (1 + secrets.randbelow(100) / 100)
                if store._sqlite is not None and store._sqlite.here():
                    time.sleep(pause)  # noqa: ASYNC251 - on a store thread, never the event loop
                else:
                    await asyncio.sleep(pause)
        return await method(store, *args, **kwargs)

    return run


# How often (seconds) expired rate counters are swept away, at most.
_SWEEP_INTERVAL = 60.0


class Store:
    """Pools, clients, users, codes, the outbox, rate counters and risk configurations, on one SQLAlchemy engine:
    asyncpg's (PostgreSQL) or sqlite3's, driven on ``SqliteThreads``. Client secrets are sealed with ``box``
    (without one they are kept in plain text: tools only)."""

    def __init__(self, engine: AsyncEngine | Engine, box: SecretBox | None = None) -> None:
        self.dialect = engine.dialect.name
        # SQLite: a synchronous engine driven on the store's threads; its writers queue on ``write_lock`` rather
        # than on SQLite's busy handler (which sleeps and polls), which keeps latency flat.
        self._sqlite = SqliteThreads(engine) if isinstance(engine, Engine) else None
        self._async_engine = None if isinstance(engine, Engine) else engine
        self._box = box
        self._next_sweep = 0.0

    # ---- lifecycle -------------------------------------------------------------------------------------
    @classmethod
    def open(cls, url: str, box: SecretBox | None = None) -> Store:
        """A store on ``url``: ``sqlite:///path`` or ``postgresql://user@host/db`` (asyncpg). Client
        secrets are sealed with ``box``."""
        url = driver_url(url)
        # hide_parameters: a database error logged with its statement never shows the values (hashes, secrets).
        if url.startswith("sqlite"):
            database = make_url(url).database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            # A connection may be used by any of the store's threads (one at a time, from SQLAlchemy's pool).
            engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, hide_parameters=True)
            _configure_sqlite(engine)
            return cls(engine, box)
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, hide_parameters=True)
        return cls(engine, box)

    async def migrate(self) -> None:
        """Apply Alembic migrations up to the newest (also the way a new store gets its schema).

        Several processes may start at once: on PostgreSQL they queue on an advisory lock, on SQLite on the
        write lock the migration's transaction takes."""
        async with self._write() as conn:
            if self.dialect == "postgresql":
                await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            if not await conn.run_sync(_at_head):
                await conn.run_sync(_upgrade)

    async def close(self) -> None:
        if self._sqlite is not None:
            await asyncio.to_thread(self._sqlite.close)
        elif self._async_engine is not None:
            await self._async_engine.dispose()

    @asynccontextmanager
    async def _write(self, durable: bool = True) -> AsyncIterator[_Connection]:
        """A write transaction (on SQLite, ``BEGIN IMMEDIATE`` after this process's other writers are done).

        A write that is not ``durable`` (rate counters: losing the last few on a power cut costs nothing) commits
        without waiting for the disk: SQLite's ``synchronous=NORMAL`` in WAL mode, PostgreSQL's
        ``synchronous_commit=off``; both keep the database consistent. Every other commit is on disk when it
        returns."""
        if self._async_engine is not None:
            async with self._async_engine.begin() as conn:
                if not durable:
                    await conn.execute(text("SET LOCAL synchronous_commit TO OFF"))
                yield conn
            return
        assert self._sqlite is not None
        options = {"userpool_read_only": False, "userpool_single_statement": False, "userpool_durable": durable}
        with self._sqlite.write_lock, self._sqlite.connection(**options) as sync, sync.begin():
            yield _SyncConnection(sync)

    @asynccontextmanager
    async def _read(self, statements: int = 2) -> AsyncIterator[_Connection]:
        """A connection for reading. Reads of several statements share one transaction (one snapshot); a read of
        one statement (``statements=1``) needs none on SQLite (one statement is always consistent)."""
        options = {"userpool_read_only": True, "userpool_single_statement": statements == 1}
        if self._async_engine is not None:
            async with self._async_engine.connect() as conn:
                yield await conn.execution_options(**options)
            return
        assert self._sqlite is not None
        with self._sqlite.connection(**options) as sync:
            yield _SyncConnection(sync)

    async def healthy(self) -> bool:
        try:
            async with self._read() as conn:
                await conn.execute(select(1))
            return True
        except OperationalError:
            return False

    # ---- pools -----------------------------------------------------------------------------------------
    async def create_pool(self, pool: Pool) -> None:
        async with self._write() as conn:
            await conn.execute(insert(t.pools).values(**pool.__dict__))

    async def get_pool(self, pool_id: str) -> Pool | None:
        async with self._read(statements=1) as conn:
            row = (await conn.execute(_GET_POOL, {"pool_id": pool_id})).mappings().first()
        return Pool(**row) if row else None

    @_retrying
    async def update_pool(self, pool_id: str, name: str, settings: dict[str, Any], at: float) -> bool:
        async with self._write() as conn:
            result = await conn.execute(
                update(t.pools).where(t.pools.c.id == pool_id).values(name=name, settings=settings, modified_at=at)
            )
        return result.rowcount == 1

    @_retrying
    async def delete_pool(self, pool_id: str) -> bool:
        async with self._write() as conn:
            await conn.execute(delete(t.outbox).where(t.outbox.c.pool_id == pool_id))
            await conn.execute(delete(t.send_counts).where(t.send_counts.c.pool_id == pool_id))
            result = await conn.execute(delete(t.pools).where(t.pools.c.id == pool_id))
        return result.rowcount == 1

    async def list_pools(self, limit: int, token: str | None) -> tuple[list[Pool], str | None]:
        query = select(t.pools).order_by(t.pools.c.id).limit(limit + 1)
        if token is not None:
            query = query.where(t.pools.c.id > _read_token(token, str))
        async with self._read() as conn:
            rows = (await conn.execute(query)).mappings().all()
        found = [Pool(**r) for r in rows[:limit]]
        return found, (_page_token(found[-1].id) if len(rows) > limit else None)

    async def count_users(self, pool_id: str) -> int:
        async with self._read() as conn:
            return (
                await conn.execute(select(func.count()).select_from(t.users).where(t.users.c.pool_id == pool_id))
            ).scalar_one()

    # ---- clients ---------------------------------------------------------------------------------------
    def _client(self, row: Mapping[str, Any]) -> Client:
        values = dict(row)
        sealed = values.pop("secret_sealed", None)
        if sealed is not None:
            if self._box is None:
                raise SealingError("this store has no key to open client secrets")
            values["secret"] = self._box.open(sealed, values["id"])
        return Client(**values)

    def _secret_columns(self, client_id: str, secret: str | None) -> dict[str, str | None]:
        if secret is None or self._box is None:
            return {"secret": secret, "secret_sealed": None}
        return {"secret": None, "secret_sealed": self._box.seal(secret, client_id)}

    async def create_client(self, client: Client) -> None:
        values = {k: v for k, v in client.__dict__.items() if k != "secret"}
        values.update(self._secret_columns(client.id, client.secret))
        async with self._write() as conn:
            await conn.execute(insert(t.clients).values(**values))

    async def seal_client_secrets(self) -> int:
        """Seal the secrets still stored in plain text (rows written before sealing existed). How many."""
        if self._box is None:
            return 0
        async with self._write() as conn:
            rows = (
                await conn.execute(
                    select(t.clients.c.id, t.clients.c.secret).where(
                        t.clients.c.secret.is_not(None), t.clients.c.secret_sealed.is_(None)
                    )
                )
            ).all()
            for client_id, secret in rows:
                sealed = self._secret_columns(client_id, secret)
                await conn.execute(update(t.clients).where(t.clients.c.id == client_id).values(**sealed))
        return len(rows)

    async def get_client(self, client_id: str) -> Client | None:
        async with self._read(statements=1) as conn:
            row = (await conn.execute(_GET_CLIENT, {"client_id": client_id})).mappings().first()
        return self._client(row) if row else None

    async def get_client_and_pool(self, client_id: str) -> tuple[Client, Pool | None] | None:
        """The app client and its pool, read in one statement (the first step of every client-facing operation);
        None when there is no such client."""
        async with self._read(statements=1) as conn:
            row = (await conn.execute(_GET_CLIENT_AND_POOL, {"client_id": client_id})).mappings().first()
        if row is None:
            return None
        client = self._client({c.name: row[c.name] for c in t.clients.c})
        pool = {c.name: row[f"of_pool_{c.name}"] for c in t.pools.c}
        return client, (Pool(**pool) if pool["id"] is not None else None)

    @_retrying
    async def update_client(self, client_id: str, name: str, settings: dict[str, Any], at: float) -> bool:
        async with self._write() as conn:
            result = await conn.execute(
                update(t.clients)
                .where(t.clients.c.id == client_id)
                .values(name=name, settings=settings, modified_at=at)
            )
        return result.rowcount == 1

    @_retrying
    async def delete_client(self, client_id: str) -> bool:
        async with self._write() as conn:
            await conn.execute(delete(t.risk_configurations).where(t.risk_configurations.c.client_id == client_id))
            result = await conn.execute(delete(t.clients).where(t.clients.c.id == client_id))
        return result.rowcount == 1

    async def list_clients(self, pool_id: str, limit: int, token: str | None) -> tuple[list[Client], str | None]:
        query = select(t.clients).where(t.clients.c.pool_id == pool_id).order_by(t.clients.c.id).limit(limit + 1)
        if token is not None:
            query = query.where(t.clients.c.id > _read_token(token, str))
        async with self._read() as conn:
            rows = (await conn.execute(query)).mappings().all()
        found = [self._client(r) for r in rows[:limit]]
        return found, (_page_token(found[-1].id) if len(rows) > limit else None)

    # ---- users -----------------------------------------------------------------------------------------
    @_retrying
    async def create_user(self, user: NewUser, code: NewCode | None = None) -> int:
        """Insert a user, its attributes, its keys and its first code.

        Raises ``Conflict`` when the username, sub or a key is taken; then nothing is written.
        """
        try:
            async with self._write() as conn:
                result = await conn.execute(
                    _INSERT_USER,
                    {
                        "pool_id": user.pool_id,
                        "username": user.username,
                        "username_key": user.username_key,
                        "sub": user.sub,
                        "status": user.status,
                        "enabled": True,
                        "password_hash": user.password_hash,
                        "srp_salt": user.srp_salt,
                        "srp_verifier": user.srp_verifier,
                        "password_expires_at": user.password_expires_at,
                        "created_at": user.created_at,
                        "modified_at": user.created_at,
                    },
                )
                user_id = result.inserted_primary_key[0]
                await conn.execute(
                    _INSERT_ATTRIBUTES,
                    [
                        {"user_id": user_id, "pool_id": user.pool_id, "name": n, "value": v}
                        for n, v in user.attributes.items()
                    ],
                )
                if user.keys:
                    await conn.execute(
                        _INSERT_KEYS,
                        [
                            {"pool_id": user.pool_id, "kind": k, "value_key": v, "user_id": user_id}
                            for k, v in user.keys
                        ],
                    )
                for kind, value, force in user.claims:
                    await _claim(conn, user.pool_id, user_id, kind, value, force, user.created_at)
                if code is not None:
                    await conn.execute(
                        _INSERT_CODE,
                        {"user_id": user_id, "failed_attempts": 0, "created_at": user.created_at, **code.__dict__},
                    )
                return int(user_id)
        except IntegrityError:
            raise Conflict(await self._what_conflicts(user)) from None

    async def bulk_insert_users(self, users: Sequence[NewUser]) -> int:
        """Insert many users (with their attributes and keys) in one transaction, by batched ``executemany``; for
        seeding large stores (benchmarks, imports). No codes or alias claims; a taken username, sub or key fails
        the whole batch (``IntegrityError``). Returns how many users were inserted."""
        if not users:
            return 0
        rows = [
            {
                "pool_id": u.pool_id,
                "username": u.username,
                "username_key": u.username_key,
                "sub": u.sub,
                "status": u.status,
                "enabled": True,
                "password_hash": u.password_hash,
                "srp_salt": u.srp_salt,
                "srp_verifier": u.srp_verifier,
                "password_expires_at": u.password_expires_at,
                "created_at": u.created_at,
                "modified_at": u.created_at,
            }
            for u in users
        ]
        async with self._write() as conn:
            # One executemany, then the new ids by sub (RETURNING in order would send the rows one by one).
            await conn.execute(insert(t.users), rows)
            by_sub: dict[str, int] = {}
            subs = [u.sub for u in users]
            for start in range(0, len(subs), 5000):
                chunk = subs[start : start + 5000]
                found = await conn.execute(select(t.users.c.sub, t.users.c.id).where(t.users.c.sub.in_(chunk)))
                by_sub.update({sub: user_id for sub, user_id in found})
            ids = [by_sub[u.sub] for u in users]
            attributes = [
                {"user_id": i, "pool_id": u.pool_id, "name": n, "value": v}
                for i, u in zip(ids, users, strict=True)
                for n, v in u.attributes.items()
            ]
            keys = [
                {"pool_id": u.pool_id, "kind": k, "value_key": v, "user_id": i}
                for i, u in zip(ids, users, strict=True)
                for k, v in u.keys
            ]
            if attributes:
                await conn.execute(insert(t.user_attributes), attributes)
            if keys:
                await conn.execute(insert(t.user_keys), keys)
        return len(ids)

    async def storage_bytes(self) -> int:
        """How much space the database takes: SQLite's pages (the WAL not yet checkpointed aside), or
        PostgreSQL's ``pg_database_size``."""
        async with self._read() as conn:
            if self.dialect == "postgresql":
                return int((await conn.execute(text("SELECT pg_database_size(current_database())"))).scalar_one())
            pages = (await conn.execute(text("PRAGMA page_count"))).scalar_one()
            size = (await conn.execute(text("PRAGMA page_size"))).scalar_one()
            return int(pages) * int(size)

    async def _what_conflicts(self, user: NewUser) -> str:
        """After a rejected insert, name the rule it broke (the database already decided; this only labels)."""
        async with self._read() as conn:
            taken = await conn.execute(
                select(t.users.c.id).where(
                    t.users.c.pool_id == user.pool_id, t.users.c.username_key == user.username_key
                )
            )
            if taken.first():
                return "username"
            for kind, value in [*user.keys, *((k, v) for k, v, _ in user.claims)]:
                owner = await conn.execute(
                    select(t.user_keys.c.user_id).where(
                        t.user_keys.c.pool_id == user.pool_id,
                        t.user_keys.c.kind == kind,
                        t.user_keys.c.value_key == value,
                    )
                )
                if owner.first():
                    return kind
        return "sub"

    async def _users_with_attributes(self, conn: _Connection, rows: Sequence[Any]) -> list[User]:
        if not rows:
            return []
        ids = [r["id"] for r in rows]
        attrs: dict[int, dict[str, str]] = {i: {} for i in ids}
        result = await conn.execute(
            select(t.user_attributes.c.user_id, t.user_attributes.c.name, t.user_attributes.c.value).where(
                t.user_attributes.c.user_id.in_(ids)
            )
        )
        for user_id, name, value in result:
            attrs[user_id][name] = value
        return [User(**r, attributes=_ordered(attrs[r["id"]])) for r in rows]

    _USER_COLUMNS = (
        t.users.c.id,
        t.users.c.pool_id,
        t.users.c.username,
        t.users.c.sub,
        t.users.c.status,
        t.users.c.enabled,
        t.users.c.password_hash,
        t.users.c.created_at,
        t.users.c.modified_at,
        t.users.c.srp_salt,
        t.users.c.srp_verifier,
        t.users.c.failed_sign_ins,
        t.users.c.last_failed_sign_in,
        t.users.c.locked_until,
        t.users.c.password_expires_at,
    )

    async def find_user(self, pool_id: str, username_key: str) -> User | None:
        """The user whose (folded) username is ``username_key``."""
        return await self._one_user(_USER_BY_NAME, {"pool_id": pool_id, "username_key": username_key})

    async def find_user_by_key(self, pool_id: str, kinds: Iterable[str], value_key: str) -> User | None:
        """The user who owns ``value_key`` as one of the key ``kinds`` (email, phone_number, ...)."""
        params = {"pool_id": pool_id, "kinds": list(kinds), "value_key": value_key}
        return await self._one_user(_USER_BY_KEY, params)

    async def find_user_by_id(self, user_id: int) -> User | None:
        return await self._one_user(_USER_BY_ID, {"user_id": user_id})

    async def find_user_by_sub(self, pool_id: str, sub: str) -> User | None:
        return await self._one_user(_USER_BY_SUB, {"pool_id": pool_id, "sub": sub})

    async def _one_user(self, lookup: Any, params: dict[str, Any]) -> User | None:
        """The user a ``_user_lookup`` statement finds, with its attributes, in one statement."""
        async with self._read(statements=1) as conn:
            rows = (await conn.execute(lookup, params)).mappings().all()
        if not rows:
            return None
        columns = {c.name: rows[0][c.name] for c in self._USER_COLUMNS}
        attributes = {r["attribute_name"]: r["value"] for r in rows if r["attribute_name"] is not None}
        return User(**columns, attributes=_ordered(attributes))

    @_retrying
    async def delete_user(self, user_id: int) -> bool:
        async with self._write() as conn:
            result = await conn.execute(delete(t.users).where(t.users.c.id == user_id))
        return result.rowcount == 1

    async def list_users(
        self,
        pool_id: str,
        limit: int,
        token: str | None,
        where: tuple[str, str, str] | None = None,
    ) -> tuple[list[User], str | None]:
        """Users of a pool in creation order. ``where`` is ``(attribute, "=" or "^=", value)``; ``username``
        (compared folded as stored), ``cognito:user_status`` and ``status`` (Enabled/Disabled) are columns."""
        query = select(*self._USER_COLUMNS).where(t.users.c.pool_id == pool_id).order_by(t.users.c.id)
        if token is not None:
            query = query.where(t.users.c.id > _read_token(token, int))
        if where is not None:
            query = query.where(_filter_clause(pool_id, *where))
        async with self._read() as conn:
            rows = (await conn.execute(query.limit(limit + 1))).mappings().all()
            users = await self._users_with_attributes(conn, rows[:limit])
        return users, (_page_token(users[-1].id) if len(rows) > limit else None)

    # ---- codes -----------------------------------------------------------------------------------------
    async def get_code(self, user_id: int, purpose: str) -> Code | None:
        async with self._read(statements=1) as conn:
            row = (
                await conn.execute(
                    select(*_CODE_COLUMNS).where(t.codes.c.user_id == user_id, t.codes.c.purpose == purpose)
                )
            ).first()
        return Code(*row) if row else None

    async def replace_code(self, user_id: int, code: NewCode, at: float) -> None:
        """A new code for (user, purpose); the old one, and its failed attempts, are gone. (Of two racing first
        codes, the loser's insert hits the primary key and runs again as an update.)"""
        try:
            await self._replace_code(user_id, code, at)
        except IntegrityError:
            await self._replace_code(user_id, code, at)

    @_retrying
    async def _replace_code(self, user_id: int, code: NewCode, at: float) -> None:
        async with self._write() as conn:
            values = {"failed_attempts": 0, "created_at": at, **code.__dict__}
            replaced = await conn.execute(
                update(t.codes).where(t.codes.c.user_id == user_id, t.codes.c.purpose == code.purpose).values(values)
            )
            if replaced.rowcount == 0:
                await conn.execute(insert(t.codes).values(user_id=user_id, **values))

    @_retrying
    async def take_attempt(self, user_id: int, purpose: str, max_attempts: int) -> Code | None:
        """Count one attempt against the user's code and return it, or None when there is no code or its
        attempts are used up. Counting comes before comparing, in one statement, so that concurrent guesses
        can never take more than ``max_attempts`` between them."""
        async with self._write() as conn:
            taken = await conn.execute(
                _TAKE_ATTEMPT, {"b_user_id": user_id, "b_purpose": purpose, "b_max_attempts": max_attempts}
            )
            row = taken.first()
        return Code(*row) if row else None

    # ---- confirmation ----------------------------------------------------------------------------------
    async def confirm(self, change: Confirmation) -> bool:
        """Apply a confirmation in one transaction. False (and nothing written) when the user's status was no
        longer ``from_status``: of several racing confirmations exactly one wins. Raises ``Conflict(kind)``
        when a key is owned by another user and ``force_alias`` is off, or another confirmation claimed it first."""
        try:
            return await self._confirm(change)
        except IntegrityError:
            raise Conflict(change.claim_keys[0][0] if change.claim_keys else "username") from None

    @_retrying
    async def _confirm(self, change: Confirmation) -> bool:
        async with self._write() as conn:
            moved = await conn.execute(
                _MOVE_STATUS,
                {
                    "user_id": change.user_id,
                    "from_status": change.from_status,
                    "to_status": change.to_status,
                    "at": change.at,
                },
            )
            pool_id = moved.scalar_one_or_none()
            if pool_id is None:
                return False
            for kind, value in change.claim_keys:
                await _claim(conn, pool_id, change.user_id, kind, value, change.force_alias, change.at)
            for name in change.verify:
                await _set_attribute(conn, pool_id, change.user_id, name, "true")
            if change.consume_code:
                await conn.execute(_DELETE_CODE, {"user_id": change.user_id, "purpose": change.consume_code})
            return True

    # ---- sign-in: passwords, lockout, status -----------------------------------------------------------
    async def set_password(self, change: PasswordChange) -> bool:
        """Replace a user's password (hash, SRP verifier, expiry) and optionally its status, keeping the old hash
        in the history when ``history_size`` asks for it. False when the user is gone."""
        async with self._write() as conn:
            old = (await conn.execute(select(t.users.c.password_hash).where(t.users.c.id == change.user_id))).first()
            if old is None:
                return False
            values: dict[str, Any] = {
                "password_hash": change.password_hash,
                "srp_salt": change.srp_salt,
                "srp_verifier": change.srp_verifier,
                "password_expires_at": change.expires_at,
                "modified_at": change.at,
                "failed_sign_ins": None,
                "last_failed_sign_in": None,
                "locked_until": None,
            }
            if change.status is not None:
                values["status"] = change.status
            query = update(t.users).where(t.users.c.id == change.user_id)
            if change.from_status is not None:
                query = query.where(t.users.c.status == change.from_status)
            moved = await conn.execute(query.values(**values))
            if moved.rowcount != 1:
                return False
            if change.history_size > 0 and old[0]:
                await conn.execute(
                    insert(t.password_history).values(
                        user_id=change.user_id, password_hash=old[0], created_at=change.at
                    )
                )
                keep = (
                    select(t.password_history.c.id)
                    .where(t.password_history.c.user_id == change.user_id)
                    .order_by(t.password_history.c.id.desc())
                    .limit(change.history_size)
                )
                kept = [r[0] for r in await conn.execute(keep)]
                await conn.execute(
                    delete(t.password_history).where(
                        t.password_history.c.user_id == change.user_id, t.password_history.c.id.not_in(kept)
                    )
                )
            for purpose in change.consume_codes:
                await conn.execute(_DELETE_CODE, {"user_id": change.user_id, "purpose": purpose})
            for name, value in change.attributes.items():
                pool_id = (
                    await conn.execute(select(t.users.c.pool_id).where(t.users.c.id == change.user_id))
                ).scalar_one()
                await _set_attribute(conn, pool_id, change.user_id, name, value)
            return True

    async def password_history(self, user_id: int, limit: int) -> list[str]:
        """The user's previous password hashes, newest first."""
        async with self._read() as conn:
            rows = await conn.execute(
                select(t.password_history.c.password_hash)
                .where(t.password_history.c.user_id == user_id)
                .order_by(t.password_history.c.id.desc())
                .limit(limit)
            )
            return [r[0] for r in rows]

    async def set_verifier(self, user_id: int, salt: str, verifier: str) -> None:
        async with self._write() as conn:
            await conn.execute(
                update(t.users).where(t.users.c.id == user_id).values(srp_salt=salt, srp_verifier=verifier)
            )

    async def record_sign_in_failure(self, user_id: int, rule: Callable[[Attempts], Attempts]) -> Attempts:
        """Count a failed sign-in: read the counters, apply ``rule``, write them back, in one transaction."""
        async with self._write() as conn:
            row = (
                await conn.execute(
                    select(t.users.c.failed_sign_ins, t.users.c.last_failed_sign_in, t.users.c.locked_until)
                    .where(t.users.c.id == user_id)
                    .with_for_update()
                )
            ).first()
            if row is None:
                return Attempts()
            state = rule(Attempts(row[0] or 0, row[1], row[2]))
            await conn.execute(
                update(t.users)
                .where(t.users.c.id == user_id)
                .values(
                    failed_sign_ins=state.failures,
                    last_failed_sign_in=state.last_failure_at,
                    locked_until=state.locked_until,
                )
            )
            return state

    async def reset_sign_in_failures(self, user_id: int) -> None:
        async with self._write() as conn:
            await conn.execute(
                update(t.users)
                .where(t.users.c.id == user_id, t.users.c.failed_sign_ins.is_not(None))
                .values(failed_sign_ins=None, last_failed_sign_in=None, locked_until=None)
            )

    async def set_status(self, user_id: int, status: str, at: float) -> bool:
        async with self._write() as conn:
            result = await conn.execute(
                update(t.users).where(t.users.c.id == user_id).values(status=status, modified_at=at)
            )
        return result.rowcount == 1

    async def set_enabled(self, user_id: int, enabled: bool, at: float) -> bool:
        async with self._write() as conn:
            result = await conn.execute(
                update(t.users).where(t.users.c.id == user_id).values(enabled=enabled, modified_at=at)
            )
        return result.rowcount == 1

    async def update_attributes(
        self,
        user_id: int,
        values: Mapping[str, str],
        at: float,
        remove: Sequence[str] = (),
        release_keys: Sequence[str] = (),
        set_keys: Sequence[tuple[str, str]] = (),
        new_codes: Sequence[NewCode] = (),
    ) -> None:
        """Set and delete attributes, release the user's claimed keys of ``release_keys`` kinds and claim
        ``set_keys``, and replace codes, in one transaction. Raises ``Conflict(kind)`` when a key is taken."""
        try:
            async with self._write() as conn:
                pool_id = (await conn.execute(select(t.users.c.pool_id).where(t.users.c.id == user_id))).scalar_one()
                for name, value in values.items():
                    await _set_attribute(conn, pool_id, user_id, name, value)
                if remove:
                    await conn.execute(
                        delete(t.user_attributes).where(
                            t.user_attributes.c.user_id == user_id, t.user_attributes.c.name.in_(list(remove))
                        )
                    )
                if release_keys:
                    await conn.execute(
                        delete(t.user_keys).where(
                            t.user_keys.c.user_id == user_id, t.user_keys.c.kind.in_(list(release_keys))
                        )
                    )
                for kind, value in set_keys:
                    await conn.execute(
                        insert(t.user_keys).values(pool_id=pool_id, kind=kind, value_key=value, user_id=user_id)
                    )
                for code in new_codes:
                    await conn.execute(
                        delete(t.codes).where(t.codes.c.user_id == user_id, t.codes.c.purpose == code.purpose)
                    )
                    await conn.execute(
                        insert(t.codes).values(user_id=user_id, failed_attempts=0, created_at=at, **code.__dict__)
                    )
                await conn.execute(update(t.users).where(t.users.c.id == user_id).values(modified_at=at))
        except IntegrityError:
            kinds = [k for k, _ in set_keys]
            raise Conflict(kinds[0] if len(kinds) == 1 else "key") from None

    async def claim_key(self, user_id: int, kind: str, value: str, force: bool, at: float) -> None:
        """Make ``user_id`` the owner of a sign-in value (a verified alias). Raises ``Conflict(kind)`` when another
        user owns it and ``force`` is off; with ``force`` the value moves and is unverified on its old owner."""
        async with self._write() as conn:
            pool_id = (await conn.execute(select(t.users.c.pool_id).where(t.users.c.id == user_id))).scalar_one()
            where = (t.user_keys.c.pool_id == pool_id, t.user_keys.c.kind == kind, t.user_keys.c.value_key == value)
            owner = (await conn.execute(select(t.user_keys.c.user_id).where(*where))).scalar_one_or_none()
            if owner == user_id:
                return
            if owner is not None:
                if not force:
                    raise Conflict(kind)
                await _unverify(conn, owner, kind, at)
                await conn.execute(update(t.user_keys).where(*where).values(user_id=user_id))
                return
            await conn.execute(delete(t.user_keys).where(t.user_keys.c.user_id == user_id, t.user_keys.c.kind == kind))
            await conn.execute(insert(t.user_keys).values(pool_id=pool_id, kind=kind, value_key=value, user_id=user_id))

    # ---- signing keys ----------------------------------------------------------------------------------
    async def signing_key(self, pool_id: str) -> StoredKey | None:
        """The key that signs the pool's tokens now: its newest unretired one."""
        async with self._read() as conn:
            row = (
                (
                    await conn.execute(
                        select(t.signing_keys)
                        .where(t.signing_keys.c.pool_id == pool_id, t.signing_keys.c.retired_at.is_(None))
                        .order_by(t.signing_keys.c.created_at.desc())
                        .limit(1)
                    )
                )
                .mappings()
                .first()
            )
        return StoredKey(**row) if row else None

    async def get_signing_key(self, kid: str) -> StoredKey | None:
        async with self._read() as conn:
            row = (await conn.execute(select(t.signing_keys).where(t.signing_keys.c.kid == kid))).mappings().first()
        return StoredKey(**row) if row else None

    async def add_signing_key(self, key: StoredKey, retire_others: bool) -> None:
        """Store a new key; with ``retire_others`` the pool's other keys stop signing (rotation)."""
        async with self._write() as conn:
            if retire_others:
                await conn.execute(
                    update(t.signing_keys)
                    .where(t.signing_keys.c.pool_id == key.pool_id, t.signing_keys.c.retired_at.is_(None))
                    .values(retired_at=key.created_at)
                )
            await conn.execute(insert(t.signing_keys).values(**key.__dict__))

    async def published_keys(self, pool_id: str, retired_after: float) -> list[dict[str, Any]]:
        """Public JWKs of the pool's signing key and of keys retired after ``retired_after`` (tokens they signed
        may still be alive), newest first."""
        async with self._read() as conn:
            rows = await conn.execute(
                select(t.signing_keys.c.public_jwk)
                .where(
                    t.signing_keys.c.pool_id == pool_id,
                    (t.signing_keys.c.retired_at.is_(None)) | (t.signing_keys.c.retired_at > retired_after),
                )
                .order_by(t.signing_keys.c.created_at.desc())
            )
            return [dict(r[0]) for r in rows]

    # ---- refresh tokens --------------------------------------------------------------------------------
    async def add_refresh_token(self, token: RefreshToken) -> None:
        async with self._write() as conn:
            await conn.execute(insert(t.refresh_tokens).values(**token.__dict__))

    async def get_refresh_token(self, token_hash: str) -> RefreshToken | None:
        async with self._read() as conn:
            row = (
                (await conn.execute(select(t.refresh_tokens).where(t.refresh_tokens.c.token_hash == token_hash)))
                .mappings()
                .first()
            )
        return RefreshToken(**row) if row else None

    async def refresh_token_by_origin(self, origin_jti: str) -> RefreshToken | None:
        async with self._read() as conn:
            row = (
                (await conn.execute(select(t.refresh_tokens).where(t.refresh_tokens.c.origin_jti == origin_jti)))
                .mappings()
                .first()
            )
        return RefreshToken(**row) if row else None

    async def revoke_refresh_token(self, token_hash: str, at: float) -> bool:
        """Revoke the token's whole session: the token, the tokens rotation issued from it or before it, and so
        every access and ID token issued from any of them."""
        r = t.refresh_tokens
        session = select(r.c.session_id).where(r.c.token_hash == token_hash).scalar_subquery()
        async with self._write() as conn:
            result = await conn.execute(
                update(r).where(r.c.session_id == session, r.c.revoked_at.is_(None)).values(revoked_at=at)
            )
        return result.rowcount > 0

    @_retrying
    async def rotate_refresh_token(self, used: RefreshToken, new: RefreshToken, at: float, grace: float) -> bool:
        """Refresh-token rotation, in one transaction: mark ``used`` replaced and add ``new`` to its session.

        A token already replaced is still honoured for ``grace`` seconds after its first replacement (a client's
        retry, or concurrent refreshes in any number of processes: the conditional UPDATE lets exactly one request
        be the first; with no grace, every other one is a reuse). Past that, its use is a reuse: the whole session is
        revoked and False returned."""
        r = t.refresh_tokens
        async with self._write() as conn:
            first = await conn.execute(
                update(r)
                .where(r.c.token_hash == used.token_hash, r.c.replaced_at.is_(None), r.c.revoked_at.is_(None))
                .values(replaced_at=at)
            )
            if first.rowcount != 1:
                row = (
                    await conn.execute(select(r.c.replaced_at, r.c.revoked_at).where(r.c.token_hash == used.token_hash))
                ).first()
                honoured = row is not None and row.revoked_at is None and row.replaced_at is not None
                if not honoured or grace <= 0 or at > row.replaced_at + grace:
                    await conn.execute(
                        update(r)
                        .where(r.c.session_id == used.session_id, r.c.revoked_at.is_(None))
                        .values(revoked_at=at)
                    )
                    return False
            await conn.execute(insert(r).values(**new.__dict__))
        return True

    async def revoke_user_tokens(self, user_id: int, at: float) -> int:
        """Global sign-out: every refresh token of the user, and so every token issued from them, is revoked."""
        async with self._write() as conn:
            result = await conn.execute(
                update(t.refresh_tokens)
                .where(t.refresh_tokens.c.user_id == user_id, t.refresh_tokens.c.revoked_at.is_(None))
                .values(revoked_at=at)
            )
            # Expired refresh tokens are no use to anyone: let them go while we are here.
            await conn.execute(
                delete(t.refresh_tokens).where(
                    t.refresh_tokens.c.user_id == user_id, t.refresh_tokens.c.expires_at < at - MAX_TOKEN_AGE
                )
            )
        return result.rowcount

    # ---- challenge sessions ----------------------------------------------------------------------------
    async def add_session(self, session: AuthSession) -> None:
        async with self._write() as conn:
            # Sessions live minutes; drop the long-dead ones so the table stays small.
            await conn.execute(delete(t.auth_sessions).where(t.auth_sessions.c.expires_at < session.created_at - 3600))
            await conn.execute(insert(t.auth_sessions).values(**session.__dict__))

    async def get_session(self, id_hash: str) -> AuthSession | None:
        async with self._read() as conn:
            row = (
                (await conn.execute(select(t.auth_sessions).where(t.auth_sessions.c.id_hash == id_hash)))
                .mappings()
                .first()
            )
        return AuthSession(**row) if row else None

    async def use_session(self, id_hash: str, at: float) -> bool:
        """Mark a session used; True for the one caller that did it (a session answers once)."""
        async with self._write() as conn:
            result = await conn.execute(
                update(t.auth_sessions)
                .where(t.auth_sessions.c.id_hash == id_hash, t.auth_sessions.c.used_at.is_(None))
                .values(used_at=at)
            )
        return result.rowcount == 1

    # ---- rate counters ---------------------------------------------------------------------------------
    async def count_hit(self, scope: str, key: str, window_start: int, expires_at: float, now: float) -> int:
        """``count_hits`` of one counter."""
        [count] = await self.count_hits([(scope, key, window_start, expires_at)], now)
        return count

    async def count_hits(self, hits: Sequence[tuple[str, str, int, float]], now: float) -> list[int]:
        """Add one to the counter of each (scope, key, window start, window end) and return their new values, in
        one transaction of atomic upserts that work the same on SQLite and PostgreSQL (``INSERT ... ON CONFLICT
        DO UPDATE ... RETURNING``). Counters of windows that have ended are deleted now and then."""
        statement = _count_hit_statement(self.dialect)
        counts = []
        async with self._write(durable=False) as conn:
            for scope, key, window_start, expires_at in hits:
                hit = {"scope": scope, "key": key, "window_start": window_start, "expires_at": expires_at}
                counts.append(int((await conn.execute(statement, hit)).scalar_one()))
            if now >= self._next_sweep:
                self._next_sweep = now + _SWEEP_INTERVAL
                await conn.execute(_SWEEP_COUNTERS, {"now": now})
        return counts

    async def count_rate_counters(self) -> int:
        async with self._read() as conn:
            return (await conn.execute(select(func.count()).select_from(t.rate_counters))).scalar_one()

    # ---- risk configurations ---------------------------------------------------------------------------
    async def put_risk_configuration(
        self, pool_id: str, client_id: str, configuration: dict[str, Any], at: float
    ) -> None:
        """Replace the risk configuration of (pool, client or "ALL")."""
        async with self._write() as conn:
            await conn.execute(
                delete(t.risk_configurations).where(
                    t.risk_configurations.c.pool_id == pool_id, t.risk_configurations.c.client_id == client_id
                )
            )
            await conn.execute(
                insert(t.risk_configurations).values(
                    pool_id=pool_id, client_id=client_id, configuration=configuration, modified_at=at
                )
            )

    async def get_risk_configuration(self, pool_id: str, client_id: str) -> tuple[dict[str, Any], float] | None:
        async with self._read() as conn:
            row = (
                await conn.execute(
                    select(t.risk_configurations.c.configuration, t.risk_configurations.c.modified_at).where(
                        t.risk_configurations.c.pool_id == pool_id, t.risk_configurations.c.client_id == client_id
                    )
                )
            ).first()
        return (dict(row[0]), float(row[1])) if row else None

    # ---- integrity -------------------------------------------------------------------------------------
    async def integrity_check(self, sign_up_purpose: str = "signup", confirmed: str = "CONFIRMED") -> list[str]:
        """The store's invariants, as a list of violations (empty when all hold): every user has a ``sub``
        attribute equal to its sub; every key points at an existing user of its pool; no confirmed user still
        has a sign-up code; every sealed client secret opens; and, on SQLite, ``PRAGMA integrity_check`` and
        ``PRAGMA foreign_key_check`` find nothing."""
        problems: list[str] = []
        async with self._read() as conn:
            subs = select(t.user_attributes.c.user_id).where(
                t.user_attributes.c.name == "sub", t.user_attributes.c.value == t.users.c.sub
            )
            for (user_id,) in await conn.execute(select(t.users.c.id).where(t.users.c.id.not_in(subs))):
                problems.append(f"user {user_id} has no sub attribute equal to its sub")
            keys = await conn.execute(
                select(t.user_keys.c.pool_id, t.user_keys.c.kind, t.user_keys.c.user_id)
                .outerjoin(
                    t.users, (t.users.c.id == t.user_keys.c.user_id) & (t.users.c.pool_id == t.user_keys.c.pool_id)
                )
                .where(t.users.c.id.is_(None))
            )
            for pool_id, kind, user_id in keys:
                problems.append(f"{kind} key in pool {pool_id} points at missing user {user_id}")
            codes = await conn.execute(
                select(t.codes.c.user_id)
                .join(t.users, t.users.c.id == t.codes.c.user_id)
                .where(t.codes.c.purpose == sign_up_purpose, t.users.c.status == confirmed)
            )
            for (user_id,) in codes:
                problems.append(f"confirmed user {user_id} still has a sign-up code")
            for row in (await conn.execute(select(t.clients))).mappings():
                try:
                    self._client(row)
                except SealingError:
                    problems.append(f"the secret of client {row['id']} does not open")
            if self.dialect == "sqlite":
                verdict = [r[0] for r in await conn.execute(text("PRAGMA integrity_check"))]
                if verdict != ["ok"]:
                    problems.append(f"PRAGMA integrity_check: {verdict}")
                for row in await conn.execute(text("PRAGMA foreign_key_check")):
                    problems.append(f"PRAGMA foreign_key_check: {tuple(row)}")
        return problems

    # ---- outbox ----------------------------------------------------------------------------------------
    async def add_message(self, message: OutboxMessage) -> int:
        values = {k: v for k, v in message.__dict__.items() if k != "id"}
        async with self._write() as conn:
            result = await conn.execute(_INSERT_MESSAGE, values)
        return int(result.inserted_primary_key[0])

    async def list_messages(
        self, pool_id: str | None = None, username: str | None = None, limit: int = 1000
    ) -> list[OutboxMessage]:
        query = select(t.outbox).order_by(t.outbox.c.id.desc()).limit(limit)
        if pool_id is not None:
            query = query.where(t.outbox.c.pool_id == pool_id)
        if username is not None:
            query = query.where(t.outbox.c.username == username)
        async with self._read() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [OutboxMessage(**r) for r in reversed(rows)]

    async def outbox_pools(self) -> list[tuple[str, str | None, int]]:
        """``(pool id, pool name or None when deleted, message count)`` of every pool with outbox messages."""
        query = (
            select(t.outbox.c.pool_id, t.pools.c.name, func.count())
            .select_from(t.outbox.outerjoin(t.pools, t.pools.c.id == t.outbox.c.pool_id))
            .group_by(t.outbox.c.pool_id, t.pools.c.name)
            .order_by(func.max(t.outbox.c.id).desc())
        )
        async with self._read() as conn:
            return [(pool_id, name, int(count)) for pool_id, name, count in await conn.execute(query)]

    # ---- send quota ------------------------------------------------------------------------------------
    async def take_send_quota(self, pool_id: str, medium: str, day: str, limit: int) -> bool:
        """Count one message of ``medium`` sent by the pool on ``day``, unless ``limit`` are already counted.

        One upsert statement, so concurrent senders (in any process) can never count past the limit."""
        if limit <= 0:
            return False
        insert_ = _dialect_insert(self.dialect)
        statement = (
            insert_(t.send_counts)
            .values(pool_id=pool_id, medium=medium, day=day, count=1)
            .on_conflict_do_update(
                index_elements=[t.send_counts.c.pool_id, t.send_counts.c.medium, t.send_counts.c.day],
                set_={"count": t.send_counts.c.count + 1},
                where=t.send_counts.c.count < limit,
            )
            .returning(t.send_counts.c.count)
        )
        async with self._write() as conn:
            return (await conn.execute(statement)).first() is not None

    async def return_send_quota(self, pool_id: str, medium: str, day: str) -> None:
        """Give back a count taken for a message that could not be delivered."""
        async with self._write() as conn:
            await conn.execute(
                update(t.send_counts)
                .where(
                    t.send_counts.c.pool_id == pool_id,
                    t.send_counts.c.medium == medium,
                    t.send_counts.c.day == day,
                    t.send_counts.c.count > 0,
                )
                .values(count=t.send_counts.c.count - 1)
            )


def _user_lookup(first: Any) -> Any:
    """The user whose id the scalar subquery ``first`` gives, joined to each of its attribute rows."""
    return (
        select(*Store._USER_COLUMNS, t.user_attributes.c.name.label("attribute_name"), t.user_attributes.c.value)
        .select_from(t.users.outerjoin(t.user_attributes, t.user_attributes.c.user_id == t.users.c.id))
        .where(t.users.c.id == first)
    )


_USER_BY_NAME = _user_lookup(
    select(t.users.c.id)
    .where(t.users.c.pool_id == bindparam("pool_id"), t.users.c.username_key == bindparam("username_key"))
    .limit(1)
    .scalar_subquery()
)
_USER_BY_KEY = _user_lookup(
    select(t.user_keys.c.user_id)
    .where(
        t.user_keys.c.pool_id == bindparam("pool_id"),
        t.user_keys.c.kind.in_(bindparam("kinds", expanding=True)),
        t.user_keys.c.value_key == bindparam("value_key"),
    )
    .limit(1)
    .scalar_subquery()
)
_USER_BY_ID = _user_lookup(bindparam("user_id"))
_USER_BY_SUB = _user_lookup(
    select(t.users.c.id)
    .where(t.users.c.pool_id == bindparam("pool_id"), t.users.c.sub == bindparam("sub"))
    .limit(1)
    .scalar_subquery()
)


# Point reads by a unique key (one indexed statement of a few rows) run where they are called: on SQLite they take
# less CPU than the hand-off to another thread would, and in WAL mode a reader does not wait for writers.
_POINT_READS = frozenset(
    {
        "healthy",
        "get_pool",
        "get_client",
        "get_client_and_pool",
        "find_user",
        "find_user_by_key",
        "find_user_by_id",
        "find_user_by_sub",
        "get_code",
    }
)
# Every other public store call but ``close`` runs as one hand-off to a SQLite store's threads (``SqliteThreads``).
for _name, _method in list(vars(Store).items()):
    if not _name.startswith("_") and _name not in _POINT_READS | {"close"} and asyncio.iscoroutinefunction(_method):
        setattr(Store, _name, _on_store_thread(_method))


def _dialect_insert(dialect: str) -> Any:
    """INSERT with ON CONFLICT for the engine's dialect (SQLite and PostgreSQL spell it the same way)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


async def _claim(conn: _Connection, pool_id: str, user_id: int, kind: str, value: str, force: bool, at: float) -> None:
    """Make ``user_id`` the owner of the alias (kind, value). An alias owned by another user is a Conflict(kind),
    or with ``force`` moves to this user and is no longer verified on the other."""
    key = {"pool_id": pool_id, "kind": kind, "value_key": value}
    owner = (await conn.execute(_KEY_OWNER, key)).scalar_one_or_none()
    if owner == user_id:
        return
    if owner is None:
        await conn.execute(_INSERT_KEYS, {**key, "user_id": user_id})
        return
    if not force:
        raise Conflict(kind)
    await _unverify(conn, owner, kind, at)
    await conn.execute(
        update(t.user_keys)
        .where(t.user_keys.c.pool_id == pool_id, t.user_keys.c.kind == kind, t.user_keys.c.value_key == value)
        .values(user_id=user_id)
    )


async def _set_attribute(conn: _Connection, pool_id: str, user_id: int, name: str, value: str) -> None:
    changed = await conn.execute(_SET_ATTRIBUTE, {"b_user_id": user_id, "b_name": name, "b_value": value})
    if changed.rowcount == 0:
        await conn.execute(_INSERT_ATTRIBUTES, {"user_id": user_id, "pool_id": pool_id, "name": name, "value": value})


async def _unverify(conn: _Connection, user_id: int, kind: str, at: float) -> None:
    """The alias ``kind`` moved away from ``user_id``: its verified flag there becomes false."""
    flag = {"email": "email_verified", "phone_number": "phone_number_verified"}.get(kind)
    if flag:
        await conn.execute(
            update(t.user_attributes)
            .where(t.user_attributes.c.user_id == user_id, t.user_attributes.c.name == flag)
            .values(value="false")
        )
    await conn.execute(update(t.users).where(t.users.c.id == user_id).values(modified_at=at))


_COLUMN_FILTERS = {"username": t.users.c.username_key, "cognito:user_status": t.users.c.status}


def _matches(column: Any, op: str, value: str) -> Any:
    """``=`` or ``^=``, both case-sensitive on every database (LIKE folds ASCII case on SQLite)."""
    return column == value if op == "=" else func.substr(column, 1, len(value)) == value


def _filter_clause(pool_id: str, name: str, op: str, value: str) -> Any:
    if name == "status":
        if value not in ("Enabled", "Disabled"):
            return t.users.c.id.is_(None)
        return t.users.c.enabled == (value == "Enabled")
    if name in _COLUMN_FILTERS:
        return _matches(_COLUMN_FILTERS[name], op, value)
    attribute = t.user_attributes
    matches = select(attribute.c.user_id).where(
        attribute.c.pool_id == pool_id, attribute.c.name == name, _matches(attribute.c.value, op, value)
    )
    return t.users.c.id.in_(matches)


def _ordered(attributes: dict[str, str]) -> dict[str, str]:
    """``sub`` first, then the rest by name: a stable order for every answer."""
    ordered = {"sub": attributes["sub"]} if "sub" in attributes else {}
    ordered.update(sorted((k, v) for k, v in attributes.items() if k != "sub"))
    return ordered


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, and transactions that take the write lock up front.

    A write transaction starts with ``BEGIN IMMEDIATE`` so that two writers (in this process or another) queue
    on the busy timeout instead of failing to upgrade a read lock; reads start with a plain ``BEGIN``.
    ``synchronous=FULL``: a commit that was answered survives a power loss, not only a process crash (except the
    writes ``Store._write`` is told need not be durable: ``NORMAL``, which in WAL mode is still safe from
    corruption).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
        record.info["synchronous"] = "FULL"

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        if options.get("userpool_single_statement", False):
            return  # autocommit: the one statement is its own transaction
        if options.get("userpool_read_only", False):
            conn.exec_driver_sql("BEGIN")
            return
        # synchronous is the connection's, and is set outside a transaction: only when it changes.
        level = "FULL" if options.get("userpool_durable", True) else "NORMAL"
        if conn.connection.info.get("synchronous") != level:
            conn.exec_driver_sql(f"PRAGMA synchronous={level}")
            conn.connection.info["synchronous"] = level
        conn.exec_driver_sql("BEGIN IMMEDIATE")


@functools.cache
def _head_revisions() -> frozenset[str]:
    """The newest revisions of the migration scripts (those no other script names as its ``down_revision``),
    read from the scripts' ``revision``/``down_revision`` assignments without importing Alembic."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        for node in ast.parse(script.read_text()).body:
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = {t.id for t in targets if isinstance(t, ast.Name)}
                value = ast.literal_eval(node.value) if names & {"revision", "down_revision"} else None
                if "revision" in names:
                    revisions.add(value)
                if "down_revision" in names and value is not None:
                    parents.update([value] if isinstance(value, str) else value)
    return frozenset(revisions - parents)


def _at_head(connection: Connection) -> bool:
    """Whether the store's schema is already at the newest revision (then start-up need not load Alembic,
    which costs a few hundred milliseconds)."""
    if not inspect(connection).has_table("alembic_version"):
        return False
    stored = {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
    return stored == _head_revisions()


def _upgrade(connection: Connection) -> None:
    from alembic import command  # imported here: only a store that is behind needs it
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
