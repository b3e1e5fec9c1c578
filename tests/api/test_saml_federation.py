"""SAML 2.0 federation over HTTP, the pool as service provider and a SAML IdP run in the test (tests/saml_idp.py:
its own key, metadata, and responses signed with signxml): SAML providers created from a metadata file or URL and
described as Cognito does; ``/oauth2/authorize?identity_provider=`` (or ``idp_identifier``) sending the browser to
the IdP with an AuthnRequest (signed with the pool's key when asked); ``/saml2/idpresponse`` taking the signed
response to the app's code and tokens, the federated user made as for OIDC; IdP-initiated sign-in only when
``IDPInit`` is true. Every refusal (tampered response, another key, expired, another audience, replayed, forged
RelayState, unsolicited) is a page with the reason, and nothing is created. Both databases; the browser's own
dance is test_saml_browser.py."""

from __future__ import annotations

import base64
import html
import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import botocore.exceptions
import httpx
import pytest

from tests.databases import query
from tests.helpers import advance_clock, error_of, http_client
from tests.oauth_helpers import CALLBACK, OAuthPool, authorize_params, code_from, oauth_pool, pkce_pair
from tests.saml_idp import KeyPair, TestIdP, verify_redirect_signature
from tests.signin import claims
from userpool.domain import saml_idp

PROVIDER = "CorpSAML"
EMAIL_CLAIM = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"


@pytest.fixture
def idp() -> Iterator[TestIdP]:
    served = TestIdP(attributes={EMAIL_CLAIM: ["bob@example.com"], "department": ["sales"]}).serve()
    yield served
    served.close()


def server_now(server: Any) -> float:
    request = urllib.request.Request(
        f"{server.url}/_userpool/clock", data=json.dumps({"advance": 0}).encode(), method="POST"
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)["now"]


def saml_pool(
    cognito: Any, idp: TestIdP, identifiers: tuple[str, ...] = (), callback: str = CALLBACK, **details: str
) -> OAuthPool:
    """An OAuth pool whose web client signs in with the test's SAML IdP ``CorpSAML`` (its metadata as a file unless
    ``details`` name a ``MetadataURL``)."""
    world = oauth_pool(cognito, callback=callback)
    cognito.create_identity_provider(
        UserPoolId=world.pool_id,
        ProviderName=PROVIDER,
        ProviderType="SAML",
        ProviderDetails={"MetadataFile": idp.metadata(), **details} if "MetadataURL" not in details else details,
        AttributeMapping={"email": EMAIL_CLAIM},
        IdpIdentifiers=list(identifiers),
    )
    cognito.update_user_pool_client(
        UserPoolId=world.pool_id,
        ClientId=world.web_id,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code", "implicit"],
        AllowedOAuthScopes=["openid", "email", "profile"],
        CallbackURLs=[callback],
        SupportedIdentityProviders=["COGNITO", PROVIDER],
    )
    return world


class Dance:
    """One SP-initiated sign-in as a browser makes it: authorize → the IdP (its AuthnRequest read) → the
    response posted to the ACS URL with the RelayState."""

    def __init__(self, server: Any, world: OAuthPool, idp: TestIdP, **authorize: str | None) -> None:
        self.server, self.world, self.idp = server, world, idp
        self.browser = http_client(base_url=server.url)
        self.verifier, challenge = pkce_pair()
        chosen = {k: v for k, v in ({"identity_provider": PROVIDER} | authorize).items() if v is not None}
        self.params = authorize_params(world.web_id, challenge, **chosen)
        first = self.browser.get("/oauth2/authorize", params=self.params)
        assert first.status_code == 302, first.text
        self.location = first.headers["location"]
        assert self.location.startswith(f"{idp.base_url}/sso?"), self.location
        self.request = idp.read_request(urllib.parse.urlsplit(self.location).query)
        self.request_id = self.request["xml"].split(' ID="')[1].split('"')[0]
        self.acs = f"{server.url}/saml2/idpresponse"
        self.audience = saml_idp.sp_entity_id(world.pool_id)

    def response(self, **options: Any) -> str:
        now = options.pop("now", None) or server_now(self.server)
        in_response_to = options.pop("in_response_to", self.request_id)
        return self.idp.response(self.acs, self.audience, in_response_to, now, **options)

    def post(self, saml_response: str, relay_state: str | None = None) -> httpx.Response:
        relay = self.request["RelayState"] if relay_state is None else relay_state
        return self.browser.post("/saml2/idpresponse", data={"SAMLResponse": saml_response, "RelayState": relay})

    def tokens(self, answer: httpx.Response) -> dict[str, Any]:
        code = code_from(answer, self.params["state"])
        token = self.browser.post(
            "/oauth2/token",
            data={
                "grant_type": "authorization_code",
                "client_id": self.world.web_id,
                "code": code,
                "redirect_uri": CALLBACK,
                "code_verifier": self.verifier,
            },
        )
        assert token.status_code == 200, token.text
        return token.json()


def users_of(database: str, pool_id: str) -> list[str]:
    return [r[0] for r in query(database, "SELECT username FROM users WHERE pool_id = :p", p=pool_id)]


def refused(answer: httpx.Response, reason: str) -> None:
    assert answer.status_code == 400, answer.text
    assert "text/html" in answer.headers["content-type"]
    assert reason in html.unescape(answer.text), answer.text


# ---- administration ---------------------------------------------------------------------------------------------
def test_a_saml_provider_from_a_metadata_file_is_described_with_its_endpoints(cognito, make_pool, idp):
    pool = make_pool()
    created = cognito.create_identity_provider(
        UserPoolId=pool["Id"],
        ProviderName=PROVIDER,
        ProviderType="SAML",
        ProviderDetails={"MetadataFile": idp.metadata(), "IDPInit": "true", "RequestSigningAlgorithm": "rsa-sha256"},
    )["IdentityProvider"]
    assert created["ProviderDetails"] == {
        "MetadataFile": idp.metadata(),
        "IDPInit": "true",
        "RequestSigningAlgorithm": "rsa-sha256",
        "SSORedirectBindingURI": f"{idp.base_url}/sso",
        "SLORedirectBindingURI": f"{idp.base_url}/slo",
    }
    described = cognito.describe_identity_provider(UserPoolId=pool["Id"], ProviderName=PROVIDER)
    assert described["IdentityProvider"] == created


def test_a_saml_provider_from_a_metadata_url_fetches_it(cognito, make_pool, idp):
    pool = make_pool()
    url = f"{idp.base_url}/metadata"
    created = cognito.create_identity_provider(
        UserPoolId=pool["Id"], ProviderName=PROVIDER, ProviderType="SAML", ProviderDetails={"MetadataURL": url}
    )["IdentityProvider"]
    assert created["ProviderDetails"] == {
        "MetadataURL": url,
        "SSORedirectBindingURI": f"{idp.base_url}/sso",
        "SLORedirectBindingURI": f"{idp.base_url}/slo",
    }
    # An Update may send Describe's details back unchanged.
    updated = cognito.update_identity_provider(
        UserPoolId=pool["Id"], ProviderName=PROVIDER, ProviderDetails={**created["ProviderDetails"], "IDPInit": "true"}
    )["IdentityProvider"]
    assert updated["ProviderDetails"]["IDPInit"] == "true"


@pytest.mark.parametrize(
    ("details", "message"),
    [
        ({}, saml_idp.METADATA_ONE),
        ({"MetadataFile": "<nope"}, saml_idp.METADATA_UNREADABLE.format(reason="it is not well-formed XML.")),
        ({"MetadataURL": "http://idp.example.test/md"}, saml_idp.BAD_METADATA_URL),
        ({"MetadataURL": "http://127.0.0.1:9/md"}, saml_idp.METADATA_UNREACHABLE.format(url="http://127.0.0.1:9/md")),
        ({"MetadataFile": "<x/>", "RequestSigningAlgorithm": "rsa-sha1"}, saml_idp.BAD_ALGORITHM),
        ({"MetadataFile": "<x/>", "IDPInit": "maybe"}, saml_idp.BAD_FLAG.format(key="IDPInit")),
    ],
)
def test_bad_saml_details_are_refused_and_nothing_is_stored(cognito, make_pool, database, details, message):
    pool = make_pool()
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        cognito.create_identity_provider(
            UserPoolId=pool["Id"], ProviderName=PROVIDER, ProviderType="SAML", ProviderDetails=details
        )
    assert error_of(excinfo) == (400, "InvalidParameterException", message)
    assert cognito.list_identity_providers(UserPoolId=pool["Id"])["Providers"] == []


# ---- SP-initiated sign-in ---------------------------------------------------------------------------------------
def test_sp_initiated_sign_in_ends_in_the_apps_code_and_a_federated_user(cognito, server, database, idp):
    world = saml_pool(cognito, idp)
    dance = Dance(server, world, idp, nonce="n-1")
    request = dance.request
    assert "Signature" not in request  # RequestSigningAlgorithm not set: unsigned
    assert f'AssertionConsumerServiceURL="{dance.acs}"' in request["xml"]
    assert f"<saml2:Issuer>{dance.audience}</saml2:Issuer>" in request["xml"]
    answer = dance.post(dance.response(sign="response"))
    tokens = dance.tokens(answer)
    id_token = claims(tokens["id_token"])
    assert id_token["cognito:username"] == f"{PROVIDER}_bob@example.com"
    assert id_token["email"] == "bob@example.com" and id_token["nonce"] == "n-1"
    [claimed] = id_token["identities"]
    assert (claimed["providerType"], claimed["userId"], claimed["issuer"]) == ("SAML", "bob@example.com", idp.entity_id)
    user = cognito.admin_get_user(UserPoolId=world.pool_id, Username=f"{PROVIDER}_bob@example.com")
    assert user["UserStatus"] == "EXTERNAL_PROVIDER"
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    [identity] = json.loads(attributes["identities"])
    assert (identity["providerName"], identity["providerType"], identity["userId"], identity["issuer"]) == (
        PROVIDER,
        "SAML",
        "bob@example.com",
        idp.entity_id,
    )

    # A second sign-in finds the same user, its mapped attribute refreshed from the new assertion.
    again = Dance(server, world, idp)
    changed = {EMAIL_CLAIM: ["bob@new.example.com"]}
    dance_tokens = again.tokens(again.post(again.response(attributes=changed)))
    assert claims(dance_tokens["id_token"])["email"] == "bob@new.example.com"
    assert users_of(database, world.pool_id) == [f"{PROVIDER}_bob@example.com"]


def test_an_idp_identifier_routes_to_the_saml_provider(cognito, server, idp):
    world = saml_pool(cognito, idp, identifiers=("example.com",))
    dance = Dance(server, world, idp, identity_provider=None, idp_identifier="example.com")
    dance.tokens(dance.post(dance.response()))


def test_an_email_address_as_idp_identifier_routes_by_its_domain(cognito, server, idp):
    """Email-domain routing (unverified for the authorize endpoint: Cognito documents it for its sign-in page)."""
    world = saml_pool(cognito, idp, identifiers=("example.com",))
    dance = Dance(server, world, idp, identity_provider=None, idp_identifier="bob@example.com")
    dance.tokens(dance.post(dance.response()))


def test_a_signed_authn_request_verifies_with_the_pools_signing_certificate(cognito, server, idp):
    world = saml_pool(cognito, idp, RequestSigningAlgorithm="rsa-sha256")
    dance = Dance(server, world, idp)
    assert dance.request["SigAlg"] == saml_idp.RSA_SHA256
    certificate = cognito.get_signing_certificate(UserPoolId=world.pool_id)["Certificate"]
    verify_redirect_signature(dance.request["signed_part"], dance.request["Signature"], certificate)


# ---- refusals: a page with the reason, nothing created ----------------------------------------------------------
OTHER_KEYS = KeyPair.new("Not the IdP")


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        (
            {"tamper": ("bob@example.com</saml:NameID>", "eve@example.com</saml:NameID>")},
            "signature is not valid for the identity provider",
        ),
        ({"keys": OTHER_KEYS}, "signature is not valid for the identity provider"),
        ({"sign": "none"}, "The SAML response is not signed."),
        ({"audience": "urn:amazon:cognito:sp:us-east-1_other"}, "issued for another audience"),
        ({"in_response_to": "_not-our-request"}, "does not answer this sign-in's request"),
    ],
)
def test_a_bad_response_is_refused_and_creates_nothing(cognito, server, database, idp, options, reason):
    world = saml_pool(cognito, idp)
    dance = Dance(server, world, idp)
    options = dict(options)  # the parameters are shared by both databases' runs
    audience = options.pop("audience", None)
    if audience is not None:
        dance.audience = audience
    refused(dance.post(dance.response(**options)), reason)
    assert users_of(database, world.pool_id) == []


def test_an_expired_assertion_is_refused_on_the_servers_clock(cognito, server, database, idp):
    world = saml_pool(cognito, idp)
    dance = Dance(server, world, idp)
    response = dance.response(lifetime=60)
    advance_clock(server, 3 * 60)  # past NotOnOrAfter and the minute of leeway, within the sign-in's five minutes
    refused(dance.post(response), "The SAML assertion has expired.")
    assert users_of(database, world.pool_id) == []


def test_a_sign_in_older_than_five_minutes_is_refused(cognito, server, database, idp):
    world = saml_pool(cognito, idp)
    dance = Dance(server, world, idp)
    advance_clock(server, 5 * 60 + 1)
    refused(dance.post(dance.response()), "This sign-in has expired or was already completed.")
    assert users_of(database, world.pool_id) == []


def test_a_replayed_response_is_refused(cognito, server, database, idp):
    world = saml_pool(cognito, idp)
    dance = Dance(server, world, idp)
    response = dance.response()
    dance.tokens(dance.post(response))
    refused(dance.post(response), "This sign-in has expired or was already completed.")


def test_a_forged_relay_state_is_refused(cognito, server, database, idp):
    world = saml_pool(cognito, idp)
    dance = Dance(server, world, idp)
    refused(dance.post(dance.response(), relay_state="forged.state"), "was not issued by this service")
    assert users_of(database, world.pool_id) == []


def test_another_browser_cannot_finish_the_sign_in(cognito, server, database, idp):
    world = saml_pool(cognito, idp)
    dance = Dance(server, world, idp)
    stranger = http_client(base_url=server.url)
    answer = stranger.post(
        "/saml2/idpresponse", data={"SAMLResponse": dance.response(), "RelayState": dance.request["RelayState"]}
    )
    refused(answer, "This sign-in was not started in this browser.")
    assert users_of(database, world.pool_id) == []


def test_a_malformed_post_is_refused(cognito, server, database, idp):
    world = saml_pool(cognito, idp)
    dance = Dance(server, world, idp)
    refused(dance.browser.post("/saml2/idpresponse", data={"RelayState": "x"}), "carries no SAMLResponse")
    refused(dance.browser.post("/saml2/idpresponse", content=b"SAMLResponse=x"), "carries no SAMLResponse")
    # A refusal spends the sign-in and ends the browser's binding: each case starts its own.
    refused(Dance(server, world, idp).post("!!!not base64!!!"), "The SAML response could not be read.")
    too_large = "A" * (saml_idp.MAX_RESPONSE + 4)
    refused(Dance(server, world, idp).post(too_large), "The SAML response is too large.")
    assert users_of(database, world.pool_id) == []


# ---- IdP-initiated sign-in --------------------------------------------------------------------------------------
def idp_initiated(
    server: Any, world: OAuthPool, idp: TestIdP, provider: dict[str, str] | None = None, **options: Any
) -> tuple[httpx.Client, str, str]:
    """A browser, an unsolicited response and the RelayState naming the app (and the provider: by name unless
    ``provider`` says otherwise) as an IdP-initiated post carries them."""
    relay = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": world.web_id,
            "redirect_uri": CALLBACK,
            **(provider or {"identity_provider": PROVIDER}),
            "scope": "openid email",
        }
    )
    acs = f"{server.url}/saml2/idpresponse"
    response = idp.response(acs, saml_idp.sp_entity_id(world.pool_id), None, server_now(server), **options)
    return http_client(base_url=server.url), response, relay


def test_an_unsolicited_response_is_refused_unless_idp_init(cognito, server, database, idp):
    world = saml_pool(cognito, idp)
    browser, response, relay = idp_initiated(server, world, idp)
    answer = browser.post("/saml2/idpresponse", data={"SAMLResponse": response, "RelayState": relay})
    refused(answer, "does not accept IdP-initiated sign-in")
    assert users_of(database, world.pool_id) == []


def test_idp_initiated_sign_in_when_idp_init_is_true_and_its_replay_is_refused(cognito, server, database, idp):
    world = saml_pool(cognito, idp, IDPInit="true")
    browser, response, relay = idp_initiated(server, world, idp)
    answer = browser.post("/saml2/idpresponse", data={"SAMLResponse": response, "RelayState": relay})
    assert answer.status_code == 302, answer.text
    location = urllib.parse.urlsplit(answer.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    assert "code" in urllib.parse.parse_qs(location.query)
    assert users_of(database, world.pool_id) == [f"{PROVIDER}_bob@example.com"]
    again = http_client(base_url=server.url)
    refused(again.post("/saml2/idpresponse", data={"SAMLResponse": response, "RelayState": relay}), "used already")


def test_idp_initiated_sign_in_may_name_the_provider_by_identifier(cognito, server, database, idp):
    world = saml_pool(cognito, idp, identifiers=("example.com",), IDPInit="true")
    browser, response, relay = idp_initiated(server, world, idp, provider={"idp_identifier": "example.com"})
    answer = browser.post("/saml2/idpresponse", data={"SAMLResponse": response, "RelayState": relay})
    assert answer.status_code == 302 and answer.headers["location"].startswith(CALLBACK + "?code="), answer.text
    assert users_of(database, world.pool_id) == [f"{PROVIDER}_bob@example.com"]


def test_an_idp_initiated_response_answering_a_request_is_refused(cognito, server, database, idp):
    """An IdP-initiated post must be unsolicited: a response that claims to answer a request we never sent is a
    forgery (or a stolen SP-initiated response)."""
    world = saml_pool(cognito, idp, IDPInit="true")
    browser, _, relay = idp_initiated(server, world, idp)
    acs = f"{server.url}/saml2/idpresponse"
    response = idp.response(acs, saml_idp.sp_entity_id(world.pool_id), "_someone-elses", server_now(server))
    refused(
        browser.post("/saml2/idpresponse", data={"SAMLResponse": response, "RelayState": relay}),
        "answers a request this sign-in did not send",
    )
    assert users_of(database, world.pool_id) == []


def test_base64_of_the_test_idp_is_a_real_saml_response(idp):
    """The test IdP's answer is a samlp:Response signed by signxml (a sanity check of the test's own tool)."""
    text = base64.b64decode(idp.response("https://sp.test/acs", "urn:sp", None, 0)).decode()
    assert text.startswith("<samlp:Response") and "<ds:Signature" in text


def test_a_linked_saml_identity_signs_in_as_the_native_user(cognito, server, database, idp):
    """AdminLinkProviderForUser with a SAML attribute (as Cognito allows for SAML): the identity whose assertion
    carries that attribute value signs in as the native user, and no federated user is made."""
    world = saml_pool(cognito, idp)
    cognito.admin_create_user(UserPoolId=world.pool_id, Username="native", MessageAction="SUPPRESS")
    cognito.admin_link_provider_for_user(
        UserPoolId=world.pool_id,
        DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": "native"},
        SourceUser={
            "ProviderName": PROVIDER,
            "ProviderAttributeName": EMAIL_CLAIM,
            "ProviderAttributeValue": "bob@example.com",
        },
    )
    dance = Dance(server, world, idp)
    tokens = dance.tokens(dance.post(dance.response()))
    assert claims(tokens["id_token"])["cognito:username"] == "native"
    assert users_of(database, world.pool_id) == ["native"]
