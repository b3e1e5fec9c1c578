"""The events Cognito sends to Lambda triggers, built exactly as Cognito builds them (pure: no I/O).

Every event shares one envelope::

    {"version": "1", "region": ..., "userPoolId": ..., "userName": <username; the sub in email/phone-as-username
     pools>, "callerContext": {"awsSdkVersion": ..., "clientId": ...}, "triggerSource": ..., "request": {...},
     "response": {...}}

Shapes follow the Cognito developer guide and events captured from the live service: ``validationData`` is
``null`` when the request sent none, ``clientMetadata`` appears only when the request sent it (custom sender
events carry it as ``null`` instead, and have no ``response``), and the attributes a function sees include
Cognito's own ``cognito:user_status`` and ``cognito:<attribute>_alias`` entries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

VERSION = "1"
CLIENT_ID_NOT_APPLICABLE = "CLIENT_ID_NOT_APPLICABLE"
USERNAME_PARAMETER = "{username}"
UNKNOWN_SDK = "aws-sdk-unknown-unknown"
CODE_PARAMETER = "{####}"
LINK_PARAMETER = "{##Click Here##}"


class Kind(StrEnum):
    """A trigger: its ``LambdaConfig`` key, which is also the name Cognito uses in its error messages."""

    PRE_SIGN_UP = "PreSignUp"
    CUSTOM_MESSAGE = "CustomMessage"
    POST_CONFIRMATION = "PostConfirmation"
    CUSTOM_EMAIL_SENDER = "CustomEmailSender"
    CUSTOM_SMS_SENDER = "CustomSMSSender"
    PRE_AUTHENTICATION = "PreAuthentication"
    POST_AUTHENTICATION = "PostAuthentication"
    PRE_TOKEN_GENERATION = "PreTokenGeneration"
    USER_MIGRATION = "UserMigration"
    DEFINE_AUTH_CHALLENGE = "DefineAuthChallenge"
    CREATE_AUTH_CHALLENGE = "CreateAuthChallenge"
    VERIFY_AUTH_CHALLENGE_RESPONSE = "VerifyAuthChallengeResponse"


# PreTokenGeneration's trigger sources: which sign-in step the tokens end.
TOKEN_AUTHENTICATION = "TokenGeneration_Authentication"
TOKEN_NEW_PASSWORD = "TokenGeneration_NewPasswordChallenge"
TOKEN_REFRESH = "TokenGeneration_RefreshTokens"
TOKEN_AUTHENTICATE_DEVICE = "TokenGeneration_AuthenticateDevice"
TOKEN_HOSTED_AUTH = "TokenGeneration_HostedAuth"
TOKEN_CLIENT_CREDENTIALS = "TokenGeneration_ClientCredentials"
# The ``userName`` of a client-credentials (machine-to-machine) event, which has no user (as the reference notes
# describe the event, with ``userAttributes`` ``{}`` and ``groupConfiguration`` ``null``; unverified).
CLIENT_CREDENTIALS_USER_NAME = "ClientCredentials"
# The event's ``version`` for each PreTokenGenerationConfig.LambdaVersion (aws-lambda-go's captured events).
TOKEN_EVENT_VERSIONS = {"V1_0": "1", "V2_0": "2", "V3_0": "3"}


@dataclass(frozen=True)
class Caller:
    """Who made the API call that fires a trigger: the app client (or none, for admin operations) and the
    caller's User-Agent, from which Cognito reports the SDK."""

    client_id: str
    user_agent: str = ""

    def context(self) -> dict[str, str]:
        return {"awsSdkVersion": sdk_version(self.user_agent), "clientId": self.client_id}


def sdk_version(user_agent: str) -> str:
    """``callerContext.awsSdkVersion``: Cognito names the SDK from the first product of the User-Agent when it
    is an AWS SDK's (``aws-sdk-nodejs/2.856.0 linux/...`` → ``aws-sdk-nodejs-2.856.0``, likewise
    ``aws-sdk-java-1.11.93``, ``aws-sdk-js-2.1639.0``, ``aws-sdk-dotnet-coreclr-3.3.109.18``, all seen in live
    events) and reports ``aws-sdk-unknown-unknown`` otherwise. boto3's ``Boto3/1.x ... Botocore/1.y`` and the
    AWS CLI's ``aws-cli/2.x`` do not start with ``aws-sdk-``, so they are reported as unknown (unverified: no
    captured event from a boto3 caller was found)."""
    products = user_agent.split()
    if not products:
        return UNKNOWN_SDK
    name, _, version = products[0].partition("/")
    if name.lower().startswith("aws-sdk-") and len(name) > len("aws-sdk-") and version:
        return f"{name}-{version}"
    return UNKNOWN_SDK


def name_value_map(items: Iterable[Mapping[str, Any]] | None) -> dict[str, Any] | None:
    """``[{"Name": n, "Value": v}, ...]`` (ValidationData) as the map a trigger sees, or None when not sent."""
    if items is None:
        return None
    return {item["Name"]: item.get("Value") for item in items}


def user_attributes(attributes: Mapping[str, str], status: str, pool_settings: Mapping[str, Any]) -> dict[str, str]:
    """A stored user's attributes as triggers see them: ``sub``, Cognito's ``cognito:<kind>_alias`` entries, then
    ``cognito:user_status``, then the rest.

    In email/phone-as-username pools the sign-in value is an alias (``cognito:email_alias``,
    ``cognito:phone_number_alias``, as in live events); in alias pools a verified email or phone is one too
    (unverified)."""
    view: dict[str, str] = {}
    if "sub" in attributes:
        view["sub"] = attributes["sub"]
    for kind in pool_settings.get("UsernameAttributes") or ():
        if attributes.get(kind):
            view[f"cognito:{kind}_alias"] = attributes[kind]
    for kind in pool_settings.get("AliasAttributes") or ():
        if kind in ("email", "phone_number") and attributes.get(kind) and attributes.get(f"{kind}_verified") == "true":
            view[f"cognito:{kind}_alias"] = attributes[kind]
    view["cognito:user_status"] = status
    view.update((name, value) for name, value in attributes.items() if name != "sub")
    return view


def _envelope(
    region: str,
    pool_id: str,
    user_name: str,
    caller: Caller,
    source: str,
    request: dict[str, Any],
    response: dict[str, Any] | None,
    version: str = VERSION,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "version": version,
        "region": region,
        "userPoolId": pool_id,
        "userName": user_name,
        "callerContext": caller.context(),
        "triggerSource": source,
        "request": request,
    }
    if response is not None:
        event["response"] = response
    return event


def _with_metadata(request: dict[str, Any], client_metadata: Mapping[str, str] | None) -> dict[str, Any]:
    if client_metadata is not None:
        request["clientMetadata"] = dict(client_metadata)
    return request


def pre_sign_up(
    region: str,
    pool_id: str,
    user_name: str,
    caller: Caller,
    attributes: Mapping[str, str],
    validation_data: Iterable[Mapping[str, Any]] | None,
    client_metadata: Mapping[str, str] | None,
    source: str = "PreSignUp_SignUp",
) -> dict[str, Any]:
    """``PreSignUp_SignUp``: the attributes as sent (with the one the username fills), before the user exists."""
    request = {"userAttributes": dict(attributes), "validationData": name_value_map(validation_data)}
    return _envelope(
        region,
        pool_id,
        user_name,
        caller,
        source,
        _with_metadata(request, client_metadata),
        {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False},
    )


def custom_message(
    region: str,
    pool_id: str,
    user_name: str,
    caller: Caller,
    attributes: Mapping[str, str],
    client_metadata: Mapping[str, str] | None,
    source: str,
) -> dict[str, Any]:
    """``CustomMessage_SignUp`` / ``_ResendCode`` / ``_AdminCreateUser``: placeholders the function puts in its
    message (an invitation also names the user: ``usernameParameter``; its code is the temporary password)."""
    request = {
        "userAttributes": dict(attributes),
        "codeParameter": CODE_PARAMETER,
        "linkParameter": LINK_PARAMETER,
        "usernameParameter": USERNAME_PARAMETER if source == "CustomMessage_AdminCreateUser" else None,
    }
    return _envelope(
        region,
        pool_id,
        user_name,
        caller,
        source,
        _with_metadata(request, client_metadata),
        {"smsMessage": None, "emailMessage": None, "emailSubject": None},
    )


def post_confirmation(
    region: str,
    pool_id: str,
    user_name: str,
    caller: Caller,
    attributes: Mapping[str, str],
    client_metadata: Mapping[str, str] | None,
    source: str = "PostConfirmation_ConfirmSignUp",
) -> dict[str, Any]:
    """``PostConfirmation_ConfirmSignUp``: the confirmed user's attributes; the function answers ``{}``."""
    request = _with_metadata({"userAttributes": dict(attributes)}, client_metadata)
    return _envelope(region, pool_id, user_name, caller, source, request, {})


def custom_sender(
    region: str,
    pool_id: str,
    user_name: str,
    caller: Caller,
    kind: Kind,
    attributes: Mapping[str, str],
    encrypted_code: str,
    client_metadata: Mapping[str, str] | None,
    source: str,
) -> dict[str, Any]:
    """``CustomEmailSender_*`` / ``CustomSMSSender_*``: the code, encrypted, for the function to deliver. As in
    live events, ``clientMetadata`` is ``null`` when not sent and there is no ``response``."""
    request = {
        "type": "customEmailSenderRequestV1" if kind is Kind.CUSTOM_EMAIL_SENDER else "customSMSSenderRequestV1",
        "code": encrypted_code,
        "clientMetadata": dict(client_metadata) if client_metadata is not None else None,
        "userAttributes": dict(attributes),
    }
    return _envelope(region, pool_id, user_name, caller, source, request, None)


def pre_authentication(
    region: str,
    pool_id: str,
    user_name: str,
    caller: Caller,
    attributes: Mapping[str, str],
    validation_data: Mapping[str, str] | None,
    user_not_found: bool | None,
) -> dict[str, Any]:
    """``PreAuthentication_Authentication``: the user's attributes (none for an unknown user), the sign-in's
    ``ClientMetadata`` as ``validationData`` (``null`` when not sent), and ``userNotFound`` only for an app client
    with PreventUserExistenceErrors ``ENABLED``."""
    request: dict[str, Any] = {
        "userAttributes": dict(attributes),
        "validationData": dict(validation_data) if validation_data is not None else None,
    }
    if user_not_found is not None:
        request["userNotFound"] = user_not_found
    return _envelope(region, pool_id, user_name, caller, "PreAuthentication_Authentication", request, {})


def post_authentication(
    region: str,
    pool_id: str,
    user_name: str,
    caller: Caller,
    attributes: Mapping[str, str],
    client_metadata: Mapping[str, str] | None,
    new_device_used: bool | None = None,
) -> dict[str, Any]:
    """``PostAuthentication_Authentication``: the signed-in user's attributes, ``newDeviceUsed`` only in a pool
    that tracks devices, and ``clientMetadata`` only when a RespondToAuthChallenge sent it."""
    request: dict[str, Any] = {"userAttributes": dict(attributes)}
    if new_device_used is not None:
        request["newDeviceUsed"] = new_device_used
    request = _with_metadata(request, client_metadata)
    return _envelope(region, pool_id, user_name, caller, "PostAuthentication_Authentication", request, {})


def pre_token_generation(
    region: str,
    pool_id: str,
    user_name: str,
    caller: Caller,
    lambda_version: str,
    source: str,
    attributes: Mapping[str, str],
    group_configuration: Mapping[str, Any] | None,
    client_metadata: Mapping[str, str] | None,
    scopes: Iterable[str],
) -> dict[str, Any]:
    """``TokenGeneration_*``: the user's attributes and groups (``groupConfiguration``) and, from V2_0, the access
    token's scopes; ``response`` holds the version's empty container (``claimsOverrideDetails`` in V1_0,
    ``claimsAndScopeOverrideDetails`` from V2_0), ``null`` as in Cognito's events. A client-credentials event
    (V3_0 only) has no user: ``userName`` ``ClientCredentials``, no attributes and a ``null``
    ``groupConfiguration``."""
    groups = dict(group_configuration) if group_configuration is not None else None
    request: dict[str, Any] = {"userAttributes": dict(attributes), "groupConfiguration": groups}
    if lambda_version != "V1_0":
        request["scopes"] = list(scopes)
    request = _with_metadata(request, client_metadata)
    container = "claimsOverrideDetails" if lambda_version == "V1_0" else "claimsAndScopeOverrideDetails"
    return _envelope(
        region,
        pool_id,
        user_name,
        caller,
        source,
        request,
        {container: None},
        TOKEN_EVENT_VERSIONS.get(lambda_version, VERSION),
    )


def user_migration(
    region: str,
    pool_id: str,
    user_name: str,
    caller: Caller,
    source: str,
    password: str | None,
    validation_data: Mapping[str, str] | None,
    client_metadata: Mapping[str, str] | None,
) -> dict[str, Any]:
    """``UserMigration_Authentication`` (with the password the user typed) or ``UserMigration_ForgotPassword``;
    ``userName`` is the name as typed. The response starts empty: the function fills in the user."""
    request: dict[str, Any] = {}
    if password is not None:
        request["password"] = password
    request["validationData"] = dict(validation_data) if validation_data is not None else None
    request = _with_metadata(request, client_metadata)
    response = {
        "userAttributes": None,
        "finalUserStatus": None,
        "messageAction": None,
        "desiredDeliveryMediums": None,
        "forceAliasCreation": None,
        "enableSMSMFA": None,
    }
    return _envelope(region, pool_id, user_name, caller, source, request, response)


def _challenge_request(
    attributes: Mapping[str, str],
    fields: dict[str, Any],
    client_metadata: Mapping[str, str] | None,
    user_not_found: bool | None,
) -> dict[str, Any]:
    request: dict[str, Any] = {"userAttributes": dict(attributes), **fields}
    request = _with_metadata(request, client_metadata)
    if user_not_found is not None:
        request["userNotFound"] = user_not_found
    return request


def define_auth_challenge(
    region: str,
    pool_id: str,
    user_name: str,
    caller: Caller,
    attributes: Mapping[str, str],
    session: list[dict[str, Any]],
    client_metadata: Mapping[str, str] | None,
    user_not_found: bool | None,
) -> dict[str, Any]:
    """``DefineAuthChallenge_Authentication``: the rounds so far (``session``: ``challengeName``,
    ``challengeResult``, ``challengeMetadata``); the function answers what comes next."""
    request = _challenge_request(attributes, {"session": session}, client_metadata, user_not_found)
    response = {"challengeName": None, "issueTokens": None, "failAuthentication": None}
    return _envelope(region, pool_id, user_name, caller, "DefineAuthChallenge_Authentication", request, response)


def create_auth_challenge(
    region: str,
    pool_id: str,
    user_name: str,
    caller: Caller,
    attributes: Mapping[str, str],
    challenge_name: str,
    session: list[dict[str, Any]],
    client_metadata: Mapping[str, str] | None,
    user_not_found: bool | None,
) -> dict[str, Any]:
    """``CreateAuthChallenge_Authentication``: the challenge DefineAuthChallenge chose and the rounds so far."""
    fields = {"challengeName": challenge_name, "session": session}
    request = _challenge_request(attributes, fields, client_metadata, user_not_found)
    response = {"publicChallengeParameters": None, "privateChallengeParameters": None, "challengeMetadata": None}
    return _envelope(region, pool_id, user_name, caller, "CreateAuthChallenge_Authentication", request, response)


def verify_auth_challenge_response(
    region: str,
    pool_id: str,
    user_name: str,
    caller: Caller,
    attributes: Mapping[str, str],
    private_parameters: Mapping[str, str],
    answer: str,
    client_metadata: Mapping[str, str] | None,
    user_not_found: bool | None,
) -> dict[str, Any]:
    """``VerifyAuthChallengeResponse_Authentication``: CreateAuthChallenge's private parameters and the answer."""
    fields = {"privateChallengeParameters": dict(private_parameters), "challengeAnswer": answer}
    request = _challenge_request(attributes, fields, client_metadata, user_not_found)
    source = "VerifyAuthChallengeResponse_Authentication"
    return _envelope(region, pool_id, user_name, caller, source, request, {"answerCorrect": None})
