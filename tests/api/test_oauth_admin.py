"""The hosted UI's administration over boto3: user pool domains, resource servers, app clients' OAuth settings and
the UI customization, with Cognito's answers and what is stored."""

from __future__ import annotations

import secrets

import botocore.exceptions
import pytest

from tests.helpers import error_of
from tests.oauth_helpers import PNG


def prefix() -> str:
    return f"app-{secrets.token_hex(5)}"


def failure(call, **params) -> tuple[int, str, str]:
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)


# ---- domains -----------------------------------------------------------------------------------------------------
def test_a_domain_is_created_described_and_shown_by_describe_user_pool(cognito, make_pool):
    pool = make_pool()
    name = prefix()
    created = cognito.create_user_pool_domain(Domain=name, UserPoolId=pool["Id"])
    assert created["ManagedLoginVersion"] == 1
    assert "CloudFrontDomain" not in created
    description = cognito.describe_user_pool_domain(Domain=name)["DomainDescription"]
    assert description["UserPoolId"] == pool["Id"]
    assert description["Domain"] == name
    assert description["Status"] == "ACTIVE"
    assert description["ManagedLoginVersion"] == 1
    assert description["AWSAccountId"].isdigit()
    assert description["CloudFrontDistribution"].startswith("127.0.0.1:")
    assert cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Domain"] == name


def test_an_unknown_domain_is_an_empty_description(cognito):
    assert cognito.describe_user_pool_domain(Domain=prefix())["DomainDescription"] == {}


@pytest.mark.parametrize("word", ["aws", "amazon", "cognito"])
def test_a_domain_with_a_reserved_word_is_refused(cognito, make_pool, word):
    pool = make_pool()
    status, kind, message = failure(cognito.create_user_pool_domain, Domain=f"my{word}app", UserPoolId=pool["Id"])
    assert (status, kind, message) == (400, "InvalidParameterException", f"Domain cannot contain reserved word: {word}")


def test_a_domain_is_unique_across_pools_and_a_pool_has_one(cognito, make_pool):
    first, second = make_pool(), make_pool()
    name = prefix()
    cognito.create_user_pool_domain(Domain=name, UserPoolId=first["Id"])
    assert failure(cognito.create_user_pool_domain, Domain=name, UserPoolId=second["Id"]) == (
        400,
        "InvalidParameterException",
        "Domain already associated with another user pool.",
    )
    assert failure(cognito.create_user_pool_domain, Domain=prefix(), UserPoolId=first["Id"]) == (
        400,
        "InvalidParameterException",
        "User pool already has a domain configured.",
    )
    assert "Domain" not in cognito.describe_user_pool(UserPoolId=second["Id"])["UserPool"]


def test_a_domain_of_a_missing_pool_is_refused(cognito):
    status, kind, message = failure(cognito.create_user_pool_domain, Domain=prefix(), UserPoolId="us-east-1_missing1")
    assert (status, kind) == (400, "ResourceNotFoundException")
    assert message == "User pool us-east-1_missing1 does not exist."


def test_a_custom_domain_has_a_cloudfront_target_and_its_certificate(cognito, make_pool):
    pool = make_pool()
    # botocore's model holds every Domain to the prefix pattern (no dots), so a custom domain is named like one.
    name = f"login-{secrets.token_hex(4)}"
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
    created = cognito.create_user_pool_domain(
        Domain=name, UserPoolId=pool["Id"], CustomDomainConfig={"CertificateArn": arn}
    )
    assert created["CloudFrontDomain"]
    description = cognito.describe_user_pool_domain(Domain=name)["DomainDescription"]
    assert description["CustomDomainConfig"] == {"CertificateArn": arn}
    assert cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["CustomDomain"] == name


def test_update_changes_the_managed_login_version_and_delete_removes_the_domain(cognito, make_pool):
    pool = make_pool()
    name = prefix()
    cognito.create_user_pool_domain(Domain=name, UserPoolId=pool["Id"])
    assert (
        cognito.update_user_pool_domain(Domain=name, UserPoolId=pool["Id"], ManagedLoginVersion=2)[
            "ManagedLoginVersion"
        ]
        == 2
    )
    assert cognito.describe_user_pool_domain(Domain=name)["DomainDescription"]["ManagedLoginVersion"] == 2
    assert failure(cognito.update_user_pool_domain, Domain=name, UserPoolId=pool["Id"], ManagedLoginVersion=3)[1] == (
        "InvalidParameterException"
    )
    cognito.delete_user_pool_domain(Domain=name, UserPoolId=pool["Id"])
    assert cognito.describe_user_pool_domain(Domain=name)["DomainDescription"] == {}
    assert "Domain" not in cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert failure(cognito.delete_user_pool_domain, Domain=name, UserPoolId=pool["Id"]) == (
        400,
        "InvalidParameterException",
        "No such domain or user pool exists.",
    )


def test_another_pools_domain_cannot_be_deleted_or_updated(cognito, make_pool):
    owner, other = make_pool(), make_pool()
    name = prefix()
    cognito.create_user_pool_domain(Domain=name, UserPoolId=owner["Id"])
    for call in (cognito.delete_user_pool_domain, cognito.update_user_pool_domain):
        assert failure(call, Domain=name, UserPoolId=other["Id"])[1:] == (
            "InvalidParameterException",
            "No such domain or user pool exists.",
        )
    assert cognito.describe_user_pool_domain(Domain=name)["DomainDescription"]["UserPoolId"] == owner["Id"]


def test_deleting_the_pool_frees_its_domain(cognito, make_pool):
    pool = make_pool()
    name = prefix()
    cognito.create_user_pool_domain(Domain=name, UserPoolId=pool["Id"])
    cognito.delete_user_pool(UserPoolId=pool["Id"])
    assert cognito.describe_user_pool_domain(Domain=name)["DomainDescription"] == {}
    cognito.create_user_pool_domain(Domain=name, UserPoolId=make_pool()["Id"])


# ---- resource servers ----------------------------------------------------------------------------------------
SCOPES = [
    {"ScopeName": "read", "ScopeDescription": "Read"},
    {"ScopeName": "write", "ScopeDescription": "Write"},
]


def test_resource_servers_are_created_described_listed_updated_and_deleted(cognito, make_pool):
    pool = make_pool()["Id"]
    made = cognito.create_resource_server(
        UserPoolId=pool, Identifier="https://api.example.com", Name="api", Scopes=SCOPES
    )
    assert made["ResourceServer"] == {
        "UserPoolId": pool,
        "Identifier": "https://api.example.com",
        "Name": "api",
        "Scopes": SCOPES,
    }
    cognito.create_resource_server(UserPoolId=pool, Identifier="billing", Name="billing")
    described = cognito.describe_resource_server(UserPoolId=pool, Identifier="billing")["ResourceServer"]
    assert described == {"UserPoolId": pool, "Identifier": "billing", "Name": "billing", "Scopes": []}
    first = cognito.list_resource_servers(UserPoolId=pool, MaxResults=1)
    assert [s["Identifier"] for s in first["ResourceServers"]] == ["billing"]
    second = cognito.list_resource_servers(UserPoolId=pool, MaxResults=1, NextToken=first["NextToken"])
    assert [s["Identifier"] for s in second["ResourceServers"]] == ["https://api.example.com"]
    assert "NextToken" not in second
    updated = cognito.update_resource_server(UserPoolId=pool, Identifier="billing", Name="bills", Scopes=SCOPES[:1])
    assert updated["ResourceServer"]["Scopes"] == SCOPES[:1]
    # Update replaces everything: scopes left out are gone.
    cognito.update_resource_server(UserPoolId=pool, Identifier="billing", Name="bills")
    assert cognito.describe_resource_server(UserPoolId=pool, Identifier="billing")["ResourceServer"]["Scopes"] == []
    cognito.delete_resource_server(UserPoolId=pool, Identifier="billing")
    assert [
        s["Identifier"] for s in cognito.list_resource_servers(UserPoolId=pool, MaxResults=10)["ResourceServers"]
    ] == ["https://api.example.com"]


def test_resource_server_errors(cognito, make_pool):
    pool = make_pool()["Id"]
    cognito.create_resource_server(UserPoolId=pool, Identifier="api", Name="api")
    status, kind, _ = failure(cognito.create_resource_server, UserPoolId=pool, Identifier="api", Name="again")
    assert (status, kind) == (400, "InvalidParameterException")
    assert cognito.describe_resource_server(UserPoolId=pool, Identifier="api")["ResourceServer"]["Name"] == "api"
    for call, extra in (
        (cognito.describe_resource_server, {}),
        (cognito.delete_resource_server, {}),
        (cognito.update_resource_server, {"Name": "x"}),
    ):
        assert failure(call, UserPoolId=pool, Identifier="missing", **extra)[:2] == (400, "ResourceNotFoundException")
    duplicate = [SCOPES[0], SCOPES[0]]
    assert failure(cognito.create_resource_server, UserPoolId=pool, Identifier="dup", Name="d", Scopes=duplicate)[
        1
    ] == ("InvalidParameterException")
    assert failure(cognito.list_resource_servers, UserPoolId=pool, MaxResults=5, NextToken="garbage")[1] == (
        "InvalidParameterException"
    )
    assert failure(cognito.create_resource_server, UserPoolId="us-east-1_missing1", Identifier="a", Name="a")[1] == (
        "ResourceNotFoundException"
    )


def test_a_scope_name_may_not_hold_a_slash(cognito, make_pool):
    pool = make_pool()["Id"]
    status, kind, _ = failure(
        cognito.create_resource_server,
        UserPoolId=pool,
        Identifier="api",
        Name="api",
        Scopes=[{"ScopeName": "a/b", "ScopeDescription": "x"}],
    )
    assert (status, kind) == (400, "InvalidParameterException")


# ---- app clients' OAuth settings ----------------------------------------------------------------------------
def oauth_client(cognito, pool: str, **settings):
    settings.setdefault("ClientName", "web")
    return cognito.create_user_pool_client(UserPoolId=pool, **settings)["UserPoolClient"]


def test_a_code_flow_client_is_kept_as_sent(cognito, make_pool):
    pool = make_pool()["Id"]
    client = oauth_client(
        cognito,
        pool,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email"],
        CallbackURLs=["https://app.example.com/cb", "http://localhost:3000/cb", "myapp://cb"],
        LogoutURLs=["https://app.example.com/bye"],
        DefaultRedirectURI="https://app.example.com/cb",
        SupportedIdentityProviders=["COGNITO"],
    )
    described = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client["ClientId"])["UserPoolClient"]
    assert described["AllowedOAuthFlows"] == ["code"]
    assert described["CallbackURLs"][2] == "myapp://cb"
    assert described["DefaultRedirectURI"] == "https://app.example.com/cb"


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (
            {"AllowedOAuthFlowsUserPoolClient": True},
            (
                "InvalidParameterException",
                "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth "
                "flows.",
            ),
        ),
        (
            {"AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid"]},
            ("InvalidOAuthFlowException", "CallbackUrls can not be empty when code flow or implicit flow is selected"),
        ),
        (
            {
                "AllowedOAuthFlowsUserPoolClient": True,
                "AllowedOAuthFlows": ["client_credentials"],
                "AllowedOAuthScopes": ["api/read"],
            },
            (
                "InvalidOAuthFlowException",
                "client_credentials flow can not be selected if client does not have a client secret.",
            ),
        ),
        (
            {
                "GenerateSecret": True,
                "AllowedOAuthFlowsUserPoolClient": True,
                "AllowedOAuthFlows": ["client_credentials", "code"],
                "AllowedOAuthScopes": ["api/read"],
                "CallbackURLs": ["https://app.example.com/cb"],
            },
            (
                "InvalidOAuthFlowException",
                "client_credentials flow can not be selected along with code flow or implicit flow.",
            ),
        ),
        (
            {
                "GenerateSecret": True,
                "AllowedOAuthFlowsUserPoolClient": True,
                "AllowedOAuthFlows": ["client_credentials"],
                "AllowedOAuthScopes": ["openid"],
            },
            ("InvalidOAuthFlowException", "openid is not supported with client_credentials flow"),
        ),
        (
            {"AllowedOAuthScopes": ["api/delete"]},
            ("ScopeDoesNotExistException", "Invalid scope requested: api/delete"),
        ),
        (
            {"CallbackURLs": ["http://app.example.com/cb"]},
            ("InvalidParameterException", "http://app.example.com/cb cannot use the HTTP protocol."),
        ),
        (
            {"CallbackURLs": ["https://app.example.com/cb#frag"]},
            ("InvalidParameterException", "https://app.example.com/cb#frag is not a valid URL."),
        ),
        (
            {"CallbackURLs": ["https://app.example.com/cb"], "DefaultRedirectURI": "https://app.example.com/other"},
            ("InvalidParameterException", "DefaultRedirectURI must be one of the CallbackURLs."),
        ),
    ],
)
def test_oauth_settings_cognito_refuses(cognito, make_pool, settings, expected):
    pool = make_pool()["Id"]
    cognito.create_resource_server(UserPoolId=pool, Identifier="api", Name="api", Scopes=SCOPES)
    status, kind, message = failure(cognito.create_user_pool_client, UserPoolId=pool, ClientName="c", **settings)
    assert (status, kind, message) == (400, *expected)
    assert cognito.list_user_pool_clients(UserPoolId=pool)["UserPoolClients"] == []
    plain = oauth_client(cognito, pool)  # a public client: updated to client credentials, it lacks a secret
    updated = {k: v for k, v in settings.items() if k != "GenerateSecret"}
    refused = failure(cognito.update_user_pool_client, UserPoolId=pool, ClientId=plain["ClientId"], **updated)
    assert refused[1] == ("InvalidOAuthFlowException" if "GenerateSecret" in settings else expected[0])


def test_client_credentials_with_resource_server_scopes(cognito, make_pool):
    pool = make_pool()["Id"]
    cognito.create_resource_server(UserPoolId=pool, Identifier="api", Name="api", Scopes=SCOPES)
    client = oauth_client(
        cognito,
        pool,
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=["api/read", "api/write"],
    )
    assert client["AllowedOAuthScopes"] == ["api/read", "api/write"]
    # A deleted resource server's scopes stay on the client (inactive).
    cognito.delete_resource_server(UserPoolId=pool, Identifier="api")
    described = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client["ClientId"])["UserPoolClient"]
    assert described["AllowedOAuthScopes"] == ["api/read", "api/write"]


# ---- UI customization --------------------------------------------------------------------------------------
def test_ui_customization_needs_a_domain_then_is_kept_per_pool_and_client(cognito, make_pool, make_app_client, server):
    pool = make_pool()["Id"]
    client = make_app_client(pool)["ClientId"]
    assert failure(cognito.set_ui_customization, UserPoolId=pool, CSS=".banner-customizable {}")[1] == (
        "InvalidParameterException"
    )
    cognito.create_user_pool_domain(Domain=prefix(), UserPoolId=pool)
    made = cognito.set_ui_customization(UserPoolId=pool, CSS=".banner-customizable { background: red; }")
    assert made["UICustomization"]["ClientId"] == "ALL"
    assert made["UICustomization"]["CSS"] == ".banner-customizable { background: red; }"
    inherited = cognito.get_ui_customization(UserPoolId=pool, ClientId=client)["UICustomization"]
    assert inherited["CSS"] == ".banner-customizable { background: red; }"
    own = cognito.set_ui_customization(UserPoolId=pool, ClientId=client, CSS=".label-customizable {}", ImageFile=PNG)
    assert own["UICustomization"]["ImageUrl"] == f"{server.url}/hosted-ui/{pool}/{client}/logo"
    assert cognito.get_ui_customization(UserPoolId=pool, ClientId=client)["UICustomization"]["CSS"] == (
        ".label-customizable {}"
    )
    assert failure(cognito.set_ui_customization, UserPoolId=pool, ImageFile=b"GIF89a")[1] == "InvalidParameterException"
    assert failure(cognito.get_ui_customization, UserPoolId=pool, ClientId="unknownclient")[1] == (
        "ResourceNotFoundException"
    )
