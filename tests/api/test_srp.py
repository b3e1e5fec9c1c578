"""USER_SRP_AUTH for real: pycognito (the same math as amazon-cognito-identity-js) signs in against our server,
and every way the PASSWORD_VERIFIER answer can be wrong gets Cognito's error."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from tests.helpers import advance_clock, error_of, make_client
from tests.server import LocalUserpool, in_process
from tests.signin import PASSWORD, claims, confirmed_user, make_pool_and_client, srp_user

INCORRECT = (400, "NotAuthorizedException", "Incorrect username or password.")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory):
    """A server whose clock is not moved: pycognito verifies the tokens it gets against the real time."""
    srv = in_process(tmp_path_factory.mktemp("srp") / "data")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def live_cognito(live: LocalUserpool) -> Any:
    return make_client(live.url)


def test_pycognito_signs_in_with_srp_and_verifies_our_tokens(live, live_cognito):
    pool, client = make_pool_and_client(live_cognito)
    sub = confirmed_user(live_cognito, pool, client)
    user = srp_user(live.url, pool, client, "alice")
    user.authenticate(password=PASSWORD)  # pycognito checks signature, iss, aud/client_id and token_use itself
    assert user.id_claims["sub"] == sub
    assert user.access_claims["username"] == "alice"
    assert user.id_claims["iss"] == f"{live.url}/{pool}"
    # And the tokens work against the API.
    assert live_cognito.get_user(AccessToken=user.access_token)["Username"] == "alice"


def test_pycognito_with_a_client_secret(live, live_cognito):
    pool, client = make_pool_and_client(live_cognito, GenerateSecret=True)
    secret = live_cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client)["UserPoolClient"]["ClientSecret"]
    live_cognito.admin_create_user(
        UserPoolId=pool, Username="bob", TemporaryPassword="Temp0rary!", MessageAction="SUPPRESS"
    )
    live_cognito.admin_set_user_password(UserPoolId=pool, Username="bob", Password=PASSWORD, Permanent=True)
    user = srp_user(live.url, pool, client, "bob", secret=secret)
    user.authenticate(password=PASSWORD)
    assert user.access_claims["username"] == "bob"
    # pycognito's refresh (REFRESH_TOKEN_AUTH with SECRET_HASH) renews the tokens.
    before = user.access_token
    user.renew_access_token()
    assert user.access_token != before


def test_email_username_pool_signs_in_by_email_with_the_sub_as_srp_id(live, live_cognito):
    pool, client = make_pool_and_client(live_cognito, {"UsernameAttributes": ["email"]})
    sub = live_cognito.sign_up(ClientId=client, Username="carol@example.com", Password=PASSWORD)["UserSub"]
    live_cognito.admin_confirm_sign_up(UserPoolId=pool, Username="carol@example.com")
    user = srp_user(live.url, pool, client, "carol@example.com")
    user.authenticate(password=PASSWORD)
    assert user.access_claims["username"] == sub
    assert user.id_claims["email"] == "carol@example.com"


def test_wrong_password_is_incorrect(live, live_cognito):
    pool, client = make_pool_and_client(live_cognito)
    confirmed_user(live_cognito, pool, client)
    with pytest.raises(ClientError) as e:
        srp_user(live.url, pool, client, "alice").authenticate(password="Wrong-passw0rd")
    assert error_of(e) == INCORRECT


def test_new_password_challenge_through_pycognito(live, live_cognito):
    pool, client = make_pool_and_client(live_cognito)
    live_cognito.admin_create_user(
        UserPoolId=pool, Username="dave", TemporaryPassword="Temp0rary!", MessageAction="SUPPRESS"
    )
    user = srp_user(live.url, pool, client, "dave")
    user.new_password_challenge(password="Temp0rary!", new_password="N3w-passw0rd")
    assert live_cognito.admin_get_user(UserPoolId=pool, Username="dave")["UserStatus"] == "CONFIRMED"
    srp_user(live.url, pool, client, "dave").authenticate(password="N3w-passw0rd")


# ---- the PASSWORD_VERIFIER answer, by hand (pycognito's helper computes it) --------------------------------------
class Attempt:
    """One SRP sign-in in two steps, so tests can change what is sent."""

    def __init__(self, cognito: Any, pool: str, client: str, username: str, password: str = PASSWORD) -> None:
        self.cognito, self.pool, self.client = cognito, pool, client
        self.helper = AWSSRP(username=username, password=password, pool_id=pool, client_id=client, client=cognito)
        self.params = self.helper.get_auth_params()
        self.challenge = cognito.initiate_auth(ClientId=client, AuthFlow="USER_SRP_AUTH", AuthParameters=self.params)

    def answer(self) -> dict[str, str]:
        return self.helper.process_challenge(self.challenge["ChallengeParameters"], self.params)

    def respond(self, responses: dict[str, str]) -> dict[str, Any]:
        return self.cognito.respond_to_auth_challenge(
            ClientId=self.client, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=responses
        )


def respond_error(attempt: Attempt, responses: dict[str, str]) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as e:
        attempt.respond(responses)
    return error_of(e)


@pytest.fixture
def srp_pool(cognito):
    pool, client = make_pool_and_client(cognito)
    confirmed_user(cognito, pool, client)
    return pool, client


def test_challenge_parameters_are_cognitos(cognito, srp_pool):
    pool, client = srp_pool
    attempt = Attempt(cognito, pool, client, "alice")
    assert attempt.challenge["ChallengeName"] == "PASSWORD_VERIFIER"
    params = attempt.challenge["ChallengeParameters"]
    assert set(params) == {"SALT", "SECRET_BLOCK", "SRP_B", "USERNAME", "USER_ID_FOR_SRP"}
    assert params["USERNAME"] == params["USER_ID_FOR_SRP"] == "alice"
    int(params["SALT"], 16), int(params["SRP_B"], 16)
    base64.b64decode(params["SECRET_BLOCK"], validate=True)
    result = attempt.respond(attempt.answer())
    assert claims(result["AuthenticationResult"]["AccessToken"])["username"] == "alice"


def test_salt_is_the_same_on_every_attempt(cognito, srp_pool):
    pool, client = srp_pool
    first = Attempt(cognito, pool, client, "alice").challenge["ChallengeParameters"]
    second = Attempt(cognito, pool, client, "alice").challenge["ChallengeParameters"]
    assert first["SALT"] == second["SALT"]
    assert first["SRP_B"] != second["SRP_B"] and first["SECRET_BLOCK"] != second["SECRET_BLOCK"]


def test_wrong_signature_is_incorrect(cognito, srp_pool):
    pool, client = srp_pool
    attempt = Attempt(cognito, pool, client, "alice")
    responses = attempt.answer()
    signature = bytearray(base64.b64decode(responses["PASSWORD_CLAIM_SIGNATURE"]))
    signature[0] ^= 1
    responses["PASSWORD_CLAIM_SIGNATURE"] = base64.b64encode(bytes(signature)).decode()
    assert respond_error(attempt, responses) == INCORRECT


def test_a_challenge_answers_once(cognito, srp_pool):
    pool, client = srp_pool
    attempt = Attempt(cognito, pool, client, "alice")
    responses = attempt.answer()
    attempt.respond(responses)
    assert respond_error(attempt, responses) == (
        400,
        "NotAuthorizedException",
        "Invalid session for the user, session can only be used once.",
    )


def test_a_wrong_answer_spends_the_challenge(cognito, srp_pool):
    pool, client = srp_pool
    attempt = Attempt(cognito, pool, client, "alice")
    good = attempt.answer()
    bad = {**good, "PASSWORD_CLAIM_SIGNATURE": base64.b64encode(b"x" * 32).decode()}
    assert respond_error(attempt, bad) == INCORRECT
    assert respond_error(attempt, good)[2] == "Invalid session for the user, session can only be used once."


def test_the_challenge_expires_after_the_clients_session_validity(cognito, server, srp_pool):
    pool, client = srp_pool
    attempt = Attempt(cognito, pool, client, "alice")
    advance_clock(server, 3 * 60 + 1)
    assert respond_error(attempt, attempt.answer()) == (
        400,
        "NotAuthorizedException",
        "Invalid session for the user, session is expired.",
    )


def test_an_unknown_secret_block_is_an_invalid_session(cognito, srp_pool):
    pool, client = srp_pool
    attempt = Attempt(cognito, pool, client, "alice")
    responses = {**attempt.answer(), "PASSWORD_CLAIM_SECRET_BLOCK": base64.b64encode(b"forged" * 10).decode()}
    assert respond_error(attempt, responses) == (400, "NotAuthorizedException", "Invalid session for the user.")


def test_a_challenge_of_another_client_is_an_invalid_session(cognito, srp_pool):
    pool, client = srp_pool
    other = cognito.create_user_pool_client(
        UserPoolId=pool, ClientName="other", ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"]
    )["UserPoolClient"]["ClientId"]
    attempt = Attempt(cognito, pool, client, "alice")
    with pytest.raises(ClientError) as e:
        cognito.respond_to_auth_challenge(
            ClientId=other, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=attempt.answer()
        )
    assert error_of(e) == (400, "NotAuthorizedException", "Invalid session for the user.")


def test_timestamp_in_another_format_is_refused(cognito, srp_pool):
    pool, client = srp_pool
    attempt = Attempt(cognito, pool, client, "alice")
    responses = {**attempt.answer(), "TIMESTAMP": "2026-09-05T09:03:07Z"}
    assert respond_error(attempt, responses) == (
        400,
        "InvalidParameterException",
        "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.",
    )


def test_zero_padded_day_signs_a_different_text(cognito, srp_pool, monkeypatch):
    """warrant's old bug: signing "Wed Apr 05 ..." while Cognito reads it back as "Wed Apr 5 ..."."""
    pool, client = srp_pool
    monkeypatch.setattr(
        AWSSRP, "get_cognito_formatted_timestamp", staticmethod(lambda _: "Sun Apr 05 22:44:40 UTC 2026")
    )
    attempt = Attempt(cognito, pool, client, "alice")
    assert respond_error(attempt, attempt.answer()) == INCORRECT


def test_a_single_digit_day_signs_in(cognito, srp_pool, monkeypatch):
    pool, client = srp_pool
    monkeypatch.setattr(
        AWSSRP, "get_cognito_formatted_timestamp", staticmethod(lambda _: "Sun Apr 5 22:44:40 UTC 2026")
    )
    attempt = Attempt(cognito, pool, client, "alice")
    assert "AuthenticationResult" in attempt.respond(attempt.answer())


def test_missing_srp_a_is_a_missing_parameter(cognito, srp_pool):
    _, client = srp_pool
    with pytest.raises(ClientError) as e:
        cognito.initiate_auth(ClientId=client, AuthFlow="USER_SRP_AUTH", AuthParameters={"USERNAME": "alice"})
    assert error_of(e) == (400, "InvalidParameterException", "Missing required parameter SRP_A")


def test_srp_a_that_is_zero_modulo_n_is_refused_unverified(cognito, srp_pool):
    _, client = srp_pool
    with pytest.raises(ClientError) as e:
        cognito.initiate_auth(
            ClientId=client, AuthFlow="USER_SRP_AUTH", AuthParameters={"USERNAME": "alice", "SRP_A": "0"}
        )
    assert error_of(e)[:2] == (400, "InvalidParameterException")


def test_unknown_user_is_not_found(cognito, srp_pool):
    pool, client = srp_pool
    with pytest.raises(ClientError) as e:
        Attempt(cognito, pool, client, "nobody")
    assert error_of(e) == (400, "UserNotFoundException", "User does not exist.")


def test_unknown_user_gets_a_decoy_challenge_when_existence_is_hidden(cognito):
    pool, client = make_pool_and_client(cognito, PreventUserExistenceErrors="ENABLED")
    confirmed_user(cognito, pool, client)
    first = Attempt(cognito, pool, client, "nobody")
    again = Attempt(cognito, pool, client, "nobody")
    params = first.challenge["ChallengeParameters"]
    assert set(params) == {"SALT", "SECRET_BLOCK", "SRP_B", "USERNAME", "USER_ID_FOR_SRP"}
    assert params["SALT"] == again.challenge["ChallengeParameters"]["SALT"]
    assert respond_error(first, first.answer()) == INCORRECT


def test_srp_flow_not_enabled(cognito):
    pool, client = make_pool_and_client(cognito, ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])
    with pytest.raises(ClientError) as e:
        Attempt(cognito, pool, client, "alice")
    assert error_of(e) == (400, "InvalidParameterException", "USER_SRP_AUTH is not enabled for the client.")


def test_unconfirmed_user_is_told_after_the_proof(cognito):
    pool, client = make_pool_and_client(cognito)
    cognito.sign_up(ClientId=client, Username="erin", Password=PASSWORD)
    attempt = Attempt(cognito, pool, client, "erin")
    assert respond_error(attempt, attempt.answer()) == (400, "UserNotConfirmedException", "User is not confirmed.")


def test_srp_with_admin_initiate_auth(cognito, srp_pool):
    pool, client = srp_pool
    helper = AWSSRP(username="alice", password=PASSWORD, pool_id=pool, client_id=client, client=cognito)
    params = helper.get_auth_params()
    challenge = cognito.admin_initiate_auth(
        UserPoolId=pool, ClientId=client, AuthFlow="USER_SRP_AUTH", AuthParameters=params
    )
    result = cognito.admin_respond_to_auth_challenge(
        UserPoolId=pool,
        ClientId=client,
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=helper.process_challenge(challenge["ChallengeParameters"], params),
    )
    assert "AccessToken" in result["AuthenticationResult"]


def test_user_without_a_verifier_gets_one_at_its_first_password_sign_in(tmp_path):
    """Users stored before SRP support have no verifier: SRP fails until they sign in with the password once."""
    import sqlite3

    srv = in_process(tmp_path / "data")
    try:
        cognito = make_client(srv.url)
        pool, client = make_pool_and_client(cognito)
        confirmed_user(cognito, pool, client)
        with sqlite3.connect(srv.data_dir / "userpool.db") as db:
            db.execute("UPDATE users SET srp_salt = NULL, srp_verifier = NULL")
        attempt = Attempt(cognito, pool, client, "alice")
        assert respond_error(attempt, attempt.answer()) == INCORRECT
        cognito.initiate_auth(
            ClientId=client, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD}
        )
        attempt = Attempt(cognito, pool, client, "alice")
        assert "AuthenticationResult" in attempt.respond(attempt.answer())
    finally:
        srv.stop()
