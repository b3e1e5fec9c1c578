"""Custom authentication (CUSTOM_AUTH): a magic-code flow played by DefineAuthChallenge, CreateAuthChallenge and
VerifyAuthChallengeResponse functions, through every invoker and on both databases: the exact events, the rounds,
what reaches the client (never the private parameters), and each failure."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from tests.functions import FunctionServer, Reply, arn, fail, raw, slow
from tests.helpers import PASSWORD, error_of
from tests.signin import ALL_FLOWS, claims
from tests.trigger_setup import SDK, TIMEOUT, VIAS, function_name

FLOWS = [*ALL_FLOWS, "ALLOW_CUSTOM_AUTH"]


class MagicCode:
    """The three functions of an emailed-code sign-in: a code per round, three tries."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def define(self, event: dict[str, Any]) -> Reply:
        rounds = event["request"]["session"]
        if rounds and rounds[-1]["challengeResult"]:
            return Reply(response={"issueTokens": True, "failAuthentication": False})
        if len(rounds) >= 3:
            return Reply(response={"issueTokens": False, "failAuthentication": True})
        return Reply(response={"challengeName": "CUSTOM_CHALLENGE", "issueTokens": False, "failAuthentication": False})

    def create(self, event: dict[str, Any]) -> Reply:
        code = f"{secrets.randbelow(10**6):06d}"
        self.sent.append(code)
        return Reply(
            response={
                "publicChallengeParameters": {"destination": "a***@e***"},
                "privateChallengeParameters": {"code": code},
                "challengeMetadata": f"CODE-{len(self.sent)}",
            }
        )

    def verify(self, event: dict[str, Any]) -> Reply:
        request = event["request"]
        return Reply(
            response={"answerCorrect": request["challengeAnswer"] == request["privateChallengeParameters"]["code"]}
        )


@pytest.fixture
def magic(functions: FunctionServer) -> MagicCode:
    return MagicCode()


def make_app(idp: Any, names: tuple[str, str, str] | None, hide: bool = False) -> tuple[str, str]:
    config = {}
    if names is not None:
        define, create, verify = names
        config = {
            "DefineAuthChallenge": arn(define),
            "CreateAuthChallenge": arn(create),
            "VerifyAuthChallengeResponse": arn(verify),
        }
    pool_id = idp.create_user_pool(PoolName="custom", LambdaConfig=config)["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="app",
        ExplicitAuthFlows=FLOWS,
        PreventUserExistenceErrors="ENABLED" if hide else "LEGACY",
    )
    return pool_id, client["UserPoolClient"]["ClientId"]


def wire(functions: FunctionServer, magic: MagicCode, via: str = "http") -> tuple[str, str, str]:
    names = (function_name(via, "a"), function_name(via, "b"), function_name(via, "c"))
    for name, behaviour in zip(names, (magic.define, magic.create, magic.verify), strict=True):
        functions.on(name, behaviour)
    return names


def add_user(idp: Any, pool_id: str) -> str:
    user = idp.admin_create_user(
        UserPoolId=pool_id,
        Username="alice",
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}, {"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )
    idp.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True)
    return next(a["Value"] for a in user["User"]["Attributes"] if a["Name"] == "sub")


def start(idp: Any, client_id: str, username: str = "alice", **extra: Any) -> dict[str, Any]:
    return idp.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": username}, **extra)


def respond(idp: Any, client_id: str, session: str, given: str, username: str = "alice", **extra: Any) -> Any:
    return idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="CUSTOM_CHALLENGE",
        Session=session,
        ChallengeResponses={"USERNAME": username, "ANSWER": given},
        **extra,
    )


def envelope(pool_id: str, client_id: str, source: str, request: dict[str, Any], response: dict[str, Any]) -> Any:
    return {
        "version": "1",
        "region": "us-east-1",
        "userPoolId": pool_id,
        "userName": "alice",
        "callerContext": {"awsSdkVersion": SDK, "clientId": client_id},
        "triggerSource": source,
        "request": request,
        "response": response,
    }


@pytest.mark.parametrize("via", VIAS)
def test_magic_code_sign_in_with_cognitos_events(idp, functions, magic, via):
    define, create, verify = wire(functions, magic, via)
    pool_id, client_id = make_app(idp, (define, create, verify))
    sub = add_user(idp, pool_id)
    attributes = {
        "sub": sub,
        "cognito:user_status": "CONFIRMED",
        "email": "alice@example.com",
        "email_verified": "true",
    }
    challenge = start(idp, client_id, ClientMetadata={"not": "passed"})
    assert challenge["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert challenge["ChallengeParameters"] == {"destination": "a***@e***", "USERNAME": "alice"}
    assert magic.sent[0] not in str(challenge)  # private parameters never reach the client
    result = respond(idp, client_id, challenge["Session"], magic.sent[0], ClientMetadata={"app": "web"})
    assert claims(result["AuthenticationResult"]["IdToken"])["sub"] == sub
    assert idp.get_user(AccessToken=result["AuthenticationResult"]["AccessToken"])["Username"] == "alice"
    first, second = functions.received(define)
    assert first.via == via
    assert first.event == envelope(
        pool_id,
        client_id,
        "DefineAuthChallenge_Authentication",
        {"userAttributes": attributes, "session": []},
        {"challengeName": None, "issueTokens": None, "failAuthentication": None},
    )
    round_one = {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": True, "challengeMetadata": "CODE-1"}
    assert second.event["request"] == {
        "userAttributes": attributes,
        "session": [round_one],
        "clientMetadata": {"app": "web"},
    }
    [created] = functions.events(create)
    assert created == envelope(
        pool_id,
        client_id,
        "CreateAuthChallenge_Authentication",
        {"userAttributes": attributes, "challengeName": "CUSTOM_CHALLENGE", "session": []},
        {"publicChallengeParameters": None, "privateChallengeParameters": None, "challengeMetadata": None},
    )
    [verified] = functions.events(verify)
    assert verified == envelope(
        pool_id,
        client_id,
        "VerifyAuthChallengeResponse_Authentication",
        {
            "userAttributes": attributes,
            "privateChallengeParameters": {"code": magic.sent[0]},
            "challengeAnswer": magic.sent[0],
            "clientMetadata": {"app": "web"},
        },
        {"answerCorrect": None},
    )


def test_a_wrong_answer_is_another_round_with_a_new_session(idp, functions, magic):
    pool_id, client_id = make_app(idp, wire(functions, magic))
    add_user(idp, pool_id)
    first = start(idp, client_id)
    second = respond(idp, client_id, first["Session"], "000000x")
    assert second["ChallengeName"] == "CUSTOM_CHALLENGE" and second["Session"] != first["Session"]
    with pytest.raises(ClientError) as e:
        respond(idp, client_id, first["Session"], magic.sent[0])
    assert error_of(e) == (
        400,
        "NotAuthorizedException",
        "Invalid session for the user, session can only be used once.",
    )
    result = respond(idp, client_id, second["Session"], magic.sent[1])
    assert "AccessToken" in result["AuthenticationResult"]
    *_, last = functions.events(function_name("http", "a"))
    assert [r["challengeResult"] for r in last["request"]["session"]] == [False, True]
    assert [r["challengeMetadata"] for r in last["request"]["session"]] == ["CODE-1", "CODE-2"]


def test_fail_authentication_after_three_wrong_answers(idp, functions, magic):
    pool_id, client_id = make_app(idp, wire(functions, magic))
    add_user(idp, pool_id)
    session = start(idp, client_id)["Session"]
    for _ in range(2):
        session = respond(idp, client_id, session, "wrong")["Session"]
    with pytest.raises(ClientError) as e:
        respond(idp, client_id, session, "wrong")
    assert error_of(e) == (400, "NotAuthorizedException", "Incorrect username or password.")


def test_admin_doors_run_the_same_flow(idp, functions, magic):
    pool_id, client_id = make_app(idp, wire(functions, magic))
    add_user(idp, pool_id)
    challenge = idp.admin_initiate_auth(
        UserPoolId=pool_id, ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "alice"}
    )
    result = idp.admin_respond_to_auth_challenge(
        UserPoolId=pool_id,
        ClientId=client_id,
        ChallengeName="CUSTOM_CHALLENGE",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "alice", "ANSWER": magic.sent[0]},
    )
    assert "RefreshToken" in result["AuthenticationResult"]


def test_unknown_user_goes_through_the_rounds_when_existence_is_hidden(idp, functions, magic):
    define, create, verify = wire(functions, magic)
    _, client_id = make_app(idp, (define, create, verify), hide=True)
    challenge = start(idp, client_id, username="ghost")
    assert challenge["ChallengeParameters"]["USERNAME"] == "ghost"
    with pytest.raises(ClientError) as e:
        respond(idp, client_id, challenge["Session"], magic.sent[0], username="ghost")
    assert error_of(e) == (400, "NotAuthorizedException", "Incorrect username or password.")
    [first, _] = functions.events(define)
    assert (first["userName"], first["request"]) == (
        "ghost",
        {"userAttributes": {}, "session": [], "userNotFound": True},
    )
    assert functions.events(verify)[0]["request"]["userNotFound"] is True


def test_unknown_user_without_hiding_is_not_found(idp, functions, magic):
    define, create, verify = wire(functions, magic)
    _, client_id = make_app(idp, (define, create, verify))
    with pytest.raises(ClientError) as e:
        start(idp, client_id, username="ghost")
    assert error_of(e) == (400, "UserNotFoundException", "User does not exist.")
    assert functions.events(define) == []


def test_a_pool_without_the_functions_refuses_custom_auth(idp):
    pool_id, client_id = make_app(idp, None)
    add_user(idp, pool_id)
    with pytest.raises(ClientError) as e:
        start(idp, client_id)
    assert error_of(e) == (
        400,
        "InvalidParameterException",
        "Custom auth lambda trigger is not configured for the user pool.",
    )


@pytest.mark.parametrize("via", VIAS)
def test_function_failures(idp, functions, magic, via):
    define, create, verify = wire(functions, magic, via)
    pool_id, client_id = make_app(idp, (define, create, verify))
    add_user(idp, pool_id)
    functions.on(define, fail("no challenges today"))
    with pytest.raises(ClientError) as e:
        start(idp, client_id)
    assert error_of(e) == (
        400,
        "UserLambdaValidationException",
        "DefineAuthChallenge failed with error no challenges today.",
    )
    functions.on(define, magic.define)
    functions.on(create, slow(TIMEOUT + 0.3))
    with pytest.raises(ClientError) as e:
        start(idp, client_id)
    assert error_of(e)[1] == "UnexpectedLambdaException"
    assert error_of(e)[2].startswith("CreateAuthChallenge invocation failed due to error ")
    functions.on(create, magic.create)
    functions.on(verify, raw(b"nope"))
    session = start(idp, client_id)["Session"]
    with pytest.raises(ClientError) as e:
        respond(idp, client_id, session, magic.sent[-1])
    assert error_of(e) == (400, "InvalidLambdaResponseException", "Invalid lambda function output : Invalid JSON")


@pytest.mark.parametrize(
    "response",
    [{"challengeName": "SOMETHING_ELSE"}, {}, {"issueTokens": "yes"}],
)
def test_define_answers_that_cannot_be_followed(idp, functions, magic, response):
    define, create, verify = wire(functions, magic)
    functions.on(define, lambda _e: Reply(response=response))
    pool_id, client_id = make_app(idp, (define, create, verify))
    add_user(idp, pool_id)
    with pytest.raises(ClientError) as e:
        start(idp, client_id)
    assert error_of(e) == (400, "InvalidLambdaResponseException", "Unrecognizable lambda output")


def test_create_parameters_must_be_strings(idp, functions, magic):
    define, create, verify = wire(functions, magic)
    functions.on(create, lambda _e: Reply(response={"publicChallengeParameters": {"n": 1}}))
    pool_id, client_id = make_app(idp, (define, create, verify))
    add_user(idp, pool_id)
    with pytest.raises(ClientError) as e:
        start(idp, client_id)
    assert error_of(e) == (400, "InvalidLambdaResponseException", "Unrecognizable lambda output")


def test_a_custom_challenge_answer_needs_an_answer(idp, functions, magic):
    pool_id, client_id = make_app(idp, wire(functions, magic))
    add_user(idp, pool_id)
    session = start(idp, client_id)["Session"]
    with pytest.raises(ClientError) as e:
        idp.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="CUSTOM_CHALLENGE",
            Session=session,
            ChallengeResponses={"USERNAME": "alice"},
        )
    assert error_of(e) == (400, "InvalidParameterException", "Missing required parameter ANSWER")


def test_password_verifier_without_srp_a_cannot_be_followed(idp, functions, magic):
    define, create, verify = wire(functions, magic)
    functions.on(define, lambda _e: Reply(response={"challengeName": "PASSWORD_VERIFIER"}))
    pool_id, client_id = make_app(idp, (define, create, verify))
    add_user(idp, pool_id)
    with pytest.raises(ClientError) as e:
        start(idp, client_id)
    assert error_of(e) == (400, "InvalidLambdaResponseException", "Unrecognizable lambda output")


# ---- SRP_A in the first round (Amplify's CUSTOM_WITH_SRP) -----------------------------------------------------------
class PasswordThenCode(MagicCode):
    """Define: the password first (SRP), then an emailed code."""

    def define(self, event: dict[str, Any]) -> Reply:
        rounds = event["request"]["session"]
        if [r["challengeName"] for r in rounds] == ["SRP_A"]:
            return Reply(response={"challengeName": "PASSWORD_VERIFIER", "issueTokens": False})
        if rounds[-1]["challengeName"] == "PASSWORD_VERIFIER":
            return Reply(response={"challengeName": "CUSTOM_CHALLENGE", "issueTokens": False})
        return super().define(event)


def srp_first(idp: Any, pool_id: str, client_id: str, password: str = PASSWORD) -> tuple[Any, dict[str, Any]]:
    client = AWSSRP(username="alice", password=password, pool_id=pool_id, client_id=client_id, client=idp)
    params = {**client.get_auth_params(), "CHALLENGE_NAME": "SRP_A"}
    challenge = idp.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters=params)
    assert challenge["ChallengeName"] == "PASSWORD_VERIFIER"
    answer = client.process_challenge(challenge["ChallengeParameters"], params)
    return idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=answer
    ), challenge


@pytest.mark.parametrize("via", VIAS)
def test_srp_then_a_custom_challenge(idp, functions, via):
    flow = PasswordThenCode()
    define, create, verify = names = (function_name(via, "a"), function_name(via, "b"), function_name(via, "c"))
    for name, behaviour in zip(names, (flow.define, flow.create, flow.verify), strict=True):
        functions.on(name, behaviour)
    pool_id, client_id = make_app(idp, names)
    add_user(idp, pool_id)
    custom, verifier = srp_first(idp, pool_id, client_id)
    assert verifier["ChallengeParameters"]["USER_ID_FOR_SRP"] == "alice"
    assert custom["ChallengeName"] == "CUSTOM_CHALLENGE"
    result = respond(idp, client_id, custom["Session"], flow.sent[0])
    assert "AccessToken" in result["AuthenticationResult"]
    sessions = [e["request"]["session"] for e in functions.events(define)]
    passed = {"challengeResult": True, "challengeMetadata": None}
    assert sessions == [
        [{"challengeName": "SRP_A", **passed}],
        [{"challengeName": "SRP_A", **passed}, {"challengeName": "PASSWORD_VERIFIER", **passed}],
        [
            {"challengeName": "SRP_A", **passed},
            {"challengeName": "PASSWORD_VERIFIER", **passed},
            {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": True, "challengeMetadata": "CODE-1"},
        ],
    ]
    assert len(functions.events(create)) == len(functions.events(verify)) == 1


def test_srp_with_a_wrong_password_ends_the_custom_flow(idp, functions):
    flow = PasswordThenCode()
    names = (function_name("http", "a"), function_name("http", "b"), function_name("http", "c"))
    for name, behaviour in zip(names, (flow.define, flow.create, flow.verify), strict=True):
        functions.on(name, behaviour)
    pool_id, client_id = make_app(idp, names)
    add_user(idp, pool_id)
    with pytest.raises(ClientError) as e:
        srp_first(idp, pool_id, client_id, password="Wrong-passw0rd")
    assert error_of(e) == (400, "NotAuthorizedException", "Incorrect username or password.")
    assert len(functions.events(names[0])) == 1 and functions.events(names[1]) == []
