"""SAML sign-in as a person makes it, in headless Chromium (Selenium): the app's authorize request (or the login
page's provider button) → the test's SAML IdP (tests/saml_idp.py: its page posts the signed response, as an IdP
does after its own sign-in) → ``/saml2/idpresponse`` → the app's callback with a code → tokens. A tampered
response ends on the error page, nothing created."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.api.test_hosted_ui_browser import App
from tests.api.test_inbox_browser import browser  # noqa: F401 - the module's Chromium fixture
from tests.api.test_saml_federation import EMAIL_CLAIM, PROVIDER, saml_pool, server_now, users_of
from tests.helpers import oauth2_client
from tests.oauth_helpers import authorize_params, pkce_pair
from tests.saml_idp import TestIdP
from tests.signin import claims

# A page's test: the endpoints and the store behind them are proven on both databases by test_saml_federation.
pytestmark = pytest.mark.databases("sqlite")


@pytest.fixture
def app() -> Iterator[App]:
    app = App()
    yield app
    app.server.shutdown()


@pytest.fixture
def idp(server) -> Iterator[TestIdP]:
    served = TestIdP(subject="dana@example.com", attributes={EMAIL_CLAIM: ["dana@example.com"]}).serve()
    served.clock = lambda: server_now(server)  # the session server's clock may have been moved by other tests
    yield served
    served.close()


def saml_app(cognito, idp: TestIdP, callback: str) -> tuple[str, str]:
    world = saml_pool(
        cognito, idp, callback=callback, MetadataURL=f"{idp.base_url}/metadata", RequestSigningAlgorithm="rsa-sha256"
    )
    return world.pool_id, world.web_id


def through_the_idp(browser) -> None:  # noqa: F811
    WebDriverWait(browser, 15).until(lambda b: b.find_elements(By.ID, "continue"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Test IdP"
    browser.find_element(By.ID, "continue").click()


def test_sign_in_with_the_saml_idp_from_the_login_page_to_tokens(browser, cognito, server, app, idp):  # noqa: F811
    pool_id, client_id = saml_app(cognito, idp, app.callback)
    verifier, challenge = pkce_pair()
    params = authorize_params(client_id, challenge, redirect_uri=app.callback, nonce="n-saml")
    browser.delete_all_cookies()
    browser.get(f"{server.url}/oauth2/authorize?{urllib.parse.urlencode(params)}")
    WebDriverWait(browser, 15).until(lambda b: "/login?" in b.current_url)
    browser.find_element(By.ID, f"idp-{PROVIDER}").click()
    through_the_idp(browser)
    WebDriverWait(browser, 15).until(lambda b: b.current_url.startswith(app.callback))
    path, answer = app.last()
    assert path == "/callback" and answer["state"] == params["state"]
    assert "Signature" in idp.requests[-1]  # RequestSigningAlgorithm: the AuthnRequest was signed
    with oauth2_client(client_id, token_endpoint_auth_method="none") as client:
        token = client.fetch_token(
            f"{server.url}/oauth2/token", code=answer["code"], redirect_uri=app.callback, code_verifier=verifier
        )
    id_token = claims(token["id_token"])
    assert id_token["cognito:username"] == f"{PROVIDER}_dana@example.com"
    assert id_token["email"] == "dana@example.com" and id_token["nonce"] == "n-saml"
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=f"{PROVIDER}_dana@example.com")
    assert user["UserStatus"] == "EXTERNAL_PROVIDER"


def test_a_tampered_response_ends_on_the_error_page(browser, cognito, server, app, idp, database):  # noqa: F811
    pool_id, client_id = saml_app(cognito, idp, app.callback)
    _, challenge = pkce_pair()
    params = authorize_params(client_id, challenge, redirect_uri=app.callback, identity_provider=PROVIDER)
    idp.options["tamper"] = ("dana@example.com</saml:NameID>", "mallory@example.com</saml:NameID>")
    browser.delete_all_cookies()
    browser.get(f"{server.url}/oauth2/authorize?{urllib.parse.urlencode(params)}")
    through_the_idp(browser)
    WebDriverWait(browser, 15).until(lambda b: b.current_url.startswith(f"{server.url}/saml2/idpresponse"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Something went wrong"
    assert "signature is not valid for the identity provider" in browser.find_element(By.TAG_NAME, "main").text
    assert app.seen == [] and users_of(database, pool_id) == []
