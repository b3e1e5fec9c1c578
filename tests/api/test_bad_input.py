"""Every constrained top-level member of every implemented operation, sent invalid over HTTP.

For each operation a valid request is built against a real pool, client and user; then each member in turn is
removed (when required), made one longer than its maximum, pushed past its numeric range, or given the wrong JSON
type. The server must answer AWS's exact validation message (or SerializationException for a wrong type), never a
5xx, and must store nothing. The constraints come from botocore's model, the same source AWS's SDKs use.
"""

from __future__ import annotations

import json
import uuid

import botocore.session
import httpx
import pytest
import regex

from tests.helpers import http_client
from userpool.operations import REGISTRY

# The protocol layer refuses these requests (model validation) before any operation or store code runs, so which
# database is behind the server cannot change an answer: this module runs on SQLite only. What the store does with
# valid values is proven on both databases by the operation tests.
pytestmark = pytest.mark.databases("sqlite")

MODEL = botocore.session.get_session().get_service_model("cognito-idp")
PASSWORD = "Passw0rd!"
HTTP = http_client()  # one client: building one per request costs tens of milliseconds


def call(server, operation: str, body: object) -> httpx.Response:
    return HTTP.post(
        server.url,
        content=json.dumps(body),
        headers={
            "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )


@pytest.fixture(scope="module")
def world(server):
    """A pool, an app client and an unconfirmed user that valid requests can name."""
    pool_id = call(server, "CreateUserPool", {"PoolName": "bad-input", "AutoVerifiedAttributes": ["email"]}).json()[
        "UserPool"
    ]["Id"]
    client_id = call(server, "CreateUserPoolClient", {"UserPoolId": pool_id, "ClientName": "app"}).json()[
        "UserPoolClient"
    ]["ClientId"]
    call(
        server,
        "SignUp",
        {
            "ClientId": client_id,
            "Username": "present",
            "Password": PASSWORD,
            "UserAttributes": [{"Name": "email", "Value": "p@example.com"}],
        },
    )
    return {"pool": pool_id, "client": client_id}


TOKEN = "eyJraWQiOiJrIiwiYWxnIjoiUlMyNTYifQ.e30.c2ln"  # shaped like a JWT; never reaches an operation here
DEVICE_KEY = "us-east-1_0a1b2c3d-4e5f-6789-abcd-ef0123456789"


def valid_request(operation: str, world: dict[str, str]) -> dict[str, object]:
    pool, client = world["pool"], world["client"]
    attributes = [{"Name": "name", "Value": "N"}]
    password_auth = {"USERNAME": "present", "PASSWORD": PASSWORD}
    pool_arn = f"arn:aws:cognito-idp:us-east-1:000000000000:userpool/{pool}"
    return {
        "AddCustomAttributes": {
            "UserPoolId": pool,
            "CustomAttributes": [{"Name": f"a{uuid.uuid4().hex[:8]}", "AttributeDataType": "String"}],
        },
        "AddUserPoolClientSecret": {"UserPoolId": pool, "ClientId": client},
        "AdminCreateUser": {"UserPoolId": pool, "Username": f"u{uuid.uuid4().hex}", "MessageAction": "SUPPRESS"},
        "AdminDeleteUserAttributes": {"UserPoolId": pool, "Username": "present", "UserAttributeNames": ["name"]},
        "AdminDisableUser": {"UserPoolId": pool, "Username": "present"},
        "AdminEnableUser": {"UserPoolId": pool, "Username": "present"},
        "AdminInitiateAuth": {
            "UserPoolId": pool,
            "ClientId": client,
            "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
            "AuthParameters": password_auth,
        },
        "AdminResetUserPassword": {"UserPoolId": pool, "Username": "present"},
        "AdminRespondToAuthChallenge": {
            "UserPoolId": pool,
            "ClientId": client,
            "ChallengeName": "NEW_PASSWORD_REQUIRED",
            "Session": "s" * 40,
        },
        "AdminSetUserPassword": {"UserPoolId": pool, "Username": "present", "Password": PASSWORD},
        "AdminUpdateUserAttributes": {"UserPoolId": pool, "Username": "present", "UserAttributes": attributes},
        "AdminUserGlobalSignOut": {"UserPoolId": pool, "Username": "present"},
        "ChangePassword": {"AccessToken": TOKEN, "PreviousPassword": PASSWORD, "ProposedPassword": PASSWORD},
        "ConfirmForgotPassword": {
            "ClientId": client,
            "Username": "present",
            "ConfirmationCode": "123456",
            "Password": PASSWORD,
        },
        "DeleteUser": {"AccessToken": TOKEN},
        "DeleteUserAttributes": {"AccessToken": TOKEN, "UserAttributeNames": ["name"]},
        "ForgotPassword": {"ClientId": client, "Username": "present"},
        "GetTokensFromRefreshToken": {"ClientId": client, "RefreshToken": "token"},
        "GetUser": {"AccessToken": TOKEN},
        "GetUserAttributeVerificationCode": {"AccessToken": TOKEN, "AttributeName": "email"},
        "GlobalSignOut": {"AccessToken": TOKEN},
        "InitiateAuth": {"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": password_auth},
        "RespondToAuthChallenge": {"ClientId": client, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": "s" * 40},
        "RevokeToken": {"ClientId": client, "Token": "token"},
        "UpdateUserAttributes": {"AccessToken": TOKEN, "UserAttributes": attributes},
        "VerifyUserAttribute": {"AccessToken": TOKEN, "AttributeName": "email", "Code": "123456"},
        "AdminConfirmSignUp": {"UserPoolId": pool, "Username": "present"},
        "AdminDeleteUser": {"UserPoolId": pool, "Username": "present"},
        "AdminListUserAuthEvents": {"UserPoolId": pool, "Username": "present", "MaxResults": 10},
        "AdminUpdateAuthEventFeedback": {
            "UserPoolId": pool,
            "Username": "present",
            "EventId": "event-1",
            "FeedbackValue": "Valid",
        },
        "UpdateAuthEventFeedback": {
            "UserPoolId": pool,
            "Username": "present",
            "EventId": "event-1",
            "FeedbackToken": "token",
            "FeedbackValue": "Valid",
        },
        "AdminGetUser": {"UserPoolId": pool, "Username": "present"},
        "ConfirmSignUp": {"ClientId": client, "Username": "present", "ConfirmationCode": "123456"},
        "CreateUserPool": {"PoolName": "p"},
        "CreateUserPoolClient": {"UserPoolId": pool, "ClientName": "c"},
        "DeleteUserPool": {"UserPoolId": pool},
        "DeleteUserPoolClient": {"UserPoolId": pool, "ClientId": client},
        "DeleteUserPoolClientSecret": {"UserPoolId": pool, "ClientId": client, "ClientSecretId": f"{client}--1"},
        "DescribeRiskConfiguration": {"UserPoolId": pool},
        "DescribeUserPool": {"UserPoolId": pool},
        "DescribeUserPoolClient": {"UserPoolId": pool, "ClientId": client},
        "ListUserPoolClients": {"UserPoolId": pool},
        "ListUserPoolClientSecrets": {"UserPoolId": pool, "ClientId": client},
        "GetSigningCertificate": {"UserPoolId": pool},
        "GetCSVHeader": {"UserPoolId": pool},
        "CreateUserImportJob": {
            "UserPoolId": pool,
            "JobName": "bad-input",
            "CloudWatchLogsRoleArn": "arn:aws:iam::123456789012:role/Import",
        },
        "StartUserImportJob": {"UserPoolId": pool, "JobId": "import-nothere000"},
        "StopUserImportJob": {"UserPoolId": pool, "JobId": "import-nothere000"},
        "DescribeUserImportJob": {"UserPoolId": pool, "JobId": "import-nothere000"},
        "ListUserImportJobs": {"UserPoolId": pool, "MaxResults": 10},
        "ListUserPools": {"MaxResults": 10},
        "TagResource": {"ResourceArn": pool_arn, "Tags": {"team": "a"}},
        "UntagResource": {"ResourceArn": pool_arn, "TagKeys": ["team"]},
        "ListTagsForResource": {"ResourceArn": pool_arn},
        "ListUsers": {"UserPoolId": pool},
        "ResendConfirmationCode": {"ClientId": client, "Username": "present"},
        "SetRiskConfiguration": {"UserPoolId": pool},
        "SignUp": {"ClientId": client, "Username": f"u{uuid.uuid4().hex}", "Password": PASSWORD},
        "UpdateUserPool": {"UserPoolId": pool},
        "UpdateUserPoolClient": {"UserPoolId": pool, "ClientId": client},
        "GetUserPoolSessionConfiguration": {"UserPoolId": pool},
        "SetUserPoolSessionConfiguration": {
            "UserPoolId": pool,
            "UserSessionTracking": "DISABLED",
            "TokenSession": {"MaxPerUser": 20},
        },
        "GetUserPoolClientSessionConfiguration": {"UserPoolId": pool, "ClientId": client},
        "SetUserPoolClientSessionConfiguration": {
            "UserPoolId": pool,
            "ClientId": client,
            "SSOSession": {"MaxValidityMinutes": 60},
        },
        "ListUserSessions": {"AccessToken": TOKEN},
        "RevokeUserSession": {"AccessToken": TOKEN, "SessionId": "tkn" + "0" * 25},
        "AdminListUserSessions": {"UserPoolId": pool, "Username": "present"},
        "AdminRevokeUserSession": {"UserPoolId": pool, "Username": "present", "SessionId": "tkn" + "0" * 25},
        "CreateGroup": {"UserPoolId": pool, "GroupName": "staff", "Description": "d", "Precedence": 1},
        "GetGroup": {"UserPoolId": pool, "GroupName": "staff"},
        "ListGroups": {"UserPoolId": pool, "Limit": 10},
        "UpdateGroup": {"UserPoolId": pool, "GroupName": "staff", "Description": "d", "Precedence": 1},
        "DeleteGroup": {"UserPoolId": pool, "GroupName": "staff"},
        "AdminAddUserToGroup": {"UserPoolId": pool, "Username": "present", "GroupName": "staff"},
        "AdminRemoveUserFromGroup": {"UserPoolId": pool, "Username": "present", "GroupName": "staff"},
        "AdminListGroupsForUser": {"UserPoolId": pool, "Username": "present", "Limit": 10},
        "ListUsersInGroup": {"UserPoolId": pool, "GroupName": "staff", "Limit": 10},
        "SetUserPoolMfaConfig": {"UserPoolId": pool, "MfaConfiguration": "OFF"},
        "GetUserPoolMfaConfig": {"UserPoolId": pool},
        "AssociateSoftwareToken": {"AccessToken": TOKEN},
        "VerifySoftwareToken": {"AccessToken": TOKEN, "UserCode": "123456"},
        "SetUserMFAPreference": {"AccessToken": TOKEN, "SoftwareTokenMfaSettings": {"Enabled": False}},
        "AdminSetUserMFAPreference": {"UserPoolId": pool, "Username": "present", "SMSMfaSettings": {"Enabled": False}},
        "SetUserSettings": {"AccessToken": TOKEN, "MFAOptions": []},
        "AdminSetUserSettings": {"UserPoolId": pool, "Username": "present", "MFAOptions": []},
        "GetUserAuthFactors": {"AccessToken": TOKEN},
        "CreateUserPoolDomain": {"UserPoolId": pool, "Domain": f"d{uuid.uuid4().hex}"},
        "DescribeUserPoolDomain": {"Domain": "nodomain"},
        "UpdateUserPoolDomain": {"UserPoolId": pool, "Domain": "nodomain", "ManagedLoginVersion": 2},
        "DeleteUserPoolDomain": {"UserPoolId": pool, "Domain": "nodomain"},
        "CreateResourceServer": {"UserPoolId": pool, "Identifier": f"rs{uuid.uuid4().hex}", "Name": "n"},
        "DescribeResourceServer": {"UserPoolId": pool, "Identifier": "missing"},
        "ListResourceServers": {"UserPoolId": pool, "MaxResults": 10},
        "UpdateResourceServer": {"UserPoolId": pool, "Identifier": "missing", "Name": "n"},
        "DeleteResourceServer": {"UserPoolId": pool, "Identifier": "missing"},
        "SetUICustomization": {"UserPoolId": pool, "CSS": ""},
        "GetUICustomization": {"UserPoolId": pool},
        # federation
        "CreateIdentityProvider": {
            "UserPoolId": pool,
            "ProviderName": f"p{uuid.uuid4().hex[:8]}",
            "ProviderType": "OIDC",
            "ProviderDetails": {
                "client_id": "c",
                "authorize_scopes": "openid",
                "oidc_issuer": "https://idp.example.com",
                "authorize_url": "https://idp.example.com/a",
                "token_url": "https://idp.example.com/t",
                "jwks_uri": "https://idp.example.com/k",
            },
        },
        "DescribeIdentityProvider": {"UserPoolId": pool, "ProviderName": "missing"},
        "ListIdentityProviders": {"UserPoolId": pool, "MaxResults": 10},
        "UpdateIdentityProvider": {"UserPoolId": pool, "ProviderName": "missing"},
        "DeleteIdentityProvider": {"UserPoolId": pool, "ProviderName": "missing"},
        "GetIdentityProviderByIdentifier": {"UserPoolId": pool, "IdpIdentifier": "missing"},
        "AdminLinkProviderForUser": {
            "UserPoolId": pool,
            "DestinationUser": {"ProviderName": "Cognito", "ProviderAttributeValue": "present"},
            "SourceUser": {
                "ProviderName": "missing",
                "ProviderAttributeName": "Cognito_Subject",
                "ProviderAttributeValue": "s",
            },
        },
        "AdminDisableProviderForUser": {
            "UserPoolId": pool,
            "User": {
                "ProviderName": "missing",
                "ProviderAttributeName": "Cognito_Subject",
                "ProviderAttributeValue": "s",
            },
        },
        # devices
        "ConfirmDevice": {
            "AccessToken": TOKEN,
            "DeviceKey": DEVICE_KEY,
            "DeviceSecretVerifierConfig": {"PasswordVerifier": "AQ==", "Salt": "AQ=="},
            "DeviceName": "phone",
        },
        "UpdateDeviceStatus": {"AccessToken": TOKEN, "DeviceKey": DEVICE_KEY, "DeviceRememberedStatus": "remembered"},
        "GetDevice": {"AccessToken": TOKEN, "DeviceKey": DEVICE_KEY},
        "ListDevices": {"AccessToken": TOKEN, "Limit": 10},
        "ForgetDevice": {"AccessToken": TOKEN, "DeviceKey": DEVICE_KEY},
        "AdminGetDevice": {"UserPoolId": pool, "Username": "present", "DeviceKey": DEVICE_KEY},
        "AdminListDevices": {"UserPoolId": pool, "Username": "present", "Limit": 10},
        "AdminForgetDevice": {"UserPoolId": pool, "Username": "present", "DeviceKey": DEVICE_KEY},
        "AdminUpdateDeviceStatus": {
            "UserPoolId": pool,
            "Username": "present",
            "DeviceKey": DEVICE_KEY,
            "DeviceRememberedStatus": "not_remembered",
        },
        # passkeys
        "StartWebAuthnRegistration": {"AccessToken": TOKEN},
        "CompleteWebAuthnRegistration": {"AccessToken": TOKEN, "Credential": {"id": "x"}},
        "ListWebAuthnCredentials": {"AccessToken": TOKEN, "MaxResults": 10},
        "DeleteWebAuthnCredential": {"AccessToken": TOKEN, "CredentialId": "x"},
    }[operation]


def path_of(member: str) -> str:
    return member[0].lower() + member[1:]


def is_sensitive(shape) -> bool:
    return bool(shape.metadata.get("sensitive"))


def too_long(shape) -> str | None:
    """A value one longer than the maximum that still satisfies the member's pattern, if one is easy to make."""
    limit = shape.metadata.get("max")
    if limit is None or shape.enum:
        return None
    pattern = shape.metadata.get("pattern")
    for head in ("", "us-east-1_", "{####}", "a{####}"):
        value = head + "a" * (limit + 1 - len(head))
        if pattern is None or regex.fullmatch(pattern, value):
            return value
    return None


def cases():
    for operation in sorted(REGISTRY):
        shape = MODEL.operation_model(operation).input_shape
        for member in shape.required_members:
            yield pytest.param(operation, member, "missing", id=f"{operation}-{member}-missing")
        for member, member_shape in shape.members.items():
            if member_shape.type_name == "string" and too_long(member_shape) is not None:
                yield pytest.param(operation, member, "too-long", id=f"{operation}-{member}-too-long")
            if member_shape.type_name == "integer" and "max" in member_shape.metadata:
                yield pytest.param(operation, member, "too-big", id=f"{operation}-{member}-too-big")
            # A document (``Credential``) takes any JSON value: it has no wrong type.
            if member_shape.type_name in ("string", "integer", "boolean", "list", "structure") and not getattr(
                member_shape, "is_document_type", False
            ):
                yield pytest.param(operation, member, "wrong-type", id=f"{operation}-{member}-wrong-type")


def counts(server, world, operation: str) -> tuple[int, int, int]:
    """What ``operation`` could change: (pools, clients of the world's pool, users of the world's pool)."""
    pools = 0
    if operation.endswith("UserPool"):  # Create/Update/DeleteUserPool: count every pool
        token = None
        while True:
            page = call(server, "ListUserPools", {"MaxResults": 60, **({"NextToken": token} if token else {})})
            pools += len(page.json()["UserPools"])
            token = page.json().get("NextToken")
            if not token:
                break
    clients = call(server, "ListUserPoolClients", {"UserPoolId": world["pool"], "MaxResults": 60}).json()
    users = call(server, "ListUsers", {"UserPoolId": world["pool"]}).json()
    return pools, len(clients["UserPoolClients"]), len(users["Users"])


@pytest.mark.parametrize(("operation", "member", "fault"), list(cases()))
def test_invalid_member_is_refused_with_awss_message_and_nothing_stored(server, world, operation, member, fault):
    request = valid_request(operation, world)
    member_shape = MODEL.operation_model(operation).input_shape.members[member]
    sensitive = is_sensitive(member_shape)
    path = path_of(member)
    if fault == "missing":
        request.pop(member, None)
        value = "Value at" if sensitive else "Value null at"
        expected = (
            f"1 validation error detected: {value} '{path}' failed to satisfy constraint: Member must not be null"
        )
    elif fault == "too-long":
        request[member] = too_long(member_shape)
        value = "Value at" if sensitive else f"Value '{request[member]}' at"
        expected = (
            f"1 validation error detected: {value} '{path}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {member_shape.metadata['max']}"
        )
    elif fault == "too-big":
        request[member] = member_shape.metadata["max"] + 1
        value = "Value at" if sensitive else f"Value '{request[member]}' at"
        expected = (
            f"1 validation error detected: {value} '{path}' failed to satisfy constraint: "
            f"Member must have value less than or equal to {member_shape.metadata['max']}"
        )
    else:
        request[member] = {"not": "this"} if member_shape.type_name != "structure" else "not this"
        expected = None
    before = counts(server, world, operation)
    response = call(server, operation, request)
    assert response.status_code == 400, response.text
    body = response.json()
    if expected is None:
        assert body["__type"] == "SerializationException"
        assert member in body["message"]
    else:
        assert body == {"__type": "InvalidParameterException", "message": expected}
    assert response.headers["x-amzn-errortype"] == f"{body['__type']}:"
    assert counts(server, world, operation) == before
