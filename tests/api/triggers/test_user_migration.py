"""UserMigration: users migrated lazily from an old system (tests/old_system.py: bcrypt hashes behind a function) on
first sign-in and on forgot-password, through every invoker and on both databases; the exact events, each answer
field, and that a failed migration leaves no user."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests import databases
from tests.functions import Reply, answer, arn, fail, raw, slow
from tests.helpers import error_of, latest_code, outbox
from tests.old_system import OldSystem
from tests.signin import ALL_FLOWS, claims, srp_user
from tests.trigger_setup import SDK, TIMEOUT, VIAS, function_name

OLD_PASSWORD = "old-Secret-1"  # the old system's policy was weaker: migrated passwords skip the pool's policy


@pytest.fixture
def old_system() -> OldSystem:
    system = OldSystem()
    system.add("carol", OLD_PASSWORD, email="carol@example.com", name="Carol")
    return system


def make_app(
    idp: Any, name: str, hide: bool = False, custom_message: str | None = None, **pool: Any
) -> tuple[str, str]:
    pool.setdefault("Policies", {"PasswordPolicy": {"MinimumLength": 20}})
    lambda_config = {"UserMigration": arn(name)}
    if custom_message is not None:
        lambda_config["CustomMessage"] = arn(custom_message)
    pool_id = idp.create_user_pool(PoolName="migrate", LambdaConfig=lambda_config, **pool)["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="app",
        ExplicitAuthFlows=ALL_FLOWS,
        PreventUserExistenceErrors="ENABLED" if hide else "LEGACY",
    )
    return pool_id, client["UserPoolClient"]["ClientId"]


def sign_in(idp: Any, client_id: str, username: str = "carol", password: str = OLD_PASSWORD, **extra: Any) -> Any:
    return idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
        **extra,
    )


def users_of(idp: Any, pool_id: str) -> list[str]:
    return [u["Username"] for u in idp.list_users(UserPoolId=pool_id)["Users"]]


def user_of(idp: Any, pool_id: str, username: str) -> dict[str, str]:
    user = idp.admin_get_user(UserPoolId=pool_id, Username=username)
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]} | {"status": user["UserStatus"]}


# ---- sign-in --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("via", VIAS)
def test_first_sign_in_migrates_the_user_and_signs_it_in(idp, functions, old_system, trigger_server, via):
    name = function_name(via)
    functions.on(name, old_system)
    pool_id, client_id = make_app(idp, name)
    result = sign_in(idp, client_id, ClientMetadata={"app": "web"})
    [received] = functions.received(name)
    assert received.via == via
    assert received.event == {
        "version": "1",
        "region": "us-east-1",
        "userPoolId": pool_id,
        "userName": "carol",
        "callerContext": {"awsSdkVersion": SDK, "clientId": client_id},
        "triggerSource": "UserMigration_Authentication",
        "request": {"password": OLD_PASSWORD, "validationData": {"app": "web"}},
        "response": {
            "userAttributes": None,
            "finalUserStatus": None,
            "messageAction": None,
            "desiredDeliveryMediums": None,
            "forceAliasCreation": None,
            "enableSMSMFA": None,
        },
    }
    id_claims = claims(result["AuthenticationResult"]["IdToken"])
    assert (id_claims["cognito:username"], id_claims["email"], id_claims["name"]) == (
        "carol",
        "carol@example.com",
        "Carol",
    )
    stored = user_of(idp, pool_id, "carol")
    assert (stored["status"], stored["email_verified"]) == ("CONFIRMED", "true")
    # Migrated once: the next sign-ins (password, and SRP: the verifier was made from the password) are ordinary.
    sign_in(idp, client_id)
    srp_user(trigger_server.url, pool_id, client_id, "carol").authenticate(password=OLD_PASSWORD)
    assert len(functions.received(name)) == 1
    with pytest.raises(ClientError) as e:
        sign_in(idp, client_id, password="wrong-Secret-1")
    assert error_of(e) == (400, "NotAuthorizedException", "Incorrect username or password.")


def test_the_password_is_hashed_with_argon2id_never_stored_as_sent(idp, functions, old_system, trigger_server):
    name = function_name("http")
    functions.on(name, old_system)
    _, client_id = make_app(idp, name)
    sign_in(idp, client_id)
    dump = databases.dump(trigger_server.database_url)
    assert OLD_PASSWORD not in dump
    assert "$argon2id$" in dump


@pytest.mark.parametrize("via", VIAS)
def test_a_wrong_password_in_the_old_system_migrates_no_one_unverified_type(idp, functions, old_system, via):
    name = function_name(via)
    functions.on(name, old_system)
    pool_id, client_id = make_app(idp, name)
    with pytest.raises(ClientError) as e:
        sign_in(idp, client_id, password="wrong-Secret-1")
    assert error_of(e) == (400, "UserNotFoundException", "UserMigration failed with error Bad password.")
    assert users_of(idp, pool_id) == []


def test_a_failed_migration_is_a_generic_refusal_when_the_client_hides_user_existence(idp, functions, old_system):
    name = function_name("python")
    functions.on(name, old_system)
    pool_id, client_id = make_app(idp, name, hide=True)
    for username, password in (("carol", "wrong-Secret-1"), ("nobody", OLD_PASSWORD)):
        with pytest.raises(ClientError) as e:
            sign_in(idp, client_id, username=username, password=password)
        assert error_of(e) == (400, "NotAuthorizedException", "Incorrect username or password.")
    assert users_of(idp, pool_id) == []


def test_reset_required_user_is_created_and_told_to_reset(idp, functions, old_system):
    old_system.final_status = "RESET_REQUIRED"
    name = function_name("http")
    functions.on(name, old_system)
    pool_id, client_id = make_app(idp, name)
    with pytest.raises(ClientError) as e:
        sign_in(idp, client_id)
    assert error_of(e) == (400, "PasswordResetRequiredException", "Password reset required for the user")
    assert user_of(idp, pool_id, "carol")["status"] == "RESET_REQUIRED"


def test_admin_password_sign_in_migrates_too(idp, functions, old_system):
    name = function_name("http")
    functions.on(name, old_system)
    pool_id, client_id = make_app(idp, name)
    result = idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "carol", "PASSWORD": OLD_PASSWORD},
    )
    assert "AccessToken" in result["AuthenticationResult"]
    assert functions.events(name)[0]["triggerSource"] == "UserMigration_Authentication"


def test_srp_sign_in_of_an_unknown_user_is_not_migrated(idp, functions, old_system, trigger_server):
    name = function_name("http")
    functions.on(name, old_system)
    pool_id, client_id = make_app(idp, name)
    with pytest.raises(ClientError) as e:
        srp_user(trigger_server.url, pool_id, client_id, "carol").authenticate(password=OLD_PASSWORD)
    assert error_of(e)[1] == "UserNotFoundException"
    assert functions.events(name) == []


def test_email_as_username_pool_stores_the_sub_as_username(idp, functions):
    name = function_name("http")
    system = OldSystem()
    system.add("dave@example.com", OLD_PASSWORD, name="Dave")
    functions.on(name, system)
    pool_id, client_id = make_app(idp, name, UsernameAttributes=["email"])
    result = sign_in(idp, client_id, username="dave@example.com")
    id_claims = claims(result["AuthenticationResult"]["IdToken"])
    assert id_claims["cognito:username"] == id_claims["sub"]
    assert id_claims["email"] == "dave@example.com"
    sign_in(idp, client_id, username="dave@example.com")
    assert users_of(idp, pool_id) == [id_claims["sub"]]


# ---- the answer -----------------------------------------------------------------------------------------------------
def test_a_taken_alias_leaves_no_user_unless_forced(idp, functions):
    name = function_name("http")
    pool_id, client_id = make_app(idp, name, AliasAttributes=["email"])
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="erin",
        UserAttributes=[{"Name": "email", "Value": "shared@example.com"}, {"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )
    attributes = {"email": "shared@example.com", "email_verified": "true"}
    functions.on(name, lambda _e: Reply(response={"userAttributes": attributes, "finalUserStatus": "CONFIRMED"}))
    with pytest.raises(ClientError) as e:
        sign_in(idp, client_id)
    assert error_of(e) == (400, "AliasExistsException", "An account with the email already exists.")
    assert users_of(idp, pool_id) == ["erin"]
    functions.on(
        name,
        lambda _e: Reply(
            response={"userAttributes": attributes, "finalUserStatus": "CONFIRMED", "forceAliasCreation": True}
        ),
    )
    sign_in(idp, client_id)
    assert user_of(idp, pool_id, "erin")["email_verified"] == "false"
    assert user_of(idp, pool_id, "carol")["email_verified"] == "true"
    sign_in(idp, client_id, username="shared@example.com")  # the alias is carol's now


@pytest.mark.parametrize(
    ("response", "error"),
    [
        ({}, ("InvalidLambdaResponseException", "Unrecognizable lambda output")),
        ({"userAttributes": {"email": "c@example.com"}, "finalUserStatus": "DISABLED"}, None),
        ({"userAttributes": {"email": "c@example.com"}, "messageAction": "SHOUT"}, None),
        ({"userAttributes": {"email": "c@example.com"}, "desiredDeliveryMediums": ["PIGEON"]}, None),
        ({"userAttributes": {"email": 7}}, None),
        (
            {"userAttributes": {"shoe_size": "9"}},
            (
                "InvalidParameterException",
                "Attributes did not conform to the schema: shoe_size: Attribute does not exist in the schema.\n",
            ),
        ),
    ],
)
def test_unusable_answers_leave_no_user(idp, functions, response, error):
    name = function_name("python")
    functions.on(name, lambda _e: Reply(response=response))
    pool_id, client_id = make_app(idp, name)
    with pytest.raises(ClientError) as e:
        sign_in(idp, client_id)
    assert error_of(e)[1:] == (error or ("InvalidLambdaResponseException", "Unrecognizable lambda output"))
    assert users_of(idp, pool_id) == []


@pytest.mark.parametrize("via", VIAS)
def test_timeouts_and_unreadable_output_leave_no_user(idp, functions, via):
    name = function_name(via)
    pool_id, client_id = make_app(idp, name)
    functions.on(name, slow(TIMEOUT + 0.3))
    with pytest.raises(ClientError) as e:
        sign_in(idp, client_id)
    assert error_of(e)[1] == "UnexpectedLambdaException"
    assert error_of(e)[2].startswith("UserMigration invocation failed due to error ")
    functions.on(name, raw(b"]"))
    with pytest.raises(ClientError) as e:
        sign_in(idp, client_id)
    assert error_of(e)[1:] == ("InvalidLambdaResponseException", "Invalid lambda function output : Invalid JSON")
    assert users_of(idp, pool_id) == []


# ---- forgot password ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("via", VIAS)
def test_forgot_password_migrates_the_user_and_sends_the_code(idp, functions, old_system, trigger_server, via):
    name = function_name(via)
    functions.on(name, old_system)
    pool_id, client_id = make_app(idp, name)
    sent = idp.forgot_password(ClientId=client_id, Username="carol", ClientMetadata={"from": "reset-page"})
    assert sent["CodeDeliveryDetails"] == {
        "Destination": "c***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    [event] = functions.events(name)
    assert event["triggerSource"] == "UserMigration_ForgotPassword"
    assert event["userName"] == "carol"
    assert event["request"] == {"validationData": None, "clientMetadata": {"from": "reset-page"}}
    assert user_of(idp, pool_id, "carol")["status"] == "RESET_REQUIRED"
    code = latest_code(trigger_server, pool_id, "carol")
    new_password = "A-much-longer-passw0rd!"
    idp.confirm_forgot_password(ClientId=client_id, Username="carol", ConfirmationCode=code, Password=new_password)
    assert user_of(idp, pool_id, "carol")["status"] == "CONFIRMED"
    sign_in(idp, client_id, password=new_password)
    assert len(functions.events(name)) == 1


def test_forgot_password_for_someone_the_old_system_does_not_know(idp, functions, old_system):
    name = function_name("http")
    functions.on(name, old_system)
    _, client_id = make_app(idp, name)
    with pytest.raises(ClientError) as e:
        idp.forgot_password(ClientId=client_id, Username="nobody")
    assert error_of(e) == (400, "UserNotFoundException", "UserMigration failed with error User not found.")
    _, hiding = make_app(idp, name, hide=True)
    sent = idp.forgot_password(ClientId=hiding, Username="nobody")
    assert sent["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"  # simulated


def test_function_error_for_forgot_password_is_reported(idp, functions):
    name = function_name("lambda")
    functions.on(name, fail("directory offline"))
    pool_id, client_id = make_app(idp, name)
    with pytest.raises(ClientError) as e:
        idp.forgot_password(ClientId=client_id, Username="carol")
    assert error_of(e) == (400, "UserNotFoundException", "UserMigration failed with error directory offline.")
    assert users_of(idp, pool_id) == []


# ---- the welcome message --------------------------------------------------------------------------------------------
WELCOME = "Your username is carol and temporary password is . "  # no temporary password: {####} is empty


def sent_to(trigger_server: Any, pool_id: str) -> list[tuple[str, str, str | None, str]]:
    return [(m["medium"], m["destination"], m["subject"], m["body"]) for m in outbox(trigger_server, pool_id, "carol")]


@pytest.mark.parametrize(
    ("action", "mediums", "expected"),
    [
        (None, ["EMAIL"], [("EMAIL", "carol@example.com", "Your temporary password", WELCOME)]),
        (
            "RESEND",
            ["EMAIL", "SMS"],
            [
                ("EMAIL", "carol@example.com", "Your temporary password", WELCOME),
                ("SMS", "+14325551212", None, WELCOME),
            ],
        ),
        (None, None, [("SMS", "+14325551212", None, WELCOME)]),  # Cognito's default medium: SMS
        ("SUPPRESS", ["EMAIL", "SMS"], []),
    ],
)
def test_the_welcome_message_goes_by_the_desired_mediums_unless_suppressed(
    idp, functions, old_system, trigger_server, action, mediums, expected
):
    old_system.add("carol", OLD_PASSWORD, email="carol@example.com", phone_number="+14325551212")
    old_system.message_action, old_system.mediums = action, mediums
    name = function_name("http")
    functions.on(name, old_system)
    pool_id, client_id = make_app(idp, name)
    assert "AccessToken" in sign_in(idp, client_id)["AuthenticationResult"]
    assert sent_to(trigger_server, pool_id) == expected
    sign_in(idp, client_id)  # an ordinary sign-in from then on: no second welcome
    assert sent_to(trigger_server, pool_id) == expected


def test_the_welcome_message_is_the_pools_invitation_template(idp, functions, old_system, trigger_server):
    old_system.message_action, old_system.mediums = None, ["EMAIL", "SMS"]  # carol has no phone: email only
    name = function_name("python")
    functions.on(name, old_system)
    template = {
        "EmailSubject": "Welcome over",
        "EmailMessage": "Hello {username}{####}!",
        "SMSMessage": "Hi {username} {####}",
    }
    pool_id, client_id = make_app(idp, name, AdminCreateUserConfig={"InviteMessageTemplate": template})
    sign_in(idp, client_id)
    assert sent_to(trigger_server, pool_id) == [("EMAIL", "carol@example.com", "Welcome over", "Hello carol!")]


def test_custom_message_rewrites_the_welcome_as_an_invitation_unverified_source(
    idp, functions, old_system, trigger_server
):
    old_system.message_action, old_system.mediums = None, ["EMAIL"]
    name, custom = function_name("http", "a"), function_name("http", "b")
    functions.on(name, old_system)
    functions.on(custom, answer(emailSubject="Moved", emailMessage="{username}, your account moved.{####}"))
    pool_id, client_id = make_app(idp, name, custom_message=custom)
    sign_in(idp, client_id, ClientMetadata={"app": "web"})
    [event] = functions.events(custom)
    assert event["triggerSource"] == "CustomMessage_AdminCreateUser"
    assert event["callerContext"] == {"awsSdkVersion": SDK, "clientId": client_id}
    assert event["request"]["usernameParameter"] == "{username}"
    assert event["request"]["userAttributes"]["email"] == "carol@example.com"
    assert "clientMetadata" not in event["request"]  # InitiateAuth's metadata is the migration's validationData
    assert sent_to(trigger_server, pool_id) == [("EMAIL", "carol@example.com", "Moved", "carol, your account moved.")]


def test_a_welcome_that_cannot_be_sent_does_not_undo_the_migration(idp, functions, old_system, trigger_server):
    old_system.message_action, old_system.mediums = None, ["EMAIL"]
    name, custom = function_name("http", "a"), function_name("http", "b")
    functions.on(name, old_system)
    functions.on(custom, fail("template service down"))
    pool_id, client_id = make_app(idp, name, custom_message=custom)
    assert "AccessToken" in sign_in(idp, client_id)["AuthenticationResult"]
    assert user_of(idp, pool_id, "carol")["status"] == "CONFIRMED"
    assert outbox(trigger_server, pool_id, "carol") == []


def test_forgot_password_migration_sends_the_welcome_then_the_code(idp, functions, old_system, trigger_server):
    old_system.message_action, old_system.mediums = "RESEND", ["EMAIL"]
    name = function_name("python")
    functions.on(name, old_system)
    pool_id, client_id = make_app(idp, name)
    idp.forgot_password(ClientId=client_id, Username="carol")
    welcome, reset = outbox(trigger_server, pool_id, "carol")
    assert (welcome["subject"], welcome["body"]) == ("Your temporary password", WELCOME)
    assert reset["code"] and reset["code"] in reset["body"]
