"""User sessions: the pool's session tracking, listing and revoking a user's token sessions (by the user with an
access token, and by an administrator), and the per-user limit on active sessions.

A token session is one sign-in: its refresh token (and, with rotation, the ones that replaced it) and every access
and ID token issued from them. Its id is Cognito's ``tkn`` and 25 lowercase letters and digits."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.helpers import advance_clock, error_of
from tests.signin import confirmed_user, make_pool_and_client, password_auth

NOT_ENABLED = (400, "OperationNotEnabledException", "Session tracking is not enabled for this user pool.")
REVOKED_ACCESS = (400, "NotAuthorizedException", "Access Token has been revoked")
REVOKED_REFRESH = (400, "NotAuthorizedException", "Refresh Token has been revoked")
SESSION_ID = re.compile(r"^tkn[a-z0-9]{25}$")


def tracked_pool(cognito: Any, max_per_user: int = 20, **client: Any) -> tuple[str, str]:
    pool, client_id = make_pool_and_client(cognito, **client)
    cognito.set_user_pool_session_configuration(
        UserPoolId=pool, UserSessionTracking="ENABLED", TokenSession={"MaxPerUser": max_per_user}
    )
    confirmed_user(cognito, pool, client_id)
    return pool, client_id


def failure(call: Any, **params: Any) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)


def session_of(cognito: Any, access_token: str) -> dict[str, Any]:
    (current,) = [s for s in cognito.list_user_sessions(AccessToken=access_token)["Sessions"] if s["IsCurrentSession"]]
    return current


# ---- configuration ---------------------------------------------------------------------------------------------
def test_pool_session_configuration_defaults(cognito):
    pool, _ = make_pool_and_client(cognito)
    answer = cognito.get_user_pool_session_configuration(UserPoolId=pool)
    answer.pop("ResponseMetadata")
    assert answer == {"UserPoolId": pool, "UserSessionTracking": "DISABLED", "TokenSession": {"MaxPerUser": 20}}


def test_pool_session_configuration_is_replaced_whole(cognito):
    pool, _ = make_pool_and_client(cognito)
    answer = cognito.set_user_pool_session_configuration(
        UserPoolId=pool, UserSessionTracking="ENABLED", TokenSession={"MaxPerUser": 3}
    )
    answer.pop("ResponseMetadata")
    assert answer == {"UserPoolId": pool, "UserSessionTracking": "ENABLED", "TokenSession": {"MaxPerUser": 3}}
    got = cognito.get_user_pool_session_configuration(UserPoolId=pool)
    assert (got["UserSessionTracking"], got["TokenSession"]) == ("ENABLED", {"MaxPerUser": 3})


def test_pool_session_configuration_of_an_unknown_pool(cognito):
    assert failure(cognito.get_user_pool_session_configuration, UserPoolId="us-east-1_nosuch") == (
        400,
        "ResourceNotFoundException",
        "User pool us-east-1_nosuch does not exist.",
    )


def test_pool_session_configuration_needs_essentials_or_plus(cognito):
    pool = cognito.create_user_pool(PoolName="lite", UserPoolTier="LITE")["UserPool"]["Id"]
    assert failure(
        cognito.set_user_pool_session_configuration,
        UserPoolId=pool,
        UserSessionTracking="ENABLED",
        TokenSession={"MaxPerUser": 5},
    ) == (
        400,
        "FeatureUnavailableInTierException",
        "This feature is not available in the user pool's feature plan.",
    )
    assert cognito.get_user_pool_session_configuration(UserPoolId=pool)["UserSessionTracking"] == "DISABLED"


def test_pool_session_configuration_bad_limit_is_a_validation_error(raw_cognito, cognito):
    pool, _ = make_pool_and_client(cognito)
    assert failure(
        raw_cognito.set_user_pool_session_configuration,
        UserPoolId=pool,
        UserSessionTracking="ENABLED",
        TokenSession={"MaxPerUser": 101},
    ) == (
        400,
        "InvalidParameterException",
        "1 validation error detected: Value '101' at 'tokenSession.maxPerUser' failed to satisfy constraint: "
        "Member must have value less than or equal to 100",
    )


def test_client_session_configuration_defaults_and_needs_tracking(cognito):
    pool, client = make_pool_and_client(cognito)
    answer = cognito.get_user_pool_client_session_configuration(UserPoolId=pool, ClientId=client)
    answer.pop("ResponseMetadata")
    assert answer == {"UserPoolId": pool, "ClientId": client, "SSOSession": {"MaxValidityMinutes": 60}}
    assert (
        failure(
            cognito.set_user_pool_client_session_configuration,
            UserPoolId=pool,
            ClientId=client,
            SSOSession={"MaxValidityMinutes": 120},
        )
        == NOT_ENABLED
    )
    cognito.set_user_pool_session_configuration(
        UserPoolId=pool, UserSessionTracking="ENABLED", TokenSession={"MaxPerUser": 20}
    )
    cognito.set_user_pool_client_session_configuration(
        UserPoolId=pool, ClientId=client, SSOSession={"MaxValidityMinutes": 120}
    )
    got = cognito.get_user_pool_client_session_configuration(UserPoolId=pool, ClientId=client)
    assert got["SSOSession"] == {"MaxValidityMinutes": 120}


def test_client_session_configuration_of_an_unknown_client(cognito):
    pool, _ = make_pool_and_client(cognito)
    assert failure(
        cognito.get_user_pool_client_session_configuration, UserPoolId=pool, ClientId="nosuchclient0000000000000"
    ) == (400, "ResourceNotFoundException", "User pool client nosuchclient0000000000000 does not exist.")


# ---- listing ---------------------------------------------------------------------------------------------------
def test_sessions_are_not_listed_without_tracking(cognito):
    pool, client = make_pool_and_client(cognito)
    confirmed_user(cognito, pool, client)
    tokens = password_auth(cognito, client)["AuthenticationResult"]
    assert failure(cognito.list_user_sessions, AccessToken=tokens["AccessToken"]) == NOT_ENABLED
    assert failure(cognito.admin_list_user_sessions, UserPoolId=pool, Username="alice") == NOT_ENABLED


def test_each_sign_in_is_a_session_listed_with_its_client_and_the_current_one_marked(cognito, server, frozen_clock):
    pool, client = tracked_pool(cognito)
    other = cognito.create_user_pool_client(
        UserPoolId=pool, ClientName="other", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    first = password_auth(cognito, client)["AuthenticationResult"]
    advance_clock(server, 10)
    second = password_auth(cognito, other)["AuthenticationResult"]
    sessions = cognito.list_user_sessions(AccessToken=first["AccessToken"])["Sessions"]
    assert len(sessions) == 2
    by_client = {s["ClientId"]: s for s in sessions}
    assert set(by_client) == {client, other}
    for s in sessions:
        assert SESSION_ID.match(s["SessionId"]) and s["SessionType"] == "TOKEN"
        assert s["LastIPAddress"] == "127.0.0.1"
        assert s["DeviceType"].startswith("Boto3/")
    assert by_client[client]["IsCurrentSession"] is True and by_client[other]["IsCurrentSession"] is False
    assert by_client[other]["CreateDate"].timestamp() - by_client[client]["CreateDate"].timestamp() == pytest.approx(
        10, abs=1
    )
    assert session_of(cognito, second["AccessToken"])["ClientId"] == other
    admin = cognito.admin_list_user_sessions(UserPoolId=pool, Username="alice")["Sessions"]
    assert {s["SessionId"] for s in admin} == {s["SessionId"] for s in sessions}
    assert not any(s.get("IsCurrentSession") for s in admin)


@pytest.mark.parametrize("rotation", [False, True], ids=["plain", "rotating"])
def test_a_refresh_makes_the_session_active(cognito, server, frozen_clock, rotation):
    # With rotation the touch is made in the rotation's own write: the same answer.
    _, client = tracked_pool(
        cognito, **({"RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": 0}} if rotation else {})
    )
    tokens = password_auth(cognito, client)["AuthenticationResult"]
    created = session_of(cognito, tokens["AccessToken"])
    advance_clock(server, 120)
    refreshed = cognito.get_tokens_from_refresh_token(ClientId=client, RefreshToken=tokens["RefreshToken"])
    now = session_of(cognito, refreshed["AuthenticationResult"]["AccessToken"])
    assert now["SessionId"] == created["SessionId"]
    assert now["LastActiveDate"].timestamp() - created["LastActiveDate"].timestamp() == pytest.approx(120, abs=1)
    assert now["CreateDate"] == created["CreateDate"]


def test_rotation_keeps_one_session(cognito):
    _, client = tracked_pool(
        cognito,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
        RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 0},
    )
    tokens = password_auth(cognito, client)["AuthenticationResult"]
    first = session_of(cognito, tokens["AccessToken"])["SessionId"]
    rotated = cognito.get_tokens_from_refresh_token(ClientId=client, RefreshToken=tokens["RefreshToken"])
    sessions = cognito.list_user_sessions(AccessToken=rotated["AuthenticationResult"]["AccessToken"])["Sessions"]
    assert [s["SessionId"] for s in sessions] == [first]


def test_signed_out_and_expired_sessions_are_not_listed(cognito, server, frozen_clock):
    pool, client = tracked_pool(cognito, RefreshTokenValidity=60, TokenValidityUnits={"RefreshToken": "minutes"})
    revoked = password_auth(cognito, client)["AuthenticationResult"]
    cognito.revoke_token(Token=revoked["RefreshToken"], ClientId=client)
    expiring = password_auth(cognito, client)["AuthenticationResult"]
    advance_clock(server, 1800)
    live = password_auth(cognito, client)["AuthenticationResult"]
    ids = {name: session_of(cognito, t["AccessToken"])["SessionId"] for name, t in (("e", expiring), ("l", live))}

    def listed() -> set[str]:
        return {s["SessionId"] for s in cognito.admin_list_user_sessions(UserPoolId=pool, Username="alice")["Sessions"]}

    assert listed() == {ids["e"], ids["l"]}
    advance_clock(server, 1801)  # the first hour is over: only the later sign-in is left
    assert listed() == {ids["l"]}


def test_admin_list_of_an_unknown_user(cognito):
    pool, _ = tracked_pool(cognito)
    assert failure(cognito.admin_list_user_sessions, UserPoolId=pool, Username="nobody") == (
        400,
        "UserNotFoundException",
        "User does not exist.",
    )


# ---- revoking --------------------------------------------------------------------------------------------------
def test_revoke_user_session_revokes_its_tokens(cognito):
    _, client = tracked_pool(cognito)
    mine = password_auth(cognito, client)["AuthenticationResult"]
    theirs = password_auth(cognito, client)["AuthenticationResult"]
    target = session_of(cognito, theirs["AccessToken"])["SessionId"]
    cognito.revoke_user_session(AccessToken=mine["AccessToken"], SessionId=target)
    assert failure(cognito.get_user, AccessToken=theirs["AccessToken"]) == REVOKED_ACCESS
    assert (
        failure(cognito.get_tokens_from_refresh_token, ClientId=client, RefreshToken=theirs["RefreshToken"])
        == REVOKED_REFRESH
    )
    remaining = cognito.list_user_sessions(AccessToken=mine["AccessToken"])["Sessions"]
    assert [s["SessionId"] for s in remaining] == [session_of(cognito, mine["AccessToken"])["SessionId"]]
    assert cognito.get_user(AccessToken=mine["AccessToken"])["Username"] == "alice"


def test_the_current_session_cannot_be_revoked_by_itself(cognito):
    _, client = tracked_pool(cognito)
    mine = password_auth(cognito, client)["AuthenticationResult"]
    current = session_of(cognito, mine["AccessToken"])["SessionId"]
    assert failure(cognito.revoke_user_session, AccessToken=mine["AccessToken"], SessionId=current) == (
        400,
        "InvalidParameterException",
        "The current session can't be revoked.",
    )
    assert cognito.get_user(AccessToken=mine["AccessToken"])["Username"] == "alice"


def test_revoking_an_unknown_or_another_users_session_is_not_found(cognito):
    pool, client = tracked_pool(cognito)
    confirmed_user(cognito, pool, client, username="bob")
    mine = password_auth(cognito, client)["AuthenticationResult"]
    bobs = password_auth(cognito, client, username="bob")["AuthenticationResult"]
    bobs_session = session_of(cognito, bobs["AccessToken"])["SessionId"]
    not_found = (400, "ResourceNotFoundException", "Session not found.")
    assert failure(cognito.revoke_user_session, AccessToken=mine["AccessToken"], SessionId=bobs_session) == not_found
    assert failure(cognito.revoke_user_session, AccessToken=mine["AccessToken"], SessionId="tkn" + "0" * 25) == (
        not_found
    )
    assert cognito.get_user(AccessToken=bobs["AccessToken"])["Username"] == "bob"


def test_admin_revoke_user_session(cognito):
    pool, client = tracked_pool(cognito)
    tokens = password_auth(cognito, client)["AuthenticationResult"]
    session = session_of(cognito, tokens["AccessToken"])["SessionId"]
    cognito.admin_revoke_user_session(
        UserPoolId=pool, Username="alice", SessionId=session, RevokeAssociatedSessions="LINKED"
    )
    assert failure(cognito.get_user, AccessToken=tokens["AccessToken"]) == REVOKED_ACCESS
    assert cognito.admin_list_user_sessions(UserPoolId=pool, Username="alice")["Sessions"] == []
    assert failure(cognito.admin_revoke_user_session, UserPoolId=pool, Username="alice", SessionId=session) == (
        400,
        "ResourceNotFoundException",
        "Session not found.",
    )


def test_revoking_needs_tracking(cognito):
    pool, client = make_pool_and_client(cognito)
    confirmed_user(cognito, pool, client)
    tokens = password_auth(cognito, client)["AuthenticationResult"]
    assert (
        failure(cognito.revoke_user_session, AccessToken=tokens["AccessToken"], SessionId="tkn" + "0" * 25)
        == NOT_ENABLED
    )
    assert (
        failure(cognito.admin_revoke_user_session, UserPoolId=pool, Username="alice", SessionId="tkn" + "0" * 25)
        == NOT_ENABLED
    )


# ---- the per-user limit ----------------------------------------------------------------------------------------
def test_a_sign_in_past_the_limit_evicts_the_least_recently_used_session(cognito, server, frozen_clock):
    pool, client = tracked_pool(cognito, max_per_user=2)
    first = password_auth(cognito, client)["AuthenticationResult"]
    advance_clock(server, 1)
    second = password_auth(cognito, client)["AuthenticationResult"]
    advance_clock(server, 1)
    cognito.get_tokens_from_refresh_token(ClientId=client, RefreshToken=first["RefreshToken"])  # first: used last
    advance_clock(server, 1)
    third = password_auth(cognito, client)["AuthenticationResult"]
    assert failure(cognito.get_user, AccessToken=second["AccessToken"]) == REVOKED_ACCESS
    listed = {s["SessionId"] for s in cognito.admin_list_user_sessions(UserPoolId=pool, Username="alice")["Sessions"]}
    assert listed == {
        session_of(cognito, first["AccessToken"])["SessionId"],
        session_of(cognito, third["AccessToken"])["SessionId"],
    }
