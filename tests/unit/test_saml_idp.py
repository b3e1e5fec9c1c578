"""The SAML identity-provider rules (domain/saml_idp.py): metadata, ProviderDetails, the AuthnRequest, and every
check of a response, against assertions signed by the test's own IdP (tests/saml_idp.py, signxml)."""

from __future__ import annotations

import base64
import time
import urllib.parse
import zlib

import pytest
from lxml import etree

from tests.saml_idp import KeyPair, TestIdP, verify_redirect_signature
from userpool.domain import saml, saml_idp
from userpool.errors import InvalidParameterException

POOL = "us-east-1_Example1"
ACS = "https://auth.example.test/saml2/idpresponse"
AUDIENCE = saml_idp.sp_entity_id(POOL)
NOW = time.time()


@pytest.fixture(scope="module")
def idp() -> TestIdP:
    return TestIdP(attributes={"email": ["bob@example.com"], "groups": ["a", "b"]})


def expected(idp: TestIdP, in_response_to: str | None = "_req1", now: float = NOW) -> saml_idp.Expected:
    return saml_idp.Expected(ACS, AUDIENCE, idp.entity_id, [idp.keys.cert_b64], in_response_to, now)


def test_metadata_is_parsed(idp: TestIdP) -> None:
    metadata = saml_idp.parse_metadata(idp.metadata())
    assert metadata.entity_id == idp.entity_id
    assert metadata.sso_url == f"{idp.base_url}/sso"
    assert metadata.slo_url == f"{idp.base_url}/slo"
    assert metadata.certificates == (idp.keys.cert_b64,)


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ("not xml", "it is not well-formed XML."),
        ('<x xmlns="urn:other"/>', "no IDPSSODescriptor."),
        ('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', "no IDPSSODescriptor."),
    ],
)
def test_unreadable_metadata_is_refused(document: str, reason: str) -> None:
    with pytest.raises(InvalidParameterException) as raised:
        saml_idp.parse_metadata(document)
    assert str(raised.value) == saml_idp.METADATA_UNREADABLE.format(reason=reason)


def test_metadata_without_certificate_is_refused(idp: TestIdP) -> None:
    bare = idp.metadata().replace(idp.keys.cert_b64, "")
    with pytest.raises(InvalidParameterException) as raised:
        saml_idp.parse_metadata(bare)
    assert str(raised.value) == saml_idp.METADATA_UNREADABLE.format(reason="a certificate cannot be read.")


def test_details_are_checked_and_described(idp: TestIdP) -> None:
    stored = saml_idp.check_details({"MetadataFile": idp.metadata(), "IDPInit": "True"}, None)
    assert stored["IDPInit"] == "true"
    assert stored["SSORedirectBindingURI"] == f"{idp.base_url}/sso"
    assert stored["SLORedirectBindingURI"] == f"{idp.base_url}/slo"
    by_url = saml_idp.check_details({"MetadataURL": "https://idp.example.test/md"}, idp.metadata())
    assert saml_idp.described(by_url) == {
        "MetadataURL": "https://idp.example.test/md",
        "SSORedirectBindingURI": f"{idp.base_url}/sso",
        "SLORedirectBindingURI": f"{idp.base_url}/slo",
    }
    assert saml_idp.metadata_of(by_url).entity_id == idp.entity_id


@pytest.mark.parametrize(
    ("details", "message"),
    [
        ({}, saml_idp.METADATA_ONE),
        ({"MetadataURL": "https://a.test/m", "MetadataFile": "<x/>"}, saml_idp.METADATA_ONE),
        ({"MetadataURL": "ftp://a.test/m"}, saml_idp.BAD_METADATA_URL),
        ({"MetadataURL": "http://idp.example.test/m"}, saml_idp.BAD_METADATA_URL),
        ({"MetadataFile": "<x/>", "IDPInit": "yes"}, saml_idp.BAD_FLAG.format(key="IDPInit")),
        ({"MetadataFile": "<x/>", "RequestSigningAlgorithm": "rsa-sha1"}, saml_idp.BAD_ALGORITHM),
        ({"MetadataFile": "<x/>", "EncryptedResponses": "true"}, saml_idp.ENCRYPTION_NOT_SUPPORTED),
        ({"MetadataFile": "<x/>", "client_id": "x"}, saml_idp.UNKNOWN_KEY.format(key="client_id")),
    ],
)
def test_bad_details_are_refused(details: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidParameterException) as raised:
        saml_idp.check_details(details, None)
    assert str(raised.value) == message


def test_authn_request_is_signed_with_the_pool_key() -> None:
    certificate = saml.new_signing_certificate(POOL, NOW)
    xml = saml_idp.authn_request("_req1", NOW, "https://idp.test/sso", ACS, POOL)
    url = saml_idp.redirect_url("https://idp.test/sso?tenant=1", xml, "relay", certificate.private_pem)
    query = urllib.parse.urlsplit(url).query
    values = {k: v[0] for k, v in urllib.parse.parse_qs(query).items()}
    assert values["SigAlg"] == saml_idp.RSA_SHA256 and values["tenant"] == "1" and values["RelayState"] == "relay"
    request = etree.fromstring(zlib.decompress(base64.b64decode(values["SAMLRequest"]), -15))
    assert request.get("ID") == "_req1" and request.get("AssertionConsumerServiceURL") == ACS
    assert request.findtext(f"{{{saml_idp.SAML}}}Issuer") == AUDIENCE
    signed_part = query.split("tenant=1&")[1].split("&Signature=")[0]
    verify_redirect_signature(signed_part, values["Signature"], certificate.certificate)


@pytest.mark.parametrize("sign", ["assertion", "response", "both"])
def test_a_signed_response_is_accepted(idp: TestIdP, sign: str) -> None:
    response = idp.response(ACS, AUDIENCE, "_req1", NOW, sign=sign, assertion_id="_a1")
    assertion = saml_idp.verify_response(response, expected(idp))
    assert (assertion.id, assertion.subject, assertion.issuer) == ("_a1", "bob@example.com", idp.entity_id)
    assert assertion.claims() == {"email": "bob@example.com", "groups": "[a, b]", "sub": "bob@example.com"}
    assert saml_idp.in_response_to(response) == "_req1"


def test_an_unsolicited_response_is_accepted_when_none_was_sent(idp: TestIdP) -> None:
    response = idp.response(ACS, AUDIENCE, None, NOW)
    assert saml_idp.verify_response(response, expected(idp, None)).in_response_to is None


OTHER = KeyPair.new("Other")


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"sign": "none"}, "The SAML response is not signed."),
        ({"keys": OTHER}, "The SAML response's signature is not valid for the identity provider's certificate."),
        (
            {"tamper": ("bob@example.com</saml:NameID>", "eve@example.com</saml:NameID>")},
            "The SAML response's signature is not valid for the identity provider's certificate.",
        ),
        (
            {"sign": "response", "tamper": ("bob@example.com</saml:NameID>", "eve@example.com</saml:NameID>")},
            "The SAML response's signature is not valid for the identity provider's certificate.",
        ),
        ({"lifetime": -120}, "The SAML assertion has expired."),
        ({"issuer": "http://other.test"}, "The SAML assertion was issued by another identity provider."),
        (
            {"recipient": "https://evil.test/acs"},
            "The SAML assertion's subject is not confirmed for this service provider.",
        ),
        ({"destination": "https://evil.test/acs"}, "The SAML response was sent to another destination."),
    ],
)
def test_bad_responses_are_refused(idp: TestIdP, options: dict, reason: str) -> None:
    response = idp.response(ACS, AUDIENCE, "_req1", NOW, **options)
    with pytest.raises(saml_idp.ResponseRefused) as raised:
        saml_idp.verify_response(response, expected(idp))
    assert str(raised.value) == reason


def test_wrong_audience_and_request_are_refused(idp: TestIdP) -> None:
    cases = [
        (idp.response(ACS, "urn:amazon:cognito:sp:other", "_req1", NOW), expected(idp), "another audience"),
        (idp.response(ACS, AUDIENCE, "_req2", NOW), expected(idp), "does not answer this sign-in's request"),
        (idp.response(ACS, AUDIENCE, "_req1", NOW), expected(idp, None), "answers a request this sign-in did not"),
        (idp.response(ACS, AUDIENCE, None, NOW), expected(idp), "does not answer this sign-in's request"),
        (idp.response(ACS, AUDIENCE, "_req1", NOW + 600), expected(idp), "is not valid yet"),
        (base64.b64encode(b"<x/>").decode(), expected(idp), "is not a Response"),
        ("%%%", expected(idp), "could not be read"),
    ]
    for response, wanted, reason in cases:
        with pytest.raises(saml_idp.ResponseRefused) as raised:
            saml_idp.verify_response(response, wanted)
        assert reason in str(raised.value)


def test_a_wrapped_second_assertion_is_refused(idp: TestIdP) -> None:
    """Signature wrapping: a forged assertion beside the signed one is never read."""
    signed = base64.b64decode(idp.response(ACS, AUDIENCE, "_req1", NOW)).decode()
    forged = signed.replace(
        "<saml:Assertion", '<saml:Assertion ID="_forged"><saml:Issuer/></saml:Assertion><saml:Assertion', 1
    )
    with pytest.raises(saml_idp.ResponseRefused) as raised:
        saml_idp.verify_response(base64.b64encode(forged.encode()).decode(), expected(idp))
    assert str(raised.value) == "The SAML response must carry exactly one assertion."


def test_a_response_with_a_doctype_is_refused(idp: TestIdP) -> None:
    signed = base64.b64decode(idp.response(ACS, AUDIENCE, "_req1", NOW)).decode()
    bomb = '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>' + signed
    with pytest.raises(saml_idp.ResponseRefused) as raised:
        saml_idp.verify_response(base64.b64encode(bomb.encode()).decode(), expected(idp))
    assert str(raised.value) == "The SAML response carries a document type declaration."


def test_an_expired_signing_certificate_is_refused_when_configured(idp: TestIdP) -> None:
    later = idp.keys.certificate.not_valid_after_utc.timestamp() + 1
    saml_idp.check_details({"MetadataFile": idp.metadata()}, None, NOW)
    with pytest.raises(InvalidParameterException) as raised:
        saml_idp.check_details({"MetadataFile": idp.metadata()}, None, later)
    assert str(raised.value) == saml_idp.CERTIFICATE_EXPIRED


def test_any_certificate_of_the_metadata_verifies(idp: TestIdP) -> None:
    """An IdP rolling its key lists both certificates: a response signed with either is accepted."""
    new = KeyPair.new("Next")
    both = saml_idp.Expected(ACS, AUDIENCE, idp.entity_id, [idp.keys.cert_b64, new.cert_b64], "_req1", NOW)
    assertion = saml_idp.verify_response(idp.response(ACS, AUDIENCE, "_req1", NOW, keys=new), both)
    assert assertion.subject == "bob@example.com"


@pytest.mark.parametrize("sign", ["assertion", "response"])
def test_a_comment_inside_the_name_id_does_not_cut_it(idp: TestIdP, sign: str) -> None:
    """The 2018 SAML comment attack: a comment is outside the canonical form, so the signature still holds, and a
    reader that takes the text before the comment would see ``bob@example.com``; we read the signed form."""
    response = idp.response(
        ACS,
        AUDIENCE,
        "_req1",
        NOW,
        sign=sign,
        subject="bob@example.com.evil.test",
        tamper=("bob@example.com.evil.test</saml:NameID>", "bob@example.com<!---->.evil.test</saml:NameID>"),
    )
    assertion = saml_idp.verify_response(response, expected(idp))
    assert assertion.subject == "bob@example.com.evil.test"


def test_a_failed_status_is_refused(idp: TestIdP) -> None:
    success = "urn:oasis:names:tc:SAML:2.0:status:Success"
    failed = "urn:oasis:names:tc:SAML:2.0:status:Responder"
    response = idp.response(ACS, AUDIENCE, "_req1", NOW, sign="assertion", tamper=(success, failed))
    with pytest.raises(saml_idp.ResponseRefused) as raised:
        saml_idp.verify_response(response, expected(idp))
    assert str(raised.value) == "The identity provider did not sign the user in."
