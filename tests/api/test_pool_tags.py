"""A user pool's tags (TagResource, UntagResource, ListTagsForResource on the pool's ARN, and UserPoolTags of
Create/Update/DescribeUserPool), what DescribeUserPool answers about a pool, and the AWS CLI on these operations."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.test_aws_cli import aws
from tests.helpers import PASSWORD, error_of

ACCOUNT = "000000000000"


def arn(pool_id: str, region: str = "us-east-1", account: str = ACCOUNT) -> str:
    return f"arn:aws:cognito-idp:{region}:{account}:userpool/{pool_id}"


def failure(call: Any, **params: Any) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)


def tags_of(cognito: Any, pool_id: str) -> dict[str, str]:
    return cognito.list_tags_for_resource(ResourceArn=arn(pool_id))["Tags"]


def many(count: int, prefix: str = "k") -> dict[str, str]:
    return {f"{prefix}{i}": str(i) for i in range(count)}


TOO_MANY = (400, "InvalidParameterException", "A user pool can have at most 50 tags.")


# ---- tags ----------------------------------------------------------------------------------------------------------
def test_tags_given_at_creation_are_described_and_listed(cognito, make_pool):
    pool = make_pool(UserPoolTags={"team": "identity", "env": ""})
    assert pool["UserPoolTags"] == {"team": "identity", "env": ""}
    assert cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["UserPoolTags"] == {
        "team": "identity",
        "env": "",
    }
    assert tags_of(cognito, pool["Id"]) == {"team": "identity", "env": ""}


def test_a_pool_without_tags_lists_none(cognito, make_pool):
    pool = make_pool()
    assert pool["UserPoolTags"] == {}
    assert tags_of(cognito, pool["Id"]) == {}


def test_tag_adds_and_replaces_untag_removes_and_ignores_unknown_keys(cognito, make_pool):
    pool = make_pool(UserPoolTags={"team": "identity"})
    before = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    answer = cognito.tag_resource(ResourceArn=arn(pool["Id"]), Tags={"team": "platform", "cost": "42"})
    answer.pop("ResponseMetadata")
    assert answer == {}
    assert tags_of(cognito, pool["Id"]) == {"team": "platform", "cost": "42"}

    answer = cognito.untag_resource(ResourceArn=arn(pool["Id"]), TagKeys=["team", "never-set"])
    answer.pop("ResponseMetadata")
    assert answer == {}
    after = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert after["UserPoolTags"] == {"cost": "42"}
    # Tagging is not a change of the pool's configuration: its other settings and dates stay.
    assert after["LastModifiedDate"] == before["LastModifiedDate"]
    assert {k: v for k, v in after.items() if k != "UserPoolTags"} == {
        k: v for k, v in before.items() if k != "UserPoolTags"
    }


def test_a_pool_has_at_most_fifty_tags(cognito, make_pool):
    pool = make_pool(UserPoolTags=many(50))
    assert failure(cognito.tag_resource, ResourceArn=arn(pool["Id"]), Tags={"one-more": "x"}) == TOO_MANY
    assert tags_of(cognito, pool["Id"]) == many(50)
    cognito.tag_resource(ResourceArn=arn(pool["Id"]), Tags={"k0": "replaced"})  # replacing is no new tag
    assert tags_of(cognito, pool["Id"])["k0"] == "replaced"
    assert failure(cognito.create_user_pool, PoolName="p", UserPoolTags=many(51)) == TOO_MANY
    assert failure(cognito.update_user_pool, UserPoolId=pool["Id"], UserPoolTags=many(51)) == TOO_MANY
    assert len(tags_of(cognito, pool["Id"])) == 50


def test_update_user_pool_sets_the_tags_it_is_sent_and_resets_them_when_it_is_not(cognito, make_pool):
    pool = make_pool(UserPoolTags={"a": "1"})
    cognito.update_user_pool(UserPoolId=pool["Id"], UserPoolTags={"b": "2"})
    assert tags_of(cognito, pool["Id"]) == {"b": "2"}
    cognito.update_user_pool(UserPoolId=pool["Id"], MfaConfiguration="OFF")
    assert tags_of(cognito, pool["Id"]) == {}


def test_racing_taggers_lose_no_tag(cognito, make_pool):
    pool = make_pool()
    with ThreadPoolExecutor(8) as threads:
        list(threads.map(lambda i: cognito.tag_resource(ResourceArn=arn(pool["Id"]), Tags={f"t{i}": "v"}), range(16)))
    assert tags_of(cognito, pool["Id"]) == {f"t{i}": "v" for i in range(16)}


@pytest.mark.parametrize("operation", ["tag_resource", "untag_resource", "list_tags_for_resource"])
def test_an_unknown_pool_is_not_found(cognito, operation):
    extra = {"tag_resource": {"Tags": {"a": "b"}}, "untag_resource": {"TagKeys": ["a"]}}.get(operation, {})
    call = getattr(cognito, operation)
    assert failure(call, ResourceArn=arn("us-east-1_nosuch123"), **extra) == (
        400,
        "ResourceNotFoundException",
        "User pool us-east-1_nosuch123 does not exist.",
    )


def test_a_pool_named_in_another_region_or_account_is_not_found(cognito, make_pool):
    pool = make_pool()
    for elsewhere in (arn(pool["Id"], region="eu-west-1"), arn(pool["Id"], account="123456789012")):
        assert failure(cognito.list_tags_for_resource, ResourceArn=elsewhere) == (
            400,
            "ResourceNotFoundException",
            f"User pool {pool['Id']} does not exist.",
        )


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:s3:us-east-1:000000000000:bucket/us-east-1_abc",
        "arn:aws:cognito-idp:us-east-1:000000000000:userpool-client/us-east-1_abc",
        "arn:aws:cognito-idp:us-east-1:000000000000:userpool/noUnderscore",
    ],
)
def test_an_arn_that_names_no_user_pool_is_invalid(cognito, resource):
    assert failure(cognito.list_tags_for_resource, ResourceArn=resource) == (
        400,
        "InvalidParameterException",
        f"Invalid resource ARN: {resource}",
    )
    assert failure(cognito.tag_resource, ResourceArn=resource, Tags={"a": "b"})[1] == "InvalidParameterException"


def test_tag_model_limits(raw_cognito, make_pool):
    pool = make_pool()
    with pytest.raises(ClientError) as excinfo:
        raw_cognito.list_tags_for_resource(ResourceArn="arn:too-short")
    assert error_of(excinfo) == (
        400,
        "InvalidParameterException",
        "2 validation errors detected: Value 'arn:too-short' at 'resourceArn' failed to satisfy constraint: "
        "Member must have length greater than or equal to 20; Value 'arn:too-short' at 'resourceArn' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: "
        "arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?(:[\\w+=/,.@-]+)?",
    )
    with pytest.raises(ClientError) as excinfo:
        raw_cognito.tag_resource(ResourceArn=arn(pool["Id"]), Tags={"v": "x" * 257})
    assert error_of(excinfo)[:2] == (400, "InvalidParameterException")
    assert raw_cognito.list_tags_for_resource(ResourceArn=arn(pool["Id"]))["Tags"] == {}


# ---- DescribeUserPool ----------------------------------------------------------------------------------------------
def test_describe_counts_users_and_names_the_pool_by_its_arn(cognito, make_pool):
    pool = make_pool()
    for name in ("ann", "bob"):
        cognito.admin_create_user(UserPoolId=pool["Id"], Username=name, MessageAction="SUPPRESS")
    described = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert described["EstimatedNumberOfUsers"] == 2
    assert described["Arn"] == arn(pool["Id"])
    assert described["UserPoolTier"] == "ESSENTIALS"
    assert described["UserPoolTags"] == {}
    assert described["Policies"]["SignInPolicy"] == {"AllowedFirstAuthFactors": ["PASSWORD"]}


def test_describe_returns_every_setting_the_pool_was_given(cognito, make_pool):
    settings = {
        "UsernameConfiguration": {"CaseSensitive": False},
        "AccountRecoverySetting": {"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]},
        "AdminCreateUserConfig": {
            "AllowAdminCreateUserOnly": True,
            "InviteMessageTemplate": {
                "EmailMessage": "Hi {username}, {####}",
                "EmailSubject": "Welcome",
                "SMSMessage": "Hi {username}, {####}",
            },
        },
        "DeviceConfiguration": {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False},
        "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": ["email"]},
        "AutoVerifiedAttributes": ["email"],
        "SmsAuthenticationMessage": "Your code {####}",
        "UserPoolTags": {"team": "identity"},
        "KeyConfiguration": {"KeyType": "AWS_OWNED_KEY"},
        "IssuerConfiguration": {"Type": "ORIGINAL"},
    }
    described = cognito.describe_user_pool(UserPoolId=make_pool(**settings)["Id"])["UserPool"]
    for key, value in settings.items():
        if key == "AdminCreateUserConfig":
            assert described[key] == {**value, "UnusedAccountValidityDays": 7}
        else:
            assert described[key] == value, key


def test_the_two_temporary_password_validities_are_one_setting(cognito, make_pool):
    legacy = cognito.describe_user_pool(
        UserPoolId=make_pool(AdminCreateUserConfig={"UnusedAccountValidityDays": 3})["Id"]
    )["UserPool"]
    assert legacy["Policies"]["PasswordPolicy"]["TemporaryPasswordValidityDays"] == 3
    assert legacy["AdminCreateUserConfig"]["UnusedAccountValidityDays"] == 3
    modern = make_pool(Policies={"PasswordPolicy": {"MinimumLength": 8, "TemporaryPasswordValidityDays": 2}})
    assert modern["AdminCreateUserConfig"]["UnusedAccountValidityDays"] == 2
    # What DescribeUserPool answers can be sent back to UpdateUserPool.
    cognito.update_user_pool(
        UserPoolId=legacy["Id"], Policies=legacy["Policies"], AdminCreateUserConfig=legacy["AdminCreateUserConfig"]
    )
    assert failure(
        cognito.create_user_pool,
        PoolName="both",
        Policies={"PasswordPolicy": {"MinimumLength": 8, "TemporaryPasswordValidityDays": 2}},
        AdminCreateUserConfig={"UnusedAccountValidityDays": 3},
    ) == (
        400,
        "InvalidParameterException",
        "Please use TemporaryPasswordValidityDays in PasswordPolicy instead of UnusedAccountValidityDays",
    )


# ---- the AWS CLI ---------------------------------------------------------------------------------------------------
@pytest.mark.databases("sqlite")
def test_pool_administration_with_the_aws_cli(server, cognito):
    pool_id = aws(server, "create-user-pool", "--pool-name", "cli-admin", "--user-pool-tags", "team=identity")[
        "UserPool"
    ]["Id"]
    resource = arn(pool_id)
    aws(server, "tag-resource", "--resource-arn", resource, "--tags", "env=test")
    assert aws(server, "list-tags-for-resource", "--resource-arn", resource) == {
        "Tags": {"team": "identity", "env": "test"}
    }
    aws(server, "untag-resource", "--resource-arn", resource, "--tag-keys", "team")
    assert aws(server, "list-tags-for-resource", "--resource-arn", resource) == {"Tags": {"env": "test"}}

    aws(
        server,
        "add-custom-attributes",
        "--user-pool-id",
        pool_id,
        "--custom-attributes",
        'Name="plan",AttributeDataType="String",StringAttributeConstraints={MinLength=1,MaxLength=15}',
    )
    schema = aws(server, "describe-user-pool", "--user-pool-id", pool_id)["UserPool"]["SchemaAttributes"]
    assert {"Name": "custom:plan", "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "15"}}.items() <= {
        **next(a for a in schema if a["Name"] == "custom:plan")
    }.items()

    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="ann",
        TemporaryPassword=PASSWORD,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "custom:plan", "Value": "pro"}, {"Name": "nickname", "Value": "A"}],
    )
    aws(
        server,
        "admin-delete-user-attributes",
        "--user-pool-id",
        pool_id,
        "--username",
        "ann",
        "--user-attribute-names",
        "custom:plan",
        "nickname",
    )
    left = aws(server, "admin-get-user", "--user-pool-id", pool_id, "--username", "ann")["UserAttributes"]
    assert [a["Name"] for a in left] == ["sub"]
