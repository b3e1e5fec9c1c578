"""The pure domain rules, each alone."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from userpool.config import Settings
from userpool.domain import attributes, codes, ids, masking, passwords, pools, secret_hash, tokens, usernames
from userpool.errors import InvalidParameterException, NotAuthorizedException


def test_ids_have_cognitos_shapes():
    assert len(ids.pool_id("eu-west-1")) == len("eu-west-1_") + 9
    assert ids.pool_id("eu-west-1").startswith("eu-west-1_")
    assert len(ids.client_id()) == 26 and ids.client_id().isalnum() and ids.client_id().islower()
    assert len(ids.client_secret()) == 51
    assert ids.pool_arn("us-east-1", "123456789012", "us-east-1_x") == (
        "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_x"
    )


def test_secret_hash_matches_the_documented_formula():
    expected = base64.b64encode(hmac.new(b"s3cret", b"alice" + b"client", hashlib.sha256).digest()).decode()
    assert secret_hash.compute("s3cret", "alice", "client") == expected
    assert secret_hash.verify("s3cret", "alice", "client", expected)
    assert not secret_hash.verify("s3cret", "alicf", "client", expected)
    assert not secret_hash.verify("s3cret", "alice", "client", "ñ")  # non-ASCII input is just wrong


@pytest.mark.parametrize(
    ("medium", "destination", "masked"),
    [
        ("EMAIL", "sam@gmail.com", "s***@g***"),
        ("EMAIL", "x@y", "x***@y***"),
        ("SMS", "+14325554114", "+*******4114"),
    ],
)
def test_masking(medium, destination, masked):
    assert masking.mask(medium, destination) == masked


def test_codes_are_six_digits_and_hashed_with_a_salt():
    code = codes.generate()
    assert len(code) == 6 and code.isdigit()
    first, second = codes.hash_code(code), codes.hash_code(code)
    assert first != second
    assert codes.matches(code, first) and codes.matches(code, second)
    assert not codes.matches(f"{(int(code) + 1) % 10**6:06d}", first)


def test_password_policy_rules_in_order():
    strict = passwords.DEFAULT_POLICY
    assert passwords.policy_violation("Passw0rd!", strict) is None
    assert passwords.policy_violation("Pw0!", strict) == "Password not long enough"
    assert passwords.policy_violation("ÄÖÜpassw0rd!", strict) == "Password must have uppercase characters"
    assert passwords.policy_violation("ab cd ef", {"MinimumLength": 6, "RequireSymbols": True}) is None
    assert passwords.policy_violation("abcdef", {"MinimumLength": 6}) is None


def test_password_hasher_is_argon2id_at_the_documented_cost():
    hashed = passwords.new_hasher().hash("x")
    assert hashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    # the server's settings default to it; a lower cost (a test suite's) verifies the same way
    fields = Settings.model_fields
    assert (fields["password_hash_memory_kib"].default, fields["password_hash_iterations"].default) == (19456, 2)
    cheap = passwords.new_hasher(1024, 1)
    assert cheap.hash("x").startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    assert cheap.verify(hashed, "x") and passwords.new_hasher().verify(cheap.hash("y"), "y")


def test_a_cost_below_owasps_weakest_recommendation_is_called_weak():
    assert not passwords.below_owasp(19 * 1024, 2)  # OWASP's first
    assert not passwords.below_owasp(7 * 1024, 5)  # and its weakest
    assert passwords.below_owasp(7 * 1024, 4)
    assert passwords.below_owasp(1024, 1)


def test_usernames():
    assert usernames.is_email("a@b.co") and not usernames.is_email("a b@c.d") and not usernames.is_email("ab")
    assert usernames.is_phone("+14325551212") and not usernames.is_phone("14325551212")
    assert usernames.fold("Alice", case_sensitive=False) == "alice"
    assert usernames.fold("Alice", case_sensitive=True) == "Alice"
    assert usernames.sign_in_attribute("a@b.co", ["email"], {}) == "email"
    assert usernames.sign_in_attribute("+1555", ["email", "phone_number"], {}) == "phone_number"
    with pytest.raises(InvalidParameterException, match=r"Username should be a phone number\."):
        usernames.sign_in_attribute("a@b.co", ["phone_number"], {})


def test_sign_up_attribute_checks():
    schema = pools.settings_for_create({"PoolName": "p"})["SchemaAttributes"]
    attributes.check_sign_up_attributes({"email": "a@b.co", "birthdate": "1990-01-01"}, schema, None)
    with pytest.raises(InvalidParameterException) as e:
        attributes.check_sign_up_attributes({"birthdate": "1990"}, schema, None)
    assert e.value.message == (
        "Attributes did not conform to the schema: birthdate: String must be at least 10 characters\n"
    )
    with pytest.raises(NotAuthorizedException):
        attributes.check_sign_up_attributes({"email": "a@b.co"}, schema, ["name"])
    attributes.check_sign_up_attributes({"email": "a@b.co"}, schema, ["name"], implied=["email"])


def test_update_resets_what_it_does_not_send_and_keeps_the_schema():
    created = pools.settings_for_create(
        {
            "PoolName": "p",
            "AutoVerifiedAttributes": ["email"],
            "AliasAttributes": ["email"],
            "Schema": [{"Name": "team", "AttributeDataType": "String"}],
            "Policies": {"PasswordPolicy": {"MinimumLength": 12}},
        }
    )
    updated = pools.settings_for_update(created, {"UserPoolId": "x"})
    assert "AutoVerifiedAttributes" not in updated
    assert updated["Policies"]["PasswordPolicy"] == passwords.DEFAULT_POLICY
    assert updated["AliasAttributes"] == ["email"]
    assert updated["SchemaAttributes"] == created["SchemaAttributes"]
    assert updated["SchemaAttributes"][-1]["Name"] == "custom:team"


def test_a_signing_key_from_the_seal_is_parsed_without_the_rsa_check_and_any_other_with_it():
    # A key whose CRT exponent is wrong (a damaged or crafted key: its signatures would give the key away).
    good = tokens.new_signing_key().private.private_numbers()
    bad = rsa.RSAPrivateNumbers(
        good.p, good.q, good.d, good.dmp1 + 2, good.dmq1, good.iqmp, good.public_numbers
    ).private_key(unsafe_skip_rsa_key_validation=True)
    pem = bad.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    with pytest.raises(ValueError):
        tokens.load_private(pem)  # checked: a key the store did not seal
    # Sealed keys are the ones we made, unaltered: the check (tens of ms per key and process) is skipped.
    assert tokens.load_private(pem, checked=False).private_numbers().dmp1 == good.dmp1 + 2
