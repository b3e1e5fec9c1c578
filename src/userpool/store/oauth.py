"""The hosted UI and OAuth 2.0: user pool domains (unique across pools, one prefix and one custom domain per pool),
resource servers, UI customizations, authorization codes (by hash, the sign-in's refresh token sealed, used once
by one conditional ``UPDATE``) and hosted-UI sessions (by hash, revocable)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from userpool.domain.records import AuthorizationCode, PoolDomain, ResourceServer, UICustomization, WebSession
from userpool.store import tables as t
from userpool.store.engine import StoreBase, dialect_insert, on_store_thread, point_read, retrying
from userpool.store.errors import Conflict
from userpool.store.paging import page, read_token
from userpool.store.sealing import SealingError

_d, _rs, _ui, _codes, _web = (
    t.user_pool_domains,
    t.resource_servers,
    t.ui_customizations,
    t.authorization_codes,
    t.web_sessions,
)
_GET_DOMAIN = select(_d).where(_d.c.domain == bindparam("domain"))
_POOL_DOMAINS = select(_d).where(_d.c.pool_id == bindparam("pool_id")).order_by(_d.c.custom)
_GET_SERVER = select(_rs).where(_rs.c.pool_id == bindparam("pool_id"), _rs.c.identifier == bindparam("identifier"))
_POOL_SERVERS = select(_rs).where(_rs.c.pool_id == bindparam("pool_id")).order_by(_rs.c.identifier)
_GET_UI = select(_ui).where(
    _ui.c.pool_id == bindparam("pool_id"), _ui.c.client_id.in_(bindparam("clients", expanding=True))
)
_GET_WEB_SESSION = select(_web).where(_web.c.id_hash == bindparam("id_hash"))
_TAKE_CODE = (
    update(_codes)
    .where(_codes.c.code_hash == bindparam("b_code_hash"), _codes.c.used_at.is_(None))
    .values(used_at=bindparam("b_at"))
    .returning(*_codes.c)
)


CodeOutcome = Literal["taken", "used", "refused", "missing"]


def _domain(**values: Any) -> PoolDomain:
    return PoolDomain(**values)


def _server(**values: Any) -> ResourceServer:
    return ResourceServer(**values)


class OAuthStore(StoreBase):
    # ---- domains ---------------------------------------------------------------------------------------------
    @on_store_thread
    @retrying
    async def create_domain(self, domain: PoolDomain) -> None:
        """Raises ``Conflict("domain")`` when another pool (or this one) holds the name, ``Conflict("pool")`` when
        the pool has a domain of that kind already; then nothing is written."""
        try:
            async with self._write() as conn:
                await conn.execute(insert(_d).values(**domain.__dict__))
        except IntegrityError:
            async with self._read() as conn:
                taken = (await conn.execute(_GET_DOMAIN, {"domain": domain.domain})).first()
            raise Conflict("domain" if taken is not None else "pool") from None

    @point_read
    async def find_domain(self, domain: str) -> PoolDomain | None:
        return await self._read_one(_GET_DOMAIN, {"domain": domain}, _domain)

    @point_read
    async def pool_domains(self, pool_id: str) -> list[PoolDomain]:
        """The pool's domains, the prefix domain first."""
        async with self._read(statements=1) as conn:
            rows = (await conn.execute(_POOL_DOMAINS, {"pool_id": pool_id})).mappings().all()
        return [_domain(**r) for r in rows]

    @on_store_thread
    async def update_domain(self, domain: str, version: int, config: dict[str, Any] | None, at: float) -> bool:
        values: dict[str, Any] = {"managed_login_version": version, "modified_at": at}
        if config is not None:
            values["custom_domain_config"] = config
        async with self._write() as conn:
            result = await conn.execute(update(_d).where(_d.c.domain == domain).values(**values))
        return bool(result.rowcount)

    @on_store_thread
    async def delete_domain(self, domain: str) -> bool:
        async with self._write() as conn:
            result = await conn.execute(delete(_d).where(_d.c.domain == domain))
        return bool(result.rowcount)

    # ---- resource servers ------------------------------------------------------------------------------------
    @on_store_thread
    @retrying
    async def create_resource_server(self, server: ResourceServer, limit: int) -> None:
        """Raises ``Conflict("identifier")`` when the pool has a server of that identifier, ``Conflict("limit")``
        when it has ``limit`` servers already."""
        async with self._write() as conn:
            count = len((await conn.execute(select(_rs.c.identifier).where(_rs.c.pool_id == server.pool_id))).all())
            if count >= limit:
                raise Conflict("limit")
            exists = await conn.execute(_GET_SERVER, {"pool_id": server.pool_id, "identifier": server.identifier})
            if exists.first() is not None:
                raise Conflict("identifier")
            await conn.execute(insert(_rs).values(**server.__dict__))

    @point_read
    async def get_resource_server(self, pool_id: str, identifier: str) -> ResourceServer | None:
        return await self._read_one(_GET_SERVER, {"pool_id": pool_id, "identifier": identifier}, _server)

    @point_read
    async def pool_resource_servers(self, pool_id: str) -> list[ResourceServer]:
        async with self._read(statements=1) as conn:
            rows = (await conn.execute(_POOL_SERVERS, {"pool_id": pool_id})).mappings().all()
        return [_server(**r) for r in rows]

    @on_store_thread
    async def list_resource_servers(
        self, pool_id: str, limit: int, token: str | None
    ) -> tuple[list[ResourceServer], str | None]:
        query = select(_rs).where(_rs.c.pool_id == pool_id).order_by(_rs.c.identifier).limit(limit + 1)
        if token is not None:
            query = query.where(_rs.c.identifier > read_token(token, str))
        async with self._read() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return page([_server(**r) for r in rows[:limit]], rows, limit, lambda s: s.identifier)

    @on_store_thread
    async def update_resource_server(self, pool_id: str, identifier: str, name: str, scopes: list[Any]) -> bool:
        async with self._write() as conn:
            result = await conn.execute(
                update(_rs)
                .where(_rs.c.pool_id == pool_id, _rs.c.identifier == identifier)
                .values(name=name, scopes=scopes)
            )
        return bool(result.rowcount)

    @on_store_thread
    async def delete_resource_server(self, pool_id: str, identifier: str) -> bool:
        async with self._write() as conn:
            result = await conn.execute(delete(_rs).where(_rs.c.pool_id == pool_id, _rs.c.identifier == identifier))
        return bool(result.rowcount)

    # ---- UI customization ------------------------------------------------------------------------------------
    @on_store_thread
    @retrying
    async def put_ui_customization(self, customization: UICustomization) -> UICustomization:
        """Set a pool's or client's CSS and logo; the stored record (its creation date kept)."""
        values = customization.__dict__
        upsert = dialect_insert(self.dialect)(_ui).values(**values)
        upsert = upsert.on_conflict_do_update(
            index_elements=[_ui.c.pool_id, _ui.c.client_id],
            set_={"css": values["css"], "image": values["image"], "modified_at": values["modified_at"]},
        )
        async with self._write() as conn:
            await conn.execute(upsert)
            row = (
                (await conn.execute(_GET_UI, {"pool_id": customization.pool_id, "clients": [customization.client_id]}))
                .mappings()
                .one()
            )
        return UICustomization(**row)

    @point_read
    async def find_ui_customization(self, pool_id: str, client_id: str) -> UICustomization | None:
        """The client's own customization, else the pool's (``ALL``), else None."""
        async with self._read(statements=1) as conn:
            rows = (await conn.execute(_GET_UI, {"pool_id": pool_id, "clients": [client_id, "ALL"]})).mappings().all()
        found = {r["client_id"]: UICustomization(**r) for r in rows}
        return found.get(client_id) or found.get("ALL")

    # ---- authorization codes ---------------------------------------------------------------------------------
    @on_store_thread
    @retrying
    async def add_authorization_code(self, code: AuthorizationCode, refresh_token_hash: str) -> None:
        """Keep a code (its refresh token sealed), and give the refresh token of the sign-in it stands for the
        grant's scopes, in one transaction. Expired codes (at most 100) are swept in the same one."""
        if self._box is None:
            raise SealingError("this store has no key to seal refresh tokens")
        values = dict(code.__dict__)
        values["refresh_token_sealed"] = self._box.seal(values.pop("refresh_token"), code.code_hash)
        async with self._write() as conn:
            expired = select(_codes.c.code_hash).where(_codes.c.expires_at < code.created_at).limit(100)
            await conn.execute(delete(_codes).where(_codes.c.code_hash.in_(expired.scalar_subquery())))
            await conn.execute(insert(_codes).values(**values))
            await conn.execute(
                update(t.refresh_tokens)
                .where(t.refresh_tokens.c.token_hash == refresh_token_hash)
                .values(scopes=code.scopes)
            )

    @on_store_thread
    async def take_authorization_code(
        self, code_hash: str, at: float, accept: Callable[[AuthorizationCode], bool] = lambda code: True
    ) -> tuple[AuthorizationCode | None, CodeOutcome]:
        """Use a code once, if ``accept`` (its bindings: client, redirect URI, PKCE, expiry) takes it: ``taken`` for
        the one request that uses it, ``used`` when it was used before, ``refused`` (left unused) when ``accept``
        refuses it, ``missing`` when there is no such code."""
        async with self._write() as conn:
            row = (await conn.execute(select(_codes).where(_codes.c.code_hash == code_hash))).mappings().first()
            if row is None:
                return None, "missing"
            code = self._code(**row)
            if code.used_at is not None:
                return code, "used"
            if not accept(code):
                return code, "refused"
            taken = (await conn.execute(_TAKE_CODE, {"b_code_hash": code_hash, "b_at": at})).mappings().first()
        if taken is None:  # another request used it between the read and the update
            return code, "used"
        return self._code(**taken), "taken"

    def _code(self, **values: Any) -> AuthorizationCode:
        if self._box is None:
            raise SealingError("this store has no key to open refresh tokens")
        sealed = values.pop("refresh_token_sealed")
        return AuthorizationCode(**values, refresh_token=self._box.open(sealed, values["code_hash"]))

    # ---- hosted-UI sessions ----------------------------------------------------------------------------------
    @on_store_thread
    async def add_web_session(self, session: WebSession) -> None:
        async with self._write() as conn:
            expired = select(_web.c.id_hash).where(_web.c.expires_at < session.created_at).limit(100)
            await conn.execute(delete(_web).where(_web.c.id_hash.in_(expired.scalar_subquery())))
            await conn.execute(insert(_web).values(**session.__dict__))

    @point_read
    async def get_web_session(self, id_hash: str) -> WebSession | None:
        return await self._read_one(_GET_WEB_SESSION, {"id_hash": id_hash}, WebSession)

    @on_store_thread
    async def revoke_web_session(self, id_hash: str, at: float) -> bool:
        async with self._write() as conn:
            result = await conn.execute(
                update(_web).where(_web.c.id_hash == id_hash, _web.c.revoked_at.is_(None)).values(revoked_at=at)
            )
        return bool(result.rowcount)
