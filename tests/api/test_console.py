"""The admin console over HTTP (httpx, as a browser's requests): its pages, each user action through the API's
operations with the stored state checked by the API, AWS's errors on the form, CSRF, who may reach it, and the
activity view. On SQLite and PostgreSQL (the session's servers serve an open loopback console)."""

from __future__ import annotations

import hashlib
import html
import logging
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.exceptions
import httpx
import pytest

from tests import databases
from tests.helpers import PASSWORD, advance_clock, email, error_of, http_client, http_get, secret_hash, sign_up
from userpool.config import Settings
from userpool.testing import LocalUserpool

CONSOLE = "/_userpool/console"
CSRF = re.compile(r'name="_csrf" value="([^"]+)"')


class Browser:
    """An httpx client that keeps cookies and reads the forms' CSRF token, as a browser would."""

    def __init__(self, server: Any, headers: dict[str, str] | None = None) -> None:
        self.http = http_client(base_url=server.url, headers=headers or {})
        self.csrf = ""

    def get(self, path: str, **params: str) -> httpx.Response:
        response = self.http.get(path, params=params) if params else self.http.get(path)
        found = CSRF.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def post(self, path: str, csrf: bool = True, **form: str) -> httpx.Response:
        if csrf:
            assert self.csrf, "get a page with a form first"
            form["_csrf"] = self.csrf
        return self.http.post(path, data=form)


def error_shown(response: httpx.Response) -> tuple[str, str]:
    found = re.search(r"data-error-type>(.*?)</span>: <span data-error-message>(.*?)</span>", response.text, re.S)
    assert found, response.text
    return found.group(1), html.unescape(found.group(2))


def action(browser: Browser, pool_id: str, act: str, **form: str) -> httpx.Response:
    return browser.post(f"{CONSOLE}/pools/{pool_id}/actions/{act}", **form)


@pytest.fixture
def browser(server: LocalUserpool) -> Iterator[Browser]:
    found = Browser(server)
    yield found
    found.http.close()


@pytest.fixture
def pool(make_pool: Any, make_app_client: Any) -> dict[str, Any]:
    made = make_pool(PoolName="console", AutoVerifiedAttributes=["email"])
    flows = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    made["ClientId"] = make_app_client(made["Id"], ExplicitAuthFlows=flows)["ClientId"]
    return made


def user_page(browser: Browser, pool_id: str, username: str) -> httpx.Response:
    return browser.get(f"{CONSOLE}/pools/{pool_id}/user", username=username)


# ---- pages -----------------------------------------------------------------------------------------------------
def test_pools_page_lists_pools_with_their_user_counts(browser, cognito, pool):
    sign_up(cognito, pool["ClientId"], "alice", UserAttributes=email("alice@example.com"))
    sign_up(cognito, pool["ClientId"], "bob", UserAttributes=email("bob@example.com"))
    response = browser.get(CONSOLE)
    row = None
    while row is None:  # the session's store may hold more pools than a page shows
        assert response.status_code == 200
        row = re.search(rf'<tr data-pool="{pool["Id"]}">(.*?)</tr>', response.text, re.S)
        if row is None:
            more = re.search(r'<a href="\?token=([^"]+)">More pools</a>', response.text)
            assert more, "the pool is on no page"
            response = browser.get(CONSOLE, token=urllib.parse.unquote(html.unescape(more.group(1))))
    assert ">console</a>" in row.group(1)
    assert re.search(r"data-user-count>2<", row.group(1))


def test_pool_page_shows_settings_clients_without_their_secret_and_groups(browser, cognito, make_pool):
    made = make_pool(
        PoolName="readable",
        Policies={"PasswordPolicy": {"MinimumLength": 10, "RequireSymbols": True}},
        UsernameAttributes=["email"],
    )
    client = cognito.create_user_pool_client(UserPoolId=made["Id"], ClientName="backend", GenerateSecret=True)
    client = client["UserPoolClient"]
    cognito.create_group(UserPoolId=made["Id"], GroupName="admins", Precedence=1)
    response = browser.get(f"{CONSOLE}/pools/{made['Id']}")
    assert response.status_code == 200
    text = response.text
    assert "<dt>Minimum length</dt><dd>10</dd>" in text
    assert "<dt>Requires</dt><dd>symbols</dd>" in text
    assert "<dt>Username attributes</dt><dd>email</dd>" in text
    assert client["ClientId"] in text and "backend" in text
    assert client["ClientSecret"] not in text
    assert f'<td class="mono" data-secret>…{client["ClientSecret"][-4:]}</td>' in text
    assert "<td>admins</td><td>1</td>" in text


def test_unknown_pool_and_user_are_pages_saying_so(browser, pool):
    response = browser.get(f"{CONSOLE}/pools/us-east-1_nothere00")
    assert response.status_code == 404 and "No such pool" in response.text
    response = user_page(browser, pool["Id"], "nobody")
    assert response.status_code == 404 and "User does not exist." in response.text


def test_search_finds_a_user_by_email_username_or_filter(browser, cognito, pool):
    sign_up(cognito, pool["ClientId"], "carol", UserAttributes=email("carol@example.com"))
    sign_up(cognito, pool["ClientId"], "dave", UserAttributes=email("dave@example.org"))
    users = f"{CONSOLE}/pools/{pool['Id']}/users"

    def listed(**query: str) -> list[str]:
        response = browser.get(users, **query)
        assert response.status_code == 200
        return re.findall(r'<tr data-user="([^"]+)">', response.text)

    assert listed() == ["carol", "dave"]
    assert listed(q="carol@ex") == ["carol"]
    assert listed(q="da") == ["dave"]
    assert listed(filter='email = "dave@example.org"') == ["dave"]
    assert listed(q='no"body') == []


def test_a_bad_filter_is_refused_with_the_list_users_error(browser, cognito, pool):
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        cognito.list_users(UserPoolId=pool["Id"], Filter="nonsense")
    status, kind, message = error_of(refused)
    response = browser.get(f"{CONSOLE}/pools/{pool['Id']}/users", filter="nonsense")
    assert response.status_code == status
    assert error_shown(response) == (kind, message)


def test_users_are_paged(browser, cognito, pool, server):
    for i in range(52):
        if i % 25 == 0:  # at most 25 in a second of the test clock: the pool's UserCreation quota is 50 a second
            advance_clock(server, 1)
        cognito.admin_create_user(UserPoolId=pool["Id"], Username=f"user{i:02}", MessageAction="SUPPRESS")
    first = browser.get(f"{CONSOLE}/pools/{pool['Id']}/users")
    names = re.findall(r'<tr data-user="([^"]+)">', first.text)
    assert names == [f"user{i:02}" for i in range(50)]
    next_url = html.unescape(re.search(r'href="([^"]+)" data-next', first.text).group(1))
    second = browser.get(next_url)
    assert re.findall(r'<tr data-user="([^"]+)">', second.text) == ["user50", "user51"]
    assert "data-next" not in second.text


def test_user_page_shows_attributes_groups_and_messages(browser, cognito, pool, server):
    sign_up(cognito, pool["ClientId"], "erin", UserAttributes=email("erin@example.com"))
    cognito.create_group(UserPoolId=pool["Id"], GroupName="readers")
    cognito.admin_add_user_to_group(UserPoolId=pool["Id"], Username="erin", GroupName="readers")
    response = user_page(browser, pool["Id"], "erin")
    assert response.status_code == 200
    text = response.text
    assert '<span class="badge UNCONFIRMED" data-status>UNCONFIRMED</span>' in text
    assert "erin@example.com" in text and "unverified" in text
    assert "<span data-group>readers</span>" in text
    assert re.search(r"<table data-messages>.*erin@example\.com", text, re.S)
    code = server.latest_code(pool["Id"], "erin")
    assert code not in text  # the console lists messages; codes stay in the inbox


# ---- actions ---------------------------------------------------------------------------------------------------
def test_confirm_then_reset_password(browser, cognito, pool, server):
    sign_up(cognito, pool["ClientId"], "frank", UserAttributes=email("frank@example.com"))
    user_page(browser, pool["Id"], "frank")
    response = action(browser, pool["Id"], "confirm", username="frank")
    assert response.status_code == 303
    assert response.headers["location"] == f"{CONSOLE}/pools/{pool['Id']}/user?username=frank&done=confirm"
    assert cognito.admin_get_user(UserPoolId=pool["Id"], Username="frank")["UserStatus"] == "CONFIRMED"
    assert "The user is confirmed." in browser.get(response.headers["location"]).text

    # A reset code goes to a verified address (AdminConfirmSignUp verifies none).
    cognito.admin_update_user_attributes(
        UserPoolId=pool["Id"], Username="frank", UserAttributes=[{"Name": "email_verified", "Value": "true"}]
    )
    sent = len(server.messages(pool["Id"], "frank"))
    response = action(browser, pool["Id"], "reset-password", username="frank")
    assert response.status_code == 303
    assert cognito.admin_get_user(UserPoolId=pool["Id"], Username="frank")["UserStatus"] == "RESET_REQUIRED"
    assert len(server.messages(pool["Id"], "frank")) == sent + 1  # the reset code


def test_confirming_a_confirmed_user_shows_the_apis_error(browser, cognito, pool):
    cognito.admin_create_user(UserPoolId=pool["Id"], Username="gina", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool["Id"], Username="gina", Password=PASSWORD, Permanent=True)
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        cognito.admin_confirm_sign_up(UserPoolId=pool["Id"], Username="gina")
    status, kind, message = error_of(refused)
    user_page(browser, pool["Id"], "gina")
    response = action(browser, pool["Id"], "confirm", username="gina")
    assert response.status_code == status == 400
    assert error_shown(response) == (kind, message)
    assert "<h1 data-username>gina</h1>" in response.text  # the user's page again, with the error


def test_set_password_enable_disable_and_sign_out(browser, cognito, pool):
    cognito.admin_create_user(UserPoolId=pool["Id"], Username="hal", MessageAction="SUPPRESS")
    user_page(browser, pool["Id"], "hal")
    assert (
        action(browser, pool["Id"], "set-password", username="hal", password=PASSWORD, permanent="on").status_code
        == 303
    )
    assert cognito.admin_get_user(UserPoolId=pool["Id"], Username="hal")["UserStatus"] == "CONFIRMED"
    tokens = cognito.admin_initiate_auth(
        UserPoolId=pool["Id"],
        ClientId=pool["ClientId"],
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "hal", "PASSWORD": PASSWORD},
    )
    access = tokens["AuthenticationResult"]["AccessToken"]
    assert cognito.get_user(AccessToken=access)["Username"] == "hal"
    assert action(browser, pool["Id"], "sign-out", username="hal").status_code == 303
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        cognito.get_user(AccessToken=access)
    assert error_of(refused)[1] == "NotAuthorizedException"

    assert action(browser, pool["Id"], "disable", username="hal").status_code == 303
    assert cognito.admin_get_user(UserPoolId=pool["Id"], Username="hal")["Enabled"] is False
    assert action(browser, pool["Id"], "enable", username="hal").status_code == 303
    assert cognito.admin_get_user(UserPoolId=pool["Id"], Username="hal")["Enabled"] is True


def test_a_password_the_policy_refuses_shows_the_apis_error(browser, cognito, pool):
    cognito.admin_create_user(UserPoolId=pool["Id"], Username="ivy", MessageAction="SUPPRESS")
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        cognito.admin_set_user_password(UserPoolId=pool["Id"], Username="ivy", Password="short", Permanent=True)
    user_page(browser, pool["Id"], "ivy")
    response = action(browser, pool["Id"], "set-password", username="ivy", password="short", permanent="on")
    status, kind, message = error_of(refused)
    assert response.status_code == status
    assert error_shown(response) == (kind, message)
    assert kind == "InvalidPasswordException"


def test_add_and_remove_a_group(browser, cognito, pool):
    cognito.admin_create_user(UserPoolId=pool["Id"], Username="jack", MessageAction="SUPPRESS")
    cognito.create_group(UserPoolId=pool["Id"], GroupName="editors")
    user_page(browser, pool["Id"], "jack")
    assert action(browser, pool["Id"], "add-group", username="jack", group="editors").status_code == 303
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool["Id"], Username="jack")["Groups"]
    assert [g["GroupName"] for g in groups] == ["editors"]

    response = action(browser, pool["Id"], "add-group", username="jack", group="missing")
    assert response.status_code == 400
    assert error_shown(response) == ("ResourceNotFoundException", "Group not found.")

    assert action(browser, pool["Id"], "remove-group", username="jack", group="editors").status_code == 303
    assert cognito.admin_list_groups_for_user(UserPoolId=pool["Id"], Username="jack")["Groups"] == []


def test_update_an_attribute(browser, cognito, pool):
    cognito.admin_create_user(UserPoolId=pool["Id"], Username="kim", MessageAction="SUPPRESS")
    user_page(browser, pool["Id"], "kim")
    assert (
        action(browser, pool["Id"], "update-attribute", username="kim", name="given_name", value="Kim").status_code
        == 303
    )
    attributes = cognito.admin_get_user(UserPoolId=pool["Id"], Username="kim")["UserAttributes"]
    assert {"Name": "given_name", "Value": "Kim"} in attributes

    with pytest.raises(botocore.exceptions.ClientError) as refused:
        cognito.admin_update_user_attributes(
            UserPoolId=pool["Id"], Username="kim", UserAttributes=[{"Name": "custom:nope", "Value": "x"}]
        )
    response = action(browser, pool["Id"], "update-attribute", username="kim", name="custom:nope", value="x")
    status, kind, message = error_of(refused)
    assert response.status_code == status and error_shown(response) == (kind, message)


def test_create_a_user_and_resend_their_invitation(browser, cognito, pool, server):
    browser.get(f"{CONSOLE}/pools/{pool['Id']}/users")
    response = action(
        browser, pool["Id"], "create", username="lee", email="lee@example.com", email_verified="on", invite="on"
    )
    assert response.status_code == 303
    user = cognito.admin_get_user(UserPoolId=pool["Id"], Username="lee")
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]
    assert len(server.messages(pool["Id"], "lee")) == 1

    assert action(browser, pool["Id"], "resend", username="lee", invitation="yes", medium="EMAIL").status_code == 303
    assert len(server.messages(pool["Id"], "lee")) == 2


def test_creating_a_taken_username_shows_the_apis_error_and_creates_nothing(browser, cognito, pool):
    cognito.admin_create_user(UserPoolId=pool["Id"], Username="mia", MessageAction="SUPPRESS")
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        cognito.admin_create_user(UserPoolId=pool["Id"], Username="mia", MessageAction="SUPPRESS")
    browser.get(f"{CONSOLE}/pools/{pool['Id']}/users")
    response = action(browser, pool["Id"], "create", username="mia")
    status, kind, message = error_of(refused)
    assert response.status_code == status and kind == "UsernameExistsException"
    assert error_shown(response) == (kind, message)
    assert len(cognito.list_users(UserPoolId=pool["Id"])["Users"]) == 1


def test_resend_a_sign_up_code_through_a_confidential_client(browser, cognito, pool, server):
    client = cognito.create_user_pool_client(UserPoolId=pool["Id"], ClientName="secret", GenerateSecret=True)
    client = client["UserPoolClient"]
    cognito.sign_up(
        ClientId=client["ClientId"],
        Username="ned",
        Password=PASSWORD,
        SecretHash=secret_hash(client["ClientSecret"], "ned", client["ClientId"]),
        UserAttributes=email("ned@example.com"),
    )
    user_page(browser, pool["Id"], "ned")
    assert action(browser, pool["Id"], "resend", username="ned", client_id=client["ClientId"]).status_code == 303
    assert len(server.messages(pool["Id"], "ned")) == 2


def test_a_test_sign_in_shows_the_tokens_claims_or_the_challenge(browser, cognito, pool):
    cognito.admin_create_user(
        UserPoolId=pool["Id"], Username="vera", MessageAction="SUPPRESS", TemporaryPassword=PASSWORD
    )
    user_page(browser, pool["Id"], "vera")
    asked = action(browser, pool["Id"], "test-sign-in", username="vera", client_id=pool["ClientId"], password=PASSWORD)
    assert asked.status_code == 200
    assert "data-challenge>NEW_PASSWORD_REQUIRED<" in asked.text

    cognito.admin_set_user_password(UserPoolId=pool["Id"], Username="vera", Password=PASSWORD, Permanent=True)
    response = action(
        browser, pool["Id"], "test-sign-in", username="vera", client_id=pool["ClientId"], password=PASSWORD
    )
    assert response.status_code == 200
    claims = re.search(r'data-claims="ID token">(.*?)</dl>', response.text, re.S).group(1)
    assert '<dt class="mono">cognito:username</dt><dd>vera</dd>' in claims
    assert f'<dt class="mono">aud</dt><dd>{pool["ClientId"]}</dd>' in claims
    access = re.search(r'data-claims="Access token">(.*?)</dl>', response.text, re.S).group(1)
    assert '<dt class="mono">token_use</dt><dd>access</dd>' in access
    assert "eyJ" not in response.text  # no token itself

    wrong = action(
        browser, pool["Id"], "test-sign-in", username="vera", client_id=pool["ClientId"], password="Wr0ng!pass"
    )
    assert wrong.status_code == 400
    assert error_shown(wrong) == ("NotAuthorizedException", "Incorrect username or password.")


def test_delete_asks_first_then_deletes(browser, cognito, pool):
    cognito.admin_create_user(UserPoolId=pool["Id"], Username="olga", MessageAction="SUPPRESS")
    page = browser.get(f"{CONSOLE}/pools/{pool['Id']}/user/delete", username="olga")
    assert page.status_code == 200, page.text
    assert 'name="confirmed" value="yes"' in page.text

    unconfirmed = action(browser, pool["Id"], "delete", username="olga")
    assert unconfirmed.status_code == 200 and "data-confirm-delete" in unconfirmed.text  # asked, nothing deleted
    assert cognito.admin_get_user(UserPoolId=pool["Id"], Username="olga")["Username"] == "olga"

    response = action(browser, pool["Id"], "delete", username="olga", confirmed="yes")
    assert response.status_code == 303
    assert response.headers["location"] == f"{CONSOLE}/pools/{pool['Id']}/users?done=deleted"
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        cognito.admin_get_user(UserPoolId=pool["Id"], Username="olga")
    assert error_of(refused)[1] == "UserNotFoundException"


def test_an_unknown_action_is_refused(browser, pool):
    browser.get(f"{CONSOLE}/pools/{pool['Id']}/users")
    response = action(browser, pool["Id"], "explode", username="x")
    assert response.status_code == 404 and "No such action" in response.text


# ---- CSRF and headers ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("csrf", [None, "forged"])
def test_a_post_without_the_forms_csrf_token_is_refused_and_changes_nothing(browser, cognito, pool, csrf):
    cognito.admin_create_user(UserPoolId=pool["Id"], Username="pat", MessageAction="SUPPRESS")
    browser.get(CONSOLE)  # the browser has its CSRF cookie
    form = {"username": "pat", "confirmed": "yes"}
    if csrf is not None:
        form["_csrf"] = csrf
    response = browser.post(f"{CONSOLE}/pools/{pool['Id']}/actions/delete", csrf=False, **form)
    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert cognito.admin_get_user(UserPoolId=pool["Id"], Username="pat")["Username"] == "pat"


def test_a_csrf_token_of_another_browser_is_refused(server, cognito, pool):
    cognito.admin_create_user(UserPoolId=pool["Id"], Username="quinn", MessageAction="SUPPRESS")
    ours, theirs = Browser(server), Browser(server)
    theirs.get(CONSOLE)
    ours.get(CONSOLE)
    response = ours.post(
        f"{CONSOLE}/pools/{pool['Id']}/actions/disable", csrf=False, username="quinn", _csrf=theirs.csrf
    )
    assert response.status_code == 403
    assert cognito.admin_get_user(UserPoolId=pool["Id"], Username="quinn")["Enabled"] is True


def test_pages_may_not_be_framed_and_run_only_their_own_script(browser):
    response = browser.get(CONSOLE)
    assert response.headers["x-frame-options"] == "DENY"
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "default-src 'none'" in csp
    cookie = response.headers["set-cookie"]
    assert "XSRF-TOKEN=" in cookie and "HttpOnly" in cookie


def test_an_open_console_answers_only_requests_to_a_loopback_name(server):
    rebound = Browser(server, headers={"Host": "evil.example"})
    response = rebound.get(CONSOLE)
    assert response.status_code == 403
    assert "The console answers only requests to a loopback address." in response.text


# ---- activity --------------------------------------------------------------------------------------------------
def test_activity_shows_requests_by_operation_and_outcome_without_secrets(browser, raw_cognito, cognito, pool):
    secret = "Sup3rSecret!!"
    sign_up(cognito, pool["ClientId"], "ruth", password=secret, UserAttributes=email("ruth@example.com"))
    with pytest.raises(botocore.exceptions.ClientError):
        raw_cognito.sign_up(ClientId=pool["ClientId"], Username="sam", Password="weakpassword")
    feed = browser.get(f"{CONSOLE}/activity.json", pool=pool["Id"]).json()["requests"]
    refused = next(r for r in feed if r["username"] == "sam")
    assert (refused["operation"], refused["outcome"]) == ("SignUp", "InvalidPasswordException")
    assert refused["message"].startswith("Password did not conform with policy: ")
    assert refused["door"] == "api" and refused["poolId"] == pool["Id"]
    signed_up = next(r for r in feed if r["username"] == "ruth")
    assert (signed_up["operation"], signed_up["outcome"], signed_up["message"]) == ("SignUp", "ok", None)

    page = browser.get(f"{CONSOLE}/activity", pool=pool["Id"])
    assert page.status_code == 200
    assert "InvalidPasswordException" in page.text and "sam" in page.text
    assert secret not in page.text and "weakpassword" not in page.text
    assert secret not in str(feed) and "weakpassword" not in str(feed)

    errors = browser.get(f"{CONSOLE}/activity.json", pool=pool["Id"], errors="1").json()["requests"]
    assert errors and all(r["outcome"] != "ok" for r in errors)


def test_console_actions_appear_in_the_activity_as_console_requests(browser, cognito, pool):
    cognito.admin_create_user(UserPoolId=pool["Id"], Username="tess", MessageAction="SUPPRESS")
    user_page(browser, pool["Id"], "tess")
    action(browser, pool["Id"], "disable", username="tess")
    feed = browser.get(f"{CONSOLE}/activity.json", pool=pool["Id"]).json()["requests"]
    assert feed[0]["operation"] == "AdminDisableUser" and feed[0]["door"] == "console"
    assert not any(r["operation"] == "AdminGetUser" for r in feed)  # the pages' own reads are not activity


def test_the_inbox_is_part_of_the_console(browser):
    response = browser.get("/_userpool/inbox")
    assert response.status_code == 200
    assert f'href="{CONSOLE}/activity"' in response.text
    assert '<a href="/_userpool/inbox" aria-current="page">Inbox</a>' in response.text


# ---- who may reach it ------------------------------------------------------------------------------------------
def on_store(server: LocalUserpool, data_dir: Path, **settings: Any) -> LocalUserpool:
    """Another server on the session server's store and secret key, with these settings."""
    key_file = server.data_dir / "secret.key"
    return LocalUserpool(
        data_dir, clock_control=True, database_url=server.database_url, secret_key_file=key_file, **settings
    )


@pytest.fixture
def remote(tmp_path: Path, server: LocalUserpool) -> Iterator[LocalUserpool]:
    """A server whose settings bind a non-loopback address and configure a console password and an access key."""
    found = on_store(
        server,
        tmp_path / "data",
        host="0.0.0.0",
        console_password="correct horse battery",
        access_keys={"AKIDCONSOLE": "console-secret-key"},
    ).start()
    yield found
    found.stop()


def test_off_on_a_non_loopback_address_without_a_credential(tmp_path, server):
    with on_store(server, tmp_path / "data", host="0.0.0.0") as other:
        assert http_get(f"{other.url}{CONSOLE}").status_code == 404
        assert http_get(f"{other.url}{CONSOLE}/login").status_code == 404


def test_off_when_turned_off(tmp_path, server):
    with on_store(server, tmp_path / "data", console=False) as other:
        assert http_get(f"{other.url}{CONSOLE}").status_code == 404


def test_a_credential_is_needed_when_one_is_configured(remote, cognito):
    anonymous = Browser(remote)
    response = anonymous.http.get(CONSOLE)
    assert (
        response.status_code == 303 and response.headers["location"] == f"{CONSOLE}/login?next=%2F_userpool%2Fconsole"
    )
    feed = anonymous.http.get(f"{CONSOLE}/activity.json")
    assert feed.status_code == 401
    pool_id = cognito.create_user_pool(PoolName="remote")["UserPool"]["Id"]  # on the same store
    anonymous.get(f"{CONSOLE}/login")
    refused = anonymous.post(f"{CONSOLE}/pools/{pool_id}/actions/create", username="zed")
    assert refused.status_code == 403 and "Sign in first" in refused.text
    assert cognito.list_users(UserPoolId=pool_id)["Users"] == []


@pytest.mark.parametrize(
    ("form", "who"),
    [
        ({"password": "correct horse battery"}, "console-password"),
        ({"access_key_id": "AKIDCONSOLE", "secret_access_key": "console-secret-key"}, "AKIDCONSOLE"),
    ],
)
def test_sign_in_with_the_password_or_an_access_key(remote, form, who):
    browser = Browser(remote)
    browser.get(f"{CONSOLE}/login")
    response = browser.post(f"{CONSOLE}/login", next=f"{CONSOLE}/activity", **form)
    assert response.status_code == 303 and response.headers["location"] == f"{CONSOLE}/activity"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("userpool-console=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    page = browser.get(f"{CONSOLE}/activity")
    assert page.status_code == 200 and f"data-who>{who}<" in page.text

    assert browser.post(f"{CONSOLE}/logout").status_code == 303
    assert browser.http.get(CONSOLE).status_code == 303  # signed out


@pytest.mark.parametrize(
    "form",
    [
        {"password": "wrong"},
        {"password": ""},
        {"access_key_id": "AKIDCONSOLE", "secret_access_key": "wrong"},
        {"access_key_id": "AKIDOTHER", "secret_access_key": "console-secret-key"},
        {"access_key_id": "console-password", "secret_access_key": "correct horse battery"},
    ],
)
def test_wrong_credentials_are_refused(remote, form):
    browser = Browser(remote)
    browser.get(f"{CONSOLE}/login")
    response = browser.post(f"{CONSOLE}/login", **form)
    assert response.status_code == 401 and "Those credentials are not right." in response.text
    assert "userpool-console=" not in response.headers.get("set-cookie", "")


def test_a_login_without_csrf_is_refused(remote):
    browser = Browser(remote)
    browser.get(f"{CONSOLE}/login")
    response = browser.post(f"{CONSOLE}/login", csrf=False, password="correct horse battery")
    assert response.status_code == 403 and "userpool-console=" not in response.headers.get("set-cookie", "")


def test_a_session_ends_with_its_time_and_with_its_password(remote, tmp_path, server):
    browser = Browser(remote)
    browser.get(f"{CONSOLE}/login")
    browser.post(f"{CONSOLE}/login", password="correct horse battery")
    assert browser.http.get(CONSOLE).status_code == 200
    forged = browser.http.cookies["userpool-console"].rsplit(".", 1)[0] + "." + "0" * 64
    assert http_get(f"{remote.url}{CONSOLE}", cookies={"userpool-console": forged}).status_code == 303

    # Another server on the same store and key with another password does not take the cookie.
    cookie = browser.http.cookies["userpool-console"]
    with on_store(server, tmp_path / "other", host="0.0.0.0", console_password="a different password") as other:
        assert http_get(f"{other.url}{CONSOLE}", cookies={"userpool-console": cookie}).status_code == 303
    with on_store(server, tmp_path / "same", host="0.0.0.0", console_password="correct horse battery") as same:
        assert http_get(f"{same.url}{CONSOLE}", cookies={"userpool-console": cookie}).status_code == 200

    remote.advance_clock(12 * 3600 + 1)
    assert browser.http.get(CONSOLE).status_code == 303


def signed_in_browser(server: LocalUserpool) -> Browser:
    browser = Browser(server)
    browser.get(f"{CONSOLE}/login")
    assert browser.post(f"{CONSOLE}/login", password="correct horse battery").status_code == 303
    assert browser.get(CONSOLE).status_code == 200
    return browser


def stored_session(server: LocalUserpool, cookie: str) -> list[tuple[Any, ...]]:
    """Who the console session of the cookie's token names, and its lifetime (the cookie is
    ``who.expires.token.signature``)."""
    token = cookie.split(".")[2]
    id_hash = hashlib.sha256(token.encode()).hexdigest()
    return databases.query(
        server.database_url, "SELECT who, expires_at - created_at FROM console_sessions WHERE id_hash = :h", h=id_hash
    )


def test_a_cookie_copied_before_sign_out_is_refused_after_it(remote, tmp_path, server):
    browser = signed_in_browser(remote)
    copied = browser.http.cookies["userpool-console"]
    assert stored_session(remote, copied) != []
    assert browser.post(f"{CONSOLE}/logout").status_code == 303
    assert stored_session(remote, copied) == []
    refused = http_get(f"{remote.url}{CONSOLE}", cookies={"userpool-console": copied})
    assert refused.status_code == 303 and refused.headers["location"].startswith(f"{CONSOLE}/login")
    assert http_get(f"{remote.url}{CONSOLE}/activity.json", cookies={"userpool-console": copied}).status_code == 401
    # Refused on every process on the store, at once.
    with on_store(server, tmp_path / "same", host="0.0.0.0", console_password="correct horse battery") as same:
        assert http_get(f"{same.url}{CONSOLE}", cookies={"userpool-console": copied}).status_code == 303
    # Another sign-in is a new session; the old cookie stays refused.
    again = signed_in_browser(remote)
    assert again.http.cookies["userpool-console"] != copied
    assert http_get(f"{remote.url}{CONSOLE}", cookies={"userpool-console": copied}).status_code == 303


def test_signing_out_on_one_server_ends_the_session_on_another(remote, tmp_path, server):
    browser = signed_in_browser(remote)
    cookie = browser.http.cookies["userpool-console"]
    with on_store(server, tmp_path / "same", host="0.0.0.0", console_password="correct horse battery") as same:
        assert http_get(f"{same.url}{CONSOLE}", cookies={"userpool-console": cookie}).status_code == 200
        assert browser.post(f"{CONSOLE}/logout").status_code == 303
        assert http_get(f"{same.url}{CONSOLE}", cookies={"userpool-console": cookie}).status_code == 303


def test_an_expired_session_is_refused_and_swept_at_a_later_sign_in(remote):
    browser = signed_in_browser(remote)
    cookie = browser.http.cookies["userpool-console"]
    [(who, lifetime)] = stored_session(remote, cookie)
    assert who == "console-password" and 12 * 3600 - 1 < lifetime <= 12 * 3600
    remote.advance_clock(12 * 3600 - 60)
    assert browser.http.get(CONSOLE).status_code == 200
    remote.advance_clock(61)
    refused = browser.http.get(CONSOLE)
    assert refused.status_code == 303 and refused.headers["location"].startswith(f"{CONSOLE}/login")
    assert http_get(f"{remote.url}{CONSOLE}", cookies={"userpool-console": cookie}).status_code == 303
    assert stored_session(remote, cookie) != []  # until a sign-in sweeps it
    signed_in_browser(remote)
    assert stored_session(remote, cookie) == []


def test_the_store_keeps_a_hash_of_the_token_never_the_cookie(remote):
    cookie = signed_in_browser(remote).http.cookies["userpool-console"]
    token = cookie.split(".")[2]
    assert len(token) >= 40
    [(id_hash, who)] = databases.query(
        remote.database_url,
        "SELECT id_hash, who FROM console_sessions WHERE id_hash = :h",
        h=hashlib.sha256(token.encode()).hexdigest(),
    )
    assert who == "console-password" and id_hash != token and token not in id_hash and cookie != id_hash
    rows = databases.query(remote.database_url, "SELECT id_hash, who FROM console_sessions")
    assert not any(token in value or "correct horse battery" in value for row in rows for value in row)


def test_a_short_console_password_is_a_configuration_error(tmp_path):
    with pytest.raises(ValueError, match="console_password\n  Value should have at least 12 items"):
        Settings(data_dir=tmp_path, console_password="short")


def test_sign_in_attempts_are_limited_per_address(remote):
    remote.advance_clock(1000 * 3600)  # a window of this test's own on the shared store
    browser = Browser(remote)
    browser.get(f"{CONSOLE}/login")
    for _ in range(20):
        assert browser.post(f"{CONSOLE}/login", password="wrong guess").status_code == 401
    refused = browser.post(f"{CONSOLE}/login", password="correct horse battery")
    assert refused.status_code == 429
    assert "Too many sign-in attempts from this address. Try again in an hour." in refused.text
    assert "userpool-console=" not in refused.headers.get("set-cookie", "")
    remote.advance_clock(3600)
    assert browser.post(f"{CONSOLE}/login", password="correct horse battery").status_code == 303


def test_every_action_and_sign_in_is_logged_with_who_took_it(remote, cognito, caplog):
    caplog.set_level(logging.INFO, logger="userpool.console")
    pool_id = cognito.create_user_pool(PoolName="logged")["UserPool"]["Id"]
    cognito.admin_create_user(UserPoolId=pool_id, Username="uli", MessageAction="SUPPRESS")
    browser = Browser(remote)
    browser.get(f"{CONSOLE}/login")
    browser.post(f"{CONSOLE}/login", access_key_id="AKIDCONSOLE", secret_access_key="console-secret-key")
    user_page(browser, pool_id, "uli")
    action(browser, pool_id, "disable", username="uli")
    action(browser, pool_id, "set-password", username="uli", password="x")
    lines = [r.getMessage() for r in caplog.records if r.name == "userpool.console"]
    assert "console sign-in by AKIDCONSOLE from 127.0.0.1" in lines
    assert f"console action disable by AKIDCONSOLE from 127.0.0.1: pool {pool_id} user 'uli': ok" in lines
    assert (
        f"console action set-password by AKIDCONSOLE from 127.0.0.1: pool {pool_id} user 'uli': "
        "InvalidParameterException"
    ) in lines
    assert not any("console-secret-key" in line for line in caplog.messages)
