"""SAML 2.0 identity providers, the pool being the service provider: the provider's metadata (parsed), its
``ProviderDetails`` (checked, and what Describe adds), the ``AuthnRequest`` sent by the HTTP-Redirect binding
(signed with the pool's SAML key when ``RequestSigningAlgorithm`` is set), and the checks of the IdP's
``Response`` posted to ``/saml2/idpresponse``. Pure: no I/O (the metadata URL is fetched by
``operations.shared.saml_federation``).

XML is read with lxml with entities, DTDs and the network off. XML signatures are verified by signxml (with the
certificates of the IdP's metadata only, never a key the document carries); what is read of an assertion is read
from the element signxml answers as signed, so a signature over one element never vouches for another.

Messages marked (unverified) were not found in AWS's documentation or in a quoted response: they are written in
Cognito's style and may differ from the live service's words.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import urllib.parse
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree

from userpool.domain import oauth
from userpool.errors import InvalidParameterException

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
DS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"md": MD, "saml": SAML, "samlp": SAMLP, "ds": DS}
REDIRECT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
POST_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
UNSPECIFIED_NAME_ID = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"

ACS_PATH = "/saml2/idpresponse"  # the assertion consumer service (Cognito's path)
SKEW_SECONDS = 60  # leeway for the IdP's clock on NotBefore/NotOnOrAfter (unverified: Cognito's is not documented)
MAX_METADATA = 1024 * 1024
MAX_CERTIFICATE = 4096  # characters of one signing certificate in the metadata (Cognito's documented limit)
MAX_RESPONSE = 100_000  # characters of a posted SAMLResponse (Cognito's documented limit)

# ProviderDetails a caller sets, and those Describe adds (a caller may send them back unchanged in an Update).
KEYS = ("MetadataURL", "MetadataFile", "IDPInit", "IDPSignout", "EncryptedResponses", "RequestSigningAlgorithm")
DESCRIBED = ("SSORedirectBindingURI", "SLORedirectBindingURI", "ActiveEncryptionCertificate")
METADATA = "_metadata"  # the stored metadata document of a MetadataURL provider (never shown)
FLAGS = ("IDPInit", "IDPSignout", "EncryptedResponses")
SIGNING_ALGORITHMS = ("rsa-sha256",)

# ---- texts ----------------------------------------------------------------------------------------------------
METADATA_ONE = "Exactly one of MetadataURL or MetadataFile must be provided."  # (unverified)
METADATA_UNREADABLE = "Could not parse the SAML metadata: {reason}"  # (unverified)
METADATA_UNREACHABLE = "Unable to retrieve the metadata from MetadataURL {url}."  # (unverified)
BAD_METADATA_URL = "MetadataURL must be an https URL (http only for localhost or 127.0.0.1)."  # (unverified)
BAD_FLAG = "{key} must be true or false."  # (unverified)
BAD_ALGORITHM = "RequestSigningAlgorithm must be rsa-sha256."  # (unverified)
UNKNOWN_KEY = "{key} is not a valid ProviderDetails key for the SAML identity provider."  # (unverified)
CERTIFICATE_EXPIRED = "The signing certificate in the SAML metadata is expired or not yet valid."  # (unverified)
ENCRYPTION_NOT_SUPPORTED = "EncryptedResponses is not supported by this server."  # (ours)


class ResponseRefused(Exception):
    """A SAML response that fails a check: the page says which, the sign-in stops, nothing is created."""


@dataclass(frozen=True)
class IdpMetadata:
    """What the pool needs of an IdP's metadata: its entity id, where its SSO and SLO services are, and the
    certificates (base64 DER) its signatures are checked with."""

    entity_id: str
    sso_url: str  # the SingleSignOnService of the HTTP-Redirect binding, the one the pool sends requests by
    slo_url: str | None  # the SingleLogoutService of the HTTP-Redirect binding
    certificates: tuple[str, ...]


def _parse(document: bytes) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )
    root = etree.fromstring(document, parser)
    if root is None:
        raise ValueError("empty document")
    return root


def _text(value: str | bytes) -> bytes:
    return value.encode() if isinstance(value, str) else value


def parse_metadata(document: str | bytes, now: float | None = None) -> IdpMetadata:
    """The IdP of a metadata document (an ``EntityDescriptor``, or the first with an ``IDPSSODescriptor`` of an
    ``EntitiesDescriptor``); ``InvalidParameterException`` when it is no such document, or (given ``now``, when a
    provider is configured) when a signing certificate is expired or not yet valid."""
    data = _text(document)
    if len(data) > MAX_METADATA:
        raise InvalidParameterException(METADATA_UNREADABLE.format(reason="the document is too large."))
    try:
        root = _parse(data)
    except (etree.XMLSyntaxError, ValueError):
        raise InvalidParameterException(METADATA_UNREADABLE.format(reason="it is not well-formed XML.")) from None
    if root.tag == f"{{{MD}}}EntityDescriptor":
        entities = [root]
    else:
        entities = root.findall(".//md:EntityDescriptor", NS) if root.tag == f"{{{MD}}}EntitiesDescriptor" else []
    for entity in entities:
        idp = entity.find("md:IDPSSODescriptor", NS)
        if idp is None:
            continue
        entity_id = (entity.get("entityID") or "").strip()
        if not entity_id:
            raise InvalidParameterException(METADATA_UNREADABLE.format(reason="the entityID is missing."))
        sso = {s.get("Binding"): s.get("Location") for s in idp.findall("md:SingleSignOnService", NS)}
        slo = {s.get("Binding"): s.get("Location") for s in idp.findall("md:SingleLogoutService", NS)}
        certificates = []
        for key in idp.findall("md:KeyDescriptor", NS):
            if key.get("use") not in (None, "signing"):
                continue
            for cert in key.findall("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS):
                certificates.append(_certificate(cert.text or "", now))
        if not sso.get(REDIRECT_BINDING):
            raise InvalidParameterException(
                METADATA_UNREADABLE.format(reason="no SingleSignOnService with the HTTP-Redirect binding.")
            )
        if not certificates:
            raise InvalidParameterException(METADATA_UNREADABLE.format(reason="no signing certificate."))
        return IdpMetadata(
            entity_id=entity_id,
            sso_url=sso[REDIRECT_BINDING],
            slo_url=slo.get(REDIRECT_BINDING),
            certificates=tuple(dict.fromkeys(certificates)),
        )
    raise InvalidParameterException(METADATA_UNREADABLE.format(reason="no IDPSSODescriptor."))


def _certificate(text: str, now: float | None) -> str:
    """A metadata certificate as base64 DER, checked to be an X.509 certificate of at most 4,096 characters (Cognito's
    limit) and, given ``now``, valid then ("must not be expired when you configure the SAML IdP")."""
    compact = "".join(text.split())
    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(compact, validate=True))
    except (binascii.Error, ValueError):
        raise InvalidParameterException(METADATA_UNREADABLE.format(reason="a certificate cannot be read.")) from None
    if len(compact) > MAX_CERTIFICATE:
        raise InvalidParameterException(METADATA_UNREADABLE.format(reason="a certificate is too long."))
    if now is not None:
        valid = certificate.not_valid_before_utc.timestamp() <= now <= certificate.not_valid_after_utc.timestamp()
        if not valid:
            raise InvalidParameterException(CERTIFICATE_EXPIRED)
    return compact


def check_details(details: Mapping[str, str], document: str | None, now: float | None = None) -> dict[str, str]:
    """A SAML provider's ``ProviderDetails`` as stored: exactly one of ``MetadataURL``/``MetadataFile`` (the
    document of a URL fetched by the caller and handed in as ``document``), the flags as ``true``/``false``,
    ``RequestSigningAlgorithm``, and Describe's ``SSORedirectBindingURI``/``SLORedirectBindingURI`` from the
    metadata. Describe's keys sent back by an Update are recomputed, not taken."""
    for key in details:
        if key not in KEYS and key not in DESCRIBED:
            raise InvalidParameterException(UNKNOWN_KEY.format(key=key))
    url, file = details.get("MetadataURL"), details.get("MetadataFile")
    if bool(url) == bool(file):
        raise InvalidParameterException(METADATA_ONE)
    if url:
        check_metadata_url(url)
    stored: dict[str, str] = {"MetadataURL": url} if url else {"MetadataFile": file or ""}
    for flag in FLAGS:
        if flag in details:
            value = details[flag].lower()
            if value not in ("true", "false"):
                raise InvalidParameterException(BAD_FLAG.format(key=flag))
            stored[flag] = value
    if stored.get("EncryptedResponses") == "true":
        raise InvalidParameterException(ENCRYPTION_NOT_SUPPORTED)
    if "RequestSigningAlgorithm" in details:
        if details["RequestSigningAlgorithm"] not in SIGNING_ALGORITHMS:
            raise InvalidParameterException(BAD_ALGORITHM)
        stored["RequestSigningAlgorithm"] = details["RequestSigningAlgorithm"]
    text = file if file else document
    metadata = parse_metadata(text or "", now)
    if url:
        stored[METADATA] = text or ""
    stored["SSORedirectBindingURI"] = metadata.sso_url
    if metadata.slo_url:
        stored["SLORedirectBindingURI"] = metadata.slo_url
    return stored


def check_metadata_url(url: str) -> None:
    if not oauth.is_web_url(url):
        raise InvalidParameterException(BAD_METADATA_URL)


def described(details: Mapping[str, str]) -> dict[str, str]:
    """``ProviderDetails`` as Describe shows them (the stored metadata of a URL provider left out)."""
    return {k: v for k, v in details.items() if k != METADATA}


def metadata_of(details: Mapping[str, str]) -> IdpMetadata:
    """The stored provider's metadata (checked when it was stored)."""
    return parse_metadata(details.get("MetadataFile") or details.get(METADATA) or "")


def flag(details: Mapping[str, str], key: str) -> bool:
    return details.get(key, "false") == "true"


# ---- the pool as service provider -----------------------------------------------------------------------------
def sp_entity_id(pool_id: str) -> str:
    """The pool's SAML entity id (the audience of assertions): ``urn:amazon:cognito:sp:<poolId>``."""
    return f"urn:amazon:cognito:sp:{pool_id}"


def instant(epoch: float) -> str:
    """An ``xs:dateTime`` in UTC, as SAML writes them."""
    moment = datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(value: str) -> float:
    """Epoch seconds of an ``xs:dateTime`` (UTC, ``Z`` or an offset; fractions of a second of any length)."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    head, dot, rest = text.partition(".")
    if dot:  # Python wants at most six digits of fraction
        digits = "".join(c for c in rest if c.isdigit())
        text = f"{head}.{digits[:6].ljust(6, '0')}{rest[len(digits) :]}"
    moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.timestamp()


def authn_request(request_id: str, issued_at: float, destination: str, acs_url: str, pool_id: str) -> bytes:
    """The ``AuthnRequest`` the pool sends an IdP: answered by POST to ``acs_url``, issued by the pool's SP
    entity id."""
    request = etree.Element(
        f"{{{SAMLP}}}AuthnRequest",
        nsmap={"saml2p": SAMLP, "saml2": SAML},
        ID=request_id,
        Version="2.0",
        IssueInstant=instant(issued_at),
        Destination=destination,
        AssertionConsumerServiceURL=acs_url,
        ProtocolBinding=POST_BINDING,
        ForceAuthn="false",
    )
    etree.SubElement(request, f"{{{SAML}}}Issuer").text = sp_entity_id(pool_id)
    etree.SubElement(request, f"{{{SAMLP}}}NameIDPolicy", Format=UNSPECIFIED_NAME_ID, AllowCreate="true")
    return etree.tostring(request)


def redirect_url(destination: str, request: bytes, relay_state: str, signing_key_pem: str | None) -> str:
    """The HTTP-Redirect binding's URL for ``request``: deflated and base64-encoded ``SAMLRequest``, the
    ``RelayState``, and, with a key, ``SigAlg`` and the RSA-SHA256 ``Signature`` over the query as sent."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = compressor.compress(request) + compressor.flush()
    query = urllib.parse.urlencode({"SAMLRequest": base64.b64encode(deflated).decode(), "RelayState": relay_state})
    if signing_key_pem is not None:
        query += "&" + urllib.parse.urlencode({"SigAlg": RSA_SHA256})
        from userpool.domain import tokens  # here: tokens imports identity_providers, which imports this module

        # The pool's key comes out of the store's seal only (``store/certificates.py``): parsed without the RSA
        # check, as sealed token signing keys are; the check costs tens of ms every sign-in.
        key = tokens.load_private(signing_key_pem, checked=False)
        assert isinstance(key, rsa.RSAPrivateKey)
        signature = key.sign(query.encode(), padding.PKCS1v15(), hashes.SHA256())
        query += "&" + urllib.parse.urlencode({"Signature": base64.b64encode(signature).decode()})
    return f"{destination}{'&' if '?' in destination else '?'}{query}"


@dataclass(frozen=True)
class Expected:
    """What a response must say: sent to ``acs_url`` for ``audience`` by ``issuer`` (signed with one of
    ``certificates``), answering ``in_response_to`` (None: unsolicited, IdP-initiated), valid at ``now``."""

    acs_url: str
    audience: str
    issuer: str
    certificates: Sequence[str]
    in_response_to: str | None
    now: float


@dataclass(frozen=True)
class Assertion:
    """What a verified assertion says: its id (single use), the user (``NameID``), the attributes (each
    name's values), the response's ``InResponseTo``, and until when the assertion may be used."""

    id: str
    subject: str
    issuer: str
    in_response_to: str | None
    not_on_or_after: float
    attributes: dict[str, list[str]] = field(default_factory=dict)

    def claims(self) -> dict[str, str]:
        """The attributes as the attribute mapping reads them: one value as it is, several as ``[a, b]``
        (unverified: Cognito's joining of multi-valued SAML attributes), and the ``NameID`` as ``sub``."""
        found = {name: values[0] if len(values) == 1 else f"[{', '.join(values)}]" for name, values in
                 self.attributes.items() if values}  # fmt: skip
        found.setdefault("sub", self.subject)
        return found


def in_response_to(saml_response: str) -> str | None:
    """The unverified ``InResponseTo`` of a posted response, to find the request it claims to answer (the
    verification then checks it)."""
    try:
        root = _parse(base64.b64decode(saml_response, validate=False))
    except (etree.XMLSyntaxError, ValueError, binascii.Error):
        return None
    return root.get("InResponseTo")


def verify_response(saml_response: str, expected: Expected) -> Assertion:
    """The assertion of a posted ``SAMLResponse`` (base64), after every check: a success ``Response`` to our
    ``acs_url`` answering our request (or unsolicited when we sent none), signed (the Response or its one
    Assertion) by a certificate of the IdP's metadata, issued by the IdP, for our audience, within its times
    (``expected.now``, with ``SKEW_SECONDS``), a bearer subject confirmation for our ``acs_url``. Raises
    ``ResponseRefused`` with the reason."""
    if len(saml_response) > MAX_RESPONSE:
        raise ResponseRefused("The SAML response is too large.")
    try:
        document = base64.b64decode(saml_response, validate=False)
        root = _parse(document)
    except (etree.XMLSyntaxError, ValueError, binascii.Error):
        raise ResponseRefused("The SAML response could not be read.") from None
    if root.getroottree().docinfo.doctype:  # SAML messages have none; entities are never expanded anyway
        raise ResponseRefused("The SAML response carries a document type declaration.")
    if root.tag != f"{{{SAMLP}}}Response":
        raise ResponseRefused("The SAML message is not a Response.")
    status = root.find("samlp:Status/samlp:StatusCode", NS)
    if status is None or status.get("Value") != SUCCESS:
        raise ResponseRefused("The identity provider did not sign the user in.")
    if root.find(".//saml:EncryptedAssertion", NS) is not None:
        raise ResponseRefused("Encrypted SAML assertions are not supported by this server.")
    if len(root.findall(".//saml:Assertion", NS)) != 1 or root.find("saml:Assertion", NS) is None:
        raise ResponseRefused("The SAML response must carry exactly one assertion.")
    response, assertion = _signed(root, document, expected.certificates)
    destination = response.get("Destination") if response is not None else root.get("Destination")
    if destination is not None and destination != expected.acs_url:
        raise ResponseRefused("The SAML response was sent to another destination.")
    answered = (response if response is not None else root).get("InResponseTo")
    if expected.in_response_to is None:
        if answered is not None:
            raise ResponseRefused("The SAML response answers a request this sign-in did not send.")
    elif answered != expected.in_response_to:
        raise ResponseRefused("The SAML response does not answer this sign-in's request.")
    issuer = (assertion.findtext("saml:Issuer", namespaces=NS) or "").strip()
    if issuer != expected.issuer:
        raise ResponseRefused("The SAML assertion was issued by another identity provider.")
    not_on_or_after = _check_conditions(assertion, expected)
    subject = _check_subject(assertion, expected, answered)
    return Assertion(
        id=assertion.get("ID") or "",
        subject=subject,
        issuer=issuer,
        in_response_to=answered,
        not_on_or_after=not_on_or_after,
        attributes=_attributes(assertion),
    )


def _signed(
    root: etree._Element, document: bytes, certificates: Sequence[str]
) -> tuple[etree._Element | None, etree._Element]:
    """The signed Response (or None when only the assertion is signed) and the signed Assertion, as signxml
    answers them. A Response's own signature covers its assertion; else the assertion must be signed."""
    if root.find("ds:Signature", NS) is not None:
        response = _verify(document, certificates, f"{{{SAMLP}}}Response")
        assertion = response.find("saml:Assertion", NS)
        assert assertion is not None  # the signed copy of the one assertion checked above
        if assertion.find("ds:Signature", NS) is not None:
            _verify(etree.tostring(assertion), certificates, f"{{{SAML}}}Assertion")
        return response, assertion
    found = root.find("saml:Assertion", NS)
    assert found is not None
    if found.find("ds:Signature", NS) is None:
        raise ResponseRefused("The SAML response is not signed.")
    return None, _verify(etree.tostring(found), certificates, f"{{{SAML}}}Assertion")


def _verify(data: bytes, certificates: Sequence[str], tag: str) -> etree._Element:
    from signxml import SignatureConfiguration, XMLVerifier  # imported when a SAML response arrives
    from signxml.exceptions import SignXMLException

    config = SignatureConfiguration(location="./", expect_references=1)
    for certificate in certificates:
        pem = f"-----BEGIN CERTIFICATE-----\n{certificate}\n-----END CERTIFICATE-----\n"
        try:
            result = XMLVerifier().verify(data, x509_cert=pem, expect_config=config)
        except (SignXMLException, etree.XMLSyntaxError, ValueError):  # not this certificate's, or unreadable
            continue
        signed = result.signed_xml  # type: ignore[union-attr]
        if signed is None or signed.tag != tag:
            break
        return signed
    raise ResponseRefused("The SAML response's signature is not valid for the identity provider's certificate.")


def _check_conditions(assertion: etree._Element, expected: Expected) -> float:
    conditions = assertion.find("saml:Conditions", NS)
    if conditions is None:
        raise ResponseRefused("The SAML assertion has no conditions.")
    try:
        not_before = conditions.get("NotBefore")
        not_on_or_after = conditions.get("NotOnOrAfter")
        if not_before is not None and parse_instant(not_before) > expected.now + SKEW_SECONDS:
            raise ResponseRefused("The SAML assertion is not valid yet.")
        if not_on_or_after is None:
            raise ResponseRefused("The SAML assertion has no expiry.")
        until = parse_instant(not_on_or_after)
    except ValueError:
        raise ResponseRefused("The SAML assertion's times could not be read.") from None
    if until + SKEW_SECONDS <= expected.now:
        raise ResponseRefused("The SAML assertion has expired.")
    restrictions = conditions.findall("saml:AudienceRestriction", NS)
    if not restrictions:
        raise ResponseRefused("The SAML assertion names no audience.")
    for restriction in restrictions:  # each restriction must include us (SAML core 2.5.1.4)
        audiences = [(a.text or "").strip() for a in restriction.findall("saml:Audience", NS)]
        if expected.audience not in audiences:
            raise ResponseRefused("The SAML assertion was issued for another audience.")
    return until


def _check_subject(assertion: etree._Element, expected: Expected, answered: str | None) -> str:
    subject = assertion.find("saml:Subject", NS)
    name_id = subject.find("saml:NameID", NS) if subject is not None else None
    value = (name_id.text or "").strip() if name_id is not None else ""
    if subject is None or not value:
        raise ResponseRefused("The SAML assertion names no subject.")
    for confirmation in subject.findall("saml:SubjectConfirmation", NS):
        if confirmation.get("Method") != BEARER:
            continue
        data = confirmation.find("saml:SubjectConfirmationData", NS)
        if data is None or data.get("Recipient") != expected.acs_url:
            continue
        if data.get("InResponseTo") is not None and data.get("InResponseTo") != answered:
            continue
        until = data.get("NotOnOrAfter")
        try:
            if until is None or parse_instant(until) + SKEW_SECONDS <= expected.now:
                continue
        except ValueError:
            continue
        return value
    raise ResponseRefused("The SAML assertion's subject is not confirmed for this service provider.")


def _attributes(assertion: etree._Element) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for attribute in assertion.findall("saml:AttributeStatement/saml:Attribute", NS):
        name = attribute.get("Name")
        if not name:
            continue
        values = [(v.text or "").strip() for v in attribute.findall("saml:AttributeValue", NS)]
        found.setdefault(name, []).extend(v for v in values if v)
    return found
