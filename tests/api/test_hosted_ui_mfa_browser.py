"""The hosted UI's MFA pages as a person uses them, in headless Chromium (as tests/api/test_hosted_ui_browser.py
starts it): an authenticator's code (computed with pyotp from the secret registered through boto3), a wrong code
shown on the form, and MFA_SETUP through the page (the secret read off the page), each ending at the app's
callback with a code that gives the user's tokens."""

from __future__ import annotations

import urllib.parse
from typing import Any

import pyotp
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.api.test_hosted_ui_browser import App, app, sign_in_on_the_page  # noqa: F401 - the app fixture
from tests.api.test_hosted_ui_mfa import MISMATCH, mfa_oauth_pool, totp_user
from tests.api.test_inbox_browser import browser  # noqa: F401 - the module's Chromium fixture
from tests.api.test_mfa import server_now
from tests.helpers import oauth2_client
from tests.oauth_helpers import OAuthPool, authorize_params, pkce_pair
from tests.signin import claims, confirmed_user


def world_for(cognito: Any, app: App, mode: str) -> OAuthPool:  # noqa: F811
    return mfa_oauth_pool(cognito, mode=mode, callback=app.callback)


def start(browser: Any, server: Any, app: App, world: OAuthPool, username: str = "alice") -> tuple[str, str]:  # noqa: F811
    """A fresh browser at the login page, the password form posted; the PKCE verifier and the state."""
    browser.get(f"{server.url}/error")
    browser.delete_all_cookies()
    verifier, challenge = pkce_pair()
    params = authorize_params(world.web_id, challenge, redirect_uri=app.callback)
    browser.get(f"{server.url}/oauth2/authorize?{urllib.parse.urlencode(params)}")
    WebDriverWait(browser, 15).until(lambda b: "/login?" in b.current_url)
    page = browser.find_element(By.TAG_NAME, "html")
    sign_in_on_the_page(browser, username)
    WebDriverWait(browser, 15).until(gone(page))
    return verifier, params["state"]


def view(browser: Any) -> str:  # noqa: F811
    return browser.find_element(By.CSS_SELECTOR, "section.card").get_attribute("data-view")


def submit_code(browser: Any, code: str) -> None:  # noqa: F811
    field = browser.find_element(By.ID, "code")
    field.clear()
    field.send_keys(code)
    page = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    answered(browser, page)


def gone(page: Any) -> Any:
    """A wait condition: ``page``'s element no longer belongs to the window's document. Chromium may say so, in the
    middle of a navigation, with an inspector error instead of a stale-element one (selenium's ``staleness_of``
    lets that escape the wait)."""

    def check(_: Any) -> bool:
        try:
            page.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise
        return False

    return check


def answered(browser: Any, page: Any) -> None:  # noqa: F811
    """Wait until ``page`` is gone and the next one is loaded (its card is there), or the app has it."""
    WebDriverWait(browser, 15).until(gone(page))
    WebDriverWait(browser, 15).until(
        lambda b: (
            b.execute_script("return document.readyState") == "complete"
            and bool(b.find_elements(By.CSS_SELECTOR, "section.card") or "/callback" in b.current_url)
        )
    )


def back_in_the_app(browser: Any, server: Any, app: App, world: OAuthPool, verifier: str, state: str) -> dict:  # noqa: F811
    WebDriverWait(browser, 15).until(lambda b: b.current_url.startswith(app.callback))
    path, answer = app.last()
    assert path == "/callback" and answer["state"] == state
    with oauth2_client(world.web_id, token_endpoint_auth_method="none") as client:
        token = client.fetch_token(
            f"{server.url}/oauth2/token", code=answer["code"], redirect_uri=app.callback, code_verifier=verifier
        )
    return claims(token["id_token"])


def test_sign_in_with_an_authenticator_code(browser, cognito, server, app, frozen_clock):  # noqa: F811
    world = world_for(cognito, app, "OPTIONAL")
    secret = totp_user(server, cognito, world)
    verifier, state = start(browser, server, app, world)
    assert view(browser) == "mfa-code"
    assert browser.find_element(By.CSS_SELECTOR, "label[for=code]").text == "Enter the code from your authenticator app"
    assert not app.seen
    submit_code(browser, pyotp.TOTP(secret).at(server_now(server)))
    assert back_in_the_app(browser, server, app, world, verifier, state)["cognito:username"] == "alice"


def test_a_wrong_code_is_shown_on_the_form_then_the_right_one_signs_in(browser, cognito, server, app, frozen_clock):  # noqa: F811
    world = world_for(cognito, app, "OPTIONAL")
    secret = totp_user(server, cognito, world)
    cognito.set_user_pool_mfa_config(
        UserPoolId=world.pool_id, MfaConfiguration="ON", SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    right = pyotp.TOTP(secret).at(server_now(server))
    verifier, state = start(browser, server, app, world)
    submit_code(browser, "000000" if right != "000000" else "111111")
    assert browser.find_element(By.ID, "error").text == MISMATCH
    assert view(browser) == "mfa-code" and not app.seen
    submit_code(browser, right)
    assert back_in_the_app(browser, server, app, world, verifier, state)["cognito:username"] == "alice"


def test_set_up_the_authenticator_on_the_page(browser, cognito, server, app, frozen_clock):  # noqa: F811
    world = world_for(cognito, app, "ON")
    confirmed_user(cognito, world.pool_id, world.web_id, "alice")
    verifier, state = start(browser, server, app, world)
    assert view(browser) == "mfa-setup"
    browser.save_screenshot("/tmp/userpool-hosted-ui-mfa-setup.png")
    secret = browser.find_element(By.ID, "secret").text
    assert browser.find_element(By.ID, "otpauth").text == f"otpauth://totp/oauth%3Aalice?secret={secret}&issuer=oauth"
    submit_code(browser, pyotp.TOTP(secret).at(server_now(server)))
    assert back_in_the_app(browser, server, app, world, verifier, state)["cognito:username"] == "alice"
    user = cognito.admin_get_user(UserPoolId=world.pool_id, Username="alice")
    assert user["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
