"""The hosted UI's MFA steps over HTTP, as a browser posts them (cookies, the CSRF field): the code page of SMS_MFA,
EMAIL_OTP and SOFTWARE_TOKEN_MFA, the SELECT_MFA_TYPE choice, MFA_SETUP's authenticator; a pool with MFA ON never
gets a code or tokens out of the hosted UI without the second factor; an expired, spent or forged challenge
session goes back to the login form with Cognito's text. The challenge ``Session`` travels in the signed
``cognito-signin`` cookie, never in a URL or the page."""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
from collections.abc import Iterator
from typing import Any

import httpx
import pyotp
import pytest

from tests.api.test_mfa import PHONE, SES_EMAIL, next_step, register_totp, server_now, set_mfa_config
from tests.helpers import advance_clock, http_client, http_post, latest_code
from tests.oauth_helpers import (
    CALLBACK,
    OAuthPool,
    authorize_params,
    code_from,
    csrf_of,
    log_in,
    oauth_pool,
    pkce_pair,
    query_of,
)
from tests.signin import claims, confirmed_user, password_auth

SIGNIN_COOKIE = "cognito-signin"
MISMATCH = "Invalid code received for user"


@pytest.fixture
def browser(server) -> Iterator[httpx.Client]:
    with http_client(base_url=server.url, follow_redirects=False) as client:
        yield client


def mfa_oauth_pool(
    cognito: Any,
    mode: str = "ON",
    sms: bool = False,
    totp: bool = True,
    email: bool = False,
    callback: str = CALLBACK,
) -> OAuthPool:
    """An OAuth pool (hosted UI, the web client) with the given MFA factors."""
    world = oauth_pool(cognito, callback, **({"EmailConfiguration": SES_EMAIL} if email else {}))
    set_mfa_config(cognito, world.pool_id, mode, sms, totp, email)
    return world


def phone_user(cognito: Any, world: OAuthPool, username: str = "alice") -> None:
    attributes = [{"Name": "email", "Value": f"{username}@example.com"}, {"Name": "phone_number", "Value": PHONE}]
    confirmed_user(cognito, world.pool_id, world.web_id, username, UserAttributes=attributes)


def totp_user(server: Any, cognito: Any, world: OAuthPool, username: str = "alice") -> str:
    """A user whose authenticator is registered and preferred (done while the pool is OPTIONAL); its secret."""
    confirmed_user(cognito, world.pool_id, world.web_id, username)
    access = password_auth(cognito, world.web_id, username)["AuthenticationResult"]["AccessToken"]
    secret = register_totp(server, cognito, access)
    cognito.set_user_mfa_preference(
        AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    return secret


def pending(browser: httpx.Client) -> list[str]:
    """The ``cognito-signin`` cookie's content: client id, username, challenge, Session, what the page shows."""
    value = browser.cookies[SIGNIN_COOKIE].rpartition(".")[0]
    return json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))


def view_of(page: httpx.Response) -> str:
    found = re.search(r'data-view="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def error_on(page: httpx.Response) -> str:
    found = re.search(r'id="error">([^<]*)<', page.text)
    assert found, page.text
    return found.group(1)


def post(browser: httpx.Client, path: str, params: dict[str, str], page: httpx.Response, **data: str) -> Any:
    return browser.post(f"{path}?{urllib.parse.urlencode(params)}", data={"_csrf": csrf_of(page.text), **data})


def assert_no_code_yet(browser: httpx.Client, page: httpx.Response, params: dict[str, str]) -> None:
    """The challenge page: no redirect, no hosted-UI session, the Session nowhere but in the signed cookie."""
    assert page.status_code in (200, 400) and "location" not in page.headers
    assert "cognito" not in browser.cookies
    session = pending(browser)[3]
    assert len(session) > 20 and session not in page.text and 'name="session"' not in page.text
    again = browser.get("/oauth2/authorize", params={**params, "prompt": "none"})
    assert query_of(again.headers["location"])["error"] == "login_required"


# ---- the code page ---------------------------------------------------------------------------------------------
def test_totp_code_page_then_the_callback_and_the_session_cookie(server, browser, cognito, frozen_clock):
    world = mfa_oauth_pool(cognito, mode="OPTIONAL")
    secret = totp_user(server, cognito, world)
    cognito.set_user_pool_mfa_config(
        UserPoolId=world.pool_id, MfaConfiguration="ON", SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    verifier, challenge = pkce_pair()
    params = authorize_params(world.web_id, challenge)
    page = log_in(browser, params)
    assert view_of(page) == "mfa-code" and "Enter the code from your authenticator app" in page.text
    assert pending(browser)[:3] == [world.web_id, "alice", "SOFTWARE_TOKEN_MFA"]
    assert_no_code_yet(browser, page, params)

    wrong = "000000" if pyotp.TOTP(secret).at(server_now(server)) != "000000" else "111111"
    refused = post(browser, "/mfa", params, page, code=wrong)
    assert refused.status_code == 400 and view_of(refused) == "mfa-code" and error_on(refused) == MISMATCH
    assert_no_code_yet(browser, refused, params)
    empty = post(browser, "/mfa", params, refused, code=" ")
    assert empty.status_code == 400 and error_on(empty) == "Enter the code."

    done = post(browser, "/mfa", params, empty, code=pyotp.TOTP(secret).at(server_now(server)))
    code = code_from(done, params["state"])
    assert SIGNIN_COOKIE not in browser.cookies and "cognito" in browser.cookies
    with http_client() as client:
        token = client.post(
            f"{server.url}/oauth2/token",
            data={
                "grant_type": "authorization_code",
                "client_id": world.web_id,
                "code": code,
                "redirect_uri": CALLBACK,
                "code_verifier": verifier,
            },
        ).json()
    assert claims(token["id_token"])["cognito:username"] == "alice"
    # the hosted-UI session, as after a password-only sign-in: the next authorize needs no form
    code_from(browser.get("/oauth2/authorize", params={**params, "prompt": "none"}), params["state"])


def test_sms_code_page_with_the_outbox_code(server, browser, cognito, frozen_clock):
    world = mfa_oauth_pool(cognito, sms=True, totp=False)
    phone_user(cognito, world)
    params = authorize_params(world.web_id)
    page = log_in(browser, params)
    assert view_of(page) == "mfa-code" and "Enter the code we sent to +*******0123" in page.text
    assert_no_code_yet(browser, page, params)
    code = latest_code(server, world.pool_id, "alice")
    refused = post(browser, "/mfa", params, page, code="000000" if code != "000000" else "111111")
    assert error_on(refused) == MISMATCH
    code_from(post(browser, "/mfa", params, refused, code=code), params["state"])
    attributes = cognito.admin_get_user(UserPoolId=world.pool_id, Username="alice")["UserAttributes"]
    assert {"Name": "phone_number_verified", "Value": "true"} in attributes  # as the API's SMS_MFA answer does


def test_a_confidential_client_answers_with_its_secret_hash(server, browser, cognito, frozen_clock):
    world = mfa_oauth_pool(cognito, sms=True, totp=False)
    phone_user(cognito, world)
    params = authorize_params(world.confidential_id)
    page = log_in(browser, params)
    assert view_of(page) == "mfa-code" and pending(browser)[0] == world.confidential_id
    done = post(browser, "/mfa", params, page, code=latest_code(server, world.pool_id, "alice"))
    code_from(done, params["state"])


def test_email_code_page_with_the_outbox_code(server, browser, cognito, frozen_clock):
    world = mfa_oauth_pool(cognito, mode="OPTIONAL", totp=False, email=True)
    confirmed_user(cognito, world.pool_id, world.web_id, "alice")
    cognito.admin_set_user_mfa_preference(
        UserPoolId=world.pool_id, Username="alice", EmailMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    params = authorize_params(world.web_id)
    page = log_in(browser, params)
    assert view_of(page) == "mfa-code" and "Enter the code we sent to a***@e***" in page.text
    assert pending(browser)[2] == "EMAIL_OTP"
    code_from(post(browser, "/mfa", params, page, code=latest_code(server, world.pool_id, "alice")), params["state"])


def test_select_mfa_type_then_the_chosen_factors_code(server, browser, cognito, frozen_clock):
    world = mfa_oauth_pool(cognito, mode="OPTIONAL", sms=True)
    phone_user(cognito, world)
    access = password_auth(cognito, world.web_id)["AuthenticationResult"]["AccessToken"]
    register_totp(server, cognito, access)
    cognito.set_user_mfa_preference(
        AccessToken=access, SMSMfaSettings={"Enabled": True}, SoftwareTokenMfaSettings={"Enabled": True}
    )
    params = authorize_params(world.web_id)
    page = log_in(browser, params)
    assert view_of(page) == "select-mfa"
    assert re.findall(r'type="radio" id="mfa-[A-Z_]+" name="mfa" value="([A-Z_]+)"', page.text) == [
        "SMS_MFA",
        "SOFTWARE_TOKEN_MFA",
    ]
    assert_no_code_yet(browser, page, params)
    refused = post(browser, "/selectMfa", params, page, mfa="EMAIL_OTP")
    assert refused.status_code == 400 and error_on(refused) == "Choose how to get your code."
    chosen = post(browser, "/selectMfa", params, refused, mfa="SMS_MFA")
    assert view_of(chosen) == "mfa-code" and "+*******0123" in chosen.text
    assert pending(browser)[2] == "SMS_MFA"
    # the code page's form, not the choice's, answers now
    stale = post(browser, "/selectMfa", params, chosen, mfa="SMS_MFA")
    assert view_of(stale) == "login" and error_on(stale) == "Invalid session for the user."
    assert SIGNIN_COOKIE not in browser.cookies


def test_mfa_setup_over_http_with_a_wrong_code_first(server, browser, cognito, frozen_clock):
    world = mfa_oauth_pool(cognito)
    confirmed_user(cognito, world.pool_id, world.web_id, "alice")
    params = authorize_params(world.web_id)
    page = log_in(browser, params)
    assert view_of(page) == "mfa-setup"
    assert_no_code_yet(browser, page, params)
    secret = re.search(r'id="secret" class="secret">([A-Z2-7]+)<', page.text).group(1)
    uri = re.search(r'id="otpauth" class="secret">([^<]+)<', page.text).group(1)
    assert uri == f"otpauth://totp/oauth%3Aalice?secret={secret}&amp;issuer=oauth"
    wrong = "000000" if pyotp.TOTP(secret).at(server_now(server)) != "000000" else "111111"
    refused = post(browser, "/mfaSetup", params, page, code=wrong)
    assert refused.status_code == 400 and error_on(refused) == "Code mismatch and fail enable Software Token MFA"
    assert secret in refused.text  # the same key, shown again
    done = post(browser, "/mfaSetup", params, refused, code=pyotp.TOTP(secret).at(server_now(server)))
    code_from(done, params["state"])
    user = cognito.admin_get_user(UserPoolId=world.pool_id, Username="alice")
    assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    # next time: the authenticator's code
    next_step(server)
    browser.cookies.clear()
    assert view_of(log_in(browser, params)) == "mfa-code"


# ---- MFA ON: never a code without the second factor ----------------------------------------------------------------
def test_a_pool_with_mfa_on_gives_no_code_without_the_second_factor(server, browser, cognito, frozen_clock):
    world = mfa_oauth_pool(cognito, sms=True)
    phone_user(cognito, world)  # SMS is the factor it has
    confirmed_user(cognito, world.pool_id, world.web_id, "bob")  # no factor: must set one up
    for username, view in (("alice", "mfa-code"), ("bob", "mfa-setup")):
        browser.cookies.clear()
        params = authorize_params(world.web_id)
        page = log_in(browser, params, username=username)
        assert view_of(page) == view
        assert_no_code_yet(browser, page, params)
        # the implicit grant neither
        implicit = authorize_params(world.web_id, response_type="token")
        browser.cookies.clear()
        page = log_in(browser, implicit, username=username)
        assert view_of(page) == view and "location" not in page.headers
        # MFA_SETUP cannot be answered before an authenticator is verified
        if view == "mfa-setup":
            skipped = post(browser, "/mfa", implicit, page, code="123456")
            assert view_of(skipped) == "login" and error_on(skipped) == "Invalid session for the user."


# ---- expired, spent and forged sessions -----------------------------------------------------------------------------
def sms_sign_in(server: Any, browser: httpx.Client, cognito: Any) -> tuple[dict[str, str], httpx.Response, str]:
    """alice signed in with her password in an SMS pool: the authorize parameters, the code page, the code."""
    world = mfa_oauth_pool(cognito, sms=True, totp=False)
    phone_user(cognito, world)
    params = authorize_params(world.web_id)
    page = log_in(browser, params)
    return params, page, latest_code(server, world.pool_id, "alice")


def test_an_expired_session_goes_back_to_login_with_cognitos_text(server, browser, cognito, frozen_clock):
    params, page, code = sms_sign_in(server, browser, cognito)
    advance_clock(server, 181)
    late = post(browser, "/mfa", params, page, code=code)
    assert late.status_code == 400 and view_of(late) == "login"
    assert error_on(late) == "Invalid session for the user, session is expired."
    assert SIGNIN_COOKIE not in browser.cookies and "cognito" not in browser.cookies


def test_three_wrong_codes_spend_the_session(server, browser, cognito, frozen_clock):
    params, page, code = sms_sign_in(server, browser, cognito)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        page = post(browser, "/mfa", params, page, code=wrong)
        assert error_on(page) == MISMATCH
    spent = post(browser, "/mfa", params, page, code=code)
    assert view_of(spent) == "login"
    assert error_on(spent) == "Invalid session for the user, session can only be used once."


def test_a_forged_or_missing_session_cookie_gives_nothing(server, browser, cognito, frozen_clock):
    world = mfa_oauth_pool(cognito, sms=True, totp=False)
    phone_user(cognito, world)
    phone_user(cognito, world, "mallory")
    params = authorize_params(world.web_id)
    page = log_in(browser, params, username="mallory")
    mallory = browser.cookies[SIGNIN_COOKIE]
    browser.cookies.clear()
    page = log_in(browser, params)
    code = latest_code(server, world.pool_id, "alice")
    alice = browser.cookies[SIGNIN_COOKIE]
    csrf, xsrf = csrf_of(page.text), browser.cookies["XSRF-TOKEN"]
    url = f"{server.url}/mfa?{urllib.parse.urlencode(params)}"

    def post_with(cookie: str | None) -> httpx.Response:
        cookies = f"XSRF-TOKEN={xsrf}" + (f"; {SIGNIN_COOKIE}={cookie}" if cookie is not None else "")
        return http_post(url, data={"_csrf": csrf, "code": code}, headers={"Cookie": cookies})

    value, _, signature = alice.rpartition(".")
    fields = pending(browser)
    other = base64.urlsafe_b64encode(json.dumps([*fields[:1], "mallory", *fields[2:]]).encode()).decode()
    forged = [
        None,  # no cookie
        f"{value}.{'0' * len(signature)}",  # a wrong signature
        f"{other.rstrip('=')}.{signature}",  # alice's session for another user, her signature
        f"{mallory.rpartition('.')[0]}.{signature}",  # mallory's content, alice's signature
        "garbage",
    ]
    for cookie in forged:
        answer = post_with(cookie)
        assert answer.status_code == 400 and view_of(answer) == "login", cookie
        assert error_on(answer) == "Invalid session for the user."
    # a real cookie of another client is refused too
    confidential = authorize_params(world.confidential_id)
    answer = http_post(
        f"{server.url}/mfa?{urllib.parse.urlencode(confidential)}",
        data={"_csrf": csrf, "code": code},
        headers={"Cookie": f"XSRF-TOKEN={xsrf}; {SIGNIN_COOKIE}={alice}"},
    )
    assert view_of(answer) == "login" and error_on(answer) == "Invalid session for the user."
    # without the CSRF field nothing is answered; alice's cookie still works afterwards
    assert (
        http_post(
            url, data={"code": code}, headers={"Cookie": f"XSRF-TOKEN={xsrf}; {SIGNIN_COOKIE}={alice}"}
        ).status_code
        == 403
    )
    code_from(post_with(alice), params["state"])
