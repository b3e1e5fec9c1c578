"""Federated sign-in as a person does it, in headless Chromium: the app's authorize request (authlib builds it,
PKCE S256) reaches the login page, the person picks "Continue with Corp", signs in on the provider's page (another
pool's hosted UI on the same server) and lands back in the app, which exchanges the code with authlib."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.api.test_hosted_ui_browser import App, app, sign_in_on_the_page  # noqa: F401 - the app's callback fixture
from tests.api.test_inbox_browser import browser  # noqa: F401 - the module's Chromium fixture
from tests.federation_helpers import PROVIDER, federated_world, upstream_user
from tests.helpers import oauth2_client
from tests.signin import claims

# A page's test; the flow and the store behind it are proven on both databases by test_federation.py.
pytestmark = pytest.mark.databases("sqlite")


def test_a_person_signs_in_with_the_provider_from_the_login_page(browser, cognito, server, app: Any):  # noqa: F811
    world = federated_world(cognito, server.url, callback=app.callback)
    sub = upstream_user(cognito, world, "erin")
    browser.delete_all_cookies()
    verifier = "v" * 64
    with world.app() as client:
        url, state = client.create_authorization_url(f"{server.url}/oauth2/authorize", code_verifier=verifier)
    browser.get(url)
    WebDriverWait(browser, 15).until(lambda b: "/login?" in b.current_url)
    browser.find_element(By.ID, f"idp-{PROVIDER}").click()
    # The provider's own sign-in page (the upstream pool's hosted UI).
    WebDriverWait(browser, 15).until(lambda b: "/login?" in b.current_url and world.upstream_client in b.current_url)
    sign_in_on_the_page(browser, "erin")
    WebDriverWait(browser, 15).until(lambda b: b.current_url.startswith(app.callback))
    path, answer = app.last()
    assert path == "/callback" and answer["state"] == state
    with oauth2_client(world.app_client, token_endpoint_auth_method="none") as client:
        token = client.fetch_token(
            f"{server.url}/oauth2/token", code=answer["code"], redirect_uri=app.callback, code_verifier=verifier
        )
    id_token = claims(token["id_token"])
    assert id_token["cognito:username"] == f"{PROVIDER}_{sub}"
    assert id_token["email"] == "erin@corp.example"
    assert [i["providerName"] for i in id_token["identities"]] == [PROVIDER]
