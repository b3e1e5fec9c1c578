"""The triggers of a federated sign-in (the upstream OpenID provider is another pool of the trigger server): on the
first sign-in PreSignUp_ExternalProvider then PostConfirmation_ConfirmSignUp; on later ones PreAuthentication and
PostAuthentication; PreTokenGeneration as TokenGeneration_HostedAuth. A PreSignUp refusal is a page with Cognito's
text and creates nothing."""

from __future__ import annotations

import pytest

from tests.federation_helpers import (
    PROVIDER,
    federated_sign_in,
    federated_world,
    sign_in_upstream,
    start,
    upstream_user,
)
from tests.functions import arn, fail
from tests.helpers import http_client
from tests.trigger_setup import function_name


@pytest.fixture
def browser(trigger_server):
    with http_client(base_url=trigger_server.url) as client:
        yield client


def test_a_first_sign_in_runs_pre_sign_up_external_provider_then_post_confirmation(
    idp, trigger_server, functions, browser
):
    pre, post, token = function_name("python", "a"), function_name("python", "b"), function_name("python", "c")
    world = federated_world(
        idp, trigger_server.url,
        LambdaConfig={"PreSignUp": arn(pre), "PostConfirmation": arn(post), "PreTokenGeneration": arn(token)},
    )  # fmt: skip
    sub = upstream_user(idp, world)
    federated_sign_in(browser, world)
    [event] = functions.events(pre)
    assert event["triggerSource"] == "PreSignUp_ExternalProvider"
    assert event["userName"] == f"{PROVIDER}_{sub}"
    assert event["callerContext"]["clientId"] == world.app_client
    assert event["request"]["userAttributes"]["email"] == "alice@corp.example"
    [confirmed] = functions.events(post)
    assert confirmed["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert confirmed["request"]["userAttributes"]["cognito:user_status"] == "EXTERNAL_PROVIDER"
    # The sign-in's tokens, as for a native user of the hosted UI (the code's exchange makes the app's from them).
    assert functions.events(token)[0]["triggerSource"] == "TokenGeneration_HostedAuth"


def test_a_later_sign_in_runs_pre_and_post_authentication(idp, trigger_server, functions, browser):
    pre, post, signup = function_name("python", "a"), function_name("python", "b"), function_name("python", "c")
    world = federated_world(
        idp, trigger_server.url,
        LambdaConfig={"PreAuthentication": arn(pre), "PostAuthentication": arn(post), "PreSignUp": arn(signup)},
    )  # fmt: skip
    sub = upstream_user(idp, world)
    federated_sign_in(browser, world)
    assert functions.events(pre) == [] and functions.events(post) == []
    browser.cookies.clear()
    federated_sign_in(browser, world)
    assert [e["triggerSource"] for e in functions.events(pre)] == ["PreAuthentication_Authentication"]
    assert [e["triggerSource"] for e in functions.events(post)] == ["PostAuthentication_Authentication"]
    assert functions.events(pre)[0]["userName"] == f"{PROVIDER}_{sub}"
    assert len(functions.events(signup)) == 1


def test_a_pre_sign_up_refusal_is_a_page_and_creates_nothing(idp, trigger_server, functions, browser):
    pre = function_name("python", "a")
    functions.on(pre, fail("outsiders are not welcome"))
    world = federated_world(idp, trigger_server.url, LambdaConfig={"PreSignUp": arn(pre)})
    upstream_user(idp, world)
    started = start(browser, world)
    page = browser.get(sign_in_upstream(browser, started))
    assert page.status_code == 400
    assert "PreSignUp failed with error outsiders are not welcome." in page.text
    assert idp.list_users(UserPoolId=world.pool_id)["Users"] == []
    assert idp.list_groups(UserPoolId=world.pool_id)["Groups"] == []
