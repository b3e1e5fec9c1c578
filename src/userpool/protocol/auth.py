"""AWS Signature Version 4 for the IAM-authorized operations.

Every operation the service model does not mark unauthenticated (``ServiceModel.is_unauthenticated``) is an IAM
operation: when access keys are configured, its request must be signed with one of them for service
``cognito-idp`` in this server's region. The expected signature is recomputed with botocore's own signer
(``botocore.auth.SigV4Auth``) over an ``AWSRequest`` rebuilt from the request as received — method, URL, the
headers the client says it signed, the body — and the client's ``X-Amz-Date``; it is compared in constant time.

Errors and their texts are AWS's own, as real responses quote them:
- no ``Authorization`` header: ``MissingAuthenticationTokenException`` (403) ``Missing Authentication Token``;
- an access key id this server does not know: ``UnrecognizedClientException``
  ``The security token included in the request is invalid.``;
- a signature that does not match: ``InvalidSignatureException`` ``The request signature we calculated does not
  match the signature you provided. ...``;
- a date more than 5 minutes away from the server's clock: ``InvalidSignatureException``
  ``Signature expired: <date> is now earlier than <now - 5 min> (<now> - 5 min.)`` (or ``Signature not yet
  current: ...`` for a date in the future);
- a credential scoped to another service or region: ``InvalidSignatureException``
  ``Credential should be scoped to correct service: 'cognito-idp'. `` / ``... to a valid region, not 'x'. ``;
- an ``Authorization`` header that is not a SigV4 one: ``IncompleteSignatureException`` (texts modelled on what
  other AWS JSON services answer; unverified for Cognito).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import regex
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

from userpool.errors import (
    IncompleteSignatureException,
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)

SERVICE = "cognito-idp"
ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW_SECONDS = 5 * 60
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access "
    "Key and signing method. Consult the service documentation for details."
)
_AMZ_DATE = regex.compile(r"^\d{8}T\d{6}Z$")
_TIME_FORMAT = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class SignedRequest:
    """What a request carries to be checked: everything is as received."""

    method: str
    url: str
    headers: Any  # a multi-valued, case-insensitive mapping with ``getlist`` (Starlette's Headers)
    body: bytes


@dataclass(frozen=True)
class _Authorization:
    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: list[str]
    signature: str


class _Verifier(SigV4Auth):
    """botocore's SigV4 signer, signing exactly the headers the client listed (it may list ones botocore skips)."""

    def __init__(self, credentials: Credentials, region: str, signed_headers: Sequence[str]) -> None:
        super().__init__(credentials, SERVICE, region)
        self._signed_headers = signed_headers

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        header_map = HTTPHeaders()
        for name in self._signed_headers:
            for value in request.headers.get_all(name) or ():
                header_map[name] = value
        return header_map


def _parse(header: str) -> _Authorization:
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise IncompleteSignatureException(f"Unsupported AWS 'algorithm': '{algorithm[:64]}'. Use {ALGORITHM}.")
    parts: dict[str, str] = {}
    for item in rest.split(","):
        name, sep, value = item.strip().partition("=")
        if sep:
            parts[name.strip()] = value.strip()
    missing = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if not parts.get(name)
    ]
    if missing:
        raise IncompleteSignatureException(" ".join(missing))
    scope = parts["Credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        raise IncompleteSignatureException(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term."
        )
    return _Authorization(
        access_key_id=scope[0],
        date=scope[1],
        region=scope[2],
        service=scope[3],
        signed_headers=[h.strip().lower() for h in parts["SignedHeaders"].split(";") if h.strip()],
        signature=parts["Signature"],
    )


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime(_TIME_FORMAT)


class Authenticator:
    """Checks SigV4 signatures against the configured access keys (none configured: accepts every request)."""

    def __init__(self, access_keys: Mapping[str, str], region: str) -> None:
        self._keys = dict(access_keys)
        self._region = region

    @property
    def enforcing(self) -> bool:
        return bool(self._keys)

    def authenticate(self, request: SignedRequest, now: float) -> str | None:
        """The access key id that signed ``request``; raises the AWS error when it is not properly signed.
        ``None`` when no keys are configured (nothing is checked)."""
        if not self._keys:
            return None
        header = request.headers.get("authorization")
        if not header:
            raise MissingAuthenticationTokenException("Missing Authentication Token")
        auth = _parse(header)
        amz_date = request.headers.get("x-amz-date", "")
        if not _AMZ_DATE.match(amz_date):
            raise IncompleteSignatureException(
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
            )
        if "host" not in auth.signed_headers:
            raise InvalidSignatureException("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
        secret = self._keys.get(auth.access_key_id)
        if secret is None:
            raise UnrecognizedClientException("The security token included in the request is invalid.")
        if auth.service != SERVICE:
            raise InvalidSignatureException(f"Credential should be scoped to correct service: '{SERVICE}'. ")
        if auth.region != self._region:
            raise InvalidSignatureException(f"Credential should be scoped to a valid region, not '{auth.region}'. ")
        self._check_time(amz_date, now)
        declared = request.headers.get("x-amz-content-sha256")
        if declared is not None and declared != hashlib.sha256(request.body).hexdigest():
            raise InvalidSignatureException(SIGNATURE_MISMATCH)
        expected = self._signature(request, auth, amz_date, secret)
        if not hmac.compare_digest(expected.encode("ascii"), auth.signature.encode("latin-1", "replace")):
            raise InvalidSignatureException(SIGNATURE_MISMATCH)
        return auth.access_key_id

    @staticmethod
    def _check_time(amz_date: str, now: float) -> None:
        try:
            signed_at = dt.datetime.strptime(amz_date, _TIME_FORMAT).replace(tzinfo=dt.UTC)
        except ValueError:
            raise IncompleteSignatureException(f"Date must be in ISO-8601 'basic format'. Got '{amz_date}'.") from None
        current = dt.datetime.fromtimestamp(now, dt.UTC).replace(microsecond=0)
        skew = dt.timedelta(seconds=MAX_SKEW_SECONDS)
        if signed_at < current - skew:
            raise InvalidSignatureException(
                f"Signature expired: {amz_date} is now earlier than {_stamp(current - skew)} "
                f"({_stamp(current)} - 5 min.)"
            )
        if signed_at > current + skew:
            raise InvalidSignatureException(
                f"Signature not yet current: {amz_date} is still later than {_stamp(current + skew)} "
                f"({_stamp(current)} + 5 min.)"
            )

    def _signature(self, request: SignedRequest, auth: _Authorization, amz_date: str, secret: str) -> str:
        headers = HTTPHeaders()
        for name in auth.signed_headers:
            for value in request.headers.getlist(name):
                headers[name] = value
        rebuilt = AWSRequest(method=request.method, url=request.url, data=request.body)
        rebuilt.headers = headers
        rebuilt.context["timestamp"] = amz_date
        rebuilt.context["payload_signing_enabled"] = True
        verifier = _Verifier(Credentials(auth.access_key_id, secret), auth.region, auth.signed_headers)
        canonical = verifier.canonical_request(rebuilt)
        return verifier.signature(verifier.string_to_sign(rebuilt, canonical), rebuilt)
