"""Threat protection's compromised-credentials check at sign-up: SetRiskConfiguration / DescribeRiskConfiguration
stored per pool and per client, and passwords from the offline list refused only when Cognito would block them."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.helpers import error_of
from userpool.blocklist import SHIPPED, PasswordBlocklist

COMPROMISED = "Password1!"  # meets the default policy; "password1!" is in the list (the check folds case)
FRESH = "Zebra-Quokka-Marmot-91!"
BLOCKED = (400, "InvalidPasswordException", "Provided password cannot be used for security reasons.")
NOT_ENABLED = (
    400,
    "UserPoolAddOnNotEnabledException",
    "Advanced security features are not enabled for this user pool.",
)
BLOCK_SIGN_UP = {"EventFilter": ["SIGN_UP"], "Actions": {"EventAction": "BLOCK"}}


@pytest.fixture
def pool(cognito):
    def make(mode="ENFORCED"):
        pool_id = cognito.create_user_pool(PoolName="threats", UserPoolAddOns={"AdvancedSecurityMode": mode})[
            "UserPool"
        ]["Id"]
        clients = [
            cognito.create_user_pool_client(UserPoolId=pool_id, ClientName=name)["UserPoolClient"]["ClientId"]
            for name in ("web", "mobile")
        ]
        return pool_id, clients

    return make


def sign_up(cognito, client_id, username, password):
    return cognito.sign_up(ClientId=client_id, Username=username, Password=password)


def users(cognito, pool_id):
    return [u["Username"] for u in cognito.list_users(UserPoolId=pool_id)["Users"]]


def test_the_shipped_list_is_small_and_holds_common_passwords():
    assert SHIPPED.stat().st_size <= 2 * 1024 * 1024
    blocklist = PasswordBlocklist()
    try:
        assert len(blocklist) > 19_000
        for password in ("123456", "qwerty", "p@ssw0rd", "P@SSW0RD", COMPROMISED, " password1! "):
            assert password in blocklist
        for password in (FRESH, "Passw0rd!", "", "x" * 300):
            assert password not in blocklist
    finally:
        blocklist.close()


def test_set_and_describe_pool_wide(cognito, pool):
    pool_id, _ = pool()
    set_answer = cognito.set_risk_configuration(
        UserPoolId=pool_id, CompromisedCredentialsRiskConfiguration=BLOCK_SIGN_UP
    )["RiskConfiguration"]
    described = cognito.describe_risk_configuration(UserPoolId=pool_id)["RiskConfiguration"]
    assert described == set_answer
    assert described["UserPoolId"] == pool_id
    assert described["ClientId"] == "ALL"
    assert described["CompromisedCredentialsRiskConfiguration"] == BLOCK_SIGN_UP
    assert "LastModifiedDate" in described


def test_sign_up_with_a_compromised_password_is_refused_and_nothing_is_created(cognito, pool):
    pool_id, (web, _) = pool()
    cognito.set_risk_configuration(UserPoolId=pool_id, CompromisedCredentialsRiskConfiguration=BLOCK_SIGN_UP)
    with pytest.raises(ClientError) as e:
        sign_up(cognito, web, "victim", COMPROMISED)
    assert error_of(e) == BLOCKED
    assert users(cognito, pool_id) == []
    sign_up(cognito, web, "careful", FRESH)
    assert users(cognito, pool_id) == ["careful"]


def test_policy_violations_are_reported_before_the_list(cognito, pool):
    pool_id, (web, _) = pool()
    cognito.set_risk_configuration(UserPoolId=pool_id, CompromisedCredentialsRiskConfiguration=BLOCK_SIGN_UP)
    with pytest.raises(ClientError) as e:
        sign_up(cognito, web, "short", "qwerty")
    assert error_of(e) == (
        400,
        "InvalidPasswordException",
        "Password did not conform with policy: Password not long enough",
    )


@pytest.mark.parametrize(
    "mode, configuration",
    [
        ("AUDIT", BLOCK_SIGN_UP),  # audit mode never blocks
        ("ENFORCED", {"EventFilter": ["SIGN_IN", "PASSWORD_CHANGE"], "Actions": {"EventAction": "BLOCK"}}),
        ("ENFORCED", {"EventFilter": ["SIGN_UP"], "Actions": {"EventAction": "NO_ACTION"}}),
    ],
)
def test_compromised_password_is_accepted_when_the_configuration_does_not_block_sign_up(
    cognito, pool, mode, configuration
):
    pool_id, (web, _) = pool(mode)
    cognito.set_risk_configuration(UserPoolId=pool_id, CompromisedCredentialsRiskConfiguration=configuration)
    sign_up(cognito, web, "lucky", COMPROMISED)
    assert users(cognito, pool_id) == ["lucky"]


def test_no_event_filter_means_every_event(cognito, pool):
    pool_id, (web, _) = pool()
    cognito.set_risk_configuration(
        UserPoolId=pool_id, CompromisedCredentialsRiskConfiguration={"Actions": {"EventAction": "BLOCK"}}
    )
    with pytest.raises(ClientError) as e:
        sign_up(cognito, web, "victim", COMPROMISED)
    assert error_of(e) == BLOCKED


def test_a_clients_own_configuration_replaces_the_pools(cognito, pool):
    pool_id, (web, mobile) = pool()
    cognito.set_risk_configuration(UserPoolId=pool_id, CompromisedCredentialsRiskConfiguration=BLOCK_SIGN_UP)
    cognito.set_risk_configuration(
        UserPoolId=pool_id,
        ClientId=mobile,
        CompromisedCredentialsRiskConfiguration={"EventFilter": ["SIGN_UP"], "Actions": {"EventAction": "NO_ACTION"}},
    )
    sign_up(cognito, mobile, "via-mobile", COMPROMISED)
    with pytest.raises(ClientError) as e:
        sign_up(cognito, web, "via-web", COMPROMISED)
    assert error_of(e) == BLOCKED
    own = cognito.describe_risk_configuration(UserPoolId=pool_id, ClientId=mobile)["RiskConfiguration"]
    assert own["ClientId"] == mobile
    inherited = cognito.describe_risk_configuration(UserPoolId=pool_id, ClientId=web)["RiskConfiguration"]
    assert inherited["ClientId"] == "ALL"
    # deleting the client deletes its configuration with it
    cognito.delete_user_pool_client(UserPoolId=pool_id, ClientId=mobile)
    assert cognito.describe_risk_configuration(UserPoolId=pool_id)["RiskConfiguration"]["ClientId"] == "ALL"


def test_setting_again_replaces_every_part(cognito, pool):
    pool_id, _ = pool()
    cognito.set_risk_configuration(
        UserPoolId=pool_id,
        CompromisedCredentialsRiskConfiguration=BLOCK_SIGN_UP,
        RiskExceptionConfiguration={"BlockedIPRangeList": ["192.0.2.0/24"]},
    )
    cognito.set_risk_configuration(
        UserPoolId=pool_id, RiskExceptionConfiguration={"SkippedIPRangeList": ["10.0.0.0/8"]}
    )
    described = cognito.describe_risk_configuration(UserPoolId=pool_id)["RiskConfiguration"]
    assert "CompromisedCredentialsRiskConfiguration" not in described
    assert described["RiskExceptionConfiguration"] == {"SkippedIPRangeList": ["10.0.0.0/8"]}


def test_nothing_configured_describes_the_pool_alone(cognito, pool):
    pool_id, _ = pool()
    assert cognito.describe_risk_configuration(UserPoolId=pool_id)["RiskConfiguration"] == {"UserPoolId": pool_id}


def test_threat_protection_off_refuses_risk_configurations(cognito, pool):
    pool_id, _ = pool("OFF")
    with pytest.raises(ClientError) as e:
        cognito.set_risk_configuration(UserPoolId=pool_id, CompromisedCredentialsRiskConfiguration=BLOCK_SIGN_UP)
    assert error_of(e) == NOT_ENABLED
    with pytest.raises(ClientError) as e:
        cognito.describe_risk_configuration(UserPoolId=pool_id)
    assert error_of(e) == NOT_ENABLED


def test_unknown_pool_and_foreign_client(cognito, pool):
    with pytest.raises(ClientError) as e:
        cognito.describe_risk_configuration(UserPoolId="us-east-1_XXXXXXXXX")
    assert error_of(e) == (400, "ResourceNotFoundException", "User pool us-east-1_XXXXXXXXX does not exist.")
    pool_id, _ = pool()
    _, (foreign, _) = pool()
    with pytest.raises(ClientError) as e:
        cognito.set_risk_configuration(
            UserPoolId=pool_id, ClientId=foreign, CompromisedCredentialsRiskConfiguration=BLOCK_SIGN_UP
        )
    assert error_of(e) == (400, "ResourceNotFoundException", f"User pool client {foreign} does not exist.")
