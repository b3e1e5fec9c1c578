"""CONFIRM_WITH_LINK end to end over HTTP: the link message, GET /confirmUser and its pages."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
from botocore.exceptions import ClientError

from tests.helpers import advance_clock, email, error_of, outbox, sign_up

LINK_TEMPLATE = {"DefaultEmailOption": "CONFIRM_WITH_LINK"}


def get(url: str, method: str = "GET") -> tuple[int, str, dict[str, str]]:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.read().decode(), {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), {k.lower(): v for k, v in error.headers.items()}


def outcome(page: str) -> str:
    return re.search(r'data-outcome="([^"]+)"', page).group(1)


def title(page: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", page).group(1)


def status_of(cognito, pool_id, username):
    return cognito.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"]


@pytest.fixture
def link_pool(make_pool, make_app_client):
    pool = make_pool(AutoVerifiedAttributes=["email"], VerificationMessageTemplate=LINK_TEMPLATE)
    return pool["Id"], make_app_client(pool["Id"])["ClientId"]


@pytest.fixture
def linked(cognito, link_pool, server):
    """(pool id, client id, the message) of "alice", signed up in a link pool."""
    pool_id, client_id = link_pool
    sign_up(cognito, client_id, UserAttributes=email("alice@example.com"))
    [message] = outbox(server, pool_id, "alice")
    return pool_id, client_id, message


def test_the_link_message_uses_cognitos_default_link_texts(linked, server):
    _, client_id, message = linked
    code = message["code"]
    link = f"{server.url}/confirmUser?client_id={client_id}&user_name=alice&confirmation_code={code}"
    assert message["link"] == link
    assert message["subject"] == "Your verification link"
    assert message["body"] == f"Please click the link below to verify your email address. Verify Email <{link}> "


def test_the_link_confirms_the_user_and_verifies_the_email(cognito, linked):
    pool_id, _, message = linked
    status, page, headers = get(message["link"])
    assert (status, outcome(page), title(page)) == (200, "confirmed", "Your registration has been confirmed")
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["content-security-policy"].startswith("default-src 'none';")  # no scripts, nothing from outside
    assert headers["referrer-policy"] == "no-referrer"  # the code in the URL goes nowhere else
    assert headers["cache-control"] == "no-store"
    assert status_of(cognito, pool_id, "alice") == "CONFIRMED"
    attributes = cognito.admin_get_user(UserPoolId=pool_id, Username="alice")["UserAttributes"]
    assert {"Name": "email_verified", "Value": "true"} in attributes


def test_opening_the_link_twice_says_already_confirmed(linked):
    _, _, message = linked
    assert get(message["link"])[0] == 200
    status, page, _ = get(message["link"])
    assert (status, outcome(page)) == (409, "already-confirmed")
    assert "alice" in page


def test_a_user_in_another_status_cannot_be_confirmed_by_a_link(cognito, link_pool, server):
    pool_id, client_id = link_pool
    cognito.admin_create_user(UserPoolId=pool_id, Username="bob", MessageAction="SUPPRESS")
    query = {"client_id": client_id, "user_name": "bob", "confirmation_code": "123456"}
    status, page, _ = get(f"{server.url}/confirmUser?{urllib.parse.urlencode(query)}")
    assert (status, outcome(page), title(page)) == (409, "not-confirmable", "This account cannot be confirmed")
    assert "User cannot be confirmed. Current status is FORCE_CHANGE_PASSWORD" in page
    assert '<p class="who' not in page  # the user is named only when the link did confirm them
    assert status_of(cognito, pool_id, "bob") == "FORCE_CHANGE_PASSWORD"


def test_a_head_request_does_not_use_the_link(cognito, linked):
    pool_id, _, message = linked
    assert get(message["link"], "HEAD")[0] == 200
    assert status_of(cognito, pool_id, "alice") == "UNCONFIRMED"
    assert get(message["link"])[0] == 200


def test_an_expired_link_says_so_and_a_resent_link_works(cognito, linked, server):
    pool_id, client_id, message = linked
    advance_clock(server, 24 * 3600 + 1)
    status, page, _ = get(message["link"])
    assert (status, outcome(page), title(page)) == (410, "expired", "This confirmation link has expired")
    assert status_of(cognito, pool_id, "alice") == "UNCONFIRMED"
    cognito.resend_confirmation_code(ClientId=client_id, Username="alice")
    newest = outbox(server, pool_id, "alice")[-1]
    assert newest["link"] != message["link"]
    assert get(message["link"])[0] == 400  # the old code was replaced
    assert get(newest["link"])[0] == 200
    assert status_of(cognito, pool_id, "alice") == "CONFIRMED"


def test_a_wrong_code_is_an_invalid_link_and_counts_as_an_attempt(cognito, linked):
    pool_id, client_id, message = linked
    wrong = f"{(int(message['code']) + 1) % 1_000_000:06d}"
    bad_link = message["link"].replace(f"confirmation_code={message['code']}", f"confirmation_code={wrong}")
    for _ in range(5):
        status, page, _ = get(bad_link)
        assert (status, outcome(page)) == (400, "code-mismatch")
    # The same attempt limit as ConfirmSignUp: the right code no longer works until a new one is sent.
    status, page, _ = get(message["link"])
    assert (status, outcome(page)) == (429, "too-many-attempts")
    with pytest.raises(ClientError) as e:
        cognito.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=message["code"])
    assert error_of(e) == (400, "LimitExceededException", "Attempt limit exceeded, please try after some time.")
    assert status_of(cognito, pool_id, "alice") == "UNCONFIRMED"


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"client_id": "x", "user_name": "alice"},
        {"client_id": "", "user_name": "alice", "confirmation_code": "123456"},
        {"client_id": "x", "user_name": "alice", "confirmation_code": "1" * 2049},
    ],
    ids=["nothing", "no-code", "empty-client", "overlong-code"],
)
def test_an_incomplete_link_is_a_bad_request(server, query):
    status, page, _ = get(f"{server.url}/confirmUser?{urllib.parse.urlencode(query)}")
    assert (status, outcome(page)) == (400, "incomplete")


def test_unknown_client_or_user_is_not_found(server, linked):
    _, client_id, message = linked
    status, page, _ = get(message["link"].replace(client_id, "nosuchclient0000000000000a"))
    assert (status, outcome(page)) == (404, "unknown")
    status, page, _ = get(message["link"].replace("user_name=alice", "user_name=nobody"))
    assert (status, outcome(page)) == (404, "unknown")


def test_the_page_escapes_what_the_link_carries(server, cognito, make_pool, make_app_client):
    pool = make_pool(AutoVerifiedAttributes=["email"], VerificationMessageTemplate=LINK_TEMPLATE)
    client_id = make_app_client(pool["Id"])["ClientId"]
    name = "<script>alert(1)</script>"
    sign_up(cognito, client_id, username=name, UserAttributes=email("x@example.com"))
    [message] = outbox(server, pool["Id"], name)
    assert message["link"].endswith(
        f"&user_name=%3Cscript%3Ealert%281%29%3C%2Fscript%3E&confirmation_code={message['code']}"
    )
    status, page, _ = get(message["link"])
    assert status == 200
    assert get(message["link"])[0] == 409  # the page that names the user
    page = get(message["link"])[1]
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_email_username_pool_links_by_the_users_sub(cognito, make_pool, make_app_client, server):
    pool = make_pool(
        AutoVerifiedAttributes=["email"], UsernameAttributes=["email"], VerificationMessageTemplate=LINK_TEMPLATE
    )
    client_id = make_app_client(pool["Id"])["ClientId"]
    sub = sign_up(cognito, client_id, username="bob@example.com")["UserSub"]
    [message] = outbox(server, pool["Id"], sub)
    assert f"&user_name={sub}&" in message["link"]
    assert get(message["link"])[0] == 200
    assert status_of(cognito, pool["Id"], "bob@example.com") == "CONFIRMED"


def test_a_code_pool_sends_no_link_and_a_custom_link_template_is_used(cognito, make_pool, make_app_client, server):
    code_pool = make_pool(AutoVerifiedAttributes=["email"])
    sign_up(cognito, make_app_client(code_pool["Id"])["ClientId"], UserAttributes=email("c@example.com"))
    assert outbox(server, code_pool["Id"], "alice")[0]["link"] is None

    template = {
        **LINK_TEMPLATE,
        "EmailMessageByLink": "Hi {username}! {##Confirm my account##}",
        "EmailSubjectByLink": "Confirm your account",
    }
    pool = make_pool(AutoVerifiedAttributes=["email"], VerificationMessageTemplate=template)
    sign_up(cognito, make_app_client(pool["Id"])["ClientId"], UserAttributes=email("d@example.com"))
    [message] = outbox(server, pool["Id"], "alice")
    assert message["subject"] == "Confirm your account"
    assert message["body"] == f"Hi alice! Confirm my account <{message['link']}>"
