"""Tokens: what they claim, how backends verify them (PyJWT's PyJWKClient against our JWKS), their lifetimes,
and every way a token is refused: expired, forged, another pool's, revoked."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import jwt
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.helpers import advance_clock, error_of, make_client
from tests.server import LocalUserpool, ServerProcess, in_process
from tests.signin import PASSWORD, claims, confirmed_user, make_pool_and_client, password_auth

INVALID = (400, "NotAuthorizedException", "Invalid Access Token")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory):
    """A server of its own whose clock is not moved (PyJWT checks tokens against the real time)."""
    srv = in_process(tmp_path_factory.mktemp("tokens") / "data")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def live_cognito(live: LocalUserpool) -> Any:
    return make_client(live.url)


def get_json(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


@pytest.fixture
def signed_in(cognito):
    pool, client = make_pool_and_client(
        cognito,
        {"Schema": [{"Name": "team", "AttributeDataType": "String"}]},
    )
    sub = confirmed_user(
        cognito,
        pool,
        client,
        UserAttributes=[
            {"Name": "email", "Value": "alice@example.com"},
            {"Name": "custom:team", "Value": "blue"},
            {"Name": "name", "Value": "Alice"},
        ],
    )
    return pool, client, sub, password_auth(cognito, client)["AuthenticationResult"]


def test_sign_in_answers_bearer_tokens_and_a_refresh_token(signed_in):
    _, _, _, result = signed_in
    assert set(result) == {"AccessToken", "ExpiresIn", "TokenType", "RefreshToken", "IdToken"}
    assert result["TokenType"] == "Bearer"
    assert result["ExpiresIn"] == 3600


def test_id_token_claims_are_cognitos(signed_in, server):
    pool, client, sub, result = signed_in
    header = jwt.get_unverified_header(result["IdToken"])
    assert set(header) == {"kid", "alg"} and header["alg"] == "RS256"
    c = claims(result["IdToken"])
    assert c["sub"] == sub
    assert c["iss"] == f"{server.url}/{pool}"
    assert c["aud"] == client
    assert c["cognito:username"] == "alice"
    assert c["token_use"] == "id"
    assert c["email"] == "alice@example.com"
    assert c["email_verified"] is False
    assert c["custom:team"] == "blue"
    assert c["name"] == "Alice"
    assert c["exp"] - c["iat"] == 3600
    assert c["auth_time"] == c["iat"]
    assert {"jti", "origin_jti", "event_id"} <= set(c)


def test_access_token_claims_are_cognitos(signed_in, server):
    pool, client, sub, result = signed_in
    c = claims(result["AccessToken"])
    assert set(c) == {
        "sub", "iss", "client_id", "origin_jti", "event_id", "token_use", "scope", "auth_time", "exp", "iat", "jti",
        "username",
    }  # fmt: skip
    assert c["sub"] == sub
    assert c["iss"] == f"{server.url}/{pool}"
    assert c["client_id"] == client
    assert c["token_use"] == "access"
    assert c["scope"] == "aws.cognito.signin.user.admin"
    assert c["username"] == "alice"
    id_claims = claims(result["IdToken"])
    assert c["origin_jti"] == id_claims["origin_jti"] and c["event_id"] == id_claims["event_id"]
    assert c["jti"] != id_claims["jti"]


def test_id_token_holds_only_attributes_the_client_may_read(cognito):
    pool, client = make_pool_and_client(cognito, ReadAttributes=["email"])
    confirmed_user(cognito, pool, client, UserAttributes=[
        {"Name": "email", "Value": "a@example.com"}, {"Name": "name", "Value": "Alice"},
    ])  # fmt: skip
    c = claims(password_auth(cognito, client)["AuthenticationResult"]["IdToken"])
    assert c["email"] == "a@example.com"
    assert "name" not in c and "email_verified" not in c


def test_token_lifetimes_follow_the_client_settings(cognito):
    pool, client = make_pool_and_client(
        cognito,
        AccessTokenValidity=5,
        IdTokenValidity=2,
        TokenValidityUnits={"AccessToken": "minutes", "IdToken": "hours"},
    )
    confirmed_user(cognito, pool, client)
    result = password_auth(cognito, client)["AuthenticationResult"]
    assert result["ExpiresIn"] == 300
    access, identity = claims(result["AccessToken"]), claims(result["IdToken"])
    assert access["exp"] - access["iat"] == 300
    assert identity["exp"] - identity["iat"] == 7200


def test_jwks_and_openid_configuration(signed_in, server):
    pool, _, _, result = signed_in
    status, jwks = get_json(f"{server.url}/{pool}/.well-known/jwks.json")
    assert status == 200
    [key] = jwks["keys"]
    assert set(key) == {"alg", "e", "kid", "kty", "n", "use"}
    assert (key["alg"], key["kty"], key["use"], key["e"]) == ("RS256", "RSA", "sig", "AQAB")
    assert key["kid"] == jwt.get_unverified_header(result["AccessToken"])["kid"]
    assert len(key["kid"]) == 44
    status, config = get_json(f"{server.url}/{pool}/.well-known/openid-configuration")
    assert status == 200
    assert config["issuer"] == f"{server.url}/{pool}"
    assert config["jwks_uri"] == f"{server.url}/{pool}/.well-known/jwks.json"
    assert config["id_token_signing_alg_values_supported"] == ["RS256"]


def test_jwks_of_an_unknown_pool_is_not_found(server):
    status, _ = get_json(f"{server.url}/us-east-1_nopenope1/.well-known/jwks.json")
    assert status == 404


def test_pyjwt_verifies_our_tokens_with_a_jwks_client(live, live_cognito):
    pool, client = make_pool_and_client(live_cognito)
    confirmed_user(live_cognito, pool, client)
    result = password_auth(live_cognito, client)["AuthenticationResult"]
    issuer = f"{live.url}/{pool}"
    jwks = jwt.PyJWKClient(f"{issuer}/.well-known/jwks.json")

    key = jwks.get_signing_key_from_jwt(result["IdToken"]).key
    identity = jwt.decode(result["IdToken"], key, algorithms=["RS256"], audience=client, issuer=issuer)
    assert identity["token_use"] == "id"
    access = jwt.decode(result["AccessToken"], key, algorithms=["RS256"], issuer=issuer)
    assert access["token_use"] == "access" and access["client_id"] == client

    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode(result["IdToken"], key, algorithms=["RS256"], audience="another-client", issuer=issuer)
    with pytest.raises(jwt.InvalidIssuerError):
        jwt.decode(result["IdToken"], key, algorithms=["RS256"], audience=client, issuer=f"{live.url}/other")


def test_pyjwt_refuses_an_expired_token(live, live_cognito):
    pool, client = make_pool_and_client(live_cognito)
    confirmed_user(live_cognito, pool, client)
    advance_clock(live, -2 * 3600)  # tokens issued two hours ago, valid one hour
    try:
        result = password_auth(live_cognito, client)["AuthenticationResult"]
    finally:
        advance_clock(live, 2 * 3600)
    issuer = f"{live.url}/{pool}"
    key = jwt.PyJWKClient(f"{issuer}/.well-known/jwks.json").get_signing_key_from_jwt(result["AccessToken"]).key
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(result["AccessToken"], key, algorithms=["RS256"], issuer=issuer)


def test_another_pools_jwks_does_not_verify_a_token(live, live_cognito):
    pool_a, client_a = make_pool_and_client(live_cognito)
    pool_b, client_b = make_pool_and_client(live_cognito)
    confirmed_user(live_cognito, pool_a, client_a)
    confirmed_user(live_cognito, pool_b, client_b)
    token_a = password_auth(live_cognito, client_a)["AuthenticationResult"]["AccessToken"]
    password_auth(live_cognito, client_b)  # pool B has its own key now
    jwks_b = jwt.PyJWKClient(f"{live.url}/{pool_b}/.well-known/jwks.json")
    with pytest.raises(jwt.PyJWKClientError):
        jwks_b.get_signing_key_from_jwt(token_a)


def access_token_error(cognito, token) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as e:
        cognito.global_sign_out(AccessToken=token)
    return error_of(e)


def test_an_expired_access_token_is_refused(cognito, server, signed_in):
    *_, result = signed_in
    advance_clock(server, 3601)
    assert access_token_error(cognito, result["AccessToken"]) == (
        400,
        "NotAuthorizedException",
        "Access Token has expired",
    )


def test_a_token_resigned_with_another_key_is_refused(cognito, signed_in):
    *_, result = signed_in
    header = jwt.get_unverified_header(result["AccessToken"])
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims(result["AccessToken"]), forger, algorithm="RS256", headers={"kid": header["kid"]})
    assert access_token_error(cognito, forged) == INVALID


def test_a_token_naming_another_pools_key_is_refused(cognito, signed_in):
    *_, result = signed_in
    other_pool, other_client = make_pool_and_client(cognito)
    confirmed_user(cognito, other_pool, other_client)
    other = password_auth(cognito, other_client)["AuthenticationResult"]["AccessToken"]
    # pool A's claims and signature under pool B's key id: the signature does not hold.
    head_b = other.split(".")[0]
    tampered = ".".join([head_b, *result["AccessToken"].split(".")[1:]])
    assert access_token_error(cognito, tampered) == INVALID


def test_an_id_token_is_not_an_access_token(cognito, signed_in):
    *_, result = signed_in
    assert access_token_error(cognito, result["IdToken"]) == INVALID


def test_a_malformed_token_is_refused(cognito):
    assert access_token_error(cognito, "abc.def.ghi") == INVALID


def test_an_unsigned_token_is_refused(cognito, signed_in):
    *_, result = signed_in
    header = jwt.get_unverified_header(result["AccessToken"])
    unsigned = jwt.encode(claims(result["AccessToken"]), None, algorithm="none", headers={"kid": header["kid"]})
    assert unsigned.endswith(".")
    assert access_token_error(cognito, unsigned) == INVALID


def test_a_signature_is_read_as_pyjwt_reads_it(cognito, signed_in):
    """Padding on the signature (as some issuers add) is accepted; the same signature spelled with other unused
    trailing bits is not."""
    *_, result = signed_in
    head, body, signature = result["AccessToken"].split(".")
    assert cognito.get_user(AccessToken=f"{head}.{body}.{signature}==")["Username"] == "alice"
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    respelled = signature[:-1] + alphabet[alphabet.index(signature[-1]) ^ 1]
    assert access_token_error(cognito, f"{head}.{body}.{respelled}") == INVALID


# ---- refresh, sign-out, revocation -------------------------------------------------------------------------------
def refresh(cognito, client, token, **params):
    return cognito.initiate_auth(
        ClientId=client, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": token, **params}
    )


def refresh_error(cognito, client, token, **params) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as e:
        refresh(cognito, client, token, **params)
    return error_of(e)


def test_refresh_gives_new_tokens_of_the_same_sign_in(cognito, server, signed_in):
    _, client, _, result = signed_in
    advance_clock(server, 120)
    fresh = refresh(cognito, client, result["RefreshToken"])["AuthenticationResult"]
    assert set(fresh) == {"AccessToken", "ExpiresIn", "TokenType", "IdToken"}
    before, after = claims(result["AccessToken"]), claims(fresh["AccessToken"])
    assert after["origin_jti"] == before["origin_jti"]
    assert after["auth_time"] == before["auth_time"]
    assert after["iat"] >= before["iat"] + 120
    assert after["jti"] != before["jti"]
    cognito.global_sign_out(AccessToken=fresh["AccessToken"])


def test_refresh_with_the_legacy_flow_name_works(cognito, signed_in):
    _, client, _, result = signed_in
    fresh = cognito.initiate_auth(
        ClientId=client, AuthFlow="REFRESH_TOKEN", AuthParameters={"REFRESH_TOKEN": result["RefreshToken"]}
    )
    assert "AccessToken" in fresh["AuthenticationResult"]


def test_unknown_refresh_token_is_invalid(cognito, signed_in):
    _, client, _, _ = signed_in
    assert refresh_error(cognito, client, "not-a-token") == (400, "NotAuthorizedException", "Invalid Refresh Token.")


def test_refresh_token_of_another_client_is_invalid(cognito, signed_in):
    pool, _, _, result = signed_in
    other = cognito.create_user_pool_client(UserPoolId=pool, ClientName="other")["UserPoolClient"]["ClientId"]
    assert refresh_error(cognito, other, result["RefreshToken"]) == (
        400,
        "NotAuthorizedException",
        "Invalid Refresh Token.",
    )


def test_refresh_token_expires_with_the_client_setting(cognito, server):
    pool, client = make_pool_and_client(cognito, RefreshTokenValidity=1, TokenValidityUnits={"RefreshToken": "hours"})
    confirmed_user(cognito, pool, client)
    token = password_auth(cognito, client)["AuthenticationResult"]["RefreshToken"]
    advance_clock(server, 3601)
    assert refresh_error(cognito, client, token) == (400, "NotAuthorizedException", "Refresh Token has expired")


def test_global_sign_out_revokes_every_token_of_the_user(cognito, signed_in):
    _, client, _, first = signed_in
    second = password_auth(cognito, client)["AuthenticationResult"]
    cognito.global_sign_out(AccessToken=second["AccessToken"])
    revoked = (400, "NotAuthorizedException", "Access Token has been revoked")
    assert access_token_error(cognito, first["AccessToken"]) == revoked
    assert access_token_error(cognito, second["AccessToken"]) == revoked
    refresh_revoked = (400, "NotAuthorizedException", "Refresh Token has been revoked")
    assert refresh_error(cognito, client, first["RefreshToken"]) == refresh_revoked
    # A new sign-in works again.
    cognito.global_sign_out(AccessToken=password_auth(cognito, client)["AuthenticationResult"]["AccessToken"])


def test_admin_user_global_sign_out(cognito, signed_in):
    pool, client, _, result = signed_in
    cognito.admin_user_global_sign_out(UserPoolId=pool, Username="alice")
    assert refresh_error(cognito, client, result["RefreshToken"])[2] == "Refresh Token has been revoked"
    assert access_token_error(cognito, result["AccessToken"])[2] == "Access Token has been revoked"


def test_revoke_token_revokes_that_sign_in_only(cognito, signed_in):
    _, client, _, first = signed_in
    second = password_auth(cognito, client)["AuthenticationResult"]
    cognito.revoke_token(Token=first["RefreshToken"], ClientId=client)
    assert refresh_error(cognito, client, first["RefreshToken"])[2] == "Refresh Token has been revoked"
    assert access_token_error(cognito, first["AccessToken"])[2] == "Access Token has been revoked"
    assert "AccessToken" in refresh(cognito, client, second["RefreshToken"])["AuthenticationResult"]


def test_revoke_token_refuses_an_access_token_unverified(cognito, signed_in):
    _, client, _, result = signed_in
    with pytest.raises(ClientError) as e:
        cognito.revoke_token(Token=result["AccessToken"], ClientId=client)
    assert error_of(e)[:2] == (400, "UnsupportedTokenTypeException")


def test_revoke_token_needs_the_client_secret_unverified(cognito):
    _pool, client = make_pool_and_client(cognito, GenerateSecret=True)
    with pytest.raises(ClientError) as e:
        cognito.revoke_token(Token="whatever", ClientId=client)
    assert error_of(e)[:2] == (400, "UnauthorizedException")


def test_revoke_token_when_revocation_is_off_unverified(cognito):
    _pool, client = make_pool_and_client(cognito, EnableTokenRevocation=False)
    with pytest.raises(ClientError) as e:
        cognito.revoke_token(Token="whatever", ClientId=client)
    assert error_of(e)[:2] == (400, "UnsupportedOperationException")


def test_deleted_user_tokens_stop_working(cognito, signed_in):
    pool, client, _, result = signed_in
    cognito.admin_delete_user(UserPoolId=pool, Username="alice")
    assert access_token_error(cognito, result["AccessToken"]) == (400, "UserNotFoundException", "User does not exist.")
    assert refresh_error(cognito, client, result["RefreshToken"]) == (
        400,
        "NotAuthorizedException",
        "Invalid Refresh Token.",
    )


# ---- issuer setting and key rotation ----------------------------------------------------------------------------
def test_issuer_url_setting_makes_aws_shaped_issuers(tmp_path):
    aws = "https://cognito-idp.us-east-1.amazonaws.com"
    srv = in_process(tmp_path / "data", issuer_url=aws)
    try:
        cognito = make_client(srv.url)
        pool, client = make_pool_and_client(cognito)
        confirmed_user(cognito, pool, client)
        result = password_auth(cognito, client)["AuthenticationResult"]
        assert claims(result["IdToken"])["iss"] == f"{aws}/{pool}"
        _, config = get_json(f"{srv.url}/{pool}/.well-known/openid-configuration")
        assert config["issuer"] == f"{aws}/{pool}"
        # The keys are served here all the same, so a verifier pointed at this server checks the AWS-shaped iss.
        jwks = jwt.PyJWKClient(f"{srv.url}/{pool}/.well-known/jwks.json")
        key = jwks.get_signing_key_from_jwt(result["IdToken"]).key
        jwt.decode(result["IdToken"], key, algorithms=["RS256"], audience=client, issuer=f"{aws}/{pool}")
    finally:
        srv.stop()


def test_rotated_key_signs_new_tokens_and_the_old_one_stays_published(live, live_cognito):
    pool, client = make_pool_and_client(live_cognito)
    confirmed_user(live_cognito, pool, client)
    old = password_auth(live_cognito, client)["AuthenticationResult"]
    subprocess.run(
        [sys.executable, "-m", "userpool", "rotate-key", pool, "--data-dir", str(live.data_dir)],
        check=True,
        capture_output=True,
    )
    new = password_auth(live_cognito, client)["AuthenticationResult"]
    old_kid = jwt.get_unverified_header(old["AccessToken"])["kid"]
    new_kid = jwt.get_unverified_header(new["AccessToken"])["kid"]
    assert old_kid != new_kid
    _, jwks = get_json(f"{live.url}/{pool}/.well-known/jwks.json")
    assert [k["kid"] for k in jwks["keys"]] == [new_kid, old_kid]
    issuer = f"{live.url}/{pool}"
    client_jwks = jwt.PyJWKClient(f"{issuer}/.well-known/jwks.json")
    for token in (old["AccessToken"], new["AccessToken"]):
        jwt.decode(token, client_jwks.get_signing_key_from_jwt(token).key, algorithms=["RS256"], issuer=issuer)
    live_cognito.global_sign_out(AccessToken=old["AccessToken"])  # the server accepts the old key's tokens too


def test_tokens_survive_a_restart(tmp_path):
    srv = ServerProcess(tmp_path / "data").start()
    try:
        cognito = make_client(srv.url)
        pool, client = make_pool_and_client(cognito)
        confirmed_user(cognito, pool, client)
        result = password_auth(cognito, client, password=PASSWORD)["AuthenticationResult"]
        srv.stop()
        srv.start()
        assert "AccessToken" in refresh(cognito, client, result["RefreshToken"])["AuthenticationResult"]
        cognito.global_sign_out(AccessToken=result["AccessToken"])
    finally:
        srv.stop()


def test_the_process_that_makes_a_signing_key_keeps_it_to_sign_with(live, live_cognito):
    """The key a pool's JWKS (or first sign-in) makes is kept as made, ready to sign: parsing its PEM back from the
    store would cost as much again as making it."""
    pool, _ = make_pool_and_client(live_cognito)
    _, jwks = get_json(f"{live.url}/{pool}/.well-known/jwks.json")  # makes the pool's first key; signs nothing
    (published,) = jwks["keys"]
    kept = live.app.state.context.key_cache[("private", published["kid"])]
    assert jwt.algorithms.RSAAlgorithm.from_jwk(published).public_numbers() == kept.public_key().public_numbers()


def test_concurrent_first_sign_ins_make_one_signing_key(live, live_cognito):
    pool, client = make_pool_and_client(live_cognito)
    confirmed_user(live_cognito, pool, client)
    clients = [make_client(live.url) for _ in range(6)]
    with ThreadPoolExecutor(len(clients)) as threads:
        results = list(threads.map(lambda c: password_auth(c, client)["AuthenticationResult"], clients))
    kids = {jwt.get_unverified_header(r["AccessToken"])["kid"] for r in results}
    _, jwks = get_json(f"{live.url}/{pool}/.well-known/jwks.json")
    assert len(kids) == 1
    assert [k["kid"] for k in jwks["keys"]] == list(kids)
