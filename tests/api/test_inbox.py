"""GET /_userpool/inbox: the outbox as a page, newest first, filtered per pool and user, everything escaped."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.helpers import email, make_client, sign_up
from tests.server import in_process


def inbox(server, **query) -> tuple[int, str, dict[str, str]]:
    url = f"{server.url}/_userpool/inbox?{urllib.parse.urlencode(query)}"
    try:
        with urllib.request.urlopen(url) as response:
            return response.status, response.read().decode(), {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), {}


def message_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-message-id="([0-9]+)"', page)]


def codes(page: str) -> list[str]:
    return re.findall(r"<div class=\"digits\" data-code>([0-9]+)</div>", page)


def test_newest_first_with_the_code_shown(cognito, make_pool, make_app_client, server):
    pool = make_pool(PoolName="inbox-order", AutoVerifiedAttributes=["email"])
    client_id = make_app_client(pool["Id"])["ClientId"]
    sign_up(cognito, client_id, username="first", UserAttributes=email("first@example.com"))
    sign_up(cognito, client_id, username="second", UserAttributes=email("second@example.com"))
    status, page, headers = inbox(server, userPoolId=pool["Id"])
    assert status == 200
    assert headers["content-security-policy"].startswith("default-src 'none';")
    ids = message_ids(page)
    assert len(ids) == 2 and ids[0] > ids[1]
    assert page.index("second@example.com") < page.index("first@example.com")
    assert all(re.fullmatch(r"[0-9]{6}", c) for c in codes(page))
    assert f'<option value="{pool["Id"]}" selected>inbox-order (2)</option>' in page


def test_filter_by_user(cognito, make_pool, make_app_client, server):
    pool = make_pool(AutoVerifiedAttributes=["email"])
    client_id = make_app_client(pool["Id"])["ClientId"]
    sign_up(cognito, client_id, username="keep", UserAttributes=email("keep@example.com"))
    sign_up(cognito, client_id, username="other", UserAttributes=email("other@example.com"))
    _, page, _ = inbox(server, userPoolId=pool["Id"], username="keep")
    assert len(message_ids(page)) == 1
    assert "keep@example.com" in page and "other@example.com" not in page
    _, page, _ = inbox(server, userPoolId=pool["Id"], username="nobody")
    assert message_ids(page) == [] and "No messages for this filter yet." in page


def test_everything_a_user_sent_is_escaped(cognito, make_pool, make_app_client, server):
    pool = make_pool(
        AutoVerifiedAttributes=["email"],
        VerificationMessageTemplate={"EmailSubject": "<i>Subject</i>", "EmailMessage": "Hi {username}: {####}"},
    )
    client_id = make_app_client(pool["Id"])["ClientId"]
    name = "<script>alert('x')</script>"
    sign_up(cognito, client_id, username=name, UserAttributes=email("<img>src=x@e.com"))
    _, page, _ = inbox(server, userPoolId=pool["Id"], username=name)
    assert "<script>" not in page and "<img>" not in page and "<i>" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "&lt;img&gt;src=x@e.com" in page
    assert "&lt;i&gt;Subject&lt;/i&gt;" in page


def test_link_messages_are_clickable(cognito, make_pool, make_app_client, server):
    pool = make_pool(
        AutoVerifiedAttributes=["email"], VerificationMessageTemplate={"DefaultEmailOption": "CONFIRM_WITH_LINK"}
    )
    client_id = make_app_client(pool["Id"])["ClientId"]
    sign_up(cognito, client_id, UserAttributes=email("link@example.com"))
    _, page, _ = inbox(server, userPoolId=pool["Id"])
    [href] = re.findall(r'<a href="([^"]+)" data-confirm-link', page)
    assert href.startswith(f"{server.url}/confirmUser?client_id={client_id}&amp;user_name=alice&amp;")


@pytest.fixture(scope="module")
def private_server(tmp_path_factory):
    server = in_process(tmp_path_factory.mktemp("private") / "data", expose_outbox=False)
    yield server
    server.stop()


def test_the_inbox_follows_the_outbox_exposure_rule_but_links_still_work(private_server):
    assert inbox(private_server)[0] == 404
    cognito = make_client(private_server.url)
    pool_id = cognito.create_user_pool(PoolName="p", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c")["UserPoolClient"]["ClientId"]
    sign_up(cognito, client_id, UserAttributes=email("a@example.com"))
    query = urllib.parse.urlencode({"client_id": client_id, "user_name": "alice", "confirmation_code": "000000"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(f"{private_server.url}/confirmUser?{query}")
    assert e.value.code == 400  # served (a wrong code), not 404
