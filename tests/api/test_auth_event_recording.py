"""Which flows record which events in a user's threat-protection history, beyond tests/api/test_auth_events.py:
SRP sign-in, a right password refused by the user's state, AdminCreateUser and its NEW_PASSWORD_REQUIRED answer,
ConfirmForgotPassword, a wrong previous password; nothing recorded while threat protection is off (not even a store
call); a user's own feedback with the token a notification would carry; and a recording that fails leaves the
sign-in answered."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
import sqlalchemy as sa
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from tests.helpers import error_of, latest_code, make_client
from tests.server import ServerProcess
from tests.signin import PASSWORD, make_pool_and_client, password_auth
from userpool.app import build_context, secret_key
from userpool.config import Settings
from userpool.context import Call
from userpool.domain import auth_events
from userpool.domain.records import Pool
from userpool.domain.users import UserStatus, new_user
from userpool.operations.shared import threat_protection

SUCCESS = [{"ChallengeName": "Password", "ChallengeResponse": "Success"}]
FAILURE = [{"ChallengeName": "Password", "ChallengeResponse": "Failure"}]


def audited(cognito: Any, **client: Any) -> tuple[str, str]:
    return make_pool_and_client(
        cognito, {"UserPoolAddOns": {"AdvancedSecurityMode": "ENFORCED"}, "AutoVerifiedAttributes": ["email"]}, **client
    )


def history(cognito: Any, pool: str, username: str = "alice") -> list[tuple[str, str, list[dict[str, str]]]]:
    found = cognito.admin_list_user_auth_events(UserPoolId=pool, Username=username)["AuthEvents"]
    return [(e["EventType"], e["EventResponse"], e["ChallengeResponses"]) for e in found]


def signed_up(cognito: Any, pool: str, client: str, username: str = "alice") -> None:
    email = [{"Name": "email", "Value": f"{username}@example.com"}]
    cognito.sign_up(ClientId=client, Username=username, Password=PASSWORD, UserAttributes=email)
    cognito.admin_confirm_sign_up(UserPoolId=pool, Username=username)
    cognito.admin_update_user_attributes(
        UserPoolId=pool, Username=username, UserAttributes=[{"Name": "email_verified", "Value": "true"}]
    )


def srp_sign_in(cognito: Any, pool: str, client: str, password: str) -> dict[str, Any]:
    helper = AWSSRP(username="alice", password=password, pool_id=pool, client_id=client, client=cognito)
    params = helper.get_auth_params()
    challenge = cognito.initiate_auth(ClientId=client, AuthFlow="USER_SRP_AUTH", AuthParameters=params)
    return cognito.respond_to_auth_challenge(
        ClientId=client,
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=helper.process_challenge(challenge["ChallengeParameters"], params),
    )


def test_srp_sign_ins_are_recorded_with_their_proof(cognito):
    pool, client = audited(cognito)
    signed_up(cognito, pool, client)
    with pytest.raises(ClientError):
        srp_sign_in(cognito, pool, client, "Wrong-passw0rd")
    assert "AuthenticationResult" in srp_sign_in(cognito, pool, client, PASSWORD)
    assert history(cognito, pool)[:2] == [("SignIn", "Pass", SUCCESS), ("SignIn", "Fail", FAILURE)]


def test_a_right_password_refused_by_the_users_state_is_a_failed_sign_in(cognito):
    pool, client = audited(cognito)
    signed_up(cognito, pool, client)
    cognito.admin_disable_user(UserPoolId=pool, Username="alice")
    with pytest.raises(ClientError) as e:
        password_auth(cognito, client)
    assert error_of(e) == (400, "NotAuthorizedException", "User is disabled.")
    assert history(cognito, pool)[0] == ("SignIn", "Fail", SUCCESS)


def test_admin_created_users_record_their_sign_in_and_new_password_not_their_creation(cognito):
    pool, client = audited(cognito)
    cognito.admin_create_user(
        UserPoolId=pool, Username="alice", TemporaryPassword="Temp0rary!", MessageAction="SUPPRESS"
    )
    assert history(cognito, pool) == []
    challenge = password_auth(cognito, client, password="Temp0rary!")
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    cognito.respond_to_auth_challenge(
        ClientId=client,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "alice", "NEW_PASSWORD": "N3w-passw0rd"},
    )
    assert history(cognito, pool) == [("PasswordChange", "Pass", []), ("SignIn", "Pass", SUCCESS)]


def test_a_forgotten_password_replaced_is_a_password_change_and_a_wrong_previous_one_fails(cognito, server):
    pool, client = audited(cognito)
    signed_up(cognito, pool, client)
    cognito.forgot_password(ClientId=client, Username="alice")
    cognito.confirm_forgot_password(
        ClientId=client, Username="alice", ConfirmationCode=latest_code(server, pool, "alice"), Password="N3w-passw0rd"
    )
    token = password_auth(cognito, client, password="N3w-passw0rd")["AuthenticationResult"]["AccessToken"]
    with pytest.raises(ClientError):
        cognito.change_password(
            AccessToken=token, PreviousPassword="Wrong-passw0rd", ProposedPassword="Other-passw0rd1"
        )
    assert history(cognito, pool) == [
        ("PasswordChange", "Fail", []),
        ("SignIn", "Pass", SUCCESS),
        ("PasswordChange", "Pass", []),
        ("ForgotPassword", "Pass", []),
        ("SignUp", "Pass", []),
    ]


def test_nothing_is_recorded_while_threat_protection_is_off(cognito, server):
    pool, client = make_pool_and_client(cognito, {"AutoVerifiedAttributes": ["email"]})
    cognito.sign_up(
        ClientId=client,
        Username="alice",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}],
    )
    cognito.resend_confirmation_code(ClientId=client, Username="alice")
    cognito.confirm_sign_up(ClientId=client, Username="alice", ConfirmationCode=latest_code(server, pool, "alice"))
    with pytest.raises(ClientError):
        password_auth(cognito, client, password="Wrong-passw0rd")
    password_auth(cognito, client)
    cognito.update_user_pool(
        UserPoolId=pool, UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"}, AutoVerifiedAttributes=["email"]
    )
    assert history(cognito, pool) == []
    password_auth(cognito, client)
    assert history(cognito, pool) == [("SignIn", "Pass", SUCCESS)]


def test_recording_with_threat_protection_off_makes_no_store_call(tmp_path):
    """In process, on a real context: while the pool's threat protection is off, recording runs no statement at
    all; once it is on, it runs the sweep and the insert."""

    async def run() -> tuple[list[str], list[str]]:
        ctx = build_context(Settings(data_dir=tmp_path, hash_workers=1))
        try:
            await ctx.store.migrate()
            now = ctx.clock.now()
            off = Pool("us-east-1_recording", "p", {"UserPoolAddOns": {"AdvancedSecurityMode": "OFF"}}, now, now)
            await ctx.store.create_pool(off)
            record = new_user(off, "alice", {}, None, UserStatus.CONFIRMED, "sub-alice", now)
            user = await ctx.store.get_user(await ctx.store.create_user(record))
            assert user is not None
            call = Call("InitiateAuth", {}, "request", "192.0.2.9", "agent/1")
            assert ctx.store._sqlite is not None
            seen: list[str] = []
            lock = threading.Lock()

            def statement(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
                with lock:
                    seen.append(sql.split()[0].upper())

            sa.event.listen(ctx.store._sqlite.engine, "before_cursor_execute", statement)
            await threat_protection.record_event(ctx, call, off, user, auth_events.SIGN_IN)
            while_off = list(seen)
            on = Pool(off.id, "p", {"UserPoolAddOns": {"AdvancedSecurityMode": "AUDIT"}}, now, now)
            await threat_protection.record_event(ctx, call, on, user, auth_events.SIGN_IN)
            events, _ = await ctx.store.list_auth_events(user.id, 10, None)
            assert [(e.event_type, e.ip_address, e.device_name) for e in events] == [("SignIn", "192.0.2.9", "agent/1")]
            return while_off, [s for s in seen[len(while_off) :] if s not in ("BEGIN", "COMMIT", "SELECT", "PRAGMA")]
        finally:
            ctx.hashing.close()
            ctx.blocklist.close()
            await ctx.store.close()

    while_off, while_on = asyncio.run(run())
    assert while_off == []
    assert while_on == ["DELETE", "INSERT"]


def test_a_users_own_feedback_needs_the_notifications_token(cognito, server):
    pool, client = audited(cognito)
    cognito.sign_up(ClientId=client, Username="alice", Password=PASSWORD)
    cognito.sign_up(ClientId=client, Username="bob", Password=PASSWORD)
    (event,) = cognito.admin_list_user_auth_events(UserPoolId=pool, Username="alice")["AuthEvents"]
    sub = cognito.admin_get_user(UserPoolId=pool, Username="alice")["UserAttributes"][0]["Value"]
    # What a threat-protection notification about this event would carry: made with the server's secret key.
    key = auth_events.feedback_key(secret_key(Settings(data_dir=server.data_dir)))
    token = auth_events.feedback_token(key, pool, sub, event["EventId"])
    # Bob cannot use Alice's token, nor Alice it for another event.
    for username, event_id in (("bob", event["EventId"]), ("alice", "another-event")):
        with pytest.raises(ClientError) as e:
            cognito.update_auth_event_feedback(
                UserPoolId=pool, Username=username, EventId=event_id, FeedbackToken=token, FeedbackValue="Valid"
            )
        assert error_of(e) == (400, "NotAuthorizedException", "Invalid feedback token.")
    cognito.update_auth_event_feedback(
        UserPoolId=pool, Username="alice", EventId=event["EventId"], FeedbackToken=token, FeedbackValue="Valid"
    )
    (event,) = cognito.admin_list_user_auth_events(UserPoolId=pool, Username="alice")["AuthEvents"]
    assert (event["EventFeedback"]["FeedbackValue"], event["EventFeedback"]["Provider"]) == ("Valid", "User")
    # A right token for an event that is not (or no longer) there: the event is not found.
    gone = auth_events.feedback_token(key, pool, sub, "swept-event")
    with pytest.raises(ClientError) as e:
        cognito.update_auth_event_feedback(
            UserPoolId=pool, Username="alice", EventId="swept-event", FeedbackToken=gone, FeedbackValue="Invalid"
        )
    assert error_of(e) == (400, "ResourceNotFoundException", "Auth event not found.")


def test_feedback_operations_need_threat_protection_and_a_known_user(cognito):
    pool, client = make_pool_and_client(cognito)
    cognito.sign_up(ClientId=client, Username="alice", Password=PASSWORD)
    common = {"UserPoolId": pool, "Username": "alice", "EventId": "e-1", "FeedbackValue": "Valid"}
    not_on = (400, "UserPoolAddOnNotEnabledException", "Advanced security features are not enabled for this user pool.")
    for call, extra in (
        (cognito.admin_update_auth_event_feedback, {}),
        (cognito.update_auth_event_feedback, {"FeedbackToken": "t"}),
    ):
        with pytest.raises(ClientError) as e:
            call(**common, **extra)
        assert error_of(e) == not_on
    pool, _ = audited(cognito)
    for call, extra in (
        (cognito.admin_update_auth_event_feedback, {}),
        (cognito.update_auth_event_feedback, {"FeedbackToken": "t"}),
    ):
        with pytest.raises(ClientError) as e:
            call(**{**common, "UserPoolId": pool, "Username": "nobody"}, **extra)
        assert error_of(e) == (400, "UserNotFoundException", "User does not exist.")


def test_a_recording_that_fails_leaves_the_sign_in_answered(tmp_path):
    """A server whose event table is gone (as a database that refuses the write): sign-up and sign-in still
    answer as they would, and the failure is in the log."""
    server = ServerProcess(tmp_path / "data").start()
    try:
        cognito = make_client(server.url)
        pool, client = audited(cognito)
        engine = sa.create_engine(server.database_url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE auth_events"))
        engine.dispose()
        assert cognito.sign_up(ClientId=client, Username="alice", Password=PASSWORD)["UserConfirmed"] is False
        cognito.admin_confirm_sign_up(UserPoolId=pool, Username="alice")
        assert "AccessToken" in password_auth(cognito, client)["AuthenticationResult"]
        log = server.log()
        assert "could not record a SignUp event" in log and "could not record a SignIn event" in log
    finally:
        server.stop()
