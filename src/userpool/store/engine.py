"""The store's engine: the driver for a URL, SQLite's pragmas and threads, transactions, retries, and
``StoreBase``, the shared base every area of the store (``pools``, ``users``, ...) builds on.

Where a store method runs is said where it is defined: ``@on_store_thread`` (every method that writes or reads
more than one statement: on SQLite, one hand-off to the store's own threads) or ``@point_read`` (one indexed
statement by a unique key: runs where it is called, on the event loop).
"""

from __future__ import annotations

import asyncio
import functools
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeVar

from sqlalchemy import Engine, Integer, create_engine, event, select, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, InvalidRequestError, MultipleResultsFound, NoResultFound, OperationalError

from userpool.store.cached import ReadCache
from userpool.store.sealing import SecretBox
from userpool.workers import Workers

if TYPE_CHECKING:  # SQLAlchemy's asyncio layer (and its ORM) is imported only for a PostgreSQL store
    from sqlalchemy.ext.asyncio import AsyncEngine

R = TypeVar("R")
S = TypeVar("S")
Method = TypeVar("Method", bound=Callable[..., Awaitable[Any]])

# PostgreSQL's serialization failure and deadlock: the transaction can simply run again.
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01"})
RETRIES = 6
STORE_THREAD = "userpool-store"  # the names of a SQLite store's threads begin with this


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


class StoreConnection(Protocol):
    """What a store method uses of a connection: SQLAlchemy's ``AsyncConnection`` (PostgreSQL) or, on SQLite, a
    synchronous connection behind ``SyncConnection``."""

    async def execute(self, statement: Any, parameters: Any = None) -> Any: ...

    async def run_sync(self, fn: Callable[..., Any], *args: Any) -> Any: ...


class SyncConnection:
    """A synchronous SQLAlchemy connection with the awaitable face of ``AsyncConnection``: on the store's SQLite
    thread a statement simply runs (its results are the same buffered ``Result`` objects)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        return self._conn.execute(statement, parameters)

    async def run_sync(self, fn: Callable[..., Any], *args: Any) -> Any:
        return fn(self._conn, *args)


class SqliteThreads:
    """Where a SQLite store's ``@on_store_thread`` methods run: a few threads of the store's own, so that a whole
    store call (all its statements, its BEGIN and COMMIT) is one hand-off from the server's event loop instead of
    several per statement.

    The method bodies stay ``async`` (PostgreSQL awaits asyncpg), but on these threads nothing they await ever
    suspends (``SyncConnection``; ``retrying`` sleeps with ``time.sleep`` here), so a call is run by driving its
    coroutine to the end in one step. The sqlite3 driver releases the GIL while SQLite works; a writer waits for
    this process's other writers on ``write_lock`` (and for other processes on SQLite's busy timeout) on its own
    thread, never on the server's event loop.

    Group commit (``StoreBase._write``): a write commits without waiting for the disk and is numbered
    (``count_commit``, under ``write_lock``); a durable one then waits, outside ``write_lock``, until a sync of the
    write-ahead log that began after its commit has finished (``wait_synced``). One sync covers every commit counted
    before it began, so the writers that committed while a sync ran share the next one."""

    def __init__(self, engine: Engine, threads: int = 4) -> None:
        self.engine = engine
        self.write_lock = threading.Lock()
        self.sync_lock = threading.Lock()  # one sync of the write-ahead log at a time
        self.committed = 0  # the number of the last commit this process made (counted under write_lock)
        self.synced = 0  # every commit up to this number is on disk
        self.syncs = 0  # syncs of the write-ahead log made (an instrument for tests and benchmarks)
        # How the log is synced: fdatasync where there is one, as SQLite does (no sync of the file's times when the
        # log is overwritten in place after a checkpoint). A test makes it slow or fail.
        self.sync_file: Callable[[int], None] = getattr(os, "fdatasync", os.fsync)
        self._synced_file: tuple[int, int] | None = None  # (device, inode) of the log last synced
        self._sync_failed: OSError | None = None
        self._local = threading.local()
        # The store's threads (started at the first call): each drives a store method's coroutine to its end.
        self._workers = Workers(threads, STORE_THREAD, started=self._inside, skipped=_close_coroutine)
        self._kept: list[Connection] = []  # every thread's own connection, closed with the store
        self._kept_lock = threading.Lock()
        self._prepared: dict[int, _Prepared] = {}

    def here(self) -> bool:
        """Whether the caller already runs on one of these threads (a store method calling another)."""
        return getattr(self._local, "inside", False)

    async def run(self, call: Coroutine[Any, Any, Any]) -> Any:
        """Run ``call`` on a store thread and return its result (``workers.Workers``: a call whose caller was
        cancelled before a thread took it never runs)."""
        try:
            return await self._workers.run(_drive, call)
        except RuntimeError:
            call.close()  # never started (the store is closed); a coroutine that ran to its end ignores this
            raise

    def _inside(self) -> None:
        self._local.inside = True

    @contextmanager
    def connection(self, **options: Any) -> Iterator[Connection]:
        """This thread's own connection, kept between calls (taking one from the pool and giving it back costs
        about as much as a point read), with ``options``; a fresh one from the pool when this thread's is already
        in use (a store method inside another's transaction). No transaction is left open."""
        if getattr(self._local, "busy", False):
            with self.engine.connect() as fresh:
                yield fresh.execution_options(**options)
            return
        conn = self._own_connection()
        self._local.busy = True
        try:
            yield conn.execution_options(**options)
        finally:
            self._local.busy = False
            _roll_back(conn)

    def _own_connection(self) -> Connection:
        conn = getattr(self._local, "connection", None)
        if conn is None or conn.closed or conn.invalidated:
            conn = self._local.connection = self.engine.connect()
            with self._kept_lock:
                self._kept.append(conn)
        return conn

    def rows(self, statement: Any, parameters: Mapping[str, Any]) -> list[dict[str, Any]] | None:
        """The rows (as mappings) of a ``point_statement``, run on this thread's sqlite3 connection without
        SQLAlchemy's execution layer, outside any transaction (one statement is consistent on its own). None when
        this path does not apply, and the caller runs the statement through SQLAlchemy: a statement not marked,
        this thread's connection in use, statement events listened to (tests, tracing), or an error (raised
        again, in SQLAlchemy's wrapping, by the caller's run)."""
        if id(statement) not in _POINT_STATEMENTS or getattr(self._local, "busy", False):
            return None
        dispatch = self.engine.dispatch
        if dispatch.before_cursor_execute or dispatch.after_cursor_execute:
            return None
        prepared = self._prepare(statement)
        arguments = prepared.arguments(parameters)
        conn = self._own_connection()
        if arguments is None or conn.in_transaction():
            return None
        try:
            fetched = conn.connection.driver_connection.execute(prepared.sql, arguments)
            return prepared.mappings(fetched.fetchall())
        except sqlite3.Error:
            return None

    def _prepare(self, statement: Any) -> _Prepared:
        prepared = self._prepared.get(id(statement))
        if prepared is None:
            prepared = self._prepared[id(statement)] = _Prepared(statement, self.engine)
        return prepared

    def direct_writes(self) -> bool:
        """Whether ``StoreBase._write`` runs its transaction straight on the sqlite3 connection: nobody but the store
        listens to the engine's statement and transaction events (a test counting writes with a ``begin``
        listener, or tracing statements, gets every write through SQLAlchemy)."""
        dispatch = self.engine.dispatch
        if dispatch.before_cursor_execute or dispatch.after_cursor_execute or dispatch.before_execute:
            return False
        if dispatch.after_execute or dispatch.commit or dispatch.rollback:
            return False
        return all(listener is _begin_sqlite for listener in dispatch.begin)

    @contextmanager
    def transaction(self, conn: Connection) -> Iterator[StoreConnection]:
        """A write transaction begun, committed or rolled back on ``conn``'s sqlite3 connection (``BEGIN
        IMMEDIATE``, ``COMMIT``), whose marked statements (``point_statement``) run there too; any other statement
        runs through SQLAlchemy on the same connection, in the same transaction (SQLAlchemy's own transaction,
        begun then, is the one committed). Errors are SQLAlchemy's, as through SQLAlchemy."""
        self._driver_sql(conn, "BEGIN IMMEDIATE")
        try:
            yield _DirectConnection(self, conn)
            if conn.in_transaction():
                conn.commit()
            else:
                self._driver_sql(conn, "COMMIT")
        except BaseException:
            _roll_back(conn)
            raise

    def run_direct(self, conn: Connection, statement: Any, parameters: Mapping[str, Any]) -> _Rows | None:
        """Run a ``point_statement`` straight on ``conn``'s sqlite3 connection, in its transaction: its rows, or None
        when a value it needs is not given (the caller runs it through SQLAlchemy, which says what is missing)."""
        prepared = self._prepare(statement)
        arguments = prepared.arguments(parameters)
        if arguments is None:
            return None
        cursor = self._driver_sql(conn, prepared.sql, arguments)
        try:
            rows = cursor.fetchall()
        except sqlite3.Error as error:
            raise self._wrapped(conn, error, prepared.sql, arguments) from error
        return _Rows(
            prepared.keys, prepared.values(rows), cursor.rowcount, cursor.lastrowid if prepared.rowid else None
        )

    def run_direct_many(
        self, conn: Connection, statement: Any, parameters: Sequence[Mapping[str, Any]]
    ) -> _Rows | None:
        """``run_direct`` for many sets of values (an INSERT of many rows: SQLite's ``executemany``): its row count,
        or None when a value is missing from any set (the caller runs it through SQLAlchemy)."""
        prepared = self._prepare(statement)
        arguments = [prepared.arguments(values) for values in parameters]
        if any(values is None for values in arguments):
            return None
        return _Rows([], [], self._driver_sql(conn, prepared.sql, arguments, many=True).rowcount)

    def _driver_sql(self, conn: Connection, sql: str, arguments: Any = (), many: bool = False) -> sqlite3.Cursor:
        """``sql`` run on ``conn``'s sqlite3 connection (``many``: once per set of ``arguments``), its errors
        raised as SQLAlchemy's."""
        driver = conn.connection.driver_connection
        try:
            return driver.executemany(sql, arguments) if many else driver.execute(sql, arguments)
        except sqlite3.Error as error:
            raise self._wrapped(conn, error, sql, tuple(arguments)) from error

    def _wrapped(self, conn: Connection, error: sqlite3.Error, sql: str, arguments: tuple[Any, ...]) -> DBAPIError:
        """A sqlite3 error as SQLAlchemy raises it (``IntegrityError``, ``OperationalError``...), the connection
        invalidated when SQLite says it is gone."""
        dialect = self.engine.dialect
        gone = dialect.is_disconnect(error, conn.connection.driver_connection, None)
        if gone:
            conn.invalidate(error)
        return DBAPIError.instance(
            sql,
            arguments,
            error,
            sqlite3.Error,
            hide_parameters=self.engine.hide_parameters,
            connection_invalidated=gone,
            dialect=dialect,
        )

    def count_commit(self) -> int:
        """Number the commit this thread just made (called under ``write_lock``, after COMMIT returned); the
        number is also this thread's ``last_commit``."""
        self.committed += 1
        self._local.commit = self.committed
        return self.committed

    def last_commit(self) -> int:
        """The number of the last commit made on this thread (0 before any)."""
        return getattr(self._local, "commit", 0)

    def wait_synced(self, commit: int, wal: str) -> None:
        """Return once the write-ahead log ``wal`` has been synced by a sync that began after commit number
        ``commit``: at once when one already has, else after syncing it here, which covers every commit counted
        so far (those that arrived while the previous sync ran share this one).

        Raises the ``OSError`` of a failed sync. After one, every later call raises too: the kernel may have
        dropped the pages it could not write and report that only once, and a log with a hole in it ends at the
        hole when SQLite recovers it, so no later sync can vouch for anything (PostgreSQL stops for the same
        reason). The store must be opened again."""
        with self.sync_lock:
            if self.synced >= commit:
                return
            if self._sync_failed is not None:
                raise OSError(f"an earlier sync of {wal} failed: {self._sync_failed}") from self._sync_failed
            covered = self.committed
            try:
                self._sync(wal)
            except OSError as error:
                self._sync_failed = error
                raise
            self.synced = covered

    def _sync(self, wal: str) -> None:
        """Sync the write-ahead log, opened afresh: SQLite deletes it when its last connection closes (after
        a checkpoint, which synced the database file, so a log that is gone holds nothing unsynced) and makes a
        new one on the next write. The first sync of a new log also syncs its folder, as SQLite would, so that
        the log's name survives a power loss too."""
        try:
            fd = os.open(wal, os.O_RDONLY)
        except FileNotFoundError:
            return
        try:
            stat = os.fstat(fd)
            self.sync_file(fd)
            self.syncs += 1
        finally:
            os.close(fd)
        if (stat.st_dev, stat.st_ino) != self._synced_file:
            folder = os.open(os.path.dirname(wal) or ".", os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
            self._synced_file = (stat.st_dev, stat.st_ino)

    def close(self) -> None:
        """Stop the store's threads once the calls already handed to them have run (``run`` raises from then on),
        then close the connections."""
        self._workers.close(wait=True)
        with self._kept_lock:
            for conn in self._kept:
                conn.close()
            self._kept.clear()
        self.engine.dispose()


class _Prepared:
    """A point read's statement compiled once for SQLite: its SQL, the order of its parameters (with the values
    the statement itself binds, such as ``LIMIT 1``), and the names and result processors of its columns."""

    __slots__ = ("bind_processors", "bound", "keys", "order", "processors", "required", "rowid", "sql")

    def __init__(self, statement: Any, engine: Engine) -> None:
        compiled = statement.compile(dialect=engine.dialect)
        self.sql: str = compiled.string
        self.order: list[str] = list(compiled.positiontup or ())
        self.bound: dict[str, Any] = dict(compiled.params)
        required = {name for name, bind in compiled.binds.items() if bind.required}
        if compiled.isinsert:
            # An INSERT of a whole table (``insert(table)``) binds every column; as through SQLAlchemy, a column
            # the values leave out is NULL when nothing else would fill it (no default, nullable or the rowid key).
            for column in statement.table.columns:
                if column.default is None and column.server_default is None and _null_when_left_out(column):
                    required.discard(column.key)
        self.required = frozenset(required)
        self.bind_processors: dict[str, Callable[[Any], Any]] = dict(compiled._bind_processors)
        columns = compiled._result_columns
        self.keys: list[str] = [c.keyname for c in columns]
        self.processors = [c.type._cached_result_processor(engine.dialect, None) for c in columns]
        # An INSERT into a table keyed by SQLite's rowid: its new key is the cursor's ``lastrowid``, as SQLAlchemy's
        # ``inserted_primary_key`` answers.
        self.rowid = compiled.isinsert and _rowid_key(statement.table) is not None
        # A default computed in Python (by SQLAlchemy's execution context) cannot be run straight on SQLite.
        defaults = getattr(compiled, "insert_prefetch", None) or getattr(compiled, "update_prefetch", None)
        if any(b.expanding for b in compiled.binds.values()) or len(set(self.keys)) != len(self.keys) or defaults:
            raise ValueError(f"not a point statement SQLite can run directly: {self.sql}")

    def arguments(self, parameters: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The statement's values in order, or None when one it requires is not in ``parameters``."""
        values = []
        for name in self.order:
            if name in parameters:
                value = parameters[name]
            elif name in self.required:
                return None
            else:
                value = self.bound[name]
            process = self.bind_processors.get(name)
            values.append(value if process is None else process(value))
        return tuple(values)

    def values(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        processors = self.processors
        if not any(processors):
            return rows
        return [tuple(v if p is None else p(v) for p, v in zip(processors, row, strict=True)) for row in rows]

    def mappings(self, rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
        keys = self.keys
        return [dict(zip(keys, row, strict=True)) for row in self.values(rows)]


def _rowid_key(table: Any) -> Any:
    """``table``'s key column when it is one ``INTEGER PRIMARY KEY``: SQLite's rowid, which numbers new rows."""
    keys = list(table.primary_key)
    return keys[0] if len(keys) == 1 and type(keys[0].type) is Integer else None


def _null_when_left_out(column: Any) -> bool:
    """Whether an INSERT that leaves ``column`` out stores NULL there (the rowid key: the next number)."""
    return _rowid_key(column.table) is column or (bool(column.nullable) and not column.primary_key)


class _Rows:
    """The rows of a ``point_statement`` run straight on SQLite (``SqliteThreads.run_direct``), with what store
    methods use of SQLAlchemy's ``Result``: ``mappings()``, ``first()``, ``scalar*()``, ``rowcount``."""

    __slots__ = ("_keys", "_rowid", "_rows", "rowcount")

    def __init__(self, keys: list[str], rows: list[Any], rowcount: int, rowid: int | None = None) -> None:
        self._keys = keys
        self._rows = rows
        self.rowcount = rowcount
        self._rowid = rowid

    @property
    def inserted_primary_key(self) -> tuple[int]:
        """The new row's key, for an INSERT of one row into a table keyed by one integer column."""
        if self._rowid is None:
            raise InvalidRequestError("not an INSERT of one row into a table with an integer key")
        return (self._rowid,)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def mappings(self) -> _Rows:
        keys = self._keys
        return _Rows(keys, [dict(zip(keys, row, strict=True)) for row in self._rows], self.rowcount)

    def all(self) -> list[Any]:
        return list(self._rows)

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def one(self) -> Any:
        if not self._rows:
            raise NoResultFound("No row was found when one was required")
        if len(self._rows) > 1:
            raise MultipleResultsFound("Multiple rows were found when exactly one was required")
        return self._rows[0]

    def one_or_none(self) -> Any:
        return None if not self._rows else self.one()

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        return self.one()[0]

    def scalar_one_or_none(self) -> Any:
        row = self.one_or_none()
        return None if row is None else row[0]


class _DirectConnection:
    """What store methods get of a SQLite write transaction run on the sqlite3 connection
    (``SqliteThreads.transaction``): a ``point_statement`` runs there, anything else through SQLAlchemy on the same
    connection (``SyncConnection``'s face)."""

    __slots__ = ("_conn", "_threads")

    def __init__(self, threads: SqliteThreads, conn: Connection) -> None:
        self._threads = threads
        self._conn = conn

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        if id(statement) in _POINT_STATEMENTS:
            rows = None
            if parameters is None or isinstance(parameters, Mapping):
                rows = self._threads.run_direct(self._conn, statement, parameters or {})
            elif isinstance(parameters, list) and parameters and all(isinstance(p, Mapping) for p in parameters):
                rows = self._threads.run_direct_many(self._conn, statement, parameters)
            if rows is not None:
                return rows
        return self._conn.execute(statement, parameters)

    async def run_sync(self, fn: Callable[..., Any], *args: Any) -> Any:
        return fn(self._conn, *args)


# The statements ``point_statement`` marked (module constants, alive for good: an id is never reused).
_POINT_STATEMENTS: dict[int, Any] = {}


def point_statement(statement: S) -> S:
    """Mark a statement built once and kept for good (a module constant, or cached): a point read, or an INSERT,
    UPDATE or DELETE, every value a bound parameter (no expanding ``IN``, no default computed in Python). On
    SQLite, ``StoreBase._read_one`` and the user look-ups run a read straight on the sqlite3 connection
    (``SqliteThreads.rows``), and inside ``StoreBase._write`` any marked statement runs there too
    (``SqliteThreads.transaction``): SQLAlchemy's execution of a cached statement (execution context, result
    objects, autobegin and rollback) costs several times what SQLite's own work does (~0.2 ms against ~0.03 ms)."""
    _POINT_STATEMENTS[id(statement)] = statement
    return statement


def _roll_back(conn: Connection) -> None:
    """End whatever transaction ``conn`` holds, SQLAlchemy's or one SQLite began that SQLAlchemy does not know of
    (begun on the sqlite3 connection by ``SqliteThreads.transaction``, or by ``_begin_sqlite`` in a ``begin`` that
    then failed): a kept connection left inside one would hold the write lock for good."""
    if conn.in_transaction():
        conn.rollback()
    elif not conn.invalidated and conn.connection.driver_connection.in_transaction:
        conn.connection.driver_connection.rollback()


def _close_coroutine(args: tuple[Any, ...]) -> None:
    """A store method's coroutine that will not run (its caller gave up): closed, so it is not left never awaited."""
    args[0].close()


def _drive(call: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine that never suspends to its end, and return its result."""
    try:
        call.send(None)
    except StopIteration as done:
        return done.value
    call.close()
    raise RuntimeError("a SQLite store method awaited something that suspends")


def on_store_thread(method: Method) -> Method:
    """Mark a store method that writes, or reads more than one statement: on a SQLite store it runs as one hand-off
    to the store's threads (a PostgreSQL store, or a call from those threads, runs it where it is called)."""
    if not asyncio.iscoroutinefunction(method):
        raise TypeError(f"{method.__qualname__} is not a coroutine function")

    @functools.wraps(method)
    async def run(self: StoreBase, *args: Any, **kwargs: Any) -> Any:
        threads = self._sqlite
        if threads is None or threads.here():
            return await method(self, *args, **kwargs)
        return await threads.run(method(self, *args, **kwargs))

    run.on_store_thread = True  # type: ignore[attr-defined]
    return run  # type: ignore[return-value]


def point_read(method: Method) -> Method:
    """Mark a store method that is one indexed statement by a unique key (a few rows at most): it runs where it is
    called. On SQLite that takes less CPU than the hand-off to a store thread, and in WAL mode a reader never
    waits for a writer (docs/benchmarks.md, round 2)."""
    method.point_read = True  # type: ignore[attr-defined]
    return method


def _is_transient(error: DBAPIError) -> bool:
    state = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return state in TRANSIENT_SQLSTATES or "database is locked" in str(error.orig)


def retrying(method: Method) -> Method:
    """Run a write method again, with backoff, when its transaction hit a serialization failure or deadlock."""

    @functools.wraps(method)
    async def run(store: StoreBase, *args: Any, **kwargs: Any) -> Any:
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

    return run  # type: ignore[return-value]


def dialect_insert(dialect: str) -> Any:
    """INSERT with ON CONFLICT for the engine's dialect (SQLite and PostgreSQL spell it the same way)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, and transactions that take the write lock up front.

    A write transaction starts with ``BEGIN IMMEDIATE`` so that two writers (in this process or another) queue
    on the busy timeout instead of failing to upgrade a read lock; reads start with a plain ``BEGIN``.

    ``synchronous=NORMAL`` in WAL mode: a COMMIT writes the transaction's frames to the write-ahead log and does not
    sync it; SQLite syncs the log before each checkpoint and the database file after it, so a power loss can lose
    the last commits but never corrupts the database (sqlite.org, PRAGMA synchronous; "WAL mode is always
    consistent with synchronous=NORMAL"). What ``FULL`` adds in WAL mode is one sync of the log after each
    commit, inside the commit and so inside the write lock. ``StoreBase._write`` makes that same sync itself,
    after the write lock is released and before a durable write returns (``SqliteThreads.wait_synced``), so an
    answered durable write still survives a power loss. The connection's ``info["wal"]`` is the log's path
    (None when the database is in memory, or when WAL mode could not be set: then the connection stays ``FULL``
    and each commit syncs itself).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        mode = cursor.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        files = {name: file for _, name, file in cursor.execute("PRAGMA database_list").fetchall()}
        wal = files["main"] + "-wal" if files.get("main") and mode == "wal" else None
        cursor.execute("PRAGMA synchronous=FULL" if wal is None else "PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
        record.info["wal"] = wal

    event.listen(engine, "begin", _begin_sqlite)


def _begin_sqlite(conn: Connection) -> None:
    """SQLAlchemy begins a transaction on a SQLite connection (``_configure_sqlite``)."""
    options = conn.get_execution_options()
    if options.get("userpool_single_statement", False):
        return  # autocommit: the one statement is its own transaction
    if conn.connection.driver_connection.in_transaction:
        return  # begun on the sqlite3 connection already (``SqliteThreads.transaction``): SQLAlchemy joins it
    conn.exec_driver_sql("BEGIN" if options.get("userpool_read_only", False) else "BEGIN IMMEDIATE")


async def first_record(
    conn: StoreConnection, statement: Any, parameters: Mapping[str, Any], record: Callable[..., R]
) -> R | None:
    """The record ``record(**row)`` of the first row ``statement`` finds, or None when it finds none."""
    row = (await conn.execute(statement, parameters)).mappings().first()
    return None if row is None else record(**row)


class StoreBase:
    """One SQLAlchemy engine (asyncpg's for PostgreSQL, or sqlite3's driven on ``SqliteThreads``), its
    transactions, and the key that seals client secrets: what every area of the store shares."""

    def __init__(self, engine: AsyncEngine | Engine, box: SecretBox | None = None, cache_seconds: float = 0.0) -> None:
        self.dialect = engine.dialect.name
        # App clients and pools, read by nearly every request (``store/cached.py``); off unless asked for.
        self._cache = ReadCache(cache_seconds)
        # SQLite: a synchronous engine driven on the store's threads; its writers queue on ``write_lock`` rather
        # than on SQLite's busy handler (which sleeps and polls), which keeps latency flat.
        self._sqlite = SqliteThreads(engine) if isinstance(engine, Engine) else None
        self._async_engine = None if isinstance(engine, Engine) else engine
        self._box = box

    @classmethod
    def open(cls, url: str, box: SecretBox | None = None, cache_seconds: float = 0.0) -> Self:
        """A store on ``url``: ``sqlite:///path`` or ``postgresql://user@host/db`` (asyncpg). Client
        secrets are sealed with ``box``; app clients and pools are cached for up to ``cache_seconds``."""
        url = driver_url(url)
        # hide_parameters: a database error logged with its statement never shows the values (hashes, secrets).
        if url.startswith("sqlite"):
            database = make_url(url).database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            # A connection may be used by any of the store's threads (one at a time, from SQLAlchemy's pool).
            engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, hide_parameters=True)
            _configure_sqlite(engine)
            return cls(engine, box, cache_seconds)
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, hide_parameters=True)
        return cls(engine, box, cache_seconds)

    def drop_cache(self) -> None:
        """Forget the cached app clients and pools: the next reads go to the database."""
        self._cache.clear()

    async def close(self) -> None:
        """Close the engine (on SQLite, the store's threads and their connections, from a thread of its own)."""
        if self._sqlite is not None:
            await asyncio.to_thread(self._sqlite.close)
        elif self._async_engine is not None:
            await self._async_engine.dispose()

    @asynccontextmanager
    async def _write(self, durable: bool = True) -> AsyncIterator[StoreConnection]:
        """A write transaction (on SQLite, ``BEGIN IMMEDIATE`` after this process's other writers are done).

        A durable write is on disk when this returns, before the request is answered. On PostgreSQL its COMMIT
        waits for the disk. On SQLite the COMMIT does not (``synchronous=NORMAL``, see ``_configure_sqlite``): the
        write lock is released, and then this waits for a sync of the write-ahead log that began after the commit
        (``SqliteThreads.wait_synced``); a sync covers every commit made before it began, so writers that commit
        while one runs share the next (group commit), and the next writer's transaction no longer waits for this
        one's disk. One difference from a sync inside the commit: another connection can read a commit before its
        sync has finished, while its writer has not yet been answered (and if the sync then fails, the writer's
        request fails although its commit stays: an answer of 500 never says that nothing was written).

        A write that is not ``durable`` (rate counters: losing the last few on a power cut costs nothing) does not
        wait for the disk: on SQLite it returns without the sync (a later durable write's sync covers it),
        PostgreSQL's ``synchronous_commit=off``; both keep the database consistent."""
        if self._async_engine is not None:
            async with self._async_engine.begin() as conn:
                if not durable:
                    await conn.execute(text("SET LOCAL synchronous_commit TO OFF"))
                yield conn
            return
        threads = self._sqlite
        assert threads is not None
        # ``userpool_durable`` is read by no code of ours: it says on the connection what kind of write this is (a
        # test counts the durable ones).
        options = {"userpool_read_only": False, "userpool_single_statement": False, "userpool_durable": durable}
        with threads.write_lock:
            if threads.direct_writes():
                with threads.connection(**options) as sync, threads.transaction(sync) as direct:
                    wal = sync.connection.info.get("wal")
                    yield direct
            else:
                with threads.connection(**options) as sync, sync.begin():
                    wal = sync.connection.info.get("wal")
                    yield SyncConnection(sync)
            commit = threads.count_commit()
        if durable and wal is not None:
            threads.wait_synced(commit, wal)

    @asynccontextmanager
    async def _read(self, statements: int = 2) -> AsyncIterator[StoreConnection]:
        """A connection for reading. Reads of several statements share one transaction (one snapshot); a read of
        one statement (``statements=1``) needs none on SQLite (one statement is always consistent)."""
        options = {"userpool_read_only": True, "userpool_single_statement": statements == 1}
        if self._async_engine is not None:
            async with self._async_engine.connect() as conn:
                yield await conn.execution_options(**options)
            return
        assert self._sqlite is not None
        with self._sqlite.connection(**options) as sync:
            yield SyncConnection(sync)

    def _point_rows(self, statement: Any, parameters: Mapping[str, Any]) -> list[dict[str, Any]] | None:
        """The rows of a ``point_statement`` read straight from SQLite (``SqliteThreads.rows``), or None: then the
        caller reads through SQLAlchemy."""
        return None if self._sqlite is None else self._sqlite.rows(statement, parameters)

    async def _read_rows(self, statement: Any, parameters: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        """Every row (as a mapping) of one statement: straight from SQLite for a ``point_statement``, else through
        SQLAlchemy (a read of one statement)."""
        rows = self._point_rows(statement, parameters)
        if rows is not None:
            return rows
        async with self._read(statements=1) as conn:
            return list((await conn.execute(statement, parameters)).mappings())

    async def _read_one(self, statement: Any, parameters: Mapping[str, Any], record: Callable[..., R]) -> R | None:
        """Fetch one row and build its record, or None: the read of one statement every ``get_*`` is."""
        rows = self._point_rows(statement, parameters)
        if rows is not None:
            return record(**rows[0]) if rows else None
        async with self._read(statements=1) as conn:
            return await first_record(conn, statement, parameters, record)

    @point_read
    async def healthy(self) -> bool:
        try:
            async with self._read() as conn:
                await conn.execute(select(1))
            return True
        except OperationalError:
            return False
