"""SAML 2.0 signing: each pool's self-signed X.509 certificate (GetSigningCertificate), made with ``cryptography``.

Cognito signs SAML requests to identity providers with a per-pool key and publishes its certificate: subject and
issuer CN = the pool id, RSA-2048, SHA-256, valid ten years from issue ("Issued certificates are valid for 10
years"). Pure functions over key material; the store keeps the certificate and, sealed, its key.
"""

from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

VALID_YEARS = 10


@dataclass(frozen=True)
class NewCertificate:
    certificate: str  # Base64 of the DER encoding, as GetSigningCertificate answers it
    private_pem: str  # PKCS#8 PEM, unencrypted (the store seals it)


def _years_later(start: datetime.datetime, years: int) -> datetime.datetime:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February, in a year that has none
        return start.replace(year=start.year + years, day=28)


def new_signing_certificate(pool_id: str, issued_at: float) -> NewCertificate:
    """A fresh RSA-2048 key and its self-signed certificate for ``pool_id``, valid ``VALID_YEARS`` years from
    ``issued_at`` (epoch seconds). CPU work (tens of milliseconds): run it in the hashing pool."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, pool_id)])
    start = datetime.datetime.fromtimestamp(int(issued_at), tz=datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(_years_later(start, VALID_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    der = certificate.public_bytes(serialization.Encoding.DER)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return NewCertificate(certificate=base64.b64encode(der).decode("ascii"), private_pem=pem.decode("ascii"))
