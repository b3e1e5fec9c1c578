"""Look-ups every operation starts with: the pool, the app client (and its pool, read once per request), the user
a request names by any name it answers to, the client's secret, and PreventUserExistenceErrors.

They take the ``Store`` (not the whole context), so code outside a request (the seeder) uses them too."""

from __future__ import annotations

from typing import Any

from userpool.context import Call
from userpool.domain import clients as client_rules
from userpool.domain import pools, secret_hash, texts, usernames
from userpool.domain.records import Client, Pool, User
from userpool.domain.users import key_value, sign_in_kinds
from userpool.errors import NotAuthorizedException, ResourceNotFoundException, UserNotFoundException
from userpool.store import Store


async def require_pool(store: Store, pool_id: str) -> Pool:
    """The user pool ``pool_id``, or Cognito's not-found error."""
    pool = await store.get_pool(pool_id)
    if pool is None:
        raise ResourceNotFoundException(texts.POOL_NOT_FOUND.format(pool_id=pool_id))
    return pool


async def require_client(store: Store, client_id: str, pool_id: str | None = None) -> Client:
    """The app client ``client_id`` (of pool ``pool_id`` when given), or Cognito's not-found error."""
    client = await store.get_client(client_id)
    if client is None or (pool_id is not None and client.pool_id != pool_id):
        raise ResourceNotFoundException(texts.CLIENT_NOT_FOUND.format(client_id=client_id))
    return client


async def found_client(store: Store, client_id: str, call: Call | None = None) -> tuple[Client, Pool | None] | None:
    """The app client ``client_id`` and its pool; None when there is no such client. Read once per ``call``
    however many of its steps ask (the rate limits, then the operation)."""
    if call is None:
        return await store.get_client_and_pool(client_id)
    if client_id not in call.clients:
        call.clients[client_id] = await store.get_client_and_pool(client_id)
    return call.clients[client_id]


async def client_and_pool(store: Store, client_id: str, call: Call | None = None) -> tuple[Client, Pool]:
    """The app client and its pool (one read, shared by ``call``'s steps), or Cognito's not-found error for the
    one that is missing."""
    found = await found_client(store, client_id, call)
    if found is None:
        raise ResourceNotFoundException(texts.CLIENT_NOT_FOUND.format(client_id=client_id))
    client, pool = found
    if pool is None:
        raise ResourceNotFoundException(texts.POOL_NOT_FOUND.format(pool_id=client.pool_id))
    return client, pool


async def gone_meanwhile(store: Store, params: dict[str, Any]) -> None:
    """After a request failed unexpectedly (a write that met a foreign key): the not-found error of the app client or
    pool it names, when that no longer exists (deleted by another process while this one answered from its cache of
    clients and pools, ``store/cached.py``). Returns when both exist, or when the database cannot tell."""
    store.drop_cache()
    try:
        if isinstance(params.get("ClientId"), str):
            await client_and_pool(store, params["ClientId"])
        if isinstance(params.get("UserPoolId"), str):
            await require_pool(store, params["UserPoolId"])
    except ResourceNotFoundException:
        raise
    except Exception:
        return


async def find_user(store: Store, pool: Pool, name: str) -> User | None:
    """The user a request names: by username, else by a username-attribute value or a verified alias."""
    sensitive = pools.case_sensitive(pool.settings)
    user = await store.find_user(pool.id, usernames.fold(name, sensitive))
    if user is not None:
        return user
    for kind in sign_in_kinds(pool.settings):
        user = await store.find_user_by_key(pool.id, [kind], key_value(kind, name, sensitive))
        if user is not None:
            return user
    return None


async def require_user(store: Store, pool: Pool, name: str, not_found: str = texts.USER_NOT_FOUND) -> User:
    """The user a request names (``find_user``), or ``UserNotFoundException`` worded ``not_found``."""
    user = await find_user(store, pool, name)
    if user is None:
        raise UserNotFoundException(not_found)
    return user


async def pool_and_user(store: Store, pool_id: str, name: str) -> tuple[Pool, User]:
    """The pool and the user an administrator's request names (``UserPoolId``, ``Username``), or the not-found
    error of the one that is missing."""
    pool = await require_pool(store, pool_id)
    return pool, await require_user(store, pool, name)


async def user_for_client(
    store: Store, client: Client, pool: Pool, name: str, not_found: str = texts.NOT_FOUND_BY_CLIENT
) -> User | None:
    """The user an app client's request names, with the client's PreventUserExistenceErrors: an unknown user is
    ``UserNotFoundException`` (worded ``not_found``), or None when the client hides whether users exist, and the
    operation then answers as it would for a user (a generic refusal, a simulated delivery)."""
    user = await find_user(store, pool, name)
    if user is None and not client_rules.hides_user_existence(client.settings):
        raise UserNotFoundException(not_found)
    return user


def check_secret_hash(client: Client, username: str, sent: str | None) -> None:
    """A client with a secret must be sent the right SecretHash for this username, made with any of its active
    secrets (constant-time checks)."""
    if client.secret is None:
        return
    if sent is None:
        raise NotAuthorizedException(texts.SECRET_NOT_RECEIVED.format(client_id=client.id))
    if not secret_hash.verify_any(client.secret_values, username, client.id, sent):
        raise NotAuthorizedException(texts.SECRET_MISMATCH.format(client_id=client.id))


def check_client_secret(client: Client, sent: str | None) -> None:
    """A client with a secret must be sent one of its active secrets itself (GetTokensFromRefreshToken's
    ``ClientSecret``; constant-time checks)."""
    if client.secret is None:
        return
    if sent is None:
        raise NotAuthorizedException(texts.SECRET_NOT_RECEIVED.format(client_id=client.id))
    if not secret_hash.secret_matches(client.secret_values, sent):
        raise NotAuthorizedException(texts.SECRET_MISMATCH.format(client_id=client.id))  # (unverified)
