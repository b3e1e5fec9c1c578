"""App clients and their secrets. A confidential client has one or two active secrets (rotation), each sealed
(``sealing.SecretBox``, the client id as associated data) and opened as a client is read: the oldest in
``secret_sealed``, the newer in ``second_secret_sealed``, with the epoch millisecond each was made (their ids). The
client and its pool stay one read (``get_client_and_pool``). Deleting a client takes its risk configuration with
it."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import bindparam, case, delete, insert, select, update

from userpool.domain.records import Client, ClientSecret, Pool
from userpool.store import tables as t
from userpool.store.cached import invalidates_cache
from userpool.store.engine import StoreBase, on_store_thread, point_read, point_statement, retrying
from userpool.store.paging import page, read_token
from userpool.store.sealing import SealingError, SecretBox

_GET_CLIENT = point_statement(select(t.clients).where(t.clients.c.id == bindparam("client_id")))
_GET_CLIENT_AND_POOL = point_statement(
    select(t.clients, *(c.label(f"of_pool_{c.name}") for c in t.pools.c))
    .select_from(t.clients.outerjoin(t.pools, t.pools.c.id == t.clients.c.pool_id))
    .where(t.clients.c.id == bindparam("client_id"))
)
_c = t.clients.c
# A second secret: only where there is a first and no second (of two racing Adds one wins), made at least one
# millisecond after the first (the ids differ, and the first stays the oldest).
_ADD_SECRET = (
    update(t.clients)
    .where(
        _c.id == bindparam("client_id"),
        _c.second_secret_sealed.is_(None),
        _c.secret_sealed.is_not(None) | _c.secret.is_not(None),
    )
    .values(
        second_secret_sealed=bindparam("sealed"),
        second_secret_created_ms=case(
            (_c.secret_created_ms >= bindparam("at_ms"), _c.secret_created_ms + 1), else_=bindparam("at_ms")
        ),
    )
    .returning(_c.second_secret_created_ms)
)
_DELETE_SECOND = (
    update(t.clients)
    .where(_c.id == bindparam("client_id"), _c.second_secret_created_ms == bindparam("created_ms"))
    .values(second_secret_sealed=None, second_secret_created_ms=None)
)
# Deleting the first (oldest) secret moves the second into its place; never the last one.
_DELETE_FIRST = (
    update(t.clients)
    .where(
        _c.id == bindparam("client_id"),
        _c.secret_created_ms == bindparam("created_ms"),
        _c.second_secret_sealed.is_not(None),
    )
    .values(
        secret=None,
        secret_sealed=_c.second_secret_sealed,
        secret_created_ms=_c.second_secret_created_ms,
        second_secret_sealed=None,
        second_secret_created_ms=None,
    )
)
_FIRST_SECRET = select(_c.secret_created_ms).where(_c.id == bindparam("client_id"))

SecretRemoval = Literal["deleted", "last", "missing"]


def open_client(box: SecretBox | None, values: dict[str, Any]) -> Client:
    """The client of a ``clients`` row, its sealed secrets opened with ``box`` (``SealingError`` when one cannot
    be)."""
    client_id = values["id"]
    plain = values.pop("secret", None)
    sealed = values.pop("secret_sealed", None)
    first_ms = values.pop("secret_created_ms", None)
    second = values.pop("second_secret_sealed", None)
    second_ms = values.pop("second_secret_created_ms", None)
    found: list[ClientSecret] = []
    first = _open(box, sealed, client_id) if sealed is not None else plain
    if first is not None:
        found.append(
            ClientSecret(client_id, first, first_ms if first_ms is not None else round(values["created_at"] * 1000))
        )
    if second is not None:
        found.append(ClientSecret(client_id, _open(box, second, client_id), second_ms))
    return Client(**values, secret=found[0].value if found else None, secrets=tuple(found))


def _open(box: SecretBox | None, sealed: str, client_id: str) -> str:
    if box is None:
        raise SealingError("this store has no key to open client secrets")
    return box.open(sealed, client_id)


class ClientStore(StoreBase):
    def _client(self, **values: Any) -> Client:
        return open_client(self._box, values)

    def _secret_columns(self, client_id: str, secret: str | None) -> dict[str, str | None]:
        if secret is None or self._box is None:
            return {"secret": secret, "secret_sealed": None}
        return {"secret": None, "secret_sealed": self._box.seal(secret, client_id)}

    def _sealed(self, secret: str, client_id: str) -> str:
        """A secret sealed for ``client_id`` (every secret but a legacy first one needs the store's key)."""
        if self._box is None:
            raise SealingError("this store has no key to seal client secrets")
        return self._box.seal(secret, client_id)

    @on_store_thread
    @invalidates_cache
    async def create_client(self, client: Client) -> None:
        values = {k: v for k, v in client.__dict__.items() if k not in ("secret", "secrets")}
        values.update(self._secret_columns(client.id, client.secret))
        if client.secrets:
            values["secret_created_ms"] = client.secrets[0].created_ms
        if len(client.secrets) > 1:
            second = client.secrets[1]
            values["second_secret_sealed"] = self._sealed(second.value, client.id)
            values["second_secret_created_ms"] = second.created_ms
        async with self._write() as conn:
            await conn.execute(insert(t.clients).values(**values))

    @on_store_thread
    @retrying
    @invalidates_cache
    async def add_client_secret(self, client_id: str, secret: str, at: float) -> ClientSecret | None:
        """Give a confidential client a second active secret, made at ``at`` (or a millisecond after its first,
        if that is later): the new secret, or None when the client has none, already has two, or does not
        exist. One conditional ``UPDATE``, so of racing Adds one wins."""
        sealed = self._sealed(secret, client_id)
        async with self._write() as conn:
            made = (
                await conn.execute(_ADD_SECRET, {"client_id": client_id, "sealed": sealed, "at_ms": round(at * 1000)})
            ).scalar_one_or_none()
        return None if made is None else ClientSecret(client_id, secret, made)

    @on_store_thread
    @retrying
    @invalidates_cache
    async def delete_client_secret(self, client_id: str, secret: ClientSecret) -> SecretRemoval:
        """Delete one of a client's active secrets (the newer moves into the place of a deleted oldest one):
        ``deleted``; ``last`` when it is the client's only secret (which is never deleted); ``missing`` when the
        client has no such secret (any more)."""
        params = {"client_id": client_id, "created_ms": secret.created_ms}
        async with self._write() as conn:
            if (await conn.execute(_DELETE_SECOND, params)).rowcount == 1:
                return "deleted"
            if (await conn.execute(_DELETE_FIRST, params)).rowcount == 1:
                return "deleted"
            first = (await conn.execute(_FIRST_SECRET, params)).scalar_one_or_none()
        return "last" if first == secret.created_ms else "missing"

    @on_store_thread
    @invalidates_cache
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

    @point_read
    async def get_client(self, client_id: str) -> Client | None:
        return await self._cache.read(
            ("client", client_id), lambda: self._read_one(_GET_CLIENT, {"client_id": client_id}, self._client)
        )

    @point_read
    async def get_client_and_pool(self, client_id: str) -> tuple[Client, Pool | None] | None:
        """The app client and its pool, read in one statement (the first step of every client-facing operation);
        None when there is no such client."""
        return await self._cache.read(
            ("client and pool", client_id),
            lambda: self._read_one(_GET_CLIENT_AND_POOL, {"client_id": client_id}, self._client_and_pool),
        )

    def _client_and_pool(self, **row: Any) -> tuple[Client, Pool | None]:
        client = self._client(**{c.name: row[c.name] for c in t.clients.c})
        pool = {c.name: row[f"of_pool_{c.name}"] for c in t.pools.c}
        return client, (Pool(**pool) if pool["id"] is not None else None)

    @on_store_thread
    @retrying
    @invalidates_cache
    async def update_client(self, client_id: str, name: str, settings: dict[str, Any], at: float) -> bool:
        async with self._write() as conn:
            result = await conn.execute(
                update(t.clients)
                .where(t.clients.c.id == client_id)
                .values(name=name, settings=settings, modified_at=at)
            )
        return result.rowcount == 1

    @on_store_thread
    @retrying
    @invalidates_cache
    async def delete_client(self, client_id: str) -> bool:
        async with self._write() as conn:
            await conn.execute(delete(t.risk_configurations).where(t.risk_configurations.c.client_id == client_id))
            result = await conn.execute(delete(t.clients).where(t.clients.c.id == client_id))
        return result.rowcount == 1

    @on_store_thread
    async def list_clients(self, pool_id: str, limit: int, token: str | None) -> tuple[list[Client], str | None]:
        query = select(t.clients).where(t.clients.c.pool_id == pool_id).order_by(t.clients.c.id).limit(limit + 1)
        if token is not None:
            query = query.where(t.clients.c.id > read_token(token, str))
        async with self._read() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return page([self._client(**r) for r in rows[:limit]], rows, limit, lambda client: client.id)
