"""What the console's pages show and send: the API's answers put in readable form, the search box as a ListUsers
filter, and each user action as the API calls it makes (``ACTIONS``). Pure: no I/O but the one look-up an action
is handed (a confidential client's SecretHash)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

SecretHashOf = Callable[[str, str], Awaitable[str | None]]  # (client id, username) -> SecretHash or None
Calls = list[tuple[str, dict[str, Any]]]


def search_filter(text: str) -> str | None:
    """The search box as a ListUsers filter: an email (has ``@``), a phone number (``+`` and digits) or a username,
    each matched by prefix."""
    text = text.strip()
    if not text:
        return None
    value = text.replace("\\", "\\\\").replace('"', '\\"')
    if "@" in text:
        return f'email ^= "{value}"'
    if re.fullmatch(r"\+[0-9]+", text):
        return f'phone_number ^= "{value}"'
    return f'username ^= "{value}"'


def _yes(value: Any) -> str:
    return "yes" if value else "no"


def _listing(values: Any) -> str:
    return ", ".join(str(v) for v in values) if values else "—"


def when(seconds: Any) -> str:
    """Epoch seconds as the pages show them (UTC)."""
    if not isinstance(seconds, int | float):
        return "—"
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def user_view(user: Mapping[str, Any], attributes: list[dict[str, str]]) -> dict[str, Any]:
    """A user as the tables and the user's page show it (the answer of ListUsers or AdminGetUser)."""
    values = {a["Name"]: a.get("Value", "") for a in attributes}
    return {
        "username": user["Username"],
        "status": user.get("UserStatus", ""),
        "enabled": user.get("Enabled", True),
        "created": when(user.get("UserCreateDate")),
        "modified": when(user.get("UserLastModifiedDate")),
        "email": values.get("email"),
        "email_verified": values.get("email_verified") == "true",
        "phone": values.get("phone_number"),
        "phone_verified": values.get("phone_number_verified") == "true",
        "attributes": sorted(values.items()),
    }


def pool_view(pool: Mapping[str, Any], mfa: Mapping[str, Any]) -> dict[str, Any]:
    """DescribeUserPool's and GetUserPoolMfaConfig's answers as titled sections of (label, value) rows."""
    policy = pool.get("Policies", {}).get("PasswordPolicy", {})
    email = pool.get("EmailConfiguration", {})
    sms = pool.get("SmsConfiguration", {})
    template = pool.get("VerificationMessageTemplate", {})
    recovery = [m["Name"] for m in pool.get("AccountRecoverySetting", {}).get("RecoveryMechanisms", [])]
    factors = [
        name
        for name, key in (("SMS", "SmsMfaConfiguration"), ("authenticator app", "SoftwareTokenMfaConfiguration"))
        if key in mfa and (key != "SoftwareTokenMfaConfiguration" or mfa[key].get("Enabled"))
    ]
    if "EmailMfaConfiguration" in mfa:
        factors.append("email")
    triggers = [(name, arn if isinstance(arn, str) else str(arn)) for name, arn in pool.get("LambdaConfig", {}).items()]
    return {
        "id": pool["Id"],
        "name": pool["Name"],
        "users": pool.get("EstimatedNumberOfUsers", 0),
        "sections": [
            (
                "General",
                [
                    ("Pool id", pool["Id"]),
                    ("ARN", pool.get("Arn", "—")),
                    ("Created", when(pool.get("CreationDate"))),
                    ("Last modified", when(pool.get("LastModifiedDate"))),
                    ("Estimated users", str(pool.get("EstimatedNumberOfUsers", 0))),
                    ("Deletion protection", pool.get("DeletionProtection", "INACTIVE")),
                    ("Domain", _listing([d for d in (pool.get("Domain"), pool.get("CustomDomain")) if d])),
                ],
            ),
            (
                "Sign-in",
                [
                    ("Username attributes", _listing(pool.get("UsernameAttributes"))),
                    ("Alias attributes", _listing(pool.get("AliasAttributes"))),
                    (
                        "Usernames case sensitive",
                        _yes(pool.get("UsernameConfiguration", {}).get("CaseSensitive", True)),
                    ),
                    ("Auto-verified attributes", _listing(pool.get("AutoVerifiedAttributes"))),
                    ("Account recovery", _listing(recovery)),
                    ("Admin-only sign-up", _yes(pool.get("AdminCreateUserConfig", {}).get("AllowAdminCreateUserOnly"))),
                ],
            ),
            (
                "Password policy",
                [
                    ("Minimum length", str(policy.get("MinimumLength", "—"))),
                    (
                        "Requires",
                        _listing([k[7:].lower() for k in sorted(policy) if k.startswith("Require") and policy[k]]),
                    ),
                    ("Temporary passwords valid", f"{policy.get('TemporaryPasswordValidityDays', '—')} days"),
                    ("Password history", str(policy.get("PasswordHistorySize", 0))),
                ],
            ),
            (
                "MFA",
                [
                    ("MFA", mfa.get("MfaConfiguration", pool.get("MfaConfiguration", "OFF"))),
                    ("Factors", _listing(factors)),
                ],
            ),
            ("Triggers", triggers or [("Functions", "none")]),
            (
                "Delivery",
                [
                    ("Email sent by", email.get("EmailSendingAccount", "COGNITO_DEFAULT")),
                    ("Email From", email.get("From", "—")),
                    ("SMS role", sms.get("SnsCallerArn", "—")),
                    ("Verification", template.get("DefaultEmailOption", "CONFIRM_WITH_CODE")),
                ],
            ),
        ],
    }


def client_view(client: Mapping[str, Any]) -> dict[str, Any]:
    """DescribeUserPoolClient's answer as the pool's page lists it; the secret never in full."""
    secret = client.get("ClientSecret")
    return {
        "id": client["ClientId"],
        "name": client.get("ClientName", ""),
        "secret": f"…{secret[-4:]}" if secret else None,
        "flows": _listing(client.get("ExplicitAuthFlows")),
        "oauth_flows": _listing(client.get("AllowedOAuthFlows")),
        "scopes": _listing(client.get("AllowedOAuthScopes")),
        "callbacks": client.get("CallbackURLs", []),
        "logouts": client.get("LogoutURLs", []),
        "prevent_existence_errors": client.get("PreventUserExistenceErrors", "LEGACY"),
    }


@dataclass(frozen=True)
class Action:
    """A user action of the console: the API calls it makes from the posted form."""

    name: str
    build: Callable[[str, Mapping[str, str], SecretHashOf], Awaitable[Calls]]

    async def calls(self, pool_id: str, form: Mapping[str, str], secret_hash_of: SecretHashOf) -> Calls:
        return await self.build(pool_id, form, secret_hash_of)


def _on_user(operation: str, **extra: Callable[[Mapping[str, str]], Any]) -> Callable[..., Awaitable[Calls]]:
    """An action that is one admin operation on the form's user (and extra members read from the form)."""

    async def build(pool_id: str, form: Mapping[str, str], _: SecretHashOf) -> Calls:
        params = {"UserPoolId": pool_id, "Username": form.get("username", "")}
        params.update({name: read(form) for name, read in extra.items()})
        return [(operation, params)]

    return build


async def _create(pool_id: str, form: Mapping[str, str], _: SecretHashOf) -> Calls:
    attributes = []
    mediums = []
    if email := form.get("email", "").strip():
        attributes.append({"Name": "email", "Value": email})
        mediums.append("EMAIL")
        if form.get("email_verified") == "on":
            attributes.append({"Name": "email_verified", "Value": "true"})
    if phone := form.get("phone_number", "").strip():
        attributes.append({"Name": "phone_number", "Value": phone})
        mediums.append("SMS")
    params: dict[str, Any] = {"UserPoolId": pool_id, "Username": form.get("username", ""), "UserAttributes": attributes}
    if password := form.get("temporary_password"):
        params["TemporaryPassword"] = password
    if form.get("invite") != "on":
        params["MessageAction"] = "SUPPRESS"
    elif mediums:
        params["DesiredDeliveryMediums"] = mediums
    return [("AdminCreateUser", params)]


async def _resend(pool_id: str, form: Mapping[str, str], secret_hash_of: SecretHashOf) -> Calls:
    """A new invitation (AdminCreateUser's RESEND) for a user an admin created, else a new sign-up code through an
    app client (ResendConfirmationCode, with the client's SecretHash when it has a secret)."""
    username = form.get("username", "")
    if form.get("invitation") == "yes":
        medium = form.get("medium", "EMAIL")
        return [
            (
                "AdminCreateUser",
                {
                    "UserPoolId": pool_id,
                    "Username": username,
                    "MessageAction": "RESEND",
                    "DesiredDeliveryMediums": [medium],
                },
            )
        ]
    client_id = form.get("client_id", "")
    params: dict[str, Any] = {"ClientId": client_id, "Username": username}
    if client_id and username and (computed := await secret_hash_of(client_id, username)):
        params["SecretHash"] = computed
    return [("ResendConfirmationCode", params)]


async def _test_sign_in(pool_id: str, form: Mapping[str, str], secret_hash_of: SecretHashOf) -> Calls:
    """A password sign-in through an app client (AdminInitiateAuth, ADMIN_USER_PASSWORD_AUTH), to see its tokens'
    claims or the challenge it asks for."""
    username, client_id = form.get("username", ""), form.get("client_id", "")
    parameters = {"USERNAME": username, "PASSWORD": form.get("password", "")}
    if client_id and username and (computed := await secret_hash_of(client_id, username)):
        parameters["SECRET_HASH"] = computed
    return [
        (
            "AdminInitiateAuth",
            {
                "UserPoolId": pool_id,
                "ClientId": client_id,
                "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                "AuthParameters": parameters,
            },
        )
    ]


def sign_in_view(answer: Mapping[str, Any]) -> dict[str, Any]:
    """A test sign-in's answer as the user's page shows it: the challenge asked for, or the claims of the ID and
    access tokens (decoded, never the tokens themselves; times in readable form)."""
    result = answer.get("AuthenticationResult")
    if result is None:
        return {"challenge": answer.get("ChallengeName", "")}
    tokens = {}
    for title, key in (("ID token", "IdToken"), ("Access token", "AccessToken")):
        if key in result:
            payload = result[key].split(".")[1]
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            tokens[title] = [
                (name, when(value) if name in ("exp", "iat", "auth_time") else _claim(value))
                for name, value in claims.items()
            ]
    return {"tokens": tokens}


def _claim(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


ACTIONS = {
    action.name: action
    for action in (
        Action("create", _create),
        Action("confirm", _on_user("AdminConfirmSignUp")),
        Action("resend", _resend),
        Action("reset-password", _on_user("AdminResetUserPassword")),
        Action(
            "set-password",
            _on_user(
                "AdminSetUserPassword",
                Password=lambda f: f.get("password", ""),
                Permanent=lambda f: f.get("permanent") == "on",
            ),
        ),
        Action("enable", _on_user("AdminEnableUser")),
        Action("disable", _on_user("AdminDisableUser")),
        Action("add-group", _on_user("AdminAddUserToGroup", GroupName=lambda f: f.get("group", ""))),
        Action("remove-group", _on_user("AdminRemoveUserFromGroup", GroupName=lambda f: f.get("group", ""))),
        Action(
            "update-attribute",
            _on_user(
                "AdminUpdateUserAttributes",
                UserAttributes=lambda f: [{"Name": f.get("name", "").strip(), "Value": f.get("value", "")}],
            ),
        ),
        Action("delete", _on_user("AdminDeleteUser")),
        Action("sign-out", _on_user("AdminUserGlobalSignOut")),
        Action("test-sign-in", _test_sign_in),
    )
}

# What the page says after an action went through.
DONE = {
    "create": "The user was created.",
    "confirm": "The user is confirmed.",
    "resend": "A new code was sent.",
    "reset-password": "The password was reset: the user must choose a new one with the code sent to them.",
    "set-password": "The password was set.",
    "enable": "The user is enabled.",
    "disable": "The user is disabled.",
    "add-group": "The user was added to the group.",
    "remove-group": "The user was removed from the group.",
    "update-attribute": "The attribute was updated.",
    "deleted": "The user was deleted.",
    "sign-out": "Every session of the user was signed out.",
}
