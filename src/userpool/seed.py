"""Declarative seed configuration: pools, app clients and users from a TOML file, applied idempotently.

    [[pools]]
    Id = "us-east-1_devpool01"          # optional: a fixed id, so apps can hard-code it
    PoolName = "dev"                    # every other key is a CreateUserPool parameter
    AutoVerifiedAttributes = ["email"]

      [[pools.clients]]
      ClientId = "devclient0000000000000000a"   # optional fixed id; ClientSecret optional fixed secret
      ClientName = "web"                        # every other key is a CreateUserPoolClient parameter

      [[pools.users]]
      Username = "alice"
      Password = "Passw0rd!"
      Attributes = { email = "alice@example.com", email_verified = "true" }
      Confirmed = true                          # default true

Applying twice changes nothing: a pool (by Id, else by PoolName) or client (by ClientId, else by ClientName) that
exists gets the file's settings; a user that exists is left as it is.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import regex

from userpool import errors
from userpool.clock import Clock
from userpool.config import Settings
from userpool.domain import attributes as attribute_rules
from userpool.domain import clients as client_rules
from userpool.domain import ids, passwords, usernames
from userpool.domain import pools as pool_rules
from userpool.domain.records import Client, Pool
from userpool.domain.users import UserStatus, new_user
from userpool.operations.shared.lookups import find_user
from userpool.protocol.model import ServiceModel
from userpool.store import Conflict, Store

ID_PATTERN = r"^[\w-]+_[0-9a-zA-Z]+$"


class SeedError(Exception):
    """A seed file that cannot be applied: the message names the file, the entry and the problem."""


def load(path: Path) -> list[dict[str, Any]]:
    try:
        with path.open("rb") as fh:
            document = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SeedError(f"{path}: {exc}") from None
    pools = document.get("pools", [])
    if not isinstance(pools, list) or not all(isinstance(p, dict) for p in pools):
        raise SeedError(f"{path}: pools: expected [[pools]] tables")
    return pools


def _split(entry: Mapping[str, Any], own: tuple[str, ...]) -> tuple[dict[str, Any], dict[str, Any]]:
    mine = {k: v for k, v in entry.items() if k in own}
    rest = {k: v for k, v in entry.items() if k not in own}
    return mine, rest


class Seeder:
    def __init__(self, store: Store, settings: Settings, source: Path) -> None:
        self.store = store
        self.settings = settings
        self.source = source
        self.model = ServiceModel()
        self.clock = Clock()
        self.hasher = passwords.new_hasher(settings.password_hash_memory_kib, settings.password_hash_iterations)

    def _fail(self, where: str, problem: str) -> SeedError:
        return SeedError(f"{self.source}: {where}: {problem}")

    def _validate(self, operation: str, request: dict[str, Any], where: str) -> None:
        unknown = sorted(set(request) - set(self.model.input_members(operation)))
        if unknown:
            raise self._fail(where, f"not {operation} parameters: {', '.join(unknown)}")
        try:
            self.model.validate_input(operation, request)
        except errors.ServiceError as exc:
            raise self._fail(where, exc.message) from None

    async def apply(self, entries: list[dict[str, Any]]) -> list[str]:
        """Apply every pool entry; returns a line per change made."""
        done: list[str] = []
        for index, entry in enumerate(entries):
            where = f"pools[{index}] ({entry.get('PoolName', '?')})"
            mine, request = _split(entry, ("Id", "clients", "users"))
            self._validate("CreateUserPool", request, where)
            try:
                pool_settings = pool_rules.settings_for_create(request)
            except errors.ServiceError as exc:
                raise self._fail(where, exc.message) from None
            pool = await self._pool(mine.get("Id"), request["PoolName"], pool_settings, where, done)
            for n, client_entry in enumerate(mine.get("clients", [])):
                await self._client(pool, client_entry, f"{where}.clients[{n}]", done)
            for n, user_entry in enumerate(mine.get("users", [])):
                await self._user(pool, user_entry, f"{where}.users[{n}]", done)
        return done

    async def _pool(
        self, pool_id: str | None, name: str, settings: dict[str, Any], where: str, done: list[str]
    ) -> Pool:
        existing = await self.store.get_pool(pool_id) if pool_id else await self._pool_named(name)
        now = self.clock.now()
        if existing is not None:
            if existing.settings != settings or existing.name != name:
                await self.store.update_pool(existing.id, name, settings, now)
                done.append(f"updated pool {existing.id} ({name})")
            return Pool(existing.id, name, settings, existing.created_at, now)
        if pool_id is not None:
            if not regex.fullmatch(ID_PATTERN, pool_id) or len(pool_id) > 55:
                raise self._fail(where, f"Id {pool_id!r} is not a user pool id (like us-east-1_AbC123xyZ)")
        pool = Pool(pool_id or ids.pool_id(self.settings.region), name, settings, now, now)
        await self.store.create_pool(pool)
        done.append(f"created pool {pool.id} ({name})")
        return pool

    async def _pool_named(self, name: str) -> Pool | None:
        token = None
        while True:
            found, token = await self.store.list_pools(60, token)
            for pool in found:
                if pool.name == name:
                    return pool
            if token is None:
                return None

    async def _client(self, pool: Pool, entry: Mapping[str, Any], where: str, done: list[str]) -> None:
        mine, request = _split(entry, ("ClientId",))
        request = {**request, "UserPoolId": pool.id}
        self._validate("CreateUserPoolClient", request, where)
        try:
            settings = client_rules.settings(request, pool.settings["SchemaAttributes"], "creating")
        except errors.ServiceError as exc:
            raise self._fail(where, exc.message) from None
        client_id = mine.get("ClientId")
        existing = await self.store.get_client(client_id) if client_id else await self._client_named(pool, request)
        secret = request.get("ClientSecret") or (ids.client_secret() if request.get("GenerateSecret") else None)
        now = self.clock.now()
        if existing is not None:
            if existing.pool_id != pool.id:
                raise self._fail(where, f"client {existing.id} belongs to pool {existing.pool_id}")
            if existing.settings != settings or existing.name != request["ClientName"]:
                await self.store.update_client(existing.id, request["ClientName"], settings, now)
                done.append(f"updated client {existing.id} ({request['ClientName']})")
            return
        client = Client(client_id or ids.client_id(), pool.id, request["ClientName"], secret, settings, now, now)
        await self.store.create_client(client)
        done.append(f"created client {client.id} ({client.name})")

    async def _client_named(self, pool: Pool, request: Mapping[str, Any]) -> Client | None:
        found, _ = await self.store.list_clients(pool.id, 60, None)
        return next((c for c in found if c.name == request["ClientName"]), None)

    async def _user(self, pool: Pool, entry: Mapping[str, Any], where: str, done: list[str]) -> None:
        unknown = set(entry) - {"Username", "Password", "Attributes", "Confirmed"}
        if unknown or "Username" not in entry:
            raise self._fail(where, f"a user has Username, Password, Attributes and Confirmed (got {sorted(entry)})")
        username = entry["Username"]
        attributes = {str(k): str(v) for k, v in (entry.get("Attributes") or {}).items()}
        try:
            if pool.settings.get("UsernameAttributes"):
                kind = usernames.sign_in_attribute(username, pool.settings["UsernameAttributes"], attributes)
                attributes[kind] = username
            schema_names = {a["Name"] for a in pool.settings["SchemaAttributes"]}
            unknown_attributes = [n for n in attributes if n not in schema_names]
            if unknown_attributes:
                raise errors.InvalidParameterException(f"attributes not in the pool's schema: {unknown_attributes}")
            password = entry.get("Password")
            if password is not None:
                passwords.check_policy(password, pool_rules.password_policy(pool.settings), prefix="")
        except errors.ServiceError as exc:
            raise self._fail(where, exc.message) from None
        if await find_user(self.store, pool, username) is not None:
            return
        status = UserStatus.CONFIRMED if entry.get("Confirmed", True) else UserStatus.UNCONFIRMED
        record = new_user(
            pool,
            username,
            {n: v for n, v in attributes.items() if n in attribute_rules.STANDARD_NAMES or n.startswith(_CUSTOM)},
            self.hasher.hash(password) if password is not None else None,
            status,
            ids.sub(),
            self.clock.now(),
        )
        try:
            await self.store.create_user(record)
        except Conflict as conflict:
            raise self._fail(where, f"{conflict.what} is already taken by another user") from None
        done.append(f"created user {username} ({status}) in pool {pool.id}")


async def apply_file(store: Store, settings: Settings, path: Path) -> list[str]:
    return await Seeder(store, settings, path).apply(load(path))


def export(pools: list[tuple[Pool, list[Client]]]) -> dict[str, Any]:
    """Pools and clients as seed entries (users are not exported: their passwords are only hashes)."""
    parameters = set(ServiceModel().input_members("CreateUserPool"))
    entries = []
    for pool, clients in pools:
        entry: dict[str, Any] = {"Id": pool.id, "PoolName": pool.name}
        for key, value in pool.settings.items():
            if key == "SchemaAttributes":
                schema = [_schema_entry(a) for a in value if _exportable(a)]
                if schema:
                    entry["Schema"] = schema
            elif key in parameters:
                entry[key] = value
        entry["clients"] = [
            {
                "ClientId": c.id,
                "ClientName": c.name,
                **({"ClientSecret": c.secret, "GenerateSecret": True} if c.secret else {}),
                **c.settings,
            }
            for c in clients
        ]
        entries.append(entry)
    return {"pools": entries}


_CUSTOM = ("custom:", "dev:custom:")  # custom and developer-only attribute names


def _exportable(attribute: Mapping[str, Any]) -> bool:
    standard = {a["Name"]: a for a in attribute_rules.STANDARD_SCHEMA}
    if attribute["Name"].startswith(_CUSTOM):
        return True
    default = standard.get(attribute["Name"])
    return default is not None and attribute["Name"] != "sub" and attribute.get("Required") != default["Required"]


def _schema_entry(attribute: Mapping[str, Any]) -> dict[str, Any]:
    entry = dict(attribute)
    entry["Name"] = entry["Name"].removeprefix("dev:").removeprefix("custom:")  # CreateUserPool prefixes it again
    return entry
