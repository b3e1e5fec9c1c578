"""Federation's administration over boto3: Create/Describe/List/Update/DeleteIdentityProvider,
GetIdentityProviderByIdentifier, app clients naming providers, AdminLinkProviderForUser and
AdminDisableProviderForUser, with Cognito's answers and what is stored. The OIDC provider of these tests is another
pool of the same server (its discovery document and keys), so discovery runs for real."""

from __future__ import annotations

import botocore.exceptions
import pytest

from tests.databases import query
from tests.helpers import error_of


def failure(call, **params) -> tuple[int, str, str]:
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)


def refused_provider(cognito, pool_id: str, name: str, kind: str, details: dict[str, str]) -> tuple[int, str, str]:
    return failure(
        cognito.create_identity_provider, UserPoolId=pool_id, ProviderName=name, ProviderType=kind,
        ProviderDetails=details,
    )  # fmt: skip


def oidc_details(server, upstream_pool_id: str, **extra: str) -> dict[str, str]:
    return {
        "client_id": "upstream-client",
        "client_secret": "upstream-secret-0123456789",
        "authorize_scopes": "openid email",
        "oidc_issuer": f"{server.url}/{upstream_pool_id}",
        **extra,
    }


@pytest.fixture
def two_pools(make_pool):
    return make_pool(), make_pool()


def test_an_oidc_provider_is_created_with_discovered_endpoints_and_described(cognito, server, two_pools, database):
    pool, upstream = two_pools
    details = oidc_details(server, upstream["Id"])
    created = cognito.create_identity_provider(
        UserPoolId=pool["Id"],
        ProviderName="Corp",
        ProviderType="OIDC",
        ProviderDetails=details,
        AttributeMapping={"email": "email"},
        IdpIdentifiers=["corp.example.com"],
    )["IdentityProvider"]
    shown = created["ProviderDetails"]
    assert shown["authorize_url"] == f"{server.url}/oauth2/authorize"
    assert shown["token_url"] == f"{server.url}/oauth2/token"
    assert shown["attributes_url"] == f"{server.url}/oauth2/userInfo"
    assert shown["jwks_uri"] == f"{server.url}/{upstream['Id']}/.well-known/jwks.json"
    assert shown["attributes_request_method"] == "GET"
    assert shown["attributes_url_add_attributes"] == "false"
    assert shown["client_secret"] == details["client_secret"]
    assert created["AttributeMapping"] == {"email": "email"}
    assert created["IdpIdentifiers"] == ["corp.example.com"]
    described = cognito.describe_identity_provider(UserPoolId=pool["Id"], ProviderName="Corp")["IdentityProvider"]
    assert described == created
    by_identifier = cognito.get_identity_provider_by_identifier(UserPoolId=pool["Id"], IdpIdentifier="corp.example.com")
    assert by_identifier["IdentityProvider"]["ProviderName"] == "Corp"
    [(stored, sealed)] = query(
        database, "SELECT details, secrets_sealed FROM identity_providers WHERE pool_id = :p", p=pool["Id"]
    )
    assert details["client_secret"] not in str(stored) and sealed.startswith("v1:")


def test_a_duplicate_name_is_refused(cognito, server, two_pools):
    pool, upstream = two_pools
    params = {"UserPoolId": pool["Id"], "ProviderName": "Corp", "ProviderType": "OIDC"}
    cognito.create_identity_provider(**params, ProviderDetails=oidc_details(server, upstream["Id"]))
    assert failure(
        cognito.create_identity_provider, **params, ProviderDetails=oidc_details(server, upstream["Id"])
    ) == (
        400,
        "DuplicateProviderException",
        "A provider with the name Corp already exists in this user pool.",
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"authorize_scopes": "email"}, "authorize_scopes must include openid for an OIDC identity provider."),
        ({"client_id": ""}, "client_id is required for the OIDC identity provider."),
        ({"surprise": "x"}, "surprise is not a valid ProviderDetails key for the OIDC identity provider."),
        ({"attributes_request_method": "PUT"}, "attributes_request_method must be GET or POST."),
        ({"oidc_issuer": "http://idp.example.com"}, None),
        ({"oidc_issuer": "https://idp.example.com/"}, None),
    ],
)
def test_bad_oidc_details_are_refused_and_nothing_is_created(cognito, server, two_pools, change, message):
    pool, upstream = two_pools
    details = {**oidc_details(server, upstream["Id"]), **change}
    if details.get("client_id") == "":
        del details["client_id"]
    status, kind, text = failure(
        cognito.create_identity_provider,
        UserPoolId=pool["Id"],
        ProviderName="Corp",
        ProviderType="OIDC",
        ProviderDetails=details,
    )
    assert (status, kind) == (400, "InvalidParameterException")
    assert text == (message or text)
    if message is None:
        assert text.startswith("oidc_issuer must be an https URL")
    assert cognito.list_identity_providers(UserPoolId=pool["Id"], MaxResults=10)["Providers"] == []


def test_an_issuer_without_discovery_needs_its_endpoints(cognito, server, make_pool):
    pool = make_pool()
    issuer = f"{server.url}/us-east-1_nopool00"
    params = {"UserPoolId": pool["Id"], "ProviderName": "Corp", "ProviderType": "OIDC"}
    details = {"client_id": "c", "authorize_scopes": "openid", "oidc_issuer": issuer}
    assert failure(cognito.create_identity_provider, **params, ProviderDetails=details) == (
        400,
        "InvalidParameterException",
        f"Unable to contact well-known endpoint {issuer}/.well-known/openid-configuration of the OIDC identity "
        "provider: provide authorize_url, token_url, attributes_url and jwks_uri.",
    )
    explicit = {
        **details,
        "authorize_url": "https://idp.example.com/authorize",
        "token_url": "https://idp.example.com/token",
        "attributes_url": "https://idp.example.com/userinfo",
        "jwks_uri": "https://idp.example.com/jwks",
    }
    made = cognito.create_identity_provider(**params, ProviderDetails=explicit)["IdentityProvider"]
    assert made["ProviderDetails"]["token_url"] == "https://idp.example.com/token"


def test_a_social_provider_shows_cognitos_endpoints_and_maps_its_subject(cognito, make_pool):
    pool = make_pool()
    details = {"client_id": "g-client", "client_secret": "g-secret", "authorize_scopes": "openid email profile"}
    made = cognito.create_identity_provider(
        UserPoolId=pool["Id"],
        ProviderName="Google",
        ProviderType="Google",
        ProviderDetails=details,
        AttributeMapping={"email": "email"},
    )["IdentityProvider"]
    assert made["ProviderDetails"] == {
        **details,
        "authorize_url": "https://accounts.google.com/o/oauth2/v2/auth",
        "token_url": "https://www.googleapis.com/oauth2/v4/token",
        "token_request_method": "POST",
        "attributes_url": "https://people.googleapis.com/v1/people/me?personFields=",
        "attributes_url_add_attributes": "true",
        "oidc_issuer": "https://accounts.google.com",
    }
    assert made["AttributeMapping"] == {"username": "sub", "email": "email"}
    # Describe's details can be sent back unchanged.
    cognito.update_identity_provider(
        UserPoolId=pool["Id"], ProviderName="Google", ProviderDetails=made["ProviderDetails"]
    )
    assert refused_provider(cognito, pool["Id"], "MyGoogle", "Google", details) == (
        400,
        "InvalidParameterException",
        "The ProviderName of a Google identity provider must be Google.",
    )
    apple = {"client_id": "a", "team_id": "t", "key_id": "k", "authorize_scopes": "email"}
    assert refused_provider(cognito, pool["Id"], "SignInWithApple", "SignInWithApple", apple) == (
        400,
        "InvalidParameterException",
        "private_key is required for the SignInWithApple identity provider.",
    )


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"nickname2": "n"}, "Attribute nickname2 in the AttributeMapping does not exist in the user pool schema."),
        ({"sub": "sub"}, "Attribute sub cannot be mapped."),
        ({"custom:tier": "tier"}, "Attribute custom:tier in the AttributeMapping is immutable and cannot be mapped."),
    ],
)
def test_a_mapping_names_mutable_attributes_of_the_pool(cognito, server, make_pool, mapping, message):
    pool = make_pool(Schema=[{"Name": "tier", "AttributeDataType": "String", "Mutable": False}])
    upstream = make_pool()
    assert failure(
        cognito.create_identity_provider,
        UserPoolId=pool["Id"],
        ProviderName="Corp",
        ProviderType="OIDC",
        ProviderDetails=oidc_details(server, upstream["Id"]),
        AttributeMapping=mapping,
    ) == (400, "InvalidParameterException", message)


def test_providers_are_listed_updated_and_deleted(cognito, server, two_pools):
    pool, upstream = two_pools
    for name in ("Beta", "Alpha", "Gamma"):
        cognito.create_identity_provider(
            UserPoolId=pool["Id"],
            ProviderName=name,
            ProviderType="OIDC",
            ProviderDetails=oidc_details(server, upstream["Id"]),
            IdpIdentifiers=[f"{name.lower()}.example.com"],
        )
    first = cognito.list_identity_providers(UserPoolId=pool["Id"], MaxResults=2)
    assert [p["ProviderName"] for p in first["Providers"]] == ["Alpha", "Beta"]
    assert set(first["Providers"][0]) == {"ProviderName", "ProviderType", "LastModifiedDate", "CreationDate"}
    rest = cognito.list_identity_providers(UserPoolId=pool["Id"], MaxResults=2, NextToken=first["NextToken"])
    assert [p["ProviderName"] for p in rest["Providers"]] == ["Gamma"] and "NextToken" not in rest
    assert failure(
        cognito.update_identity_provider,
        UserPoolId=pool["Id"],
        ProviderName="Alpha",
        IdpIdentifiers=["beta.example.com"],
    ) == (400, "InvalidParameterException", "Identifier beta.example.com is already used by another identity provider.")
    updated = cognito.update_identity_provider(
        UserPoolId=pool["Id"], ProviderName="Alpha", AttributeMapping={"name": "name"}, IdpIdentifiers=["a.example"]
    )["IdentityProvider"]
    assert (updated["AttributeMapping"], updated["IdpIdentifiers"]) == ({"name": "name"}, ["a.example"])
    assert updated["ProviderDetails"]["client_id"] == "upstream-client"
    cognito.delete_identity_provider(UserPoolId=pool["Id"], ProviderName="Alpha")
    assert failure(cognito.describe_identity_provider, UserPoolId=pool["Id"], ProviderName="Alpha") == (
        400,
        "ResourceNotFoundException",
        "Identity provider Alpha does not exist.",
    )
    assert failure(cognito.delete_identity_provider, UserPoolId=pool["Id"], ProviderName="Alpha")[1] == (
        "ResourceNotFoundException"
    )
    assert failure(cognito.get_identity_provider_by_identifier, UserPoolId=pool["Id"], IdpIdentifier="a.example") == (
        400,
        "ResourceNotFoundException",
        "Identity provider with identifier a.example does not exist.",
    )


def test_an_app_client_names_only_providers_the_pool_has(cognito, server, two_pools, make_app_client):
    pool, upstream = two_pools
    oauth = {
        "AllowedOAuthFlowsUserPoolClient": True,
        "AllowedOAuthFlows": ["code"],
        "AllowedOAuthScopes": ["openid"],
        "CallbackURLs": ["https://app.example.com/cb"],
    }
    status, kind, message = failure(
        cognito.create_user_pool_client,
        UserPoolId=pool["Id"],
        ClientName="app",
        SupportedIdentityProviders=["COGNITO", "Corp"],
        **oauth,
    )
    assert (status, kind, message) == (
        400,
        "InvalidParameterException",
        f"The provider Corp does not exist for User Pool {pool['Id']}",
    )
    cognito.create_identity_provider(
        UserPoolId=pool["Id"],
        ProviderName="Corp",
        ProviderType="OIDC",
        ProviderDetails=oidc_details(server, upstream["Id"]),
    )
    client = make_app_client(pool["Id"], SupportedIdentityProviders=["COGNITO", "Corp"], **oauth)
    assert client["SupportedIdentityProviders"] == ["COGNITO", "Corp"]
    assert failure(cognito.delete_identity_provider, UserPoolId=pool["Id"], ProviderName="Corp") == (
        400,
        "UnsupportedIdentityProviderException",
        f"The identity provider Corp is used by app client {client['ClientId']}.",
    )


def test_an_identity_is_linked_to_a_native_user_and_disabled(cognito, server, two_pools):
    pool, upstream = two_pools
    cognito.create_identity_provider(
        UserPoolId=pool["Id"],
        ProviderName="Corp",
        ProviderType="OIDC",
        ProviderDetails=oidc_details(server, upstream["Id"]),
    )
    cognito.admin_create_user(UserPoolId=pool["Id"], Username="native", MessageAction="SUPPRESS")
    destination = {"ProviderName": "Cognito", "ProviderAttributeValue": "native"}
    source = {"ProviderName": "Corp", "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": "sub-1"}
    cognito.admin_link_provider_for_user(UserPoolId=pool["Id"], DestinationUser=destination, SourceUser=source)
    attributes = cognito.admin_get_user(UserPoolId=pool["Id"], Username="native")["UserAttributes"]
    [identities] = [a["Value"] for a in attributes if a["Name"] == "identities"]
    assert '"userId":"sub-1","providerName":"Corp","providerType":"OIDC"' in identities
    assert '"primary":false' in identities
    assert failure(
        cognito.admin_link_provider_for_user, UserPoolId=pool["Id"], DestinationUser=destination, SourceUser=source
    ) == (400, "InvalidParameterException", "The source user is already linked to a user or exists in the user pool.")
    for n in range(2, 6):
        cognito.admin_link_provider_for_user(
            UserPoolId=pool["Id"], DestinationUser=destination, SourceUser={**source, "ProviderAttributeValue": f"s{n}"}
        )
    assert failure(
        cognito.admin_link_provider_for_user,
        UserPoolId=pool["Id"],
        DestinationUser=destination,
        SourceUser={**source, "ProviderAttributeValue": "s6"},
    ) == (400, "LimitExceededException", "A user can have at most 5 linked identities.")
    cognito.admin_disable_provider_for_user(UserPoolId=pool["Id"], User=source)
    attributes = cognito.admin_get_user(UserPoolId=pool["Id"], Username="native")["UserAttributes"]
    [identities] = [a["Value"] for a in attributes if a["Name"] == "identities"]
    assert "sub-1" not in identities
    assert failure(cognito.admin_disable_provider_for_user, UserPoolId=pool["Id"], User=source) == (
        400,
        "UserNotFoundException",
        "User does not exist.",
    )


def test_link_errors(cognito, server, two_pools):
    pool, upstream = two_pools
    cognito.create_identity_provider(
        UserPoolId=pool["Id"],
        ProviderName="Corp",
        ProviderType="OIDC",
        ProviderDetails=oidc_details(server, upstream["Id"]),
    )
    source = {"ProviderName": "Corp", "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": "sub-1"}
    missing = {"ProviderName": "Cognito", "ProviderAttributeValue": "nobody"}
    assert failure(
        cognito.admin_link_provider_for_user, UserPoolId=pool["Id"], DestinationUser=missing, SourceUser=source
    ) == (400, "UserNotFoundException", "User does not exist.")
    cognito.admin_create_user(UserPoolId=pool["Id"], Username="native", MessageAction="SUPPRESS")
    destination = {"ProviderName": "Cognito", "ProviderAttributeValue": "native"}
    assert failure(
        cognito.admin_link_provider_for_user,
        UserPoolId=pool["Id"],
        DestinationUser=destination,
        SourceUser={**source, "ProviderName": "Nope"},
    ) == (400, "InvalidParameterException", "Provider Nope does not exist.")
    assert failure(
        cognito.admin_link_provider_for_user,
        UserPoolId=pool["Id"],
        DestinationUser={**destination, "ProviderName": "Corp"},
        SourceUser=source,
    ) == (400, "InvalidParameterException", "The DestinationUser must be a native user (ProviderName Cognito).")
