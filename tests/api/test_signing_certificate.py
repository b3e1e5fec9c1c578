"""GetSigningCertificate: the pool's certificate for signing SAML 2.0 requests (Base64 DER, valid ten years)."""

from __future__ import annotations

import base64
import datetime

import pytest
from botocore.exceptions import ClientError
from cryptography import x509

from tests.helpers import error_of


def certificate(cognito, pool: str) -> x509.Certificate:
    text = cognito.get_signing_certificate(UserPoolId=pool)["Certificate"]
    return x509.load_der_x509_certificate(base64.b64decode(text, validate=True))


def test_a_pool_has_one_signing_certificate_valid_ten_years(cognito):
    pool = cognito.create_user_pool(PoolName="saml")["UserPool"]["Id"]
    cert = certificate(cognito, pool)
    assert cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == pool
    life = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert datetime.timedelta(days=3650) <= life <= datetime.timedelta(days=3653)
    assert certificate(cognito, pool) == cert  # the same certificate on every call


def test_each_pool_has_its_own(cognito):
    first = cognito.create_user_pool(PoolName="a")["UserPool"]["Id"]
    second = cognito.create_user_pool(PoolName="b")["UserPool"]["Id"]
    assert certificate(cognito, first).public_key() != certificate(cognito, second).public_key()


def test_unknown_pool(cognito):
    with pytest.raises(ClientError) as excinfo:
        cognito.get_signing_certificate(UserPoolId="us-east-1_nosuch")
    assert error_of(excinfo) == (400, "ResourceNotFoundException", "User pool us-east-1_nosuch does not exist.")
