"""Real JavaScript clients, unchanged: Amplify v6 (``aws-amplify``) and ``amazon-cognito-identity-js``, each run start
to finish in one Node process (``tests/js/amplify.mjs``, ``tests/js/identity_js.mjs``) against a server of this
module's own (SQLite, clock not moved: PyJWT checks the tokens against the real time). What they did is then checked
through boto3 against the same server: the stored user, the tokens' signatures and claims, the revocations.

Each script prints one JSON line: ``{"steps": {name: result | {"error": {"name", "message"}}}, "exchanges": [...]}``
where ``exchanges`` lists every request it sent (``target``, ``status``, and ``type``/``message`` for errors), since
some client calls swallow the server's answer (Amplify's global sign-out)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jwt
import pyotp
import pytest
from botocore.exceptions import ClientError

from tests.custom_auth_hooks import expected_code
from tests.helpers import error_of, make_client
from tests.server import LocalUserpool, in_process
from tests.signin import SES_EMAIL

JS = Path(__file__).resolve().parents[1] / "js"
PASSWORD = "Passw0rd!long"
NODE_MISSING = (
    "the JavaScript client tests need Node.js >= 18 and npm on PATH (Debian: apt-get install nodejs npm); "
    "with CI set they fail instead of skipping"
)


def installed_matches_lock() -> bool:
    """Whether ``tests/js/node_modules`` holds exactly what ``package-lock.json`` pins (npm's hidden lockfile)."""
    installed = JS / "node_modules" / ".package-lock.json"
    if not installed.exists():
        return False
    wanted = json.loads((JS / "package-lock.json").read_text())["packages"]
    wanted.pop("", None)
    return json.loads(installed.read_text())["packages"] == wanted


@pytest.fixture(scope="session")
def node() -> str:
    """The ``node`` executable, with ``tests/js``'s packages installed (``npm ci``) when they are not."""
    node, npm = shutil.which("node"), shutil.which("npm")
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout if node else ""
    if not node or not npm or int(version.lstrip("v").split(".")[0] or 0) < 18:
        if os.environ.get("CI"):
            pytest.fail(f"{NODE_MISSING} (node: {node} {version.strip()}, npm: {npm})")
        pytest.skip(NODE_MISSING)
    if not installed_matches_lock():
        # --ignore-scripts: nothing in the lock needs an install script, and none may download anything.
        command = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"]
        done = subprocess.run(command, cwd=JS, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            pytest.fail(f"`npm ci` in {JS} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return node


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalUserpool]:
    srv = in_process(tmp_path_factory.mktemp("js-clients") / "data")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def live_cognito(live: LocalUserpool) -> Any:
    return make_client(live.url)


class Run:
    """One script's run: its input, its steps' results and the requests it sent."""

    def __init__(self, server: LocalUserpool, cognito: Any, args: dict[str, str], output: dict[str, Any]) -> None:
        self.server, self.cognito, self.args = server, cognito, args
        self.steps: dict[str, Any] = output["steps"]
        self.exchanges: list[dict[str, Any]] = output["exchanges"]

    @property
    def pool_id(self) -> str:
        return self.args["userPoolId"]

    @property
    def client_id(self) -> str:
        return self.args["clientId"]

    @property
    def issuer(self) -> str:
        return f"{self.server.url}/{self.pool_id}"

    def step(self, name: str) -> Any:
        """A step's result; a failed step fails the test with the client's error."""
        result = self.steps[name]
        assert not (isinstance(result, dict) and "error" in result), f"{name} failed: {result['error']}"
        return result

    def answers(self, target: str) -> list[dict[str, Any]]:
        """The server's answers to one operation, in order (``status``, and ``type``/``message`` for errors)."""
        return [{k: v for k, v in e.items() if k != "target"} for e in self.exchanges if e["target"] == target]

    def verify(self, token: str, token_use: str) -> dict[str, Any]:
        """The token's claims once PyJWT has checked its signature against the pool's JWKS, its issuer and expiry."""
        key = jwt.PyJWKClient(f"{self.issuer}/.well-known/jwks.json").get_signing_key_from_jwt(token).key
        audience = self.client_id if token_use == "id" else None
        claims = jwt.decode(token, key, algorithms=["RS256"], issuer=self.issuer, audience=audience)
        assert claims["token_use"] == token_use
        if token_use == "access":
            assert claims["client_id"] == self.client_id
        return claims

    def user(self) -> dict[str, Any]:
        user = self.cognito.admin_get_user(UserPoolId=self.pool_id, Username=self.args["username"])
        return {**user, "Attributes": {a["Name"]: a["Value"] for a in user["UserAttributes"]}}


def run_script(
    node: str,
    script: str,
    server: LocalUserpool,
    cognito: Any,
    username: str,
    prepare: Callable[[str, str, dict[str, str]], None] | None = None,
) -> Run:
    """A new pool (email verified automatically) and an app client that allows only SRP and refresh (so a sign-in
    that works was an SRP one), then the script against them. ``prepare(pool_id, client_id, args)`` readies the
    pool and the script's input before it runs."""
    pool_id = cognito.create_user_pool(PoolName=script, AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web", ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]
    args = {
        "url": server.url,
        "userPoolId": pool_id,
        "clientId": client_id,
        "username": username,
        "password": PASSWORD,
        "email": f"{username}@example.com",
    }
    if prepare is not None:
        prepare(pool_id, client_id, args)
    done = subprocess.run(
        [node, str(JS / script), json.dumps(args)], cwd=JS, capture_output=True, text=True, timeout=120
    )
    lines = done.stdout.splitlines()
    assert done.returncode == 0 and len(lines) == 1, f"{script}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    output = json.loads(lines[0])
    assert "error" not in output, f"{script} stopped: {output['error']}\n{done.stderr}"
    return Run(server, cognito, args, output)


def refused(cognito: Any, access_token: str) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as excinfo:
        cognito.get_user(AccessToken=access_token)
    return error_of(excinfo)


REVOKED = (400, "NotAuthorizedException", "Access Token has been revoked")


# ---- Amplify v6 -----------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def amplify(node: str, live: LocalUserpool, live_cognito: Any) -> Run:
    return run_script(node, "amplify.mjs", live, live_cognito, "alice")


def test_amplify_signs_up_and_confirms_with_the_emailed_code(amplify: Run):
    user = amplify.user()
    assert amplify.step("signUp") == {
        "isSignUpComplete": False,
        "userId": user["Attributes"]["sub"],
        "signUpStep": "CONFIRM_SIGN_UP",
        "codeDeliveryDetails": {"destination": "a***@e***", "deliveryMedium": "EMAIL", "attributeName": "email"},
    }
    assert amplify.step("confirmSignUp") == {"isSignUpComplete": True, "signUpStep": "DONE"}
    assert user["UserStatus"] == "CONFIRMED"
    assert user["Attributes"]["email"] == "alice@example.com"
    assert user["Attributes"]["email_verified"] == "true"
    assert amplify.answers("SignUp") == amplify.answers("ConfirmSignUp") == [{"status": 200}]


def test_amplify_signs_in_with_srp(amplify: Run):
    assert amplify.step("signIn") == {"isSignedIn": True, "signInStep": "DONE"}
    assert amplify.answers("InitiateAuth") == amplify.answers("RespondToAuthChallenge") == [{"status": 200}]
    assert amplify.step("getCurrentUser") == {
        "username": "alice",
        "userId": amplify.user()["Attributes"]["sub"],
        "authFlowType": "USER_SRP_AUTH",
    }


def test_amplify_session_holds_tokens_that_verify(amplify: Run):
    session = amplify.step("fetchAuthSession")
    sub = amplify.user()["Attributes"]["sub"]
    access = amplify.verify(session["accessToken"], "access")
    id_claims = amplify.verify(session["idToken"], "id")
    assert session["userSub"] == access["sub"] == id_claims["sub"] == sub
    assert access["username"] == id_claims["cognito:username"] == "alice"
    assert id_claims["email"] == "alice@example.com" and id_claims["email_verified"] is True


def test_amplify_forced_refresh_gets_new_tokens(amplify: Run):
    """Amplify v6 refreshes only through GetTokensFromRefreshToken (amplify-js refreshAuthTokens.ts)."""
    first, refreshed = amplify.step("fetchAuthSession"), amplify.step("refresh")
    assert amplify.answers("GetTokensFromRefreshToken") == [{"status": 200}]
    access = amplify.verify(refreshed["accessToken"], "access")
    id_claims = amplify.verify(refreshed["idToken"], "id")
    assert refreshed["accessToken"] != first["accessToken"] and refreshed["idToken"] != first["idToken"]
    assert access["jti"] != first["access"]["jti"] and id_claims["jti"] != first["id"]["jti"]
    assert access["iat"] >= first["access"]["iat"]
    assert access["sub"] == id_claims["sub"] == refreshed["userSub"] == first["userSub"]
    # the global sign-out that followed revoked the refreshed access token as well
    assert refused(amplify.cognito, refreshed["accessToken"]) == REVOKED


def test_amplify_global_sign_out_revokes_the_tokens(amplify: Run):
    assert amplify.step("signOut") == {}
    assert amplify.answers("GlobalSignOut") == [{"status": 200}]
    assert refused(amplify.cognito, amplify.step("fetchAuthSession")["accessToken"]) == REVOKED
    # and Amplify forgot the session
    assert amplify.steps["afterSignOut"] == {
        "error": {"name": "UserUnAuthenticatedException", "message": "User needs to be authenticated to call this API."}
    }


# ---- amazon-cognito-identity-js -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def identity_js(node: str, live: LocalUserpool, live_cognito: Any) -> Run:
    return run_script(node, "identity_js.mjs", live, live_cognito, "bob")


def test_identity_js_signs_up_and_confirms_with_the_emailed_code(identity_js: Run):
    user = identity_js.user()
    assert identity_js.step("signUp") == {
        "userConfirmed": False,
        "userSub": user["Attributes"]["sub"],
        "codeDeliveryDetails": {"Destination": "b***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"},
    }
    assert identity_js.step("confirmRegistration") == "SUCCESS"
    assert user["UserStatus"] == "CONFIRMED"
    assert user["Attributes"]["email"] == "bob@example.com"
    assert user["Attributes"]["email_verified"] == "true"


def test_identity_js_authenticates_with_srp_and_gets_tokens_that_verify(identity_js: Run):
    session = identity_js.step("authenticateUser")
    assert session["authenticationFlowType"] == "USER_SRP_AUTH"
    assert identity_js.answers("RespondToAuthChallenge") == [{"status": 200}]
    sub = identity_js.user()["Attributes"]["sub"]
    access = identity_js.verify(session["accessToken"], "access")
    id_claims = identity_js.verify(session["idToken"], "id")
    assert access["sub"] == id_claims["sub"] == sub
    assert access["username"] == id_claims["cognito:username"] == "bob"
    assert id_claims["email_verified"] is True


def test_identity_js_refreshes_the_session(identity_js: Run):
    first, refreshed = identity_js.step("authenticateUser"), identity_js.step("refreshSession")
    # InitiateAuth USER_SRP_AUTH, then InitiateAuth REFRESH_TOKEN_AUTH
    assert identity_js.answers("InitiateAuth") == [{"status": 200}, {"status": 200}]
    access = identity_js.verify(refreshed["accessToken"], "access")
    id_claims = identity_js.verify(refreshed["idToken"], "id")
    assert refreshed["accessToken"] != first["accessToken"] and refreshed["idToken"] != first["idToken"]
    assert access["jti"] != first["access"]["jti"] and id_claims["jti"] != first["id"]["jti"]
    assert access["sub"] == id_claims["sub"] == first["access"]["sub"]


def test_identity_js_reads_the_user_attributes(identity_js: Run):
    assert identity_js.step("getUserAttributes") == {
        "sub": identity_js.user()["Attributes"]["sub"],
        "email": "bob@example.com",
        "email_verified": "true",
    }


def test_identity_js_global_sign_out_revokes_every_token(identity_js: Run):
    assert identity_js.step("globalSignOut") == "SUCCESS"
    assert identity_js.answers("GlobalSignOut") == [{"status": 200}]
    assert refused(identity_js.cognito, identity_js.step("authenticateUser")["accessToken"]) == REVOKED
    assert refused(identity_js.cognito, identity_js.step("refreshSession")["accessToken"]) == REVOKED
    refresh_token = identity_js.step("authenticateUser")["refreshToken"]
    with pytest.raises(ClientError) as excinfo:
        identity_js.cognito.initiate_auth(
            ClientId=identity_js.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh_token},
        )
    assert error_of(excinfo) == (400, "NotAuthorizedException", "Refresh Token has been revoked")


# ---- TOTP MFA -------------------------------------------------------------------------------------------------------
def _totp_pool(cognito: Any, pool_id: str, client_id: str, args: dict[str, str]) -> None:
    """TOTP offered (OPTIONAL), and the script's user signed up and confirmed."""
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration="OPTIONAL", SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    cognito.sign_up(
        ClientId=client_id,
        Username=args["username"],
        Password=args["password"],
        UserAttributes=[{"Name": "email", "Value": args["email"]}],
    )
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username=args["username"])


@pytest.fixture(scope="module")
def amplify_mfa(node: str, live: LocalUserpool, live_cognito: Any) -> Run:
    return run_script(node, "amplify_mfa.mjs", live, live_cognito, "mallory", lambda *a: _totp_pool(live_cognito, *a))


def test_amplify_sets_up_totp_and_signs_in_with_its_code(amplify_mfa: Run):
    assert amplify_mfa.step("signIn") == {"isSignedIn": True, "signInStep": "DONE"}
    setup = amplify_mfa.step("setUpTOTP")
    assert setup["setupUri"] == f"otpauth://totp/userpool:mallory?secret={setup['sharedSecret']}&issuer=userpool"
    assert amplify_mfa.step("verifyTOTPSetup") == amplify_mfa.step("updateMFAPreference") == {}
    assert amplify_mfa.step("fetchMFAPreference") == {"enabled": ["TOTP"], "preferred": "TOTP"}
    assert amplify_mfa.step("signInAgain") == {"isSignedIn": False, "signInStep": "CONFIRM_SIGN_IN_WITH_TOTP_CODE"}
    assert amplify_mfa.step("confirmSignIn") == {"isSignedIn": True, "signInStep": "DONE"}
    assert amplify_mfa.verify(amplify_mfa.step("fetchAuthSession")["accessToken"], "access")["username"] == "mallory"
    assert [a["status"] for a in amplify_mfa.answers("RespondToAuthChallenge")] == [200, 200, 200]
    user = amplify_mfa.user()
    assert (user["PreferredMfaSetting"], user["UserMFASettingList"]) == ("SOFTWARE_TOKEN_MFA", ["SOFTWARE_TOKEN_MFA"])


def _passwordless_pool(cognito: Any, pool_id: str, client_id: str, args: dict[str, str]) -> None:
    """Email codes allowed first (the pool's own email sending), and the app client allowing USER_AUTH."""
    cognito.update_user_pool(
        UserPoolId=pool_id,
        AutoVerifiedAttributes=["email"],
        EmailConfiguration=SES_EMAIL,
        Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
    )
    cognito.update_user_pool_client(
        UserPoolId=pool_id, ClientId=client_id, ExplicitAuthFlows=["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )


@pytest.fixture(scope="module")
def amplify_passwordless(node: str, live: LocalUserpool, live_cognito: Any) -> Run:
    return run_script(
        node, "amplify_passwordless.mjs", live, live_cognito, "olive", lambda *a: _passwordless_pool(live_cognito, *a)
    )


def test_amplify_signs_up_without_a_password_and_is_signed_in(amplify_passwordless: Run):
    run = amplify_passwordless
    assert run.step("signUp") == {"isSignUpComplete": False, "signUpStep": "CONFIRM_SIGN_UP"}
    assert run.step("confirmSignUp") == {"isSignUpComplete": True, "signUpStep": "COMPLETE_AUTO_SIGN_IN"}
    assert run.step("autoSignIn") == {"isSignedIn": True, "signInStep": "DONE"}
    assert run.user()["UserStatus"] == "CONFIRMED"


def test_amplify_signs_in_with_an_emailed_code(amplify_passwordless: Run):
    run = amplify_passwordless
    assert run.step("signInWithCode") == {
        "isSignedIn": False,
        "signInStep": "CONFIRM_SIGN_IN_WITH_EMAIL_CODE",
        "deliveryMedium": "EMAIL",
    }
    assert run.step("confirmSignIn") == {"isSignedIn": True, "signInStep": "DONE"}
    assert run.step("signInChoosing") == {
        "isSignedIn": False,
        "signInStep": "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION",
        "availableChallenges": ["EMAIL_OTP"],
    }
    assert run.step("chooseEmailCode")["signInStep"] == "CONFIRM_SIGN_IN_WITH_EMAIL_CODE"
    assert run.step("confirmChosen") == {"isSignedIn": True, "signInStep": "DONE"}
    assert run.verify(run.step("fetchAuthSession")["accessToken"], "access")["username"] == "olive"


def _totp_required(cognito: Any, pool_id: str, client_id: str, args: dict[str, str]) -> None:
    """As ``_totp_pool``, with MFA then required (``ON``): the user has no factor yet."""
    _totp_pool(cognito, pool_id, client_id, args)
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration="ON", SoftwareTokenMfaConfiguration={"Enabled": True}
    )


@pytest.fixture(scope="module")
def amplify_mfa_setup(node: str, live: LocalUserpool, live_cognito: Any) -> Run:
    return run_script(
        node, "amplify_mfa_setup.mjs", live, live_cognito, "peggy", lambda *a: _totp_required(live_cognito, *a)
    )


def test_amplify_sets_an_authenticator_up_when_the_pool_requires_mfa(amplify_mfa_setup: Run):
    run = amplify_mfa_setup
    first = run.step("signIn")
    assert (first["isSignedIn"], first["signInStep"]) == (False, "CONTINUE_SIGN_IN_WITH_TOTP_SETUP")
    assert len(first["sharedSecret"]) == 32
    assert run.step("confirmSignIn") == {"isSignedIn": True, "signInStep": "DONE"}
    assert run.verify(run.step("fetchAuthSession")["accessToken"], "access")["username"] == "peggy"
    # MFA_SETUP with its session: AssociateSoftwareToken, VerifySoftwareToken, then the MFA_SETUP answer
    assert run.answers("AssociateSoftwareToken") == run.answers("VerifySoftwareToken") == [{"status": 200}]
    user = run.user()
    assert (user["PreferredMfaSetting"], user["UserMFASettingList"]) == ("SOFTWARE_TOKEN_MFA", ["SOFTWARE_TOKEN_MFA"])


def _registered_totp(cognito: Any, pool_id: str, client_id: str, args: dict[str, str]) -> None:
    """As ``_totp_pool``, with an authenticator registered and preferred (its secret in ``args["totpSecret"]``)."""
    _totp_pool(cognito, pool_id, client_id, args)
    cognito.update_user_pool_client(
        UserPoolId=pool_id,
        ClientId=client_id,
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"],
    )
    signed_in = cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": args["username"], "PASSWORD": args["password"]},
    )
    access = signed_in["AuthenticationResult"]["AccessToken"]
    secret = cognito.associate_software_token(AccessToken=access)["SecretCode"]
    cognito.verify_software_token(AccessToken=access, UserCode=pyotp.TOTP(secret).now())
    cognito.set_user_mfa_preference(
        AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    args["totpSecret"] = secret


@pytest.fixture(scope="module")
def identity_js_mfa(node: str, live: LocalUserpool, live_cognito: Any) -> Run:
    return run_script(
        node, "identity_js_mfa.mjs", live, live_cognito, "trent", lambda *a: _registered_totp(live_cognito, *a)
    )


def test_identity_js_answers_the_totp_challenge_after_srp(identity_js_mfa: Run):
    assert identity_js_mfa.step("authenticateUser") == {
        "callback": "totpRequired",
        "challengeName": "SOFTWARE_TOKEN_MFA",
        "authenticationFlowType": "USER_SRP_AUTH",
    }
    answered = identity_js_mfa.step("sendMFACode")
    assert answered["callback"] == "onSuccess"
    assert identity_js_mfa.verify(answered["accessToken"], "access")["username"] == "trent"
    assert identity_js_mfa.answers("RespondToAuthChallenge") == [{"status": 200}, {"status": 200}]


# ---- amazon-cognito-identity-js: custom authentication ----------------------------------------------------------
HOOKS = "python:tests.custom_auth_hooks"


@pytest.fixture(scope="module")
def custom_auth(node: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """identity-js's CUSTOM_AUTH against a pool whose challenge functions run in the server (magic code)."""
    functions = {
        "arn:aws:lambda:us-east-1:000000000000:function:define": f"{HOOKS}:define",
        "arn:aws:lambda:us-east-1:000000000000:function:create": f"{HOOKS}:create",
        "arn:aws:lambda:us-east-1:000000000000:function:verify": f"{HOOKS}:verify",
    }
    srv = in_process(tmp_path_factory.mktemp("js-custom") / "data", trigger_functions=functions)
    cognito = make_client(srv.url)
    config = {
        kind: f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
        for kind, name in (
            ("DefineAuthChallenge", "define"),
            ("CreateAuthChallenge", "create"),
            ("VerifyAuthChallengeResponse", "verify"),
        )
    }
    pool_id = cognito.create_user_pool(PoolName="custom", LambdaConfig=config)["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web", ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]
    cognito.admin_create_user(UserPoolId=pool_id, Username="carol", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="carol", Password=PASSWORD, Permanent=True)
    args = {
        "url": srv.url,
        "userPoolId": pool_id,
        "clientId": client_id,
        "username": "carol",
        "password": PASSWORD,
        "email": "carol@example.com",
        "answer": expected_code("carol"),
    }
    done = subprocess.run(
        [node, str(JS / "custom_auth.mjs"), json.dumps(args)], cwd=JS, capture_output=True, text=True, timeout=120
    )
    lines = done.stdout.splitlines()
    assert done.returncode == 0 and len(lines) == 1, f"{done.returncode}\n{done.stdout}\n{done.stderr}"
    yield Run(srv, cognito, args, json.loads(lines[0]))
    srv.stop()


def test_identity_js_custom_auth_answers_the_emailed_code(custom_auth: Run):
    sub = custom_auth.user()["Attributes"]["sub"]
    assert custom_auth.step("customOnly") == {"challenges": [{"delivery": "email", "USERNAME": "carol"}], "sub": sub}
    assert len(custom_auth.step("wrongThenRight")["challenges"]) == 2


def test_identity_js_custom_auth_with_srp_first(custom_auth: Run):
    result = custom_auth.step("srpThenCustom")
    assert result == {
        "challenges": [{"delivery": "email", "USERNAME": "carol"}],
        "sub": custom_auth.user()["Attributes"]["sub"],
    }
    # InitiateAuth (SRP_A), PASSWORD_VERIFIER, CUSTOM_CHALLENGE: all answered 200
    assert all(answer == {"status": 200} for answer in custom_auth.answers("RespondToAuthChallenge"))
