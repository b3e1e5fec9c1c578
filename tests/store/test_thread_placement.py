"""Where store calls run. Every store coroutine that writes, or reads more than one statement, runs on a SQLite
store's own threads (``@on_store_thread``); only point reads of one statement (``@point_read``) run on the event
loop. Checked twice: by the markers on every public coroutine of ``Store``, and by running every one of them on a
SQLite store while recording each statement and the thread it ran on."""

from __future__ import annotations

import dataclasses
import inspect
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import event

from tests.store.records import (
    NOW,
    auth_event,
    auth_session,
    confirmation,
    device,
    new_client,
    new_code,
    new_pool,
    new_user,
    refresh_token,
    signing_key,
    token_session,
    webauthn_credential,
)
from userpool.domain import imports
from userpool.domain.imports import RowOutcome
from userpool.domain.records import (
    Attempts,
    AuthorizationCode,
    ConsoleSession,
    FederationRequest,
    Group,
    IdentityProvider,
    MfaSettings,
    OutboxMessage,
    PasswordChange,
    PoolDomain,
    ProviderLink,
    ResourceServer,
    SigningCertificate,
    UICustomization,
    WebSession,
)
from userpool.store import Store
from userpool.store.engine import STORE_THREAD
from userpool.store.sealing import SecretBox

T = TypeVar("T")
LIFECYCLE = {"close"}  # waits for the store's threads to end, so it cannot run on them


def public_coroutines() -> dict[str, Callable[..., Any]]:
    return {
        name: method
        for name, method in inspect.getmembers(Store, inspect.iscoroutinefunction)
        if not name.startswith("_") and name not in LIFECYCLE
    }


def test_every_public_store_coroutine_says_where_it_runs() -> None:
    unmarked = [
        name
        for name, method in public_coroutines().items()
        if getattr(method, "on_store_thread", False) == getattr(method, "point_read", False)
    ]
    assert unmarked == []


async def test_writes_and_reads_of_several_statements_run_on_the_store_threads(tmp_path, box: SecretBox) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'threads.db'}", box)
    await store.migrate()
    assert store._sqlite is not None
    seen: list[tuple[str, str]] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append((threading.current_thread().name, statement))

    event.listen(store._sqlite.engine, "before_cursor_execute", record)
    calls: dict[str, list[tuple[str, str]]] = {}

    async def measure(name: str, call: Awaitable[T]) -> T:
        seen.clear()
        result = await call
        calls[name] = [(thread, sql) for thread, sql in seen if sql != "BEGIN"]
        return result

    try:
        await call_every_method(store, measure)
    finally:
        await store.close()

    assert sorted(calls) == sorted(public_coroutines())
    loop_thread = threading.current_thread().name
    for name, statements in calls.items():
        method = public_coroutines()[name]
        writes = any(sql.split()[0].upper() in {"INSERT", "UPDATE", "DELETE", "BEGIN"} for _, sql in statements)
        threads = {thread for thread, _ in statements}
        assert statements, f"{name} ran no statement: the scenario does not exercise it"
        if writes or len(statements) > 1:
            assert getattr(method, "on_store_thread", False), f"{name} writes or reads several statements"
        if getattr(method, "on_store_thread", False):
            assert all(thread.startswith(STORE_THREAD) for thread in threads), (name, threads)
        else:
            assert (len(statements), writes, threads) == (1, False, {loop_thread}), (name, statements)


async def call_every_method(store: Store, measure: Callable[[str, Awaitable[Any]], Awaitable[Any]]) -> None:
    """Each public store coroutine once, on records that make it run its statements."""
    await measure("migrate", store.migrate())
    await measure("healthy", store.healthy())
    pool = await new_pool(store)
    await measure("create_pool", store.create_pool(dataclasses.replace(pool, id="us-east-1_threads01")))
    await measure("get_pool", store.get_pool(pool.id))
    await measure("update_pool", store.update_pool(pool.id, "n", {}, NOW))
    await measure("list_pools", store.list_pools(10, None))
    await measure("count_users", store.count_users(pool.id))
    await measure("change_pool_settings", store.change_pool_settings(pool.id, lambda s: {**s, "x": 1}, None))
    await measure("delete_pool", store.delete_pool("us-east-1_threads01"))

    client = await new_client(store, pool)
    await measure("create_client", store.create_client(dataclasses.replace(client, id="threads-client")))
    await measure("get_client", store.get_client(client.id))
    await measure("get_client_and_pool", store.get_client_and_pool(client.id))
    await measure("update_client", store.update_client(client.id, "n", {}, NOW))
    await measure("list_clients", store.list_clients(pool.id, 10, None))
    await measure("seal_client_secrets", store.seal_client_secrets())
    await measure("delete_client", store.delete_client("threads-client"))
    confidential = await new_client(store, pool, secret="first-secret-of-threads-client")
    added = await measure("add_client_secret", store.add_client_secret(confidential.id, "second-secret-value", NOW))
    await measure("delete_client_secret", store.delete_client_secret(confidential.id, added))
    certificate = SigningCertificate(pool.id, "MIIBcertificate", "-----PEM-----", NOW)
    await measure("add_signing_certificate", store.add_signing_certificate(certificate))
    await measure("get_signing_certificate", store.get_signing_certificate(pool.id))

    user = new_user(pool, "ann", "ann@example.com")
    user_id = await measure("create_user", store.create_user(user, new_code()))
    await measure("bulk_insert_users", store.bulk_insert_users([new_user(pool, "bulk", "bulk@example.com")]))
    await measure("find_user", store.find_user(pool.id, "ann"))
    await measure("find_user_by_key", store.find_user_by_key(pool.id, ["email"], "ann@example.com"))
    await measure("find_user_by_sub", store.find_user_by_sub(pool.id, user.sub))
    await measure("get_user", store.get_user(user_id))
    await measure("list_users", store.list_users(pool.id, 10, None, ("email", "^=", "a")))

    await measure("get_code", store.get_code(user_id, "signup"))
    await measure("take_attempt", store.take_attempt(user_id, "signup", 5))
    counted = store.take_counted_attempt(user_id, "signup", 5, ("user:ConfirmSignUp", "k", 0, NOW + 60), 15)
    await measure("take_counted_attempt", counted)
    checked = store.confirm_with_code(user_id, "signup", 5, None, 0, lambda code: None)
    await measure("confirm_with_code", checked)
    await measure("replace_code", store.replace_code(user_id, new_code(), NOW))
    await measure("confirm", store.confirm(confirmation(user_id, verify=["email_verified"])))
    changed = store.update_attributes(user_id, {"name": "Ann"}, NOW, remove=["x"], drop_codes=["verify_email"])
    await measure("update_attributes", changed)
    await measure("claim_key", store.claim_key(user_id, "phone_number", "+15550100", False, NOW))
    change = PasswordChange(user_id, "hash", "salt", "verifier", NOW, history_size=2)
    await measure("set_password", store.set_password(change))
    await measure("password_history", store.password_history(user_id, 2))
    await measure("set_verifier", store.set_verifier(user_id, "salt", "verifier"))
    rule = lambda state: Attempts(state.failures + 1, NOW, None)  # noqa: E731
    await measure("record_sign_in_failure", store.record_sign_in_failure(user_id, rule))
    await measure("reset_sign_in_failures", store.reset_sign_in_failures(user_id))
    await measure("set_status", store.set_status(user_id, "CONFIRMED", NOW))
    await measure("set_enabled", store.set_enabled(user_id, True, NOW))

    key = signing_key(pool, NOW)
    await measure("add_signing_key", store.add_signing_key(key, retire_others=True))
    await measure("find_signing_key", store.find_signing_key(pool.id))
    await measure("signing_key_id", store.signing_key_id(pool.id))
    await measure("get_public_key", store.get_public_key(key.kid))
    await measure("seal_signing_keys", store.seal_signing_keys())
    await measure("published_keys", store.published_keys(pool.id, NOW))
    token = refresh_token(client, user_id)
    await measure("start_session", store.start_session(token_session(token), token, keep=2))
    await measure("touch_session", store.touch_session(token.session_id, NOW, "127.0.0.1", "test"))
    await measure("get_token_session", store.get_token_session(token.session_id))
    await measure("list_token_sessions", store.list_token_sessions(user_id, NOW))
    await measure("put_session_configuration", store.put_session_configuration(pool.id, "ALL", {"a": 1}, NOW))
    await measure("get_session_configuration", store.get_session_configuration(pool.id, "ALL"))
    await measure("get_refresh_token", store.get_refresh_token(token.token_hash))
    await measure("find_refresh_token_by_origin", store.find_refresh_token_by_origin(token.origin_jti))
    new = refresh_token(client, user_id, session_id=token.session_id)
    await measure("rotate_refresh_token", store.rotate_refresh_token(token, new, NOW, grace=0))
    await measure("revoke_refresh_token", store.revoke_refresh_token(new.token_hash, NOW))
    await measure("revoke_token_session", store.revoke_token_session(new.session_id, NOW))
    await measure("revoke_user_tokens", store.revoke_user_tokens(user_id, NOW))
    session = auth_session(client, user_id)
    await measure("add_session", store.add_session(session))
    await measure("get_session", store.get_session(session.id_hash))
    await measure("take_session_attempt", store.take_session_attempt(session.id_hash, 3))
    await measure("use_session", store.use_session(session.id_hash, NOW))
    await measure("set_mfa_factors", store.set_mfa_factors(MfaSettings(user_id, sms_enabled=True), NOW))
    await measure("set_pending_totp", store.set_pending_totp(user_id, "JBSWY3DPEHPK3PXP", NOW))
    await measure("get_mfa_settings", store.get_mfa_settings(user_id))
    await measure("register_totp", store.register_totp(user_id, "JBSWY3DPEHPK3PXP", "phone", 10, NOW))
    await measure("use_totp_step", store.use_totp_step(user_id, 11))

    await measure("count_hit", store.count_hit("s", "k", 0, NOW + 60, NOW))
    await measure("count_hits", store.count_hits([("s", "k", 0, NOW + 60)], NOW))
    await measure("count_rate_counters", store.count_rate_counters())
    await measure("take_send_quota", store.take_send_quota(pool.id, "EMAIL", "2023-11-14", 5))
    await measure("return_send_quota", store.return_send_quota(pool.id, "EMAIL", "2023-11-14"))
    message = OutboxMessage(pool.id, "ann", "EMAIL", "ann@example.com", None, "body", None, NOW)
    await measure("add_message", store.add_message(message))
    await measure("list_messages", store.list_messages(pool.id))
    await measure("outbox_pools", store.outbox_pools())
    await measure("put_risk_configuration", store.put_risk_configuration(pool.id, "ALL", {}, NOW))
    await measure("get_risk_configuration", store.get_risk_configuration(pool.id, "ALL"))
    event = auth_event(pool, user_id)
    await measure("add_auth_event", store.add_auth_event(event, NOW - 86400))
    await measure("list_auth_events", store.list_auth_events(user_id, 10, None))
    await measure(
        "set_auth_event_feedback", store.set_auth_event_feedback(user_id, event.event_id, "Valid", "Admin", NOW)
    )
    group = Group(pool.id, "staff", "d", "arn:aws:iam::123456789012:role/R", 1, NOW, NOW)
    created = await measure("create_group", store.create_group(group, limit=10))
    assert created is not None and created.id is not None
    await measure("find_group", store.find_group(pool.id, "staff"))
    await measure("update_group", store.update_group(pool.id, "staff", {"precedence": 2}, NOW))
    await measure("list_groups", store.list_groups(pool.id, 10, None))
    await measure("add_group_member", store.add_group_member(created.id, user_id, NOW, limit=10))
    await measure("list_user_groups", store.list_user_groups(user_id, 10, None))
    await measure("groups_of_user", store.groups_of_user(user_id))
    await measure("list_group_users", store.list_group_users(created.id, 10, None))
    await measure("remove_group_member", store.remove_group_member(created.id, user_id))
    await measure("delete_group", store.delete_group(pool.id, "staff"))
    await call_oauth_methods(store, measure, pool, client, user_id)
    await call_identity_provider_methods(store, measure, pool, user_id)
    console = ConsoleSession("c" * 64, "console-password", NOW, NOW + 3600)
    await measure("add_console_session", store.add_console_session(console))
    await measure("get_console_session", store.get_console_session(console.id_hash))
    await measure("delete_console_session", store.delete_console_session(console.id_hash))
    handed = device(pool, user_id)
    await measure("add_device", store.add_device(handed, NOW - 86400))
    await measure("get_device", store.get_device(handed.key))
    await measure("confirm_device", store.confirm_device(handed.key, "AQ==", "AQ==", "phone", "remembered", NOW))
    await measure("set_device_status", store.set_device_status(handed.key, "not_remembered", NOW))
    await measure("touch_device", store.touch_device(handed.key, NOW, "192.0.2.2"))
    await measure("list_devices", store.list_devices(user_id, 10, None))
    await measure("delete_device", store.delete_device(handed.key))
    passkey = webauthn_credential(pool, user_id)
    await measure("add_webauthn_credential", store.add_webauthn_credential(passkey, 20))
    await measure("get_webauthn_credential", store.get_webauthn_credential(pool.id, passkey.credential_id))
    await measure("webauthn_credentials_of_user", store.webauthn_credentials_of_user(user_id))
    await measure("list_webauthn_credentials", store.list_webauthn_credentials(user_id, 10, None))
    await measure("use_webauthn_credential", store.use_webauthn_credential(pool.id, passkey.credential_id, 0, 1, NOW))
    await measure(
        "delete_webauthn_credential", store.delete_webauthn_credential(pool.id, passkey.credential_id, user_id)
    )
    job = imports.new_job(pool.id, "threads", "arn:aws:iam::123456789012:role/Import", NOW)
    await measure("create_import_job", store.create_import_job(job))
    await measure("get_import_job", store.get_import_job(job.id))
    await measure("list_import_jobs", store.list_import_jobs(pool.id, 10, None))
    await measure("add_import_chunk", store.add_import_chunk(job.id, "upload", 0, b"header\n"))
    await measure("finish_import_upload", store.finish_import_upload(job.id, "upload", 7, 0))
    await measure("get_import_chunk", store.get_import_chunk(job.id, "upload", 0))
    await measure("discard_import_upload", store.discard_import_upload(job.id, "other"))
    await measure("start_import_job", store.start_import_job(job.id, NOW))
    claimed = await measure("claim_import_job", store.claim_import_job("runner", NOW, 30))
    imported = [(2, new_user(pool, "imported", "imported@example.com", status="RESET_REQUIRED"))]
    batch = store.commit_import_batch(claimed, imported, [RowOutcome(3, "FAILED", "why")], 3, NOW + 30)
    await measure("commit_import_batch", batch)
    await measure("list_import_report", store.list_import_report(job.id, 0, 10))
    await measure("release_import_job", store.release_import_job(claimed))
    await measure("stop_import_job", store.stop_import_job(job.id, NOW))
    await measure("finish_import_job", store.finish_import_job(claimed, "Stopped", "stopped", NOW))
    await measure("expire_import_jobs", store.expire_import_jobs(NOW + 1))
    await measure("integrity_check", store.integrity_check())
    await measure("storage_bytes", store.storage_bytes())
    await measure("delete_user", store.delete_user(user_id))


async def call_oauth_methods(
    store: Store, measure: Callable[[str, Awaitable[Any]], Awaitable[Any]], pool, client, user_id
) -> None:
    """The hosted UI's store methods (store/oauth.py)."""
    domain = PoolDomain("threads-domain", pool.id, False, 1, None, NOW, NOW)
    await measure("create_domain", store.create_domain(domain))
    await measure("find_domain", store.find_domain(domain.domain))
    await measure("pool_domains", store.pool_domains(pool.id))
    await measure("update_domain", store.update_domain(domain.domain, 2, None, NOW))
    await measure("delete_domain", store.delete_domain(domain.domain))
    server = ResourceServer(pool.id, "api", "api", [], NOW)
    await measure("create_resource_server", store.create_resource_server(server, limit=25))
    await measure("get_resource_server", store.get_resource_server(pool.id, "api"))
    await measure("pool_resource_servers", store.pool_resource_servers(pool.id))
    await measure("list_resource_servers", store.list_resource_servers(pool.id, 10, None))
    await measure("update_resource_server", store.update_resource_server(pool.id, "api", "n", []))
    await measure("delete_resource_server", store.delete_resource_server(pool.id, "api"))
    customization = UICustomization(pool.id, "ALL", "a {}", None, NOW, NOW)
    await measure("put_ui_customization", store.put_ui_customization(customization))
    await measure("find_ui_customization", store.find_ui_customization(pool.id, client.id))
    token = refresh_token(client, user_id)
    await store.start_session(token_session(token), token)
    code = AuthorizationCode(
        "code-hash", pool.id, client.id, user_id, "https://a/cb", "openid", None, None, "t", NOW, NOW + 300
    )
    await measure("add_authorization_code", store.add_authorization_code(code, token.token_hash))
    await measure("take_authorization_code", store.take_authorization_code("code-hash", NOW))
    session = WebSession("web-session", pool.id, user_id, NOW, NOW, NOW + 3600)
    await measure("add_web_session", store.add_web_session(session))
    await measure("get_web_session", store.get_web_session(session.id_hash))
    await measure("revoke_web_session", store.revoke_web_session(session.id_hash, NOW))


async def call_identity_provider_methods(
    store: Store, measure: Callable[[str, Awaitable[Any]], Awaitable[Any]], pool, user_id
) -> None:
    """Federation's store methods (store/identity_providers.py)."""
    details = {"client_id": "c", "client_secret": "s", "authorize_scopes": "openid", "oidc_issuer": "https://i"}
    provider = IdentityProvider(pool.id, "Idp", "OIDC", details, {}, ["example.com"], NOW, NOW)
    await measure("create_identity_provider", store.create_identity_provider(provider, limit=300))
    await measure("get_identity_provider", store.get_identity_provider(pool.id, "Idp"))
    await measure(
        "find_identity_provider_by_identifier", store.find_identity_provider_by_identifier(pool.id, "example.com")
    )
    await measure("identity_provider_names", store.identity_provider_names(pool.id))
    await measure("list_identity_providers", store.list_identity_providers(pool.id, 10, None))
    await measure("update_identity_provider", store.update_identity_provider(provider))
    link = ProviderLink(pool.id, "Idp", "Cognito_Subject", "s1", user_id, NOW)
    await measure("add_provider_link", store.add_provider_link(link, limit=5))
    await measure("find_provider_link", store.find_provider_link(pool.id, "Idp", [("Cognito_Subject", "s1")]))
    await measure("delete_provider_link", store.delete_provider_link(pool.id, "Idp", "Cognito_Subject", "s1"))
    request = FederationRequest("state-hash", pool.id, "Idp", "b", {"client_id": "c"}, "n", "v", NOW, NOW + 300)
    await measure("add_federation_request", store.add_federation_request(request))
    await measure("take_federation_request", store.take_federation_request("state-hash", NOW))
    await measure("delete_identity_provider", store.delete_identity_provider(pool.id, "Idp"))
