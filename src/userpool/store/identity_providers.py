"""Federation: a pool's identity providers (their secrets sealed, the pool id and provider name as associated
data; each ``IdpIdentifier`` a row, so an identifier names one provider by constraint), the provider identities
AdminLinkProviderForUser links to pool users (at most ``limit`` per user, counted under the user's row lock), and
federated sign-ins on their way through a provider (by the hash of our ``state``, taken once by a conditional
``UPDATE``, expired ones swept on insert)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from userpool.domain.identity_providers import SECRET_KEYS
from userpool.domain.records import FederationRequest, IdentityProvider, ProviderLink
from userpool.store import tables as t
from userpool.store.engine import StoreBase, on_store_thread, point_read, retrying
from userpool.store.errors import Conflict
from userpool.store.paging import page, read_token
from userpool.store.sealing import SealingError

_ip, _ids, _links, _fed = t.identity_providers, t.identity_provider_identifiers, t.provider_links, t.federation_requests
_GET = select(_ip).where(_ip.c.pool_id == bindparam("pool_id"), _ip.c.name == bindparam("name"))
_BY_IDENTIFIER = (
    select(_ip)
    .join(_ids, and_(_ids.c.pool_id == _ip.c.pool_id, _ids.c.provider_name == _ip.c.name))
    .where(_ids.c.pool_id == bindparam("pool_id"), _ids.c.identifier == bindparam("identifier"))
)
_NAMES = select(_ip.c.name).where(_ip.c.pool_id == bindparam("pool_id"))


class IdentityProviderStore(StoreBase):
    # ---- sealing ---------------------------------------------------------------------------------------------
    def _seal_secrets(self, provider: IdentityProvider) -> dict[str, Any]:
        """The row of ``provider``: its details without the secrets, which are sealed."""
        secrets = {k: v for k, v in provider.details.items() if k in SECRET_KEYS}
        sealed = None
        if secrets:
            if self._box is None:
                raise SealingError("this store has no key to seal identity provider secrets")
            sealed = self._box.seal(json.dumps(secrets), f"{provider.pool_id}/{provider.name}")
        values = dict(provider.__dict__)
        values["details"] = {k: v for k, v in provider.details.items() if k not in SECRET_KEYS}
        values["secrets_sealed"] = sealed
        return values

    def _identity_provider(self, **row: Any) -> IdentityProvider:
        sealed = row.pop("secrets_sealed")
        details = dict(row.pop("details"))
        if sealed is not None:
            if self._box is None:
                raise SealingError("this store has no key to open identity provider secrets")
            details.update(json.loads(self._box.open(sealed, f"{row['pool_id']}/{row['name']}")))
        return IdentityProvider(**row, details=details)

    # ---- identity providers ----------------------------------------------------------------------------------
    @on_store_thread
    @retrying
    async def create_identity_provider(self, provider: IdentityProvider, limit: int) -> None:
        """Raises ``Conflict("name")`` when the pool has a provider of that name, ``Conflict("identifier")`` when
        another provider has one of its identifiers, ``Conflict("limit")`` when the pool has ``limit`` providers;
        then nothing is written."""
        values = self._seal_secrets(provider)
        try:
            async with self._write() as conn:
                count = (
                    await conn.execute(select(func.count()).select_from(_ip).where(_ip.c.pool_id == provider.pool_id))
                ).scalar_one()
                if count >= limit:
                    raise Conflict("limit")
                await conn.execute(insert(_ip).values(**values))
                await self._insert_identifiers(conn, provider)
        except IntegrityError:
            raise Conflict(await self._provider_conflict(provider)) from None

    async def _insert_identifiers(self, conn: Any, provider: IdentityProvider) -> None:
        if provider.idp_identifiers:
            await conn.execute(
                insert(_ids),
                [
                    {"pool_id": provider.pool_id, "identifier": i, "provider_name": provider.name}
                    for i in provider.idp_identifiers
                ],
            )

    async def _provider_conflict(self, provider: IdentityProvider) -> str:
        async with self._read() as conn:
            taken = await conn.execute(_GET, {"pool_id": provider.pool_id, "name": provider.name})
            if taken.first() is not None:
                return "name"
        return "identifier"

    @point_read
    async def get_identity_provider(self, pool_id: str, name: str) -> IdentityProvider | None:
        return await self._read_one(_GET, {"pool_id": pool_id, "name": name}, self._identity_provider)

    @point_read
    async def find_identity_provider_by_identifier(self, pool_id: str, identifier: str) -> IdentityProvider | None:
        return await self._read_one(
            _BY_IDENTIFIER, {"pool_id": pool_id, "identifier": identifier}, self._identity_provider
        )

    @point_read
    async def identity_provider_names(self, pool_id: str) -> set[str]:
        async with self._read(statements=1) as conn:
            return set((await conn.execute(_NAMES, {"pool_id": pool_id})).scalars().all())

    @on_store_thread
    async def list_identity_providers(
        self, pool_id: str, limit: int, token: str | None
    ) -> tuple[list[IdentityProvider], str | None]:
        query = select(_ip).where(_ip.c.pool_id == pool_id).order_by(_ip.c.name).limit(limit + 1)
        if token is not None:
            query = query.where(_ip.c.name > read_token(token, str))
        async with self._read() as conn:
            rows = (await conn.execute(query)).mappings().all()
        found = [self._identity_provider(**r) for r in rows[:limit]]
        return page(found, rows, limit, lambda p: p.name)

    @on_store_thread
    @retrying
    async def update_identity_provider(self, provider: IdentityProvider) -> bool:
        """Replace a provider's details, mapping and identifiers (``Conflict("identifier")`` when another provider
        holds one of them; nothing changed then). False when there is no such provider."""
        values = self._seal_secrets(provider)
        key = {"pool_id": provider.pool_id, "name": provider.name}
        changes = {k: values[k] for k in ("details", "secrets_sealed", "attribute_mapping", "idp_identifiers")}
        try:
            async with self._write() as conn:
                result = await conn.execute(
                    update(_ip)
                    .where(_ip.c.pool_id == key["pool_id"], _ip.c.name == key["name"])
                    .values(**changes, modified_at=provider.modified_at)
                )
                if not result.rowcount:
                    return False
                await conn.execute(
                    delete(_ids).where(_ids.c.pool_id == key["pool_id"], _ids.c.provider_name == key["name"])
                )
                await self._insert_identifiers(conn, provider)
        except IntegrityError:
            raise Conflict("identifier") from None
        return True

    @on_store_thread
    async def delete_identity_provider(self, pool_id: str, name: str) -> bool:
        """Delete a provider with its identifiers and links (the rows cascade)."""
        async with self._write() as conn:
            await conn.execute(delete(_ids).where(_ids.c.pool_id == pool_id, _ids.c.provider_name == name))
            await conn.execute(delete(_links).where(_links.c.pool_id == pool_id, _links.c.provider_name == name))
            result = await conn.execute(delete(_ip).where(_ip.c.pool_id == pool_id, _ip.c.name == name))
        return bool(result.rowcount)

    # ---- links -------------------------------------------------------------------------------------------------
    @on_store_thread
    @retrying
    async def add_provider_link(self, link: ProviderLink, limit: int) -> None:
        """Link a provider identity to a user: ``Conflict("limit")`` when the user has ``limit`` links,
        ``Conflict("taken")`` when the identity is linked already; nothing written then. The user's row is locked
        (PostgreSQL) so racing links count each other."""
        try:
            async with self._write() as conn:
                lock = select(t.users.c.id).where(t.users.c.id == link.user_id)
                if self.dialect == "postgresql":
                    lock = lock.with_for_update()
                if (await conn.execute(lock)).first() is None:
                    raise Conflict("user")
                count = (
                    await conn.execute(select(func.count()).select_from(_links).where(_links.c.user_id == link.user_id))
                ).scalar_one()
                if count >= limit:
                    raise Conflict("limit")
                await conn.execute(insert(_links).values(**link.__dict__))
        except IntegrityError:
            raise Conflict("taken") from None

    @point_read
    async def find_provider_link(
        self, pool_id: str, provider_name: str, identities: Iterable[tuple[str, str]]
    ) -> ProviderLink | None:
        """The link of the first of ``identities`` ((attribute name, value) pairs of one sign-in) that has one."""
        pairs = list(identities)
        if not pairs:
            return None
        query = select(_links).where(
            _links.c.pool_id == pool_id,
            _links.c.provider_name == provider_name,
            or_(*(and_(_links.c.attribute_name == n, _links.c.attribute_value == v) for n, v in pairs)),
        )
        async with self._read(statements=1) as conn:
            rows = (await conn.execute(query)).mappings().all()
        found = {(r["attribute_name"], r["attribute_value"]): ProviderLink(**r) for r in rows}
        return next((found[p] for p in pairs if p in found), None)

    @on_store_thread
    async def delete_provider_link(
        self, pool_id: str, provider_name: str, attribute_name: str, attribute_value: str
    ) -> ProviderLink | None:
        """Remove a link; the link removed, or None when there was none."""
        where = (
            _links.c.pool_id == pool_id,
            _links.c.provider_name == provider_name,
            _links.c.attribute_name == attribute_name,
            _links.c.attribute_value == attribute_value,
        )
        async with self._write() as conn:
            row = (await conn.execute(select(_links).where(*where))).mappings().first()
            if row is None:
                return None
            await conn.execute(delete(_links).where(*where))
        return ProviderLink(**row)

    # ---- federated sign-ins in flight --------------------------------------------------------------------------
    @on_store_thread
    async def add_federation_request(self, request: FederationRequest) -> None:
        """Keep a sign-in sent to a provider (its nonce and PKCE verifier sealed); at most 100 expired ones are
        swept in the same transaction."""
        if self._box is None:
            raise SealingError("this store has no key to seal federated sign-ins")
        values = dict(request.__dict__)
        secrets = {"nonce": values.pop("nonce"), "code_verifier": values.pop("code_verifier")}
        values["secrets_sealed"] = self._box.seal(json.dumps(secrets), request.state_hash)
        async with self._write() as conn:
            expired = select(_fed.c.state_hash).where(_fed.c.expires_at < request.created_at).limit(100)
            await conn.execute(delete(_fed).where(_fed.c.state_hash.in_(expired.scalar_subquery())))
            await conn.execute(insert(_fed).values(**values))

    @on_store_thread
    async def take_federation_request(self, state_hash: str, at: float) -> FederationRequest | None:
        """The sign-in ``state`` stands for, marked used, if it is unused and unexpired at ``at``; None otherwise
        (of two requests with one state, one gets it)."""
        async with self._write() as conn:
            row = (
                (
                    await conn.execute(
                        update(_fed)
                        .where(_fed.c.state_hash == state_hash, _fed.c.used_at.is_(None), _fed.c.expires_at > at)
                        .values(used_at=at)
                        .returning(*_fed.c)
                    )
                )
                .mappings()
                .first()
            )
        return None if row is None else self._federation_request(row)

    def _federation_request(self, row: Mapping[str, Any]) -> FederationRequest:
        if self._box is None:
            raise SealingError("this store has no key to open federated sign-ins")
        values = dict(row)
        secrets = json.loads(self._box.open(values.pop("secrets_sealed"), values["state_hash"]))
        return FederationRequest(**values, **secrets)
