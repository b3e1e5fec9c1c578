"""Passkeys over the API: the pool's WebAuthnConfiguration (SetUserPoolMfaConfig / GetUserPoolMfaConfig),
StartWebAuthnRegistration's options, CompleteWebAuthnRegistration verified against the challenge kept server-side,
ListWebAuthnCredentials, DeleteWebAuthnCredential, and every refusal with its AWS error type. The authenticator is
``tests.passkeys``: real P-256 keys and signatures made on the test's side (the browser test uses Chromium's)."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests import databases
from tests.api.test_mfa import register_totp
from tests.helpers import advance_clock, error_of
from tests.passkeys import ORIGIN, Authenticator, b64url, unb64url
from tests.signin import claims, confirmed_user, make_pool_and_client, password_auth

PASSKEY_POLICY = {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}}
FLOWS = ["ALLOW_USER_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
REFUSED = (400, "NotAuthorizedException", "The passkey could not be verified.")


def failure(call: Any, **params: Any) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)


@dataclass
class World:
    pool_id: str
    client_id: str
    token: str  # alice's access token
    sub: str


def passkey_pool(
    cognito: Any,
    config: dict[str, Any] | None = None,
    policy: dict[str, Any] | None = None,
    mfa: dict[str, Any] | None = None,
    **pool: Any,
) -> World:
    """A pool whose sign-in policy allows passkeys, its relying party ``localhost`` (unless ``config`` says), and
    alice signed in with her password."""
    pool_id, client_id = make_pool_and_client(
        cognito, {"Policies": policy or PASSKEY_POLICY, **pool}, ExplicitAuthFlows=FLOWS
    )
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        WebAuthnConfiguration={"RelyingPartyId": "localhost"} if config is None else config,
        **(mfa or {}),
    )
    sub = confirmed_user(cognito, pool_id, client_id)
    token = password_auth(cognito, client_id)["AuthenticationResult"]["AccessToken"]
    return World(pool_id, client_id, token, sub)


def register(cognito: Any, token: str, authenticator: Authenticator | None = None, **create: Any) -> Authenticator:
    authenticator = authenticator or Authenticator()
    options = cognito.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    cognito.complete_web_authn_registration(AccessToken=token, Credential=authenticator.create(options, **create))
    return authenticator


def refused_registration(cognito: Any, token: str, authenticator: Authenticator | None = None, **create: Any):
    options = cognito.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    credential = (authenticator or Authenticator()).create(options, **create)
    return failure(cognito.complete_web_authn_registration, AccessToken=token, Credential=credential)


def stored_passkeys(database: str, pool_id: str) -> list[tuple[Any, ...]]:
    """(credential id, sign count, relying party, attachment) of the pool's stored passkeys."""
    return databases.query(
        database,
        "SELECT credential_id, sign_count, relying_party_id, attachment FROM webauthn_credentials "
        "WHERE pool_id = :pool ORDER BY created_at",
        pool=pool_id,
    )


# ---- the pool's configuration ----------------------------------------------------------------------------------
def test_web_authn_configuration_is_kept_with_cognitos_default_and_shown(cognito):
    pool_id, _ = make_pool_and_client(cognito, {"Policies": PASSKEY_POLICY})
    assert "WebAuthnConfiguration" not in cognito.get_user_pool_mfa_config(UserPoolId=pool_id)
    answer = cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id, WebAuthnConfiguration={"RelyingPartyId": "Example.COM"}
    )
    assert answer["WebAuthnConfiguration"] == {"RelyingPartyId": "example.com", "UserVerification": "preferred"}
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        WebAuthnConfiguration={
            "RelyingPartyId": "login.example.com",
            "UserVerification": "required",
            "FactorConfiguration": "MULTI_FACTOR_WITH_USER_VERIFICATION",
        },
    )
    assert cognito.get_user_pool_mfa_config(UserPoolId=pool_id)["WebAuthnConfiguration"] == {
        "RelyingPartyId": "login.example.com",
        "UserVerification": "required",
        "FactorConfiguration": "MULTI_FACTOR_WITH_USER_VERIFICATION",
    }
    # Another SetUserPoolMfaConfig without the block keeps it.
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True})
    assert cognito.get_user_pool_mfa_config(UserPoolId=pool_id)["WebAuthnConfiguration"]["UserVerification"] == (
        "required"
    )


@pytest.mark.parametrize(
    ("config", "tier", "expected"),
    [
        (
            {"RelyingPartyId": "https://example.com"},
            "ESSENTIALS",
            (400, "InvalidParameterException", "Invalid RelyingPartyId: a domain name is required, not a URL."),
        ),
        (
            {"RelyingPartyId": "example.com:8443"},
            "ESSENTIALS",
            (400, "InvalidParameterException", "Invalid RelyingPartyId: a domain name is required, not a URL."),
        ),
        (
            {"FactorConfiguration": "MULTI_FACTOR_WITH_USER_VERIFICATION"},
            "ESSENTIALS",
            (
                400,
                "InvalidParameterException",
                "FactorConfiguration MULTI_FACTOR_WITH_USER_VERIFICATION requires UserVerification required.",
            ),
        ),
        (
            {"RelyingPartyId": "example.com"},
            "LITE",
            (400, "FeatureUnavailableInTierException", "Passkeys are not available in the LITE feature plan."),
        ),
    ],
)
def test_an_impossible_web_authn_configuration_is_refused_and_nothing_changes(cognito, config, tier, expected):
    pool_id, _ = make_pool_and_client(cognito, {"UserPoolTier": tier})
    assert failure(cognito.set_user_pool_mfa_config, UserPoolId=pool_id, WebAuthnConfiguration=config) == expected
    assert "WebAuthnConfiguration" not in cognito.get_user_pool_mfa_config(UserPoolId=pool_id)


# ---- registration ----------------------------------------------------------------------------------------------
def test_start_answers_cognitos_credential_creation_options(cognito):
    world = passkey_pool(cognito)
    options = cognito.start_web_authn_registration(AccessToken=world.token)["CredentialCreationOptions"]
    assert len(unb64url(options["challenge"])) == 32
    assert options == {
        "rp": {"id": "localhost", "name": "localhost"},
        "user": {"id": b64url(world.sub.encode()), "name": "alice", "displayName": "alice"},
        "challenge": options["challenge"],
        "pubKeyCredParams": [{"type": "public-key", "alg": -7}, {"type": "public-key", "alg": -257}],
        "timeout": 60000,
        "excludeCredentials": [],
        "authenticatorSelection": {
            "requireResidentKey": True,
            "residentKey": "required",
            "userVerification": "preferred",
        },
        "attestation": "none",
    }
    again = cognito.start_web_authn_registration(AccessToken=world.token)["CredentialCreationOptions"]
    assert again["challenge"] != options["challenge"]


def test_a_registered_passkey_is_listed_excluded_from_the_next_options_and_deleted(cognito, server, database):
    world = passkey_pool(cognito)
    passkey = register(cognito, world.token)
    assert stored_passkeys(database, world.pool_id) == [(passkey.id, 0, "localhost", "platform")]
    [described] = cognito.list_web_authn_credentials(AccessToken=world.token)["Credentials"]
    assert described["CredentialId"] == passkey.id
    assert described["RelyingPartyId"] == "localhost"
    assert described["AuthenticatorAttachment"] == "platform"
    assert described["AuthenticatorTransports"] == ["internal", "hybrid"]
    assert described["FriendlyCredentialName"].startswith("Passkey registered ")
    assert described["CreatedAt"].year >= 2024
    options = cognito.start_web_authn_registration(AccessToken=world.token)["CredentialCreationOptions"]
    assert options["excludeCredentials"] == [{"type": "public-key", "id": passkey.id}]

    cognito.delete_web_authn_credential(AccessToken=world.token, CredentialId=passkey.id)
    assert cognito.list_web_authn_credentials(AccessToken=world.token)["Credentials"] == []
    assert stored_passkeys(database, world.pool_id) == []
    assert failure(cognito.delete_web_authn_credential, AccessToken=world.token, CredentialId=passkey.id) == (
        400,
        "ResourceNotFoundException",
        "Passkey credential not found.",
    )


def test_passkeys_are_listed_a_page_at_a_time(cognito):
    world = passkey_pool(cognito)
    made = [register(cognito, world.token).id for _ in range(3)]
    first = cognito.list_web_authn_credentials(AccessToken=world.token, MaxResults=2)
    second = cognito.list_web_authn_credentials(AccessToken=world.token, MaxResults=2, NextToken=first["NextToken"])
    assert "NextToken" not in second
    assert [c["CredentialId"] for c in first["Credentials"] + second["Credentials"]] == made
    assert failure(cognito.list_web_authn_credentials, AccessToken=world.token, NextToken="garbage") == (
        400,
        "InvalidParameterException",
        "Invalid pagination token.",
    )


def test_another_users_passkey_can_be_neither_deleted_nor_registered_again(cognito, database):
    world = passkey_pool(cognito)
    passkey = register(cognito, world.token)
    confirmed_user(cognito, world.pool_id, world.client_id, "bob")
    bob = password_auth(cognito, world.client_id, "bob")["AuthenticationResult"]["AccessToken"]
    assert failure(cognito.delete_web_authn_credential, AccessToken=bob, CredentialId=passkey.id)[1] == (
        "ResourceNotFoundException"
    )
    assert refused_registration(cognito, bob, passkey) == (
        400,
        "InvalidParameterException",
        "The passkey credential is already registered.",
    )
    assert [p[0] for p in stored_passkeys(database, world.pool_id)] == [passkey.id]


def test_a_user_has_at_most_twenty_passkeys(cognito, database):
    world = passkey_pool(cognito)
    for _ in range(20):
        register(cognito, world.token)
    assert failure(cognito.start_web_authn_registration, AccessToken=world.token) == (
        400,
        "LimitExceededException",
        "The user has registered the maximum number of passkeys (20).",
    )
    assert len(stored_passkeys(database, world.pool_id)) == 20


# ---- refusals --------------------------------------------------------------------------------------------------
def test_passkeys_must_be_an_allowed_first_factor(cognito):
    world = passkey_pool(cognito, policy={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]}})
    expected = (
        400,
        "WebAuthnNotEnabledException",
        "Passkeys (WEB_AUTHN) are not an allowed first factor of this user pool.",
    )
    assert failure(cognito.start_web_authn_registration, AccessToken=world.token) == expected
    assert failure(cognito.complete_web_authn_registration, AccessToken=world.token, Credential={}) == expected


def test_without_a_relying_party_id_the_pools_domain_is_the_relying_party(cognito):
    world = passkey_pool(cognito, config={"UserVerification": "required"})
    assert failure(cognito.start_web_authn_registration, AccessToken=world.token) == (
        400,
        "WebAuthnConfigurationMissingException",
        "The user pool has no relying party id: set one, or add a user pool domain.",
    )
    prefix = f"passkeys-{secrets.token_hex(4)}"
    cognito.create_user_pool_domain(Domain=prefix, UserPoolId=world.pool_id)
    options = cognito.start_web_authn_registration(AccessToken=world.token)["CredentialCreationOptions"]
    assert options["rp"]["id"] == f"{prefix}.auth.us-east-1.amazoncognito.com"
    assert options["authenticatorSelection"]["userVerification"] == "required"


def test_the_registration_challenge_is_the_users_used_once_and_short_lived(cognito, server, database):
    world = passkey_pool(cognito)
    passkey = Authenticator()
    options = cognito.start_web_authn_registration(AccessToken=world.token)["CredentialCreationOptions"]
    not_found = (
        400,
        "WebAuthnChallengeNotFoundException",
        "The registration challenge was not found, has expired or was used.",
    )
    # A challenge the server never handed out.
    made_up = passkey.create(options, challenge=b64url(secrets.token_bytes(32)))
    assert failure(cognito.complete_web_authn_registration, AccessToken=world.token, Credential=made_up) == not_found
    # Another user's challenge.
    confirmed_user(cognito, world.pool_id, world.client_id, "bob")
    bob = password_auth(cognito, world.client_id, "bob")["AuthenticationResult"]["AccessToken"]
    credential = passkey.create(options)
    assert failure(cognito.complete_web_authn_registration, AccessToken=bob, Credential=credential) == not_found
    # Used once.
    cognito.complete_web_authn_registration(AccessToken=world.token, Credential=credential)
    again = Authenticator().create(options)
    assert failure(cognito.complete_web_authn_registration, AccessToken=world.token, Credential=again) == not_found
    # Five minutes.
    options = cognito.start_web_authn_registration(AccessToken=world.token)["CredentialCreationOptions"]
    advance_clock(server, 301)
    token = password_auth(cognito, world.client_id)["AuthenticationResult"]["AccessToken"]
    late = Authenticator().create(options)
    assert failure(cognito.complete_web_authn_registration, AccessToken=token, Credential=late) == not_found
    assert len(stored_passkeys(database, world.pool_id)) == 1


def test_the_registration_is_completed_by_the_app_client_that_started_it(cognito, database):
    world = passkey_pool(cognito)
    other = cognito.create_user_pool_client(
        UserPoolId=world.pool_id, ClientName="other", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    other_token = password_auth(cognito, other)["AuthenticationResult"]["AccessToken"]
    options = cognito.start_web_authn_registration(AccessToken=world.token)["CredentialCreationOptions"]
    credential = Authenticator().create(options)
    assert failure(cognito.complete_web_authn_registration, AccessToken=other_token, Credential=credential) == (
        400,
        "WebAuthnClientMismatchException",
        "The access token is for another app client than the registration was started with.",
    )
    assert stored_passkeys(database, world.pool_id) == []


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example", "http://localhost.evil.example", "https://notlocalhost:8080", "http://localhost/page"],
)
def test_an_origin_outside_the_relying_party_is_refused(cognito, database, origin):
    world = passkey_pool(cognito)
    assert refused_registration(cognito, world.token, origin=origin) == (
        400,
        "WebAuthnOriginNotAllowedException",
        f"The origin {origin} is not allowed for the relying party localhost.",
    )
    assert stored_passkeys(database, world.pool_id) == []


def test_https_origins_of_the_relying_party_and_its_subdomains_are_allowed_and_http_only_for_localhost(cognito):
    world = passkey_pool(cognito, config={"RelyingPartyId": "example.com"})
    register(cognito, world.token, origin="https://example.com")
    register(cognito, world.token, origin="https://login.example.com:8443")
    assert refused_registration(cognito, world.token, origin="http://example.com")[1] == (
        "WebAuthnOriginNotAllowedException"
    )
    local = passkey_pool(cognito)
    register(cognito, local.token, origin=ORIGIN)
    register(cognito, local.token, origin="https://localhost")


def test_a_credential_for_another_relying_party_is_refused(cognito, database):
    world = passkey_pool(cognito)
    assert refused_registration(cognito, world.token, rp_id="example.com") == (
        400,
        "WebAuthnRelyingPartyMismatchException",
        "The credential is for another relying party than localhost.",
    )
    assert stored_passkeys(database, world.pool_id) == []


def test_user_verification_required_refuses_an_authenticator_that_does_not_verify(cognito, database):
    world = passkey_pool(cognito, config={"RelyingPartyId": "localhost", "UserVerification": "required"})
    status, kind, message = refused_registration(cognito, world.token, Authenticator(verifies_user=False))
    assert (status, kind) == (400, "WebAuthnCredentialNotSupportedException")
    assert message.startswith("The passkey credential is not supported: User verification is required")
    register(cognito, world.token, Authenticator(verifies_user=True))
    assert len(stored_passkeys(database, world.pool_id)) == 1


@pytest.mark.parametrize(
    "credential",
    [
        {},
        {"id": "x", "rawId": "x", "type": "public-key", "response": {"clientDataJSON": "e30", "attestationObject": ""}},
        {"id": "x", "rawId": "x", "type": "public-key", "response": {"clientDataJSON": "!!", "attestationObject": "!"}},
        ["not", "an", "object"],
    ],
)
def test_a_malformed_credential_is_refused(cognito, database, credential):
    world = passkey_pool(cognito)
    status, kind, message = failure(
        cognito.complete_web_authn_registration, AccessToken=world.token, Credential=credential
    )
    assert (status, kind) == (400, "InvalidParameterException")
    assert message.startswith("Invalid passkey credential: ")
    assert stored_passkeys(database, world.pool_id) == []


def test_passkey_operations_need_a_valid_access_token(cognito):
    for call, params in (
        (cognito.start_web_authn_registration, {}),
        (cognito.complete_web_authn_registration, {"Credential": {}}),
        (cognito.list_web_authn_credentials, {}),
        (cognito.delete_web_authn_credential, {"CredentialId": "x"}),
    ):
        assert failure(call, AccessToken="not-a-token", **params) == (
            400,
            "NotAuthorizedException",
            "Invalid Access Token",
        )


# ---- signing in ------------------------------------------------------------------------------------------------
def passkey_challenge(cognito: Any, client_id: str, username: str = "alice") -> dict[str, Any]:
    """USER_AUTH preferring WEB_AUTHN: the challenge, its request options parsed."""
    challenge = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": username, "PREFERRED_CHALLENGE": "WEB_AUTHN"},
    )
    assert challenge["ChallengeName"] == "WEB_AUTHN"
    return challenge


def options_of(challenge: dict[str, Any]) -> dict[str, Any]:
    return json.loads(challenge["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])


def answer(cognito: Any, client_id: str, challenge: dict[str, Any], credential: str, username: str = "alice"):
    return cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="WEB_AUTHN",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": username, "CREDENTIAL": credential},
    )


def sign_in_refusal(cognito: Any, client_id: str, challenge: dict[str, Any], credential: str, username="alice"):
    with pytest.raises(ClientError) as excinfo:
        answer(cognito, client_id, challenge, credential, username)
    return error_of(excinfo)


def test_a_passkey_signs_in_through_user_auth(cognito, server, database):
    world = passkey_pool(cognito)
    passkey = register(cognito, world.token)

    challenge = passkey_challenge(cognito, world.client_id)
    options = options_of(challenge)
    assert challenge["ChallengeParameters"]["USERNAME"] == "alice"
    assert len(unb64url(options["challenge"])) == 32
    assert options == {
        "challenge": options["challenge"],
        "timeout": 180000,
        "rpId": "localhost",
        "allowCredentials": [{"type": "public-key", "id": passkey.id, "transports": ["internal", "hybrid"]}],
        "userVerification": "preferred",
    }
    result = answer(cognito, world.client_id, challenge, passkey.get(options))["AuthenticationResult"]
    assert claims(result["AccessToken"])["username"] == "alice"
    assert claims(result["IdToken"])["sub"] == world.sub
    assert stored_passkeys(database, world.pool_id) == [(passkey.id, 1, "localhost", "platform")]
    # And again: the counter moves on.
    challenge = passkey_challenge(cognito, world.client_id)
    assert "AuthenticationResult" in answer(cognito, world.client_id, challenge, passkey.get(options_of(challenge)))
    assert stored_passkeys(database, world.pool_id)[0][1] == 2


def test_passkeys_are_not_offered_to_a_user_mfa_applies_to_and_need_no_mfa_otherwise(cognito, server):
    """MFA and passwordless sign-in are not combined for one user (``flow.passwordless_allowed``): with a factor of
    its own in an OPTIONAL pool, a user signs in with its password and MFA; without one, a passkey gives tokens."""
    world = passkey_pool(
        cognito, mfa={"MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": {"Enabled": True}}
    )
    passkey = register(cognito, world.token)
    challenge = passkey_challenge(cognito, world.client_id)
    assert "AuthenticationResult" in answer(cognito, world.client_id, challenge, passkey.get(options_of(challenge)))
    register_totp(server, cognito, world.token)
    cognito.set_user_mfa_preference(
        AccessToken=world.token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    started = cognito.initiate_auth(
        ClientId=world.client_id,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": "alice", "PREFERRED_CHALLENGE": "WEB_AUTHN"},
    )
    assert (started["ChallengeName"], started["AvailableChallenges"]) == (
        "SELECT_CHALLENGE",
        ["PASSWORD_SRP", "PASSWORD"],
    )
    assert password_auth(cognito, world.client_id)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_web_authn_is_offered_to_users_with_a_passkey_and_chosen_with_select_challenge(cognito):
    world = passkey_pool(cognito)
    confirmed_user(cognito, world.pool_id, world.client_id, "bob")
    factors = cognito.get_user_auth_factors(AccessToken=world.token)["ConfiguredUserAuthFactors"]
    assert factors == ["PASSWORD"]
    passkey = register(cognito, world.token)
    factors = cognito.get_user_auth_factors(AccessToken=world.token)["ConfiguredUserAuthFactors"]
    assert factors == ["PASSWORD", "WEB_AUTHN"]
    for username, expected in (
        ("alice", ["PASSWORD_SRP", "PASSWORD", "WEB_AUTHN"]),
        ("bob", ["PASSWORD_SRP", "PASSWORD"]),
    ):
        started = cognito.initiate_auth(
            ClientId=world.client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": username}
        )
        assert (started["ChallengeName"], started["AvailableChallenges"]) == ("SELECT_CHALLENGE", expected)
    started = cognito.initiate_auth(
        ClientId=world.client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "alice"}
    )
    chosen = cognito.respond_to_auth_challenge(
        ClientId=world.client_id,
        ChallengeName="SELECT_CHALLENGE",
        Session=started["Session"],
        ChallengeResponses={"USERNAME": "alice", "ANSWER": "WEB_AUTHN"},
    )
    assert chosen["ChallengeName"] == "WEB_AUTHN"
    assert "AuthenticationResult" in answer(cognito, world.client_id, chosen, passkey.get(options_of(chosen)))


def test_a_passkey_of_another_user_is_refused(cognito, database):
    world = passkey_pool(cognito)
    register(cognito, world.token)
    confirmed_user(cognito, world.pool_id, world.client_id, "bob")
    bob_token = password_auth(cognito, world.client_id, "bob")["AuthenticationResult"]["AccessToken"]
    bobs = register(cognito, bob_token)
    challenge = passkey_challenge(cognito, world.client_id)
    assert sign_in_refusal(cognito, world.client_id, challenge, bobs.get(options_of(challenge))) == REFUSED
    assert [row[1] for row in stored_passkeys(database, world.pool_id)] == [0, 0]


def test_an_assertion_from_another_origin_or_relying_party_is_refused(cognito):
    world = passkey_pool(cognito)
    passkey = register(cognito, world.token)
    challenge = passkey_challenge(cognito, world.client_id)
    credential = passkey.get(options_of(challenge), origin="https://evil.example")
    assert sign_in_refusal(cognito, world.client_id, challenge, credential) == (
        400,
        "NotAuthorizedException",
        "The origin https://evil.example is not allowed for the relying party localhost.",
    )
    challenge = passkey_challenge(cognito, world.client_id)
    credential = passkey.get(options_of(challenge), rp_id="example.com")
    assert sign_in_refusal(cognito, world.client_id, challenge, credential) == (
        400,
        "NotAuthorizedException",
        "The credential is for another relying party than localhost.",
    )


def test_an_assertion_of_another_challenge_is_refused(cognito):
    world = passkey_pool(cognito)
    passkey = register(cognito, world.token)
    challenge = passkey_challenge(cognito, world.client_id)
    credential = passkey.get(options_of(challenge), challenge=b64url(secrets.token_bytes(32)))
    assert sign_in_refusal(cognito, world.client_id, challenge, credential) == (
        400,
        "NotAuthorizedException",
        "Invalid passkey credential: Client data challenge was not expected challenge.",
    )


def test_a_replayed_assertion_is_refused(cognito, database):
    world = passkey_pool(cognito)
    passkey = register(cognito, world.token)
    challenge = passkey_challenge(cognito, world.client_id)
    credential = passkey.get(options_of(challenge))
    answer(cognito, world.client_id, challenge, credential)
    # The same answer again: its session is spent.
    assert sign_in_refusal(cognito, world.client_id, challenge, credential) == (
        400,
        "NotAuthorizedException",
        "Invalid session for the user, session can only be used once.",
    )
    # In a new sign-in: the challenge is not that sign-in's.
    fresh = passkey_challenge(cognito, world.client_id)
    assert sign_in_refusal(cognito, world.client_id, fresh, credential)[2] == (
        "Invalid passkey credential: Client data challenge was not expected challenge."
    )
    # A cloned authenticator signing with a counter already seen.
    fresh = passkey_challenge(cognito, world.client_id)
    assert sign_in_refusal(cognito, world.client_id, fresh, passkey.get(options_of(fresh), count=1)) == (
        400,
        "NotAuthorizedException",
        "Invalid passkey credential: Response sign count of 1 was not greater than current count of 1.",
    )
    assert stored_passkeys(database, world.pool_id)[0][1] == 1


def test_an_authenticator_without_a_counter_signs_in_again_and_again(cognito):
    world = passkey_pool(cognito)
    passkey = register(cognito, world.token, Authenticator(counter_step=0))
    for _ in range(2):
        challenge = passkey_challenge(cognito, world.client_id)
        assert "AuthenticationResult" in answer(cognito, world.client_id, challenge, passkey.get(options_of(challenge)))


def test_a_deleted_passkey_signs_in_no_more(cognito):
    world = passkey_pool(cognito)
    passkey = register(cognito, world.token)
    kept = register(cognito, world.token)
    challenge = passkey_challenge(cognito, world.client_id)
    cognito.delete_web_authn_credential(AccessToken=world.token, CredentialId=passkey.id)
    assert sign_in_refusal(cognito, world.client_id, challenge, passkey.get(options_of(challenge))) == REFUSED
    challenge = passkey_challenge(cognito, world.client_id)
    assert [c["id"] for c in options_of(challenge)["allowCredentials"]] == [kept.id]
    cognito.delete_web_authn_credential(AccessToken=world.token, CredentialId=kept.id)
    started = cognito.initiate_auth(
        ClientId=world.client_id,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": "alice", "PREFERRED_CHALLENGE": "WEB_AUTHN"},
    )
    assert started["AvailableChallenges"] == ["PASSWORD_SRP", "PASSWORD"]


def test_user_verification_required_refuses_an_assertion_without_it(cognito):
    world = passkey_pool(cognito, config={"RelyingPartyId": "localhost", "UserVerification": "required"})
    passkey = register(cognito, world.token)
    passkey.verifies_user = False
    challenge = passkey_challenge(cognito, world.client_id)
    assert options_of(challenge)["userVerification"] == "required"
    assert sign_in_refusal(cognito, world.client_id, challenge, passkey.get(options_of(challenge))) == (
        400,
        "NotAuthorizedException",
        "Invalid passkey credential: User verification is required but user was not verified during authentication.",
    )


def test_a_malformed_credential_answer_is_refused(cognito):
    world = passkey_pool(cognito)
    register(cognito, world.token)
    challenge = passkey_challenge(cognito, world.client_id)
    status, kind, message = sign_in_refusal(cognito, world.client_id, challenge, "{not json")
    assert (status, kind) == (400, "NotAuthorizedException")
    assert message.startswith("Invalid passkey credential: ")


def test_a_user_the_client_hides_gets_a_passkey_challenge_that_no_passkey_answers(cognito):
    world = passkey_pool(cognito)
    passkey = register(cognito, world.token)
    hiding = cognito.create_user_pool_client(
        UserPoolId=world.pool_id, ClientName="hiding", ExplicitAuthFlows=FLOWS, PreventUserExistenceErrors="ENABLED"
    )["UserPoolClient"]["ClientId"]
    challenge = passkey_challenge(cognito, hiding, "nobody")
    options = options_of(challenge)
    assert (options["rpId"], options["allowCredentials"]) == ("localhost", [])
    assert challenge["ChallengeParameters"]["USERNAME"] == "nobody"
    assert sign_in_refusal(cognito, hiding, challenge, passkey.get(options), "nobody") == REFUSED
    # A real user of that client signs in as anywhere.
    challenge = passkey_challenge(cognito, hiding)
    assert "AuthenticationResult" in answer(cognito, hiding, challenge, passkey.get(options_of(challenge)))


def test_an_administrator_signs_a_user_in_with_a_passkey_the_user_presents(cognito):
    world = passkey_pool(cognito)
    passkey = register(cognito, world.token)
    challenge = cognito.admin_initiate_auth(
        UserPoolId=world.pool_id,
        ClientId=world.client_id,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": "alice", "PREFERRED_CHALLENGE": "WEB_AUTHN"},
    )
    assert challenge["ChallengeName"] == "WEB_AUTHN"
    result = cognito.admin_respond_to_auth_challenge(
        UserPoolId=world.pool_id,
        ClientId=world.client_id,
        ChallengeName="WEB_AUTHN",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "alice", "CREDENTIAL": passkey.get(options_of(challenge))},
    )
    assert claims(result["AuthenticationResult"]["AccessToken"])["username"] == "alice"
