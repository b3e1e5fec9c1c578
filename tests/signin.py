"""Helpers the sign-in tests share: a pool and client ready for every flow, confirmed users, real clients."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from botocore.exceptions import ClientError
from pycognito import Cognito

from tests.helpers import PASSWORD, error_of

ALL_FLOWS = [
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
]

# A pool's own email sending (SES) and SMS configuration, as email and SMS codes at sign-in need them.
SES_EMAIL = {
    "EmailSendingAccount": "DEVELOPER",
    "SourceArn": "arn:aws:ses:us-east-1:000000000000:identity/no-reply@example.com",
    "From": "no-reply@example.com",
}
SMS_CONFIGURATION = {
    "SnsCallerArn": "arn:aws:iam::000000000000:role/sns-caller",
    "ExternalId": "external-id",
    "SnsRegion": "us-east-1",
}
PHONE = "+15555550123"
# Cognito's refusals of a sign-in code and of a challenge session.
MISMATCH = (400, "CodeMismatchException", "Invalid code received for user")
EXPIRED_SESSION = (400, "NotAuthorizedException", "Invalid session for the user, session is expired.")
USED_SESSION = (400, "NotAuthorizedException", "Invalid session for the user, session can only be used once.")


def failure(call: Any, **kwargs: Any) -> tuple[int, str, str]:
    """(HTTP status, __type, message) of the error ``call(**kwargs)`` raises."""
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return error_of(excinfo)


def make_pool_and_client(cognito: Any, pool_settings: dict[str, Any] | None = None, **client: Any) -> tuple[str, str]:
    pool = cognito.create_user_pool(PoolName="signin", **(pool_settings or {}))["UserPool"]["Id"]
    client.setdefault("ExplicitAuthFlows", ALL_FLOWS)
    client_id = cognito.create_user_pool_client(UserPoolId=pool, ClientName="app", **client)["UserPoolClient"]
    return pool, client_id["ClientId"]


def confirmed_user(
    cognito: Any, pool_id: str, client_id: str, username: str = "alice", password: str = PASSWORD, **extra: Any
) -> str:
    """Sign ``username`` up and confirm it as an administrator; its sub."""
    extra.setdefault("UserAttributes", [{"Name": "email", "Value": f"{username}@example.com"}])
    sub = cognito.sign_up(ClientId=client_id, Username=username, Password=password, **extra)["UserSub"]
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username=username)
    return sub


def password_auth(cognito: Any, client_id: str, username: str = "alice", password: str = PASSWORD, **params: str):
    return cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password, **params},
    )


def srp_user(url: str, pool_id: str, client_id: str, username: str, secret: str | None = None) -> Cognito:
    """pycognito, pointed at our server: it signs in with USER_SRP_AUTH and verifies the tokens it gets against
    ``<url>/<pool>/.well-known/jwks.json`` with ``iss == <url>/<pool>``."""
    return Cognito(
        pool_id,
        client_id,
        username=username,
        client_secret=secret,
        user_pool_region="us-east-1",
        boto3_client_kwargs={"endpoint_url": url, "aws_access_key_id": "testing", "aws_secret_access_key": "testing"},
    )


def claims(token: str) -> dict[str, Any]:
    """A token's claims, unverified (for tests that check what was issued)."""
    return jwt.decode(token, options={"verify_signature": False})
