"""A SAML 2.0 identity provider run in the test: its own RSA key and self-signed certificate, its metadata, and
responses signed with signxml (the library the server verifies with, signing here with a test key). ``serve()``
runs it on a loopback port: ``GET /sso`` reads the pool's AuthnRequest (HTTP-Redirect binding, its signature
checked when present) and answers a page whose form posts the signed response to the pool's ACS URL, as an IdP
does after its own sign-in; ``GET /metadata`` serves the metadata for MetadataURL.

Every knob a refusal test needs is an argument of ``response``: another key, another audience, a past expiry, a
tampered value after signing, no signature, the signature on the Response or the Assertion.
"""

from __future__ import annotations

import base64
import datetime
import html
import threading
import time
import urllib.parse
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import XMLSigner

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"


def _instant(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class KeyPair:
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @classmethod
    def new(cls, name: str = "Test IdP") -> KeyPair:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.datetime.now(datetime.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=365))
            .sign(key, hashes.SHA256())
        )
        return cls(key, certificate)

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    @property
    def cert_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def cert_b64(self) -> str:
        return base64.b64encode(self.certificate.public_bytes(serialization.Encoding.DER)).decode()


@dataclass
class TestIdP:
    """The IdP: ``entity_id``, ``base_url`` (where ``serve`` runs it), its key, and what it answers the next
    sign-in with (``subject``, ``attributes``, ``options`` for ``response``)."""

    __test__ = False  # not a test class

    entity_id: str = "http://idp.example.test/saml"
    base_url: str = "http://127.0.0.1:1"
    keys: KeyPair = field(default_factory=KeyPair.new)
    subject: str = "bob@example.com"
    attributes: dict[str, list[str]] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    requests: list[dict[str, str]] = field(default_factory=list)  # each AuthnRequest received: query + XML
    clock: Callable[[], float] = time.time  # the IdP's "now" (a test gives it the server's test clock)
    _server: ThreadingHTTPServer | None = None

    def metadata(self, sso_url: str | None = None) -> str:
        sso = sso_url or f"{self.base_url}/sso"
        return (
            f'<md:EntityDescriptor xmlns:md="{MD}" xmlns:ds="{DS}" entityID="{self.entity_id}">'
            f'<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
            f'<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{self.keys.cert_b64}'
            "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
            f'<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
            f'Location="{self.base_url}/slo"/>'
            f'<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{sso}"/>'
            f'<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{sso}"/>'
            "</md:IDPSSODescriptor></md:EntityDescriptor>"
        )

    def response(
        self,
        acs_url: str,
        audience: str,
        in_response_to: str | None,
        now: float,
        *,
        subject: str | None = None,
        attributes: dict[str, list[str]] | None = None,
        lifetime: float = 300,
        sign: str = "assertion",  # "assertion", "response", "both" or "none"
        keys: KeyPair | None = None,
        issuer: str | None = None,
        recipient: str | None = None,
        destination: str | None = None,
        assertion_id: str | None = None,
        tamper: tuple[str, str] | None = None,  # replace text in the signed XML after signing
    ) -> str:
        """A base64 ``SAMLResponse`` as an IdP posts it."""
        keys = keys or self.keys
        issuer = issuer or self.entity_id
        assertion_id = assertion_id or f"_a{uuid.uuid4().hex}"
        until = _instant(now + lifetime)
        answer = f' InResponseTo="{in_response_to}"' if in_response_to else ""
        values = attributes if attributes is not None else self.attributes
        statement = "".join(
            f'<saml:Attribute Name="{html.escape(name)}">'
            + "".join(f"<saml:AttributeValue>{html.escape(v)}</saml:AttributeValue>" for v in vs)
            + "</saml:Attribute>"
            for name, vs in values.items()
        )
        assertion = (
            f'<saml:Assertion xmlns:saml="{SAML}" ID="{assertion_id}" Version="2.0" IssueInstant="{_instant(now)}">'
            f"<saml:Issuer>{issuer}</saml:Issuer>"
            f"<saml:Subject><saml:NameID>{html.escape(subject or self.subject)}</saml:NameID>"
            f'<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
            f'<saml:SubjectConfirmationData NotOnOrAfter="{until}" Recipient="{recipient or acs_url}"{answer}/>'
            "</saml:SubjectConfirmation></saml:Subject>"
            f'<saml:Conditions NotBefore="{_instant(now - 5)}" NotOnOrAfter="{until}">'
            f"<saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction>"
            "</saml:Conditions>"
            f'<saml:AuthnStatement AuthnInstant="{_instant(now)}"><saml:AuthnContext><saml:AuthnContextClassRef>'
            "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef>"
            "</saml:AuthnContext></saml:AuthnStatement>"
            f"<saml:AttributeStatement>{statement}</saml:AttributeStatement>"
            "</saml:Assertion>"
        )
        if not statement:
            assertion = assertion.replace("<saml:AttributeStatement></saml:AttributeStatement>", "")
        signer = XMLSigner(c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#")
        assertion_element = etree.fromstring(assertion)
        if sign in ("assertion", "both"):
            assertion_element = signer.sign(
                assertion_element, key=keys.key_pem, cert=keys.cert_pem.decode(), reference_uri=assertion_id
            )
            # saml:Assertion's schema puts the Signature right after the Issuer
            signature = assertion_element.find(f"{{{DS}}}Signature")
            assertion_element.remove(signature)
            assertion_element.insert(1, signature)
        response_id = f"_r{uuid.uuid4().hex}"
        response = etree.fromstring(
            f'<samlp:Response xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="{response_id}" Version="2.0" '
            f'IssueInstant="{_instant(now)}" Destination="{destination or acs_url}"{answer}>'
            f"<saml:Issuer>{issuer}</saml:Issuer>"
            '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>'
            "</samlp:Response>"
        )
        response.append(assertion_element)
        if sign in ("response", "both"):
            response = signer.sign(response, key=keys.key_pem, cert=keys.cert_pem.decode(), reference_uri=response_id)
            signature = response.find(f"{{{DS}}}Signature")
            response.remove(signature)
            response.insert(1, signature)
        text = etree.tostring(response).decode()
        if tamper is not None:
            assert tamper[0] in text, tamper
            text = text.replace(tamper[0], tamper[1])
        return base64.b64encode(text.encode()).decode()

    # ---- the IdP's HTTP side --------------------------------------------------------------------------------
    def serve(self) -> TestIdP:
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                parts = urllib.parse.urlsplit(self.path)
                if parts.path == "/metadata":
                    self._answer(200, idp.metadata(), "application/samlmetadata+xml")
                elif parts.path == "/sso":
                    self._answer(200, idp.sso_page(parts.query), "text/html")
                else:
                    self._answer(404, "not found", "text/plain")

            def _answer(self, status: int, body: str, kind: str) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def read_request(self, query: str) -> dict[str, str]:
        """An AuthnRequest received by the redirect binding: its query values and ``xml``."""
        values = {k: v[0] for k, v in urllib.parse.parse_qs(query).items()}
        values["xml"] = zlib.decompress(base64.b64decode(values["SAMLRequest"]), -15).decode()
        if "Signature" in values:
            values["signed_part"] = query.split("&Signature=")[0]
        self.requests.append(values)
        return values

    def sso_page(self, query: str) -> str:
        """The page the IdP shows after its own sign-in: a form that posts the signed response to the ACS."""
        received = self.read_request(query)
        request = etree.fromstring(received["xml"].encode())
        acs = request.get("AssertionConsumerServiceURL")
        audience = request.findtext(f"{{{SAML}}}Issuer")
        response = self.response(acs, audience, request.get("ID"), self.clock(), **self.options)
        relay = html.escape(received.get("RelayState", ""))
        return (
            "<!doctype html><html><body><h1>Test IdP</h1>"
            f'<form method="post" action="{html.escape(acs)}">'
            f'<input type="hidden" name="SAMLResponse" value="{response}">'
            f'<input type="hidden" name="RelayState" value="{relay}">'
            '<button type="submit" id="continue">Continue</button></form></body></html>'
        )


def verify_redirect_signature(query_part: str, signature_b64: str, certificate_b64: str) -> None:
    """Check the pool's HTTP-Redirect signature with its GetSigningCertificate (raises when it is wrong)."""
    certificate = x509.load_der_x509_certificate(base64.b64decode(certificate_b64))
    public_key = certificate.public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    public_key.verify(base64.b64decode(signature_b64), query_part.encode(), padding.PKCS1v15(), hashes.SHA256())
