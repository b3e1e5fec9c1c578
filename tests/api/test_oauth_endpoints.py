"""The OAuth 2.0 / OpenID Connect endpoints with a real client library (authlib) and HTTP as a browser sends it:
discovery, the authorization code grant with PKCE through the login page, ID tokens verified against the JWKS,
userInfo, refresh, revoke, client credentials, the implicit grant, the hosted-UI session, logout, and every
refusal (which changes nothing)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import urllib.parse
from collections.abc import Iterator

import botocore.exceptions
import httpx
import pytest
from authlib.jose import JsonWebKey, jwt

from tests.helpers import (
    PASSWORD,
    advance_clock,
    error_of,
    http_client,
    http_get,
    http_post,
    http_request,
    latest_code,
    make_client,
    oauth2_client,
)
from tests.oauth_helpers import (
    CALLBACK,
    LOGOUT,
    PNG,
    OAuthPool,
    authorize_params,
    basic,
    code_from,
    csrf_of,
    form_fields,
    fragment_of,
    log_in,
    oauth_pool,
    pkce_pair,
    query_of,
)
from tests.server import in_process
from tests.signin import claims, confirmed_user


@pytest.fixture
def world(cognito) -> OAuthPool:
    world = oauth_pool(cognito)
    confirmed_user(cognito, world.pool_id, world.web_id, "alice")
    return world


@pytest.fixture
def browser(server) -> Iterator[httpx.Client]:
    with http_client(base_url=server.url, follow_redirects=False) as client:
        yield client


def token_url(server) -> str:
    return f"{server.url}/oauth2/token"


def exchange(server, world: OAuthPool, code: str, verifier: str) -> dict:
    with oauth2_client(world.web_id, token_endpoint_auth_method="none", code_challenge_method="S256") as client:
        return client.fetch_token(token_url(server), code=code, redirect_uri=CALLBACK, code_verifier=verifier)


def signed_in(server, browser, world: OAuthPool, **extra: str) -> tuple[dict, dict[str, str]]:
    verifier, challenge = pkce_pair()
    params = authorize_params(world.web_id, challenge, **extra)
    code = code_from(log_in(browser, params), params["state"])
    return exchange(server, world, code, verifier), params


def post_token(server, data: dict, headers: dict | None = None) -> httpx.Response:
    return http_post(token_url(server), data=data, headers=headers or {})


# ---- discovery ---------------------------------------------------------------------------------------------------
def test_discovery_lists_the_endpoints_and_the_issuer_of_the_tokens(server, browser, world):
    document = http_get(f"{server.url}/{world.pool_id}/.well-known/openid-configuration").json()
    assert document["authorization_endpoint"] == f"{server.url}/oauth2/authorize"
    assert document["token_endpoint"] == f"{server.url}/oauth2/token"
    assert document["userinfo_endpoint"] == f"{server.url}/oauth2/userInfo"
    assert document["revocation_endpoint"] == f"{server.url}/oauth2/revoke"
    assert document["end_session_endpoint"] == f"{server.url}/logout"
    assert document["response_types_supported"] == ["code", "token"]
    token, _ = signed_in(server, browser, world)
    assert claims(token["id_token"])["iss"] == document["issuer"] == claims(token["access_token"])["iss"]


# ---- the code grant with PKCE ----------------------------------------------------------------------------------
def test_code_grant_with_pkce_gives_tokens_whose_id_token_verifies_against_the_jwks(server, browser, world, cognito):
    token, _params = signed_in(server, browser, world, nonce="n-0S6_WzA2Mj", scope="openid email")
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600 and token["refresh_token"]
    keys = JsonWebKey.import_key_set(http_get(f"{server.url}/{world.pool_id}/.well-known/jwks.json").json())
    id_claims = jwt.decode(token["id_token"], keys)  # the signature, checked against the pool's JWKS
    id_claims.validate(now=id_claims["iat"])  # at the server's clock, which tests move forward
    assert id_claims["aud"] == world.web_id
    assert id_claims["nonce"] == "n-0S6_WzA2Mj"
    digest = hashlib.sha256(token["access_token"].encode()).digest()[:16]
    assert id_claims["at_hash"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert id_claims["token_use"] == "id"
    assert id_claims["cognito:username"] == "alice"
    assert id_claims["email"] == "alice@example.com"
    access = jwt.decode(token["access_token"], keys)
    assert (access["scope"], access["token_use"], access["client_id"], access["username"]) == (
        "openid email",
        "access",
        world.web_id,
        "alice",
    )
    assert access["version"] == 2 and access["auth_time"] == id_claims["auth_time"]
    # Without aws.cognito.signin.user.admin the user-pool API refuses the token.
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        cognito.get_user(AccessToken=token["access_token"])
    assert error_of(refused) == (400, "NotAuthorizedException", "Access Token does not have required scopes")


def test_the_admin_scope_lets_the_token_call_the_api(server, browser, world, cognito):
    token, _ = signed_in(server, browser, world, scope="openid aws.cognito.signin.user.admin api/read")
    assert claims(token["access_token"])["scope"] == "openid aws.cognito.signin.user.admin api/read"
    assert cognito.get_user(AccessToken=token["access_token"])["Username"] == "alice"


def test_without_a_scope_every_allowed_scope_is_granted_and_without_openid_no_id_token(server, browser, world):
    token, _ = signed_in(server, browser, world, scope="")
    assert claims(token["access_token"])["scope"] == ("openid email profile aws.cognito.signin.user.admin api/read")
    token, _ = signed_in(server, browser, world, scope="api/read")
    assert "id_token" not in token


def test_a_confidential_client_authenticates_with_basic_or_the_form(server, browser, world):
    for method in ("client_secret_basic", "client_secret_post"):
        params = authorize_params(world.confidential_id)
        code = code_from(log_in(browser, params), params["state"])
        with oauth2_client(
            world.confidential_id, world.confidential_secret, token_endpoint_auth_method=method
        ) as client:
            token = client.fetch_token(token_url(server), code=code, redirect_uri=CALLBACK)
        assert claims(token["id_token"])["aud"] == world.confidential_id


# ---- userInfo --------------------------------------------------------------------------------------------------
def test_user_info_answers_the_scopes_attributes_with_string_booleans(server, browser, world, cognito):
    cognito.admin_update_user_attributes(
        UserPoolId=world.pool_id,
        Username="alice",
        UserAttributes=[{"Name": "email_verified", "Value": "true"}, {"Name": "name", "Value": "Alice"}],
    )
    token, _ = signed_in(server, browser, world, scope="openid email")
    for method in ("GET", "POST"):
        answer = http_request(
            method, f"{server.url}/oauth2/userInfo", headers={"Authorization": f"Bearer {token['access_token']}"}
        )
        assert answer.status_code == 200
        body = answer.json()
        assert body == {
            "sub": claims(token["id_token"])["sub"],
            "email": "alice@example.com",
            "email_verified": "true",
            "username": "alice",
        }
        assert answer.headers["cache-control"] == "no-cache, no-store, max-age=0, must-revalidate"
    everything, _ = signed_in(server, browser, world, scope="openid")
    body = http_get(
        f"{server.url}/oauth2/userInfo", headers={"Authorization": f"Bearer {everything['access_token']}"}
    ).json()
    assert body["name"] == "Alice"


def test_user_info_errors(server, browser, world, cognito):
    missing = http_get(f"{server.url}/oauth2/userInfo")
    assert missing.status_code == 400
    assert missing.headers["www-authenticate"] == (
        'error="invalid_request", error_description="Bad OAuth2 request at UserInfo Endpoint"'
    )
    for token in ("not-a-token", "a.b.c"):
        bad = http_get(f"{server.url}/oauth2/userInfo", headers={"Authorization": f"Bearer {token}"})
        assert bad.status_code == 401
        assert bad.headers["www-authenticate"].startswith('error="invalid_token"')
    # An API-issued access token has no openid scope.
    api = cognito.initiate_auth(
        ClientId=world.web_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]["AccessToken"]
    refused = http_get(f"{server.url}/oauth2/userInfo", headers={"Authorization": f"Bearer {api}"})
    assert refused.status_code == 401  # (unverified: which error Cognito answers for a token without openid)
    token, _ = signed_in(server, browser, world)
    cognito.admin_user_global_sign_out(UserPoolId=world.pool_id, Username="alice")
    signed_out = http_get(f"{server.url}/oauth2/userInfo", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert signed_out.status_code == 401


# ---- refresh and revoke ------------------------------------------------------------------------------------------
def test_refresh_keeps_the_scopes_and_revoke_ends_it(server, browser, world):
    token, _ = signed_in(server, browser, world, scope="openid email api/read")
    with oauth2_client(world.web_id, token_endpoint_auth_method="none") as client:
        refreshed = client.refresh_token(token_url(server), refresh_token=token["refresh_token"])
    assert claims(refreshed["access_token"])["scope"] == "openid email api/read"
    assert claims(refreshed["id_token"])["auth_time"] == claims(token["id_token"])["auth_time"]
    revoked = http_post(
        f"{server.url}/oauth2/revoke", data={"token": token["refresh_token"], "client_id": world.web_id}
    )
    assert (revoked.status_code, revoked.content) == (200, b"")
    again = post_token(
        server, {"grant_type": "refresh_token", "client_id": world.web_id, "refresh_token": token["refresh_token"]}
    )
    assert (again.status_code, again.json()) == (400, {"error": "invalid_grant"})
    # Revoking again, or an unknown token: 200, nothing told.
    assert (
        http_post(f"{server.url}/oauth2/revoke", data={"token": "unknown", "client_id": world.web_id}).status_code
        == 200
    )


def test_revoke_errors(server, world):
    url = f"{server.url}/oauth2/revoke"
    assert http_post(url, data={"client_id": world.web_id}).json() == {"error": "invalid_request"}
    wrong = http_post(url, data={"token": "t"}, headers=basic(world.confidential_id, "wrong-secret"))
    assert (wrong.status_code, wrong.json()) == (401, {"error": "invalid_client"})
    jwt_like = http_post(url, data={"token": "a.b.c", "client_id": world.web_id})
    assert (jwt_like.status_code, jwt_like.json()) == (400, {"error": "unsupported_token_type"})


# ---- client credentials ---------------------------------------------------------------------------------------
def test_client_credentials_with_basic_and_form_authentication(server, world, cognito):
    for method in ("client_secret_basic", "client_secret_post"):
        with oauth2_client(world.m2m_id, world.m2m_secret, token_endpoint_auth_method=method) as client:
            token = client.fetch_token(token_url(server), grant_type="client_credentials")
        assert set(token) == {"access_token", "expires_in", "token_type", "expires_at"}
        access = claims(token["access_token"])
        assert access["sub"] == access["client_id"] == world.m2m_id
        assert access["scope"] == "api/read api/write" and access["token_use"] == "access"
        assert "username" not in access and "origin_jti" not in access
    with oauth2_client(world.m2m_id, world.m2m_secret) as client:
        narrow = client.fetch_token(token_url(server), grant_type="client_credentials", scope="api/write")
    assert claims(narrow["access_token"])["scope"] == "api/write"
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        cognito.get_user(AccessToken=narrow["access_token"])
    assert error_of(refused)[1:] == ("NotAuthorizedException", "Access Token does not have required scopes")


def test_client_credentials_refusals(server, world, cognito):
    def m2m(data: dict, secret: str = world.m2m_secret) -> httpx.Response:
        return post_token(server, {"grant_type": "client_credentials", **data}, basic(world.m2m_id, secret))

    assert m2m({"scope": "api/delete"}).json() == {"error": "invalid_scope"}
    assert m2m({"scope": "openid"}).json() == {"error": "invalid_scope"}
    wrong = m2m({}, secret="x" * 52)
    assert (wrong.status_code, wrong.json()) == (400, {"error": "invalid_client"})
    public = post_token(server, {"grant_type": "client_credentials", "client_id": world.web_id})
    assert public.json() == {"error": "invalid_grant"}
    # A Basic header and a body naming another client: refused.
    both = post_token(
        server,
        {"grant_type": "client_credentials", "client_id": world.web_id},
        basic(world.m2m_id, world.m2m_secret),
    )
    assert both.json() == {"error": "invalid_client"}
    # Deleting the resource server takes its scopes out of tokens.
    cognito.delete_resource_server(UserPoolId=world.pool_id, Identifier="api")
    assert m2m({}).json() == {"error": "invalid_scope"}


def test_token_endpoint_request_errors(server, world):
    assert post_token(server, {"client_id": world.web_id}).json() == {"error": "invalid_request"}
    unsupported = post_token(server, {"grant_type": "password", "client_id": world.web_id})
    assert (unsupported.status_code, unsupported.json()) == (400, {"error": "unsupported_grant_type"})
    assert post_token(server, {"grant_type": "authorization_code", "client_id": "nobody"}).json() == {
        "error": "invalid_client"
    }
    as_json = http_post(token_url(server), json={"grant_type": "client_credentials"})
    assert as_json.json() == {"error": "invalid_request"}
    twice = http_post(
        token_url(server),
        content="grant_type=refresh_token&grant_type=client_credentials",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert twice.json() == {"error": "invalid_request"}
    oversize = post_token(server, {"grant_type": "authorization_code", "client_id": world.web_id, "code": "c" * 70000})
    assert oversize.json() == {"error": "invalid_request"}
    assert oversize.headers["content-type"] == "application/json;charset=UTF-8"


# ---- code refusals ---------------------------------------------------------------------------------------------
def code_request(world: OAuthPool, code: str, verifier: str | None, **extra: str) -> dict:
    data = {"grant_type": "authorization_code", "client_id": world.web_id, "code": code, "redirect_uri": CALLBACK}
    if verifier is not None:
        data["code_verifier"] = verifier
    return {**data, **extra}


def test_a_wrong_pkce_verifier_a_wrong_redirect_or_client_is_refused_and_changes_nothing(server, browser, world):
    verifier, challenge = pkce_pair()
    params = authorize_params(world.web_id, challenge)
    code = code_from(log_in(browser, params), params["state"])
    assert post_token(server, code_request(world, code, pkce_pair()[0])).json() == {"error": "invalid_grant"}
    assert post_token(server, code_request(world, code, None)).json() == {"error": "invalid_grant"}
    other_redirect = code_request(world, code, verifier, redirect_uri=CALLBACK + "/")
    assert post_token(server, other_redirect).json() == {"error": "unauthorized_client"}
    other_client = code_request(world, code, verifier, client_id=world.confidential_id)
    refused = post_token(server, other_client, basic(world.confidential_id, world.confidential_secret))
    assert refused.json() == {"error": "invalid_grant"}
    # The code is still good for its own client, verifier and redirect URI.
    assert "access_token" in post_token(server, code_request(world, code, verifier)).json()


def test_a_reused_code_is_refused_and_revokes_what_it_gave(server, browser, world):
    verifier, challenge = pkce_pair()
    params = authorize_params(world.web_id, challenge)
    code = code_from(log_in(browser, params), params["state"])
    first = post_token(server, code_request(world, code, verifier)).json()
    again = post_token(server, code_request(world, code, verifier))
    assert (again.status_code, again.json()) == (400, {"error": "invalid_grant"})
    refresh = {"grant_type": "refresh_token", "client_id": world.web_id, "refresh_token": first["refresh_token"]}
    assert post_token(server, refresh).json() == {"error": "invalid_grant"}


def test_an_expired_or_unknown_code_is_refused(server, browser, world, frozen_clock):
    verifier, challenge = pkce_pair()
    params = authorize_params(world.web_id, challenge)
    code = code_from(log_in(browser, params), params["state"])
    advance_clock(server, 301)
    assert post_token(server, code_request(world, code, verifier)).json() == {"error": "invalid_grant"}
    assert post_token(server, code_request(world, "not-a-code", verifier)).json() == {"error": "invalid_grant"}


# ---- authorize refusals ----------------------------------------------------------------------------------------
def test_an_unregistered_redirect_uri_or_client_never_redirects_to_it(server, browser, world):
    for params in (
        authorize_params(world.web_id, redirect_uri="https://evil.example.com/cb"),
        authorize_params(world.web_id, redirect_uri=CALLBACK + "/"),
        authorize_params("unknownclient1234"),
    ):
        answer = browser.get("/oauth2/authorize", params=params)
        assert answer.status_code == 400
        assert "location" not in answer.headers
        assert "redirect_mismatch" in answer.text and "evil" not in answer.text
    assert browser.get("/error", params={"error": "redirect_mismatch"}).status_code == 400


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"response_type": ""}, "invalid_request"),
        ({"code_challenge_method": "plain", "code_challenge": "a" * 43}, "invalid_request"),
        ({"code_challenge": "a" * 43}, "invalid_request"),
        ({"scope": "openid phone"}, "invalid_scope"),
        ({"scope": "api/write"}, "invalid_scope"),
        ({"prompt": "none"}, "login_required"),
    ],
)
def test_authorize_errors_redirect_with_the_state(browser, world, extra, error):
    params = {**authorize_params(world.web_id), "state": 'ab c/"<x>', **extra}
    answer = browser.get("/oauth2/authorize", params=params)
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith(CALLBACK + "?")
    assert query_of(location) == {"error": error, "state": 'ab c/"<x>'}


def test_a_flow_the_client_lacks_is_unauthorized(cognito, browser, world):
    params = authorize_params(world.confidential_id, response_type="token")
    # The implicit grant's errors ride in the fragment, as its tokens do (RFC 6749 4.2.2.1; unverified on Cognito).
    location = browser.get("/oauth2/authorize", params=params).headers["location"]
    assert fragment_of(location) == {"error": "unauthorized_client", "state": params["state"]}


def test_oversize_parameters_are_refused_on_a_page(browser, world):
    answer = browser.get("/oauth2/authorize", params=authorize_params(world.web_id, state="s" * 3000))
    assert answer.status_code == 400 and "location" not in answer.headers


def test_a_domain_is_needed(cognito, browser, world):
    domain = cognito.describe_user_pool(UserPoolId=world.pool_id)["UserPool"]["Domain"]
    cognito.delete_user_pool_domain(Domain=domain, UserPoolId=world.pool_id)
    assert browser.get("/oauth2/authorize", params=authorize_params(world.web_id)).status_code == 400


# ---- the login page --------------------------------------------------------------------------------------------
def test_the_login_page_is_safe_to_show(browser, world):
    params = authorize_params(world.web_id)
    page = browser.get(browser.get("/oauth2/authorize", params=params).headers["location"])
    policy = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "script-src" not in policy
    assert f"form-action 'self' {CALLBACK}" in policy
    assert page.headers["x-frame-options"] == "DENY"
    cookie = page.headers["set-cookie"]
    assert "XSRF-TOKEN=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert '<label class="label-customizable" for="username">' in page.text


def test_a_wrong_password_is_shown_on_the_form(browser, world):
    answer = log_in(browser, authorize_params(world.web_id), password="Wrong-passw0rd")
    assert answer.status_code == 400
    assert "Incorrect username or password." in answer.text
    assert "cognito=" not in answer.headers.get("set-cookie", "")


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(server, browser, world):
    params = authorize_params(world.web_id)
    page = browser.get(browser.get("/oauth2/authorize", params=params).headers["location"])
    for data in (
        {"username": "alice", "password": PASSWORD},
        {"_csrf": "f" * 64, "username": "alice", "password": PASSWORD},
    ):
        refused = browser.post(str(page.url), data=data)
        assert refused.status_code == 403 and "location" not in refused.headers
    # Another browser (no XSRF cookie) posting this form's token: refused too.
    with http_client(base_url=server.url) as stranger:
        refused = stranger.post(
            str(page.url), data={"_csrf": csrf_of(page.text), "username": "alice", "password": PASSWORD}
        )
        assert refused.status_code == 403
    # Nothing happened: a prompt=none request still has no session.
    answer = browser.get("/oauth2/authorize", params={**params, "prompt": "none"})
    assert query_of(answer.headers["location"])["error"] == "login_required"


def test_the_session_cookie_answers_later_requests_until_logout(server, browser, world):
    token, _ = signed_in(server, browser, world)
    advance_clock(server, 5)
    cookie = next(c for c in browser.cookies.jar if c.name == "cognito")
    assert cookie.has_nonstandard_attr("HttpOnly")
    params = authorize_params(world.web_id, prompt="none")
    answer = browser.get("/oauth2/authorize", params=params)
    code = query_of(answer.headers["location"])["code"]
    verifier = None
    later = post_token(server, {**code_request(world, code, verifier)}).json()
    # The session's tokens say when the user signed in, not when the session was used.
    assert claims(later["id_token"])["auth_time"] == claims(token["id_token"])["auth_time"]
    forced = browser.get("/oauth2/authorize", params=authorize_params(world.web_id, prompt="login"))
    assert forced.headers["location"].startswith("/login?")
    assert browser.head("/logout", params={"client_id": world.web_id, "logout_uri": LOGOUT}).status_code == 200
    assert "code" in query_of(browser.get("/oauth2/authorize", params=params).headers["location"])
    out = browser.get("/logout", params={"client_id": world.web_id, "logout_uri": LOGOUT})
    assert (out.status_code, out.headers["location"]) == (302, LOGOUT)
    browser.cookies.set("cognito", cookie.value)  # a stolen copy of the cookie is revoked in the store too
    again = browser.get("/oauth2/authorize", params=params)
    assert query_of(again.headers["location"])["error"] == "login_required"


def test_logout_errors_and_redirect_uri(browser, world):
    assert browser.get("/logout", params={"logout_uri": LOGOUT}).status_code == 400
    assert browser.get("/logout", params={"client_id": world.web_id, "logout_uri": "https://evil/x"}).status_code == 400
    back = browser.get(
        "/logout",
        params={"client_id": world.web_id, "redirect_uri": CALLBACK, "response_type": "code", "state": "s1"},
    )
    assert back.status_code == 302 and back.headers["location"].startswith("/login?")
    assert query_of(back.headers["location"])["state"] == "s1"


def test_the_implicit_grant_puts_the_tokens_in_the_fragment(browser, world):
    params = authorize_params(world.web_id, response_type="token", nonce="abc")
    answer = log_in(browser, params)
    location = answer.headers["location"]
    assert location.startswith(CALLBACK + "#")
    values = fragment_of(location)
    assert values["token_type"] == "Bearer" and values["state"] == params["state"]
    assert "refresh_token" not in values
    assert claims(values["id_token"])["nonce"] == "abc"


def test_a_temporary_password_is_changed_on_the_new_password_page(server, browser, world, cognito):
    cognito.admin_create_user(
        UserPoolId=world.pool_id,
        Username="temp",
        TemporaryPassword="Temp-passw0rd",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "temp@example.com"}],
    )
    params = authorize_params(world.web_id)
    page = log_in(browser, params, username="temp", password="Temp-passw0rd")
    assert page.status_code == 200 and 'data-view="new-password"' in page.text
    fields = form_fields(page.text)
    weak = browser.post("/newPassword?" + urllib.parse.urlencode(params), data={**fields, "password": "short"})
    assert weak.status_code == 400 and "Password does not conform to policy" in weak.text
    done = browser.post("/newPassword?" + urllib.parse.urlencode(params), data={**fields, "password": "New-passw0rd!"})
    code_from(done, params["state"])
    assert cognito.admin_get_user(UserPoolId=world.pool_id, Username="temp")["UserStatus"] == "CONFIRMED"


def test_sign_up_confirm_and_sign_in_through_the_pages(server, browser, world, cognito):
    params = authorize_params(world.web_id)
    query = urllib.parse.urlencode(params)
    page = browser.get(f"/signup?{query}")
    name = f"bob{secrets.token_hex(3)}"
    sent = browser.post(
        f"/signup?{query}",
        data={"_csrf": csrf_of(page.text), "username": name, "attr_email": f"{name}@example.com", "password": PASSWORD},
    )
    assert sent.status_code == 200 and 'data-view="confirm"' in sent.text
    wrong = browser.post(f"/confirm?{query}", data={"_csrf": csrf_of(sent.text), "username": name, "code": "000000"})
    assert wrong.status_code == 400 and "Invalid verification code provided, please try again." in wrong.text
    code = latest_code(server, world.pool_id, name)
    confirmed = browser.post(f"/confirm?{query}", data={"_csrf": csrf_of(sent.text), "username": name, "code": code})
    assert confirmed.status_code == 302 and "note=confirmed" in confirmed.headers["location"]
    assert cognito.admin_get_user(UserPoolId=world.pool_id, Username=name)["UserStatus"] == "CONFIRMED"
    code_from(log_in(browser, params, username=name), params["state"])


def test_sign_up_shows_the_apis_refusal_on_the_form(browser, world):
    query = urllib.parse.urlencode(authorize_params(world.web_id))
    page = browser.get(f"/signup?{query}")
    refused = browser.post(
        f"/signup?{query}",
        data={"_csrf": csrf_of(page.text), "username": "alice", "attr_email": "a@example.com", "password": PASSWORD},
    )
    assert refused.status_code == 400 and "User already exists" in refused.text


def test_forgot_password_through_the_pages(server, browser, world, cognito):
    cognito.admin_update_user_attributes(
        UserPoolId=world.pool_id, Username="alice", UserAttributes=[{"Name": "email_verified", "Value": "true"}]
    )
    params = authorize_params(world.web_id)
    query = urllib.parse.urlencode(params)
    page = browser.get(f"/forgotPassword?{query}")
    reset = browser.post(f"/forgotPassword?{query}", data={"_csrf": csrf_of(page.text), "username": "alice"})
    assert 'data-view="reset"' in reset.text
    code = latest_code(server, world.pool_id, "alice")
    done = browser.post(
        f"/confirmForgotPassword?{query}",
        data={"_csrf": csrf_of(reset.text), "username": "alice", "code": code, "password": "Brand-new-passw0rd"},
    )
    assert done.status_code == 302 and "note=reset" in done.headers["location"]
    code_from(log_in(browser, params, password="Brand-new-passw0rd"), params["state"])


def test_the_ui_customization_is_applied_to_the_pages(server, browser, world, cognito):
    cognito.set_ui_customization(UserPoolId=world.pool_id, CSS=".banner-customizable { background: #123456; }")
    cognito.set_ui_customization(UserPoolId=world.pool_id, ClientId=world.web_id, ImageFile=PNG)
    params = authorize_params(world.web_id)
    page = browser.get(browser.get("/oauth2/authorize", params=params).headers["location"])
    # The client's own customization (the logo) wins over the pool's.
    assert f'src="/hosted-ui/{world.pool_id}/{world.web_id}/logo' in page.text
    logo = browser.get(f"/hosted-ui/{world.pool_id}/{world.web_id}/logo")
    assert (logo.status_code, logo.headers["content-type"], logo.content) == (200, "image/png", PNG)
    other = browser.get(
        browser.get("/oauth2/authorize", params=authorize_params(world.confidential_id)).headers["location"]
    )
    assert f'href="/hosted-ui/{world.pool_id}/ALL/style.css' in other.text
    css = browser.get(f"/hosted-ui/{world.pool_id}/ALL/style.css")
    assert css.headers["content-type"].startswith("text/css") and "#123456" in css.text
    assert browser.get(f"/hosted-ui/{world.pool_id}/nobody/logo").status_code == 404


def test_locked_out_after_wrong_passwords_as_the_api_is(browser, world):
    params = authorize_params(world.web_id)
    answers = [log_in(browser, params, password=f"Wrong-{n}-passw0rd").text for n in range(6)]
    assert "Incorrect username or password." in answers[0]
    assert "Password attempts exceeded" in answers[-1]


def test_an_unknown_user_is_answered_as_the_clients_setting_says(browser, world, cognito):
    legacy = log_in(browser, authorize_params(world.web_id), username="nobody")
    assert legacy.status_code == 400 and "User does not exist." in legacy.text
    cognito.update_user_pool_client(
        UserPoolId=world.pool_id,
        ClientId=world.confidential_id,
        PreventUserExistenceErrors="ENABLED",
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"],
        CallbackURLs=[CALLBACK],
        SupportedIdentityProviders=["COGNITO"],
    )
    hidden = log_in(browser, authorize_params(world.confidential_id, scope="openid"), username="nobody")
    assert hidden.status_code == 400 and "Incorrect username or password." in hidden.text


@pytest.mark.databases("sqlite")  # a cookie attribute: the store behind it plays no part
def test_cookies_are_secure_behind_https(tmp_path):
    behind_proxy = in_process(tmp_path / "data", public_url="https://auth.example.com")
    try:
        world = oauth_pool(make_client(behind_proxy.url))
        with http_client(base_url=behind_proxy.url) as client:
            first = client.get("/oauth2/authorize", params=authorize_params(world.web_id))
            page = client.get(first.headers["location"])
        assert "Secure" in page.headers["set-cookie"] and "HttpOnly" in page.headers["set-cookie"]
        document = http_get(f"{behind_proxy.url}/{world.pool_id}/.well-known/openid-configuration").json()
        assert document["token_endpoint"] == "https://auth.example.com/oauth2/token"
    finally:
        behind_proxy.stop()


@pytest.mark.databases("sqlite")  # the rate counters are proven on both databases by the API's tests
def test_the_sign_up_page_has_the_apis_rate_limits(tmp_path):
    limited = in_process(tmp_path / "data", sign_up_per_ip_per_hour=1)
    try:
        world = oauth_pool(make_client(limited.url))
        query = urllib.parse.urlencode(authorize_params(world.web_id))
        with http_client(base_url=limited.url) as client:
            answers = []
            for name in ("first", "second"):
                page = client.get(f"/signup?{query}")
                data = {"_csrf": csrf_of(page.text), "username": name, "password": PASSWORD}
                answers.append(client.post(f"/signup?{query}", data={**data, "attr_email": f"{name}@example.com"}))
        assert answers[0].status_code == 200
        assert answers[1].status_code == 400 and "Rate exceeded" in answers[1].text
    finally:
        limited.stop()
