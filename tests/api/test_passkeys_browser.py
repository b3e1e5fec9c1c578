"""A passkey registered and used in a real browser: headless Chromium with the DevTools virtual authenticator
(Selenium's ``add_virtual_authenticator``: a CTAP2 platform authenticator with resident keys and user
verification). An app's page on ``http://localhost`` (a secure context, so WebAuthn works without TLS; the relying
party is ``localhost``) calls ``navigator.credentials.create`` with StartWebAuthnRegistration's options and hands
the result to CompleteWebAuthnRegistration, then signs in with USER_AUTH and ``navigator.credentials.get`` and
receives tokens. No crypto is made by the test: the browser's authenticator signs, the server verifies."""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.virtual_authenticator import Transport, VirtualAuthenticatorOptions
from selenium.webdriver.support.ui import WebDriverWait

from tests.api.test_inbox_browser import browser  # noqa: F401 - the module's Chromium fixture
from tests.api.test_passkeys import PASSKEY_POLICY, passkey_pool, stored_passkeys
from tests.helpers import http_post, oauth2_client
from tests.oauth_helpers import authorize_params, oauth_pool, pkce_pair
from tests.signin import claims, confirmed_user, password_auth

# A page's test; the operations and the store behind it are proven on both databases by test_passkeys.
pytestmark = pytest.mark.databases("sqlite")
PAGE = (Path(__file__).parent / "passkey_page.html").read_bytes()


class App:
    """The app's side on ``http://localhost:<port>``: the passkey page, and ``POST /api`` handed on to userpool
    (as an app's own backend would; it keeps the page and the API on one origin)."""

    def __init__(self, userpool_url: str) -> None:
        seen: list[str] = []
        self.seen = seen

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if not self.path.startswith("/favicon"):
                    seen.append(self.path)
                self._send(200, "text/html", PAGE)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {k: self.headers[k] for k in ("Content-Type", "X-Amz-Target")}
                answer = http_post(userpool_url, content=body, headers=headers)
                self._send(answer.status_code, "application/x-amz-json-1.1", answer.content)

            def _send(self, status: int, kind: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://localhost:{self.server.server_address[1]}/"
        self.callback = f"{self.url}callback"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def app(server) -> Iterator[App]:
    app = App(server.url)
    yield app
    app.server.shutdown()


@pytest.fixture
def authenticator(browser) -> Iterator[None]:  # noqa: F811
    """Chromium's virtual authenticator: a platform authenticator that keeps passkeys and verifies its user."""
    browser.add_virtual_authenticator(
        VirtualAuthenticatorOptions(
            protocol="ctap2",
            transport=Transport.INTERNAL,
            has_resident_key=True,
            has_user_verification=True,
            is_user_verified=True,
        )
    )
    yield
    browser.remove_virtual_authenticator()


def run(browser, script: str, *args: Any) -> Any:  # noqa: F811
    """Call one of the page's async functions; its result, or the error it threw."""
    browser.set_script_timeout(30)
    outcome = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        f"{script}(...Array.from(arguments).slice(0, -1))"
        ".then((value) => done({value}), (error) => done({error: String(error)}));",
        *args,
    )
    assert "error" not in outcome, outcome["error"]
    return outcome["value"]


def test_a_passkey_made_by_chromiums_authenticator_registers_and_signs_in(
    browser,  # noqa: F811
    authenticator,
    cognito,
    database,
    app,
):
    world = passkey_pool(cognito, config={"RelyingPartyId": "localhost", "UserVerification": "required"})
    browser.get(app.url)
    assert browser.execute_script("return window.isSecureContext") is True

    credential_id = run(browser, "registerPasskey", world.token)
    [described] = cognito.list_web_authn_credentials(AccessToken=world.token)["Credentials"]
    assert described["CredentialId"] == credential_id
    assert described["RelyingPartyId"] == "localhost"
    assert described["AuthenticatorTransports"] == ["internal"]
    [credential] = browser.get_credentials()
    assert credential.is_resident_credential and credential.rp_id == "localhost"
    assert credential.user_handle is not None

    tokens = run(browser, "signInWithPasskey", world.client_id, "alice")
    assert claims(tokens["AccessToken"])["username"] == "alice"
    assert claims(tokens["IdToken"])["sub"] == world.sub
    assert cognito.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"
    [(stored_id, count, _, _)] = stored_passkeys(database, world.pool_id)
    assert stored_id == credential_id and count >= 1

    # The same authenticator signs in again; its counter moves on and the server keeps up.
    run(browser, "signInWithPasskey", world.client_id, "alice")
    assert stored_passkeys(database, world.pool_id)[0][1] > count


def test_the_hosted_ui_signs_in_with_a_passkey(
    browser,  # noqa: F811
    authenticator,
    cognito,
    server,
    app,
):
    """The login page's passkey button: the passkey step's page asks Chromium's authenticator (its script, the UI's
    own) and the sign-in ends at the app's callback with a code, as a password sign-in does."""
    world = oauth_pool(cognito, callback=app.callback, Policies=PASSKEY_POLICY)
    cognito.set_user_pool_mfa_config(UserPoolId=world.pool_id, WebAuthnConfiguration={"RelyingPartyId": "localhost"})
    confirmed_user(cognito, world.pool_id, world.web_id, "carol")
    token = password_auth(cognito, world.web_id, "carol")["AuthenticationResult"]["AccessToken"]
    browser.get(app.url)
    run(browser, "registerPasskey", token)  # the relying party is localhost, whatever the port

    hosted = server.url.replace("127.0.0.1", "localhost")
    verifier, challenge = pkce_pair()
    params = authorize_params(world.web_id, challenge, redirect_uri=app.callback)
    browser.get(f"{hosted}/oauth2/authorize?{urllib.parse.urlencode(params)}")
    WebDriverWait(browser, 15).until(lambda b: "/login?" in b.current_url)
    browser.find_element(By.ID, "username").send_keys("carol")
    browser.find_element(By.ID, "passkey").click()
    WebDriverWait(browser, 15).until(lambda b: b.find_elements(By.CSS_SELECTOR, "[data-view=passkey]"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Sign in with your passkey"
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, 15).until(lambda b: b.current_url.startswith(app.callback))
    answer = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(app.seen[-1]).query))
    assert answer["state"] == params["state"]
    with oauth2_client(world.web_id, token_endpoint_auth_method="none") as client:
        tokens = client.fetch_token(
            f"{server.url}/oauth2/token", code=answer["code"], redirect_uri=app.callback, code_verifier=verifier
        )
    assert claims(tokens["id_token"])["cognito:username"] == "carol"


def test_the_hosted_ui_offers_passkeys_only_where_the_pool_allows_them_to_users_who_have_one(
    browser,  # noqa: F811
    cognito,
    server,
    app,
):
    for policy, offered in ((None, False), (PASSKEY_POLICY, True)):
        world = oauth_pool(cognito, callback=app.callback, **({"Policies": policy} if policy else {}))
        params = authorize_params(world.web_id, pkce_pair()[1], redirect_uri=app.callback)
        browser.get(f"{server.url}/oauth2/authorize?{urllib.parse.urlencode(params)}")
        WebDriverWait(browser, 15).until(lambda b: "/login?" in b.current_url)
        assert bool(browser.find_elements(By.ID, "passkey")) is offered
    cognito.set_user_pool_mfa_config(UserPoolId=world.pool_id, WebAuthnConfiguration={"RelyingPartyId": "localhost"})
    confirmed_user(cognito, world.pool_id, world.web_id, "dave")
    browser.find_element(By.ID, "username").send_keys("dave")
    browser.find_element(By.ID, "passkey").click()
    WebDriverWait(browser, 15).until(lambda b: b.find_elements(By.ID, "error"))
    assert browser.find_element(By.ID, "error").text == "This account has no passkey."
    assert "/login?" in browser.current_url
