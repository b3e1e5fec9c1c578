"""CreateUserPool, DescribeUserPool, UpdateUserPool, DeleteUserPool and ListUserPools against the server."""

from __future__ import annotations

import datetime
import re

import pytest
from botocore.exceptions import ClientError

from tests.helpers import error_of

POOL_ID = re.compile(r"us-east-1_[0-9A-Za-z]{9}")
STRING = {"MinLength": "0", "MaxLength": "2048"}


def _standard(name: str, kind: str = "String", **extra: object) -> dict[str, object]:
    attribute: dict[str, object] = {
        "Name": name,
        "AttributeDataType": kind,
        "DeveloperOnlyAttribute": False,
        "Mutable": True,
        "Required": False,
    }
    if kind == "String":
        attribute["StringAttributeConstraints"] = STRING
    attribute.update(extra)
    return attribute


# Cognito's standard schema, in the order DescribeUserPool lists it.
STANDARD_SCHEMA = [
    _standard(
        "sub",
        Mutable=False,
        Required=True,
        StringAttributeConstraints={"MinLength": "1", "MaxLength": "2048"},
    ),
    *(
        _standard(n)
        for n in (
            "name",
            "given_name",
            "family_name",
            "middle_name",
            "nickname",
            "preferred_username",
            "profile",
            "picture",
            "website",
            "email",
        )
    ),
    _standard("email_verified", "Boolean"),
    _standard("gender"),
    _standard("birthdate", StringAttributeConstraints={"MinLength": "10", "MaxLength": "10"}),
    _standard("zoneinfo"),
    _standard("locale"),
    _standard("phone_number"),
    _standard("phone_number_verified", "Boolean"),
    _standard("address"),
    _standard("updated_at", "Number", NumberAttributeConstraints={"MinValue": "0"}),
]
DEFAULT_PASSWORD_POLICY = {
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": 7,
}
SES_EMAIL = {
    "EmailSendingAccount": "DEVELOPER",
    "SourceArn": "arn:aws:ses:us-east-1:000000000000:identity/no-reply@example.com",
    "From": "Example <no-reply@example.com>",
    "ReplyToEmailAddress": "help@example.com",
}


def describe(cognito, pool_id):
    return cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]


def schema_of(pool):
    return {a["Name"]: a for a in pool["SchemaAttributes"]}


# --- CreateUserPool / DescribeUserPool: defaults ---------------------------------------------------------


def test_create_with_only_a_name_describes_cognitos_defaults(cognito, make_pool):
    created = make_pool(PoolName="defaults")
    pool = describe(cognito, created["Id"])

    assert POOL_ID.fullmatch(pool["Id"]), pool["Id"]
    assert pool["Id"] == created["Id"]
    assert pool["Name"] == "defaults"
    assert pool["Arn"] == f"arn:aws:cognito-idp:us-east-1:000000000000:userpool/{pool['Id']}"
    assert pool["Policies"]["PasswordPolicy"] == DEFAULT_PASSWORD_POLICY
    assert pool["SchemaAttributes"] == STANDARD_SCHEMA
    assert pool["VerificationMessageTemplate"] == {"DefaultEmailOption": "CONFIRM_WITH_CODE"}
    assert pool["MfaConfiguration"] == "OFF"
    assert pool["EstimatedNumberOfUsers"] == 0
    assert pool["AdminCreateUserConfig"] == {
        "AllowAdminCreateUserOnly": False,
        "UnusedAccountValidityDays": 7,
    }
    assert pool["EmailConfiguration"] == {"EmailSendingAccount": "COGNITO_DEFAULT"}
    assert pool["DeletionProtection"] == "INACTIVE"
    assert pool["LambdaConfig"] == {}
    assert isinstance(pool["CreationDate"], datetime.datetime)
    assert isinstance(pool["LastModifiedDate"], datetime.datetime)
    assert pool["CreationDate"] == pool["LastModifiedDate"]
    for absent in (
        "AutoVerifiedAttributes",
        "AliasAttributes",
        "UsernameAttributes",
        "EmailVerificationMessage",
        "EmailVerificationSubject",
        "SmsVerificationMessage",
        "SmsConfiguration",
    ):
        assert absent not in pool, absent


def test_create_returns_what_describe_returns(cognito, make_pool):
    created = make_pool(PoolName="same", AutoVerifiedAttributes=["email"])
    assert describe(cognito, created["Id"]) == created


def test_pool_ids_are_unique(make_pool):
    ids = {make_pool()["Id"] for _ in range(3)}
    assert len(ids) == 3


def test_standard_schema_details(cognito, make_pool):
    schema = schema_of(describe(cognito, make_pool()["Id"]))
    assert next(iter(schema)) == "sub"
    assert schema["sub"]["Mutable"] is False
    assert schema["sub"]["Required"] is True
    assert schema["sub"]["StringAttributeConstraints"]["MinLength"] == "1"
    assert schema["birthdate"]["StringAttributeConstraints"] == {"MinLength": "10", "MaxLength": "10"}
    assert schema["updated_at"]["AttributeDataType"] == "Number"
    assert schema["updated_at"]["NumberAttributeConstraints"] == {"MinValue": "0"}
    assert schema["email_verified"]["AttributeDataType"] == "Boolean"
    assert "StringAttributeConstraints" not in schema["email_verified"]
    assert "NumberAttributeConstraints" not in schema["email_verified"]


def test_partial_password_policy_stores_unsent_flags_as_false(cognito, make_pool):
    pool = describe(cognito, make_pool(Policies={"PasswordPolicy": {"MinimumLength": 6}})["Id"])
    assert pool["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 6,
        "RequireUppercase": False,
        "RequireLowercase": False,
        "RequireNumbers": False,
        "RequireSymbols": False,
        "TemporaryPasswordValidityDays": 7,
    }


def test_full_password_policy_is_stored(cognito, make_pool):
    policy = {
        "MinimumLength": 12,
        "RequireUppercase": True,
        "RequireLowercase": False,
        "RequireNumbers": True,
        "RequireSymbols": False,
        "TemporaryPasswordValidityDays": 3,
    }
    pool = describe(cognito, make_pool(Policies={"PasswordPolicy": policy})["Id"])
    assert pool["Policies"]["PasswordPolicy"] == policy


# --- Schema ----------------------------------------------------------------------------------------------


def test_custom_attributes_appear_prefixed_with_their_constraints(cognito, make_pool):
    pool = describe(
        cognito,
        make_pool(
            Schema=[
                {
                    "Name": "tier",
                    "AttributeDataType": "String",
                    "Mutable": True,
                    "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "16"},
                },
                {
                    "Name": "age",
                    "AttributeDataType": "Number",
                    "Mutable": False,
                    "NumberAttributeConstraints": {"MinValue": "0", "MaxValue": "150"},
                },
            ]
        )["Id"],
    )
    names = [a["Name"] for a in pool["SchemaAttributes"]]
    assert names[:20] == [a["Name"] for a in STANDARD_SCHEMA]
    assert names[20:] == ["custom:tier", "custom:age"]
    schema = schema_of(pool)
    assert schema["custom:tier"] == {
        "Name": "custom:tier",
        "AttributeDataType": "String",
        "DeveloperOnlyAttribute": False,
        "Mutable": True,
        "Required": False,
        "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "16"},
    }
    assert schema["custom:age"] == {
        "Name": "custom:age",
        "AttributeDataType": "Number",
        "DeveloperOnlyAttribute": False,
        "Mutable": False,
        "Required": False,
        "NumberAttributeConstraints": {"MinValue": "0", "MaxValue": "150"},
    }


def test_standard_attribute_in_schema_can_be_made_required(cognito, make_pool):
    pool = describe(
        cognito,
        make_pool(Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True}])["Id"],
    )
    assert len(pool["SchemaAttributes"]) == 20
    assert schema_of(pool)["email"] == {**_standard("email"), "Required": True}


def test_required_custom_attribute_is_rejected(cognito):
    with pytest.raises(ClientError) as excinfo:
        cognito.create_user_pool(
            PoolName="required-custom",
            Schema=[{"Name": "tier", "AttributeDataType": "String", "Required": True}],
        )
    assert error_of(excinfo) == (
        400,
        "InvalidParameterException",
        "Required custom attributes are not supported currently.",
    )


def test_duplicate_standard_attribute_is_rejected(cognito):
    with pytest.raises(ClientError) as excinfo:
        cognito.create_user_pool(
            PoolName="dup",
            Schema=[
                {"Name": "email", "AttributeDataType": "String", "Required": True},
                {"Name": "email", "AttributeDataType": "String", "Required": False},
            ],
        )
    assert error_of(excinfo) == (
        400,
        "InvalidParameterException",
        "Existing attribute already has name email.",
    )


def test_duplicate_custom_attribute_is_rejected_by_its_prefixed_name(cognito):
    # Cognito names custom attributes custom:<name> everywhere, including this message (other Cognito
    # emulators and AddCustomAttributes report `custom:tier`); the exact CreateUserPool text is unverified.
    with pytest.raises(ClientError) as excinfo:
        cognito.create_user_pool(
            PoolName="dup",
            Schema=[
                {"Name": "tier", "AttributeDataType": "String"},
                {"Name": "tier", "AttributeDataType": "Number"},
            ],
        )
    assert error_of(excinfo) == (
        400,
        "InvalidParameterException",
        "Existing attribute already has name custom:tier.",
    )


def test_username_and_alias_attributes_together_are_rejected(cognito):
    with pytest.raises(ClientError) as excinfo:
        cognito.create_user_pool(PoolName="both", UsernameAttributes=["email"], AliasAttributes=["phone_number"])
    assert error_of(excinfo) == (
        400,
        "InvalidParameterException",
        "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.",
    )


# --- Stored settings -------------------------------------------------------------------------------------


def test_username_settings_are_stored(cognito, make_pool):
    pool = describe(
        cognito,
        make_pool(
            UsernameAttributes=["email"],
            UsernameConfiguration={"CaseSensitive": False},
            AutoVerifiedAttributes=["email"],
        )["Id"],
    )
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}
    assert pool["AutoVerifiedAttributes"] == ["email"]
    assert "AliasAttributes" not in pool


def test_alias_attributes_are_stored(cognito, make_pool):
    pool = describe(
        cognito,
        make_pool(
            AliasAttributes=["email", "preferred_username"],
            UsernameConfiguration={"CaseSensitive": True},
            AutoVerifiedAttributes=["email", "phone_number"],
        )["Id"],
    )
    assert pool["AliasAttributes"] == ["email", "preferred_username"]
    assert pool["UsernameConfiguration"] == {"CaseSensitive": True}
    assert pool["AutoVerifiedAttributes"] == ["email", "phone_number"]
    assert "UsernameAttributes" not in pool


def test_lambda_email_and_sms_configuration_are_stored(cognito, make_pool):
    lambdas = {
        "PreSignUp": "arn:aws:lambda:us-east-1:000000000000:function:pre-sign-up",
        "CustomMessage": "arn:aws:lambda:us-east-1:000000000000:function:custom-message",
        "PostConfirmation": "arn:aws:lambda:us-east-1:000000000000:function:post-confirmation",
    }
    sms = {
        "SnsCallerArn": "arn:aws:iam::000000000000:role/sns-caller",
        "ExternalId": "external-id",
        "SnsRegion": "us-east-1",
    }
    created = make_pool(LambdaConfig=lambdas, EmailConfiguration=SES_EMAIL, SmsConfiguration=sms)
    pool = describe(cognito, created["Id"])
    assert pool["LambdaConfig"] == lambdas
    assert pool["EmailConfiguration"] == SES_EMAIL
    assert pool["SmsConfiguration"] == sms
    listed = [
        p
        for page in cognito.get_paginator("list_user_pools").paginate(MaxResults=60)
        for p in page["UserPools"]
        if p["Id"] == created["Id"]
    ]
    assert [p["LambdaConfig"] for p in listed] == [lambdas]


def test_verification_message_template_is_stored_and_mirrored_to_legacy_fields(cognito, make_pool):
    template = {
        "DefaultEmailOption": "CONFIRM_WITH_CODE",
        "EmailMessage": "Your code: {####}",
        "EmailSubject": "Welcome",
        "SmsMessage": "Code {####}",
    }
    pool = describe(cognito, make_pool(EmailConfiguration=SES_EMAIL, VerificationMessageTemplate=template)["Id"])
    assert pool["VerificationMessageTemplate"] == template
    assert pool["EmailVerificationMessage"] == "Your code: {####}"
    assert pool["EmailVerificationSubject"] == "Welcome"
    assert pool["SmsVerificationMessage"] == "Code {####}"


def test_legacy_verification_fields_mirror_into_the_template(cognito, make_pool):
    pool = describe(
        cognito,
        make_pool(
            EmailConfiguration=SES_EMAIL,
            EmailVerificationMessage="Hello, your code is {####}",
            EmailVerificationSubject="Hello",
            SmsVerificationMessage="SMS code {####}",
        )["Id"],
    )
    assert pool["EmailVerificationMessage"] == "Hello, your code is {####}"
    assert pool["EmailVerificationSubject"] == "Hello"
    assert pool["SmsVerificationMessage"] == "SMS code {####}"
    assert pool["VerificationMessageTemplate"] == {
        "DefaultEmailOption": "CONFIRM_WITH_CODE",
        "EmailMessage": "Hello, your code is {####}",
        "EmailSubject": "Hello",
        "SmsMessage": "SMS code {####}",
    }


def test_invalid_auto_verified_attribute_is_rejected_by_the_model(raw_cognito):
    with pytest.raises(ClientError) as excinfo:
        raw_cognito.create_user_pool(PoolName="bad-auto", AutoVerifiedAttributes=["name"])
    assert error_of(excinfo) == (
        400,
        "InvalidParameterException",
        "1 validation error detected: Value 'name' at 'autoVerifiedAttributes.1.member' failed to satisfy "
        "constraint: Member must satisfy enum value set: [phone_number, email]",
    )


# --- UpdateUserPool --------------------------------------------------------------------------------------


def test_update_resets_unsent_settings_and_keeps_immutable_ones(cognito, make_pool):
    created = make_pool(
        PoolName="before",
        Policies={"PasswordPolicy": {"MinimumLength": 6}},
        AutoVerifiedAttributes=["email"],
        AliasAttributes=["email"],
        UsernameConfiguration={"CaseSensitive": False},
        Schema=[{"Name": "tier", "AttributeDataType": "String", "StringAttributeConstraints": {"MaxLength": "8"}}],
        LambdaConfig={"PreSignUp": "arn:aws:lambda:us-east-1:000000000000:function:pre"},
        EmailConfiguration=SES_EMAIL,
        VerificationMessageTemplate={"EmailMessage": "Code {####}", "EmailSubject": "S"},
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
    )
    before = describe(cognito, created["Id"])

    assert (
        cognito.update_user_pool(UserPoolId=created["Id"], MfaConfiguration="OFF")["ResponseMetadata"]["HTTPStatusCode"]
        == 200
    )
    after = describe(cognito, created["Id"])

    assert after["Name"] == "before"
    assert "AutoVerifiedAttributes" not in after
    assert after["Policies"]["PasswordPolicy"] == DEFAULT_PASSWORD_POLICY
    assert after["LambdaConfig"] == {}
    assert after["EmailConfiguration"] == {"EmailSendingAccount": "COGNITO_DEFAULT"}
    assert after["VerificationMessageTemplate"] == {"DefaultEmailOption": "CONFIRM_WITH_CODE"}
    assert "EmailVerificationMessage" not in after
    assert "EmailVerificationSubject" not in after
    assert after["AdminCreateUserConfig"] == {
        "AllowAdminCreateUserOnly": False,
        "UnusedAccountValidityDays": 7,
    }
    # Schema, username and alias settings cannot change.
    assert after["SchemaAttributes"] == before["SchemaAttributes"]
    assert schema_of(after)["custom:tier"]["StringAttributeConstraints"] == {"MaxLength": "8"}
    assert after["AliasAttributes"] == ["email"]
    assert after["UsernameConfiguration"] == {"CaseSensitive": False}
    assert after["CreationDate"] == before["CreationDate"]
    assert after["LastModifiedDate"] > before["LastModifiedDate"]


def test_update_stores_what_it_is_sent(cognito, make_pool):
    pool_id = make_pool(UsernameAttributes=["email"])["Id"]
    policy = {
        "MinimumLength": 10,
        "RequireUppercase": False,
        "RequireLowercase": True,
        "RequireNumbers": False,
        "RequireSymbols": True,
        "TemporaryPasswordValidityDays": 2,
    }
    cognito.update_user_pool(
        UserPoolId=pool_id,
        PoolName="renamed",
        Policies={"PasswordPolicy": policy},
        AutoVerifiedAttributes=["email"],
        LambdaConfig={"CustomMessage": "arn:aws:lambda:us-east-1:000000000000:function:cm"},
        EmailConfiguration=SES_EMAIL,
        EmailVerificationMessage="Verify with {####}",
        EmailVerificationSubject="Verify",
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
    )
    pool = describe(cognito, pool_id)
    assert pool["Name"] == "renamed"
    assert pool["Policies"]["PasswordPolicy"] == policy
    assert pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["LambdaConfig"] == {"CustomMessage": "arn:aws:lambda:us-east-1:000000000000:function:cm"}
    assert pool["EmailConfiguration"] == SES_EMAIL
    assert pool["VerificationMessageTemplate"] == {
        "DefaultEmailOption": "CONFIRM_WITH_CODE",
        "EmailMessage": "Verify with {####}",
        "EmailSubject": "Verify",
    }
    assert pool["EmailVerificationMessage"] == "Verify with {####}"
    assert pool["EmailVerificationSubject"] == "Verify"
    # The deprecated UnusedAccountValidityDays answers the policy's TemporaryPasswordValidityDays.
    assert pool["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": True, "UnusedAccountValidityDays": 2}
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["SchemaAttributes"] == STANDARD_SCHEMA


def test_update_of_unknown_pool_is_not_found(cognito):
    with pytest.raises(ClientError) as excinfo:
        cognito.update_user_pool(UserPoolId="us-east-1_Nope12345")
    assert error_of(excinfo) == (
        400,
        "ResourceNotFoundException",
        "User pool us-east-1_Nope12345 does not exist.",
    )


# --- DeleteUserPool --------------------------------------------------------------------------------------


def test_delete_then_describe_is_not_found(cognito, make_pool):
    pool_id = make_pool()["Id"]
    cognito.delete_user_pool(UserPoolId=pool_id)
    with pytest.raises(ClientError) as excinfo:
        describe(cognito, pool_id)
    assert error_of(excinfo) == (400, "ResourceNotFoundException", f"User pool {pool_id} does not exist.")
    with pytest.raises(ClientError) as excinfo:
        cognito.delete_user_pool(UserPoolId=pool_id)
    assert error_of(excinfo) == (400, "ResourceNotFoundException", f"User pool {pool_id} does not exist.")


def test_deleted_pool_is_no_longer_listed(cognito, make_pool):
    pool_id = make_pool()["Id"]
    cognito.delete_user_pool(UserPoolId=pool_id)
    ids = [
        p["Id"] for page in cognito.get_paginator("list_user_pools").paginate(MaxResults=60) for p in page["UserPools"]
    ]
    assert pool_id not in ids


def test_deletion_protection_blocks_delete(cognito, make_pool):
    pool_id = make_pool(DeletionProtection="ACTIVE")["Id"]
    assert describe(cognito, pool_id)["DeletionProtection"] == "ACTIVE"
    with pytest.raises(ClientError) as excinfo:
        cognito.delete_user_pool(UserPoolId=pool_id)
    assert error_of(excinfo) == (
        400,
        "InvalidParameterException",
        "The user pool cannot be deleted because deletion protection is activated.",
    )
    assert describe(cognito, pool_id)["Id"] == pool_id

    cognito.update_user_pool(UserPoolId=pool_id, DeletionProtection="INACTIVE")
    cognito.delete_user_pool(UserPoolId=pool_id)
    with pytest.raises(ClientError) as excinfo:
        describe(cognito, pool_id)
    assert error_of(excinfo)[1] == "ResourceNotFoundException"


# --- ListUserPools ---------------------------------------------------------------------------------------


def test_list_user_pools_pages_through_every_pool_once(cognito, make_pool):
    mine = {make_pool(PoolName=f"list-{i}")["Id"] for i in range(5)}
    seen: list[str] = []
    kwargs: dict[str, object] = {"MaxResults": 2}
    pages = 0
    while True:
        page = cognito.list_user_pools(**kwargs)
        pages += 1
        assert len(page["UserPools"]) <= 2
        for p in page["UserPools"]:
            assert set(p) >= {"Id", "Name", "LambdaConfig", "CreationDate", "LastModifiedDate"}
        seen += [p["Id"] for p in page["UserPools"]]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert pages >= 3
    assert len(seen) == len(set(seen)), "a pool was listed twice"
    assert mine <= set(seen)


def test_list_user_pools_entries_describe_the_pool(cognito, make_pool):
    created = make_pool(PoolName="listed-entry")
    found = [
        p
        for page in cognito.get_paginator("list_user_pools").paginate(MaxResults=60)
        for p in page["UserPools"]
        if p["Id"] == created["Id"]
    ]
    assert found == [
        {
            "Id": created["Id"],
            "Name": "listed-entry",
            "LambdaConfig": {},
            "CreationDate": created["CreationDate"],
            "LastModifiedDate": created["LastModifiedDate"],
        }
    ]


@pytest.mark.parametrize(
    ("value", "constraint"),
    [
        (0, "Member must have value greater than or equal to 1"),
        (61, "Member must have value less than or equal to 60"),
    ],
    ids=["0", "61"],
)
def test_list_user_pools_max_results_out_of_range(raw_cognito, value, constraint):
    with pytest.raises(ClientError) as excinfo:
        raw_cognito.list_user_pools(MaxResults=value)
    assert error_of(excinfo) == (
        400,
        "InvalidParameterException",
        f"1 validation error detected: Value '{value}' at 'maxResults' failed to satisfy constraint: {constraint}",
    )


def test_list_user_pools_without_max_results_is_rejected(raw_cognito):
    with pytest.raises(ClientError) as excinfo:
        raw_cognito.list_user_pools()
    assert error_of(excinfo) == (
        400,
        "InvalidParameterException",
        "1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: Member must not be null",
    )


@pytest.mark.parametrize("token", ["not-a-token", "eyJ4IjogMX0="])
def test_list_user_pools_bad_next_token(cognito, token):
    with pytest.raises(ClientError) as excinfo:
        cognito.list_user_pools(MaxResults=2, NextToken=token)
    # Cognito's wording for a token it did not issue is not public (unverified); the server's is pinned here.
    assert error_of(excinfo) == (400, "InvalidParameterException", "Invalid pagination token.")


# --- Model validation ------------------------------------------------------------------------------------


def test_pool_name_too_long(raw_cognito):
    name = "a" * 129
    with pytest.raises(ClientError) as excinfo:
        raw_cognito.create_user_pool(PoolName=name)
    assert error_of(excinfo) == (
        400,
        "InvalidParameterException",
        f"1 validation error detected: Value '{name}' at 'poolName' failed to satisfy constraint: "
        "Member must have length less than or equal to 128",
    )


def test_pool_name_of_128_characters_is_accepted(cognito, make_pool):
    assert describe(cognito, make_pool(PoolName="p" * 128)["Id"])["Name"] == "p" * 128


def test_pool_name_bad_pattern(raw_cognito):
    with pytest.raises(ClientError) as excinfo:
        raw_cognito.create_user_pool(PoolName="bad/name")
    assert error_of(excinfo) == (
        400,
        "InvalidParameterException",
        "1 validation error detected: Value 'bad/name' at 'poolName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+",
    )


def test_pool_name_missing(raw_cognito):
    with pytest.raises(ClientError) as excinfo:
        raw_cognito.create_user_pool()
    assert error_of(excinfo) == (
        400,
        "InvalidParameterException",
        "1 validation error detected: Value null at 'poolName' failed to satisfy constraint: Member must not be null",
    )


USER_POOL_ID_PATTERN = "Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+"


@pytest.mark.parametrize(
    ("pool_id", "problems"),
    [
        ("nounderscore", [USER_POOL_ID_PATTERN]),
        ("us-east-1_abc!", [USER_POOL_ID_PATTERN]),
        ("us-east-1_", [USER_POOL_ID_PATTERN]),
        ("us-east-1_" + "a" * 46, ["Member must have length less than or equal to 55"]),
        ("", ["Member must have length greater than or equal to 1", USER_POOL_ID_PATTERN]),
    ],
)
def test_malformed_pool_ids_fail_validation(raw_cognito, pool_id, problems):
    with pytest.raises(ClientError) as excinfo:
        raw_cognito.describe_user_pool(UserPoolId=pool_id)
    count = len(problems)
    parts = "; ".join(f"Value '{pool_id}' at 'userPoolId' failed to satisfy constraint: {p}" for p in problems)
    assert error_of(excinfo) == (
        400,
        "InvalidParameterException",
        f"{count} validation error{'s' if count > 1 else ''} detected: {parts}",
    )


@pytest.mark.parametrize("pool_id", ["us-east-1_AAAAAAAAA", "eu-west-1_abc", "us-east-1_" + "a" * 45])
def test_well_formed_unknown_pool_ids_are_not_found(cognito, pool_id):
    with pytest.raises(ClientError) as excinfo:
        cognito.describe_user_pool(UserPoolId=pool_id)
    assert error_of(excinfo) == (400, "ResourceNotFoundException", f"User pool {pool_id} does not exist.")
