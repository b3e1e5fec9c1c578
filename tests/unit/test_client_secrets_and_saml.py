"""Client secrets in rotation and SAML signing certificates, in the domain alone."""

from __future__ import annotations

import base64
import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from userpool.domain import saml, secret_hash
from userpool.domain.records import Client, ClientSecret

FIRST, SECOND = "a" * 51, "b" * 51


def test_a_secret_hash_of_any_active_secret_verifies_and_of_no_other():
    for secret in (FIRST, SECOND):
        sent = secret_hash.compute(secret, "alice", "client")
        assert secret_hash.verify_any([FIRST, SECOND], "alice", "client", sent)
        assert not secret_hash.verify_any([FIRST, SECOND], "bob", "client", sent)
    assert not secret_hash.verify_any([FIRST], "alice", "client", secret_hash.compute(SECOND, "alice", "client"))
    assert not secret_hash.verify_any([], "alice", "client", secret_hash.compute(FIRST, "alice", "client"))


def test_a_client_secret_matches_any_active_secret_and_nothing_else():
    assert secret_hash.secret_matches([FIRST, SECOND], SECOND)
    assert secret_hash.secret_matches([FIRST, SECOND], FIRST)
    assert not secret_hash.secret_matches([FIRST, SECOND], FIRST[:-1])
    assert not secret_hash.secret_matches([FIRST], "ñ" * 51)
    assert not secret_hash.secret_matches([], FIRST)


def test_a_client_made_with_a_secret_has_that_one_secret_made_with_it():
    client = Client("c1", "us-east-1_p", "app", FIRST, {}, 1700000000.1234, 1700000000.1234)
    assert client.secrets == (ClientSecret("c1", FIRST, 1700000000123),)
    assert client.secrets[0].id == "c1--1700000000123" and client.secrets[0].created_at == 1700000000.123
    assert client.secret_values == (FIRST,)
    assert Client("c2", "us-east-1_p", "app", None, {}, 0.0, 0.0).secrets == ()
    both = (ClientSecret("c1", FIRST, 1), ClientSecret("c1", SECOND, 2))
    assert Client("c1", "us-east-1_p", "app", FIRST, {}, 0.0, 0.0, both).secret_values == (FIRST, SECOND)
    with pytest.raises(ValueError, match="oldest active secret"):
        Client("c1", "us-east-1_p", "app", SECOND, {}, 0.0, 0.0, both)


@pytest.mark.parametrize(
    ("issued", "expires"),
    [
        (datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=datetime.UTC), datetime.datetime(2033, 11, 14, 22, 13, 20)),
        (datetime.datetime(2024, 2, 29, 12, 0, 0, tzinfo=datetime.UTC), datetime.datetime(2034, 2, 28, 12, 0, 0)),
    ],
)
def test_a_signing_certificate_is_self_signed_for_the_pool_and_valid_ten_years(issued, expires):
    made = saml.new_signing_certificate("us-east-1_abc", issued.timestamp() + 0.75)
    cert = x509.load_der_x509_certificate(base64.b64decode(made.certificate, validate=True))
    cn = x509.NameOID.COMMON_NAME
    assert cert.subject.get_attributes_for_oid(cn)[0].value == "us-east-1_abc"
    assert cert.issuer == cert.subject
    assert (cert.not_valid_before_utc, cert.not_valid_after_utc) == (issued, expires.replace(tzinfo=datetime.UTC))
    key = serialization.load_pem_private_key(made.private_pem.encode(), password=None)
    assert key.key_size == 2048
    assert key.public_key() == cert.public_key()
    cert.verify_directly_issued_by(cert)  # self-signed: its own key signed it
