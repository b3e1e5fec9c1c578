"""The hosted UI as a person uses it: headless Chromium (Debian's chromium and chromium-driver) driven by Selenium,
an app's callback served by a tiny local HTTP server. Sign in with the code grant and PKCE (Chromium applies the
login page's ``form-action`` to the redirect back to the app: it must allow the callback), sign up and confirm with
the code from the outbox, and sign out."""

from __future__ import annotations

import shutil
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.api.test_inbox_browser import browser  # noqa: F401 - the module's Chromium fixture
from tests.helpers import PASSWORD, latest_code, oauth2_client
from tests.oauth_helpers import authorize_params, oauth_pool, pkce_pair
from tests.signin import claims, confirmed_user

# A page's test; the endpoints and the store behind them are proven on both databases by test_oauth_endpoints.
pytestmark = pytest.mark.databases("sqlite")
SCREENSHOT = Path("/tmp/userpool-hosted-ui-login.png")
DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "hosted-ui-login.png"


class App:
    """The app's side: a callback and a signed-out page on localhost, recording what reached them."""

    def __init__(self) -> None:
        seen: list[str] = []
        self.seen = seen

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if not self.path.startswith("/favicon"):
                    seen.append(self.path)
                body = b"<!doctype html><title>app</title><h1>back in the app</h1>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://localhost:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def callback(self) -> str:
        return f"{self.base}/callback"

    def last(self) -> tuple[str, dict[str, str]]:
        path = urllib.parse.urlsplit(self.seen[-1])
        return path.path, dict(urllib.parse.parse_qsl(path.query))


@pytest.fixture
def app() -> Iterator[App]:
    app = App()
    yield app
    app.server.shutdown()


def sign_in_on_the_page(browser, username: str, password: str = PASSWORD) -> None:  # noqa: F811
    browser.find_element(By.ID, "username").send_keys(username)
    browser.find_element(By.ID, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()


def test_code_and_pkce_sign_in_through_the_page_then_sign_out(browser, cognito, server, app):  # noqa: F811
    world = oauth_pool(cognito, callback=app.callback)
    cognito.update_user_pool_client(
        UserPoolId=world.pool_id,
        ClientId=world.web_id,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email"],
        CallbackURLs=[app.callback],
        LogoutURLs=[f"{app.base}/signed-out"],
        SupportedIdentityProviders=["COGNITO"],
    )
    confirmed_user(cognito, world.pool_id, world.web_id, "carol")
    verifier, challenge = pkce_pair()
    params = authorize_params(world.web_id, challenge, redirect_uri=app.callback, nonce="n-123")
    browser.get(f"{server.url}/oauth2/authorize?{urllib.parse.urlencode(params)}")
    WebDriverWait(browser, 15).until(lambda b: "/login?" in b.current_url)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Sign in"
    browser.save_screenshot(str(SCREENSHOT))
    if DOCS_SCREENSHOT.parent.is_dir() and not DOCS_SCREENSHOT.exists():
        shutil.copyfile(SCREENSHOT, DOCS_SCREENSHOT)

    sign_in_on_the_page(browser, "carol", "wrong-Passw0rd")
    [error] = WebDriverWait(browser, 15).until(lambda b: b.find_elements(By.ID, "error"))  # the page answered
    assert error.text == "Incorrect username or password."
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, 15).until(lambda b: b.current_url.startswith(app.callback))
    path, answer = app.last()
    assert path == "/callback" and answer["state"] == params["state"]
    with oauth2_client(world.web_id, token_endpoint_auth_method="none") as client:
        token = client.fetch_token(
            f"{server.url}/oauth2/token", code=answer["code"], redirect_uri=app.callback, code_verifier=verifier
        )
    assert claims(token["id_token"])["cognito:username"] == "carol"
    assert claims(token["id_token"])["nonce"] == "n-123"

    # The session signs the next request in without the form; signing out ends it.
    browser.get(f"{server.url}/oauth2/authorize?{urllib.parse.urlencode({**params, 'prompt': 'none'})}")
    WebDriverWait(browser, 15).until(lambda b: b.current_url.startswith(app.callback))
    assert "code" in app.last()[1]
    query = urllib.parse.urlencode({"client_id": world.web_id, "logout_uri": f"{app.base}/signed-out"})
    browser.get(f"{server.url}/logout?{query}")
    WebDriverWait(browser, 15).until(lambda b: b.current_url.startswith(f"{app.base}/signed-out"))
    browser.get(f"{server.url}/oauth2/authorize?{urllib.parse.urlencode({**params, 'prompt': 'none'})}")
    WebDriverWait(browser, 15).until(lambda b: b.current_url.startswith(app.callback))
    assert app.last()[1]["error"] == "login_required"


def test_sign_up_and_confirm_through_the_pages(browser, cognito, server, app):  # noqa: F811
    world = oauth_pool(cognito, callback=app.callback)
    browser.delete_all_cookies()
    params = authorize_params(world.web_id, redirect_uri=app.callback)
    browser.get(f"{server.url}/oauth2/authorize?{urllib.parse.urlencode(params)}")
    WebDriverWait(browser, 15).until(lambda b: "/login?" in b.current_url)
    browser.find_element(By.LINK_TEXT, "Sign up").click()
    WebDriverWait(browser, 15).until(lambda b: "/signup?" in b.current_url)
    browser.find_element(By.ID, "username").send_keys("dora")
    browser.find_element(By.ID, "attr_email").send_keys("dora@example.com")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, 15).until(lambda b: b.find_elements(By.CSS_SELECTOR, '[data-view="confirm"]'))
    assert "d***@e***" in browser.find_element(By.ID, "note").text
    browser.find_element(By.ID, "code").send_keys(latest_code(server, world.pool_id, "dora"))
    browser.find_element(By.CSS_SELECTOR, "button[value='Confirm account']").click()
    WebDriverWait(browser, 15).until(lambda b: "/login?" in b.current_url)
    assert "confirmed" in browser.find_element(By.ID, "note").text
    assert cognito.admin_get_user(UserPoolId=world.pool_id, Username="dora")["UserStatus"] == "CONFIRMED"
    sign_in_on_the_page(browser, "dora")
    WebDriverWait(browser, 15).until(lambda b: b.current_url.startswith(app.callback))
    assert "code" in app.last()[1]
