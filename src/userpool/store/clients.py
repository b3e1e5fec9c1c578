"""App clients: their secrets are sealed in ``secret_sealed`` (``sealing.SecretBox``, the client id as associated
data) and opened as a client is read. Deleting one takes its risk configuration with it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update

from userpool.domain.records import Client, Pool
from userpool.store import tables as t
from userpool.store.engine import StoreBase, on_store_thread, point_read, retrying
from userpool.store.paging import page, read_token
from userpool.store.sealing import SealingError, SecretBox

_GET_CLIENT = select(t.clients).where(t.clients.c.id == bindparam("client_id"))
_GET_CLIENT_AND_POOL = (
    select(t.clients, *(c.label(f"of_pool_{c.name}") for c in t.pools.c))
    .select_from(t.clients.outerjoin(t.pools, t.pools.c.id == t.clients.c.pool_id))
    .where(t.clients.c.id == bindparam("client_id"))
)


def open_client(box: SecretBox | None, values: dict[str, Any]) -> Client:
    """The client of a ``clients`` row, its sealed secret opened with ``box`` (``SealingError`` when it cannot)."""
    sealed = values.pop("secret_sealed", None)
    if sealed is not None:
        if box is None:
            raise SealingError("this store has no key to open client secrets")
        values["secret"] = box.open(sealed, values["id"])
    return Client(**values)


class ClientStore(StoreBase):
    def _client(self, **values: Any) -> Client:
        return open_client(self._box, values)

    def _secret_columns(self, client_id: str, secret: str | None) -> dict[str, str | None]:
        if secret is None or self._box is None:
            return {"secret": secret, "secret_sealed": None}
        return {"secret": None, "secret_sealed": self._box.seal(secret, client_id)}

    @on_store_thread
    async def create_client(self, client: Client) -> None:
        values = {k: v for k, v in client.__dict__.items() if k != "secret"}
        values.update(self._secret_columns(client.id, client.secret))
        async with self._write() as conn:
            await conn.execute(insert(t.clients).values(**values))

    @on_store_thread
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
        return await self._read_one(_GET_CLIENT, {"client_id": client_id}, self._client)

    @point_read
    async def get_client_and_pool(self, client_id: str) -> tuple[Client, Pool | None] | None:
        """The app client and its pool, read in one statement (the first step of every client-facing operation);
        None when there is no such client."""
        return await self._read_one(_GET_CLIENT_AND_POOL, {"client_id": client_id}, self._client_and_pool)

    def _client_and_pool(self, **row: Any) -> tuple[Client, Pool | None]:
        client = self._client(**{c.name: row[c.name] for c in t.clients.c})
        pool = {c.name: row[f"of_pool_{c.name}"] for c in t.pools.c}
        return client, (Pool(**pool) if pool["id"] is not None else None)

    @on_store_thread
    @retrying
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
