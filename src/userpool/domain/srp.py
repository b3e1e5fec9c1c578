"""SRP-6a as Cognito speaks it (USER_SRP_AUTH): the server side of what amazon-cognito-identity-js's
AuthenticationHelper and pycognito's ``aws_srp`` compute on the client.

- Group: RFC 5054's 3072-bit prime ``N`` with generator ``g = 2``; ``k = H(PAD(N) | PAD(g))``.
- ``H`` is SHA-256 over the bytes of hex strings; ``PAD`` is Cognito's ``padHex``: an even number of hex digits,
  with a ``00`` byte in front when the high bit is set (so the value reads as positive).
- ``x = H(PAD(salt) | H(poolName | username | ":" | password))`` where ``poolName`` is the part of the pool id
  after the underscore and ``username`` is ``USER_ID_FOR_SRP`` (the stored username); ``v = g^x mod N``.
- Server: ``B = (k·v + g^b) mod N``; ``u = H(PAD(A) | PAD(B))``; ``S = (A·v^u)^b mod N``;
  key = HKDF-SHA256(ikm = PAD(S), salt = PAD(u), info = "Caldera Derived Key")[:16].
- The client proves the key with ``PASSWORD_CLAIM_SIGNATURE = Base64(HMAC-SHA256(key, poolName | username |
  SECRET_BLOCK bytes | TIMESTAMP))``, TIMESTAMP like ``Sat Sep 5 09:03:07 UTC 2026`` (day not zero-padded).

The modular exponentiations use ``gmpy2`` (GMP) when it is installed, plain ``pow`` otherwise. They are CPU work:
callers run them in the bounded worker pool (``userpool.hashing``), never on the event loop. The server's private
ephemeral ``b`` is 256 random bits: twice the 128-bit strength of the 3072-bit group (NIST SP 800-56A's rule for
Diffie-Hellman private keys), which keeps each exponentiation near a third of a millisecond.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from userpool.domain import texts
from userpool.errors import InvalidParameterException, NotAuthorizedException

try:
    import gmpy2

    def _powmod(base: int, exponent: int, modulus: int) -> int:
        return int(gmpy2.powmod(base, exponent, modulus))

except ImportError:  # pragma: no cover - gmpy2 is a dependency; this keeps the module importable without it

    def _powmod(base: int, exponent: int, modulus: int) -> int:
        return pow(base, exponent, modulus)


N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1"
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245"
    "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D"
    "C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D"
    "670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9"
    "DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64"
    "ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B"
    "F12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31"
    "43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(N_HEX, 16)
G = 2
INFO = b"Caldera Derived Key"
EPHEMERAL_BITS = 256
SALT_BYTES = 16

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Java's "EEE MMM d HH:mm:ss z yyyy": one or two day digits are read alike.
_TIMESTAMP = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"([0-9]{1,2}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) (UTC|GMT) ([0-9]{4})"
)


def pad_hex(value: int) -> str:
    """Cognito's ``padHex``: even length, and a leading ``00`` when the first hex digit is 8-f."""
    text = format(value, "x")
    if len(text) % 2:
        return "0" + text
    if text[0] in "89abcdef":
        return "00" + text
    return text


def hex_hash(hex_text: str) -> str:
    return hashlib.sha256(bytes.fromhex(hex_text)).hexdigest()


K = int(hex_hash(pad_hex(N) + pad_hex(G)), 16)


def pool_name(pool_id: str) -> str:
    """The part of ``us-east-1_AbC123xyZ`` after the underscore, as the clients use it."""
    return pool_id.split("_", 1)[1] if "_" in pool_id else pool_id


def _x(salt: int, pool: str, username: str, password: str) -> int:
    identity = hashlib.sha256(f"{pool}{username}:{password}".encode()).hexdigest()
    return int(hex_hash(pad_hex(salt) + identity), 16)


@dataclass(frozen=True)
class Verifier:
    salt: str  # hex, no leading zeros: what SALT carries and what clients pad
    verifier: str  # hex of v = g^x mod N


def make_verifier(pool_id: str, username: str, password: str) -> Verifier:
    """A fresh salt and the verifier ``v`` for this username and password (CPU work: run it in the pool)."""
    salt = 0
    while salt < 1 << (8 * SALT_BYTES - 8):  # a first byte of zero would read differently in clients
        salt = secrets.randbits(8 * SALT_BYTES)
    v = _powmod(G, _x(salt, pool_name(pool_id), username, password), N)
    return Verifier(salt=format(salt, "x"), verifier=format(v, "x"))


@dataclass(frozen=True)
class Challenge:
    """The server's ephemeral pair for one sign-in: ``b`` stays in the store, ``B`` goes to the client."""

    b: str  # hex
    B: str  # hex


def parse_public(hex_text: str) -> int | None:
    """A client's public ``A`` from hex, or None when it is not hex or is zero modulo N (SRP's safety check)."""
    if not hex_text or len(hex_text) > 2 * 512:
        return None
    try:
        value = int(hex_text, 16)
    except ValueError:
        return None
    if value % N == 0:
        return None
    return value


def start(verifier_hex: str) -> Challenge:
    """Pick ``b`` and compute ``B = k·v + g^b mod N`` (CPU work)."""
    v = int(verifier_hex, 16)
    while True:
        b = secrets.randbits(EPHEMERAL_BITS)
        if b == 0:
            continue
        big_b = (K * v + _powmod(G, b, N)) % N
        if big_b:
            return Challenge(b=format(b, "x"), B=format(big_b, "x"))


def session_key(a_hex: str, challenge: Challenge, verifier_hex: str) -> bytes | None:
    """The 16-byte key both sides derive, or None when ``u`` is zero (CPU work)."""
    a = int(a_hex, 16)
    big_b = int(challenge.B, 16)
    u = int(hex_hash(pad_hex(a) + pad_hex(big_b)), 16)
    if u == 0:
        return None
    v = int(verifier_hex, 16)
    s = _powmod(a * _powmod(v, u, N) % N, int(challenge.b, 16), N)
    prk = hmac.new(bytes.fromhex(pad_hex(u)), bytes.fromhex(pad_hex(s)), hashlib.sha256).digest()
    return hmac.new(prk, INFO + b"\x01", hashlib.sha256).digest()[:16]


def canonical_timestamp(text: str) -> str | None:
    """The TIMESTAMP as Cognito reads and re-writes it (day without a leading zero), or None when malformed.

    A zero-padded day is read but written back without the zero, so a signature made over the padded text does
    not verify: the failure warrant/pycognito once had on the first nine days of each month."""
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        return None
    weekday, month, day, hour, minute, second, _zone, year = match.groups()
    day_n, hour_n, minute_n, second_n, year_n = int(day), int(hour), int(minute), int(second), int(year)
    month_n = _MONTHS.index(month) + 1
    if not (1 <= day_n <= calendar.monthrange(year_n, month_n)[1] and hour_n < 24 and minute_n < 60 and second_n < 60):
        return None
    if _DAYS[calendar.weekday(year_n, month_n, day_n)] != weekday:
        return None
    return f"{weekday} {month} {day_n} {hour}:{minute}:{second} UTC {year}"


@dataclass(frozen=True)
class Claim:
    """A client's proof of the key: the SECRET_BLOCK it echoes (bytes), its signature and its TIMESTAMP (as
    Cognito re-writes it)."""

    secret_block: bytes
    signature: str
    timestamp: str


def read_claim(responses: Mapping[str, str]) -> Claim:
    """PASSWORD_CLAIM_SECRET_BLOCK, PASSWORD_CLAIM_SIGNATURE and TIMESTAMP of a (DEVICE_)PASSWORD_VERIFIER answer,
    with Cognito's answers to a missing one, a malformed TIMESTAMP and a block that is not Base64."""
    values = {}
    for name in ("PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP"):
        values[name] = responses.get(name) or ""
        if not values[name]:
            raise InvalidParameterException(texts.MISSING_PARAMETER.format(name=name))
    timestamp = canonical_timestamp(values["TIMESTAMP"])
    if timestamp is None:
        raise InvalidParameterException(texts.SRP_TIMESTAMP_FORMAT)
    try:
        block = base64.b64decode(values["PASSWORD_CLAIM_SECRET_BLOCK"], validate=True)
    except (binascii.Error, ValueError):
        raise NotAuthorizedException(texts.INVALID_SESSION) from None
    return Claim(block, values["PASSWORD_CLAIM_SIGNATURE"], timestamp)


def format_timestamp(year: int, month: int, day: int, hour: int, minute: int, second: int) -> str:
    """``Sat Sep 5 09:03:07 UTC 2026``, as the clients write it."""
    weekday = _DAYS[calendar.weekday(year, month, day)]
    return f"{weekday} {_MONTHS[month - 1]} {day} {hour:02d}:{minute:02d}:{second:02d} UTC {year}"


def _signature(key: bytes, realm: str, name: str, secret_block: bytes, timestamp: str) -> bytes:
    """HMAC-SHA256(key, realm | name | SECRET_BLOCK bytes | TIMESTAMP): the pool name and username for a user,
    the device group key and device key for a device."""
    return hmac.new(key, realm.encode() + name.encode() + secret_block + timestamp.encode(), hashlib.sha256).digest()


def _matches(expected: bytes, signature_b64: str) -> bool:
    try:
        sent = base64.b64decode(signature_b64, validate=True)
    except (binascii.Error, ValueError):
        return False
    return hmac.compare_digest(expected, sent)


def expected_signature(key: bytes, pool_id: str, username: str, secret_block: bytes, timestamp: str) -> bytes:
    return _signature(key, pool_name(pool_id), username, secret_block, timestamp)


def signature_matches(
    key: bytes, pool_id: str, username: str, secret_block: bytes, timestamp: str, signature_b64: str
) -> bool:
    """Constant-time check of PASSWORD_CLAIM_SIGNATURE."""
    return _matches(expected_signature(key, pool_id, username, secret_block, timestamp), signature_b64)


# ---- device SRP (DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER) -------------------------------------------------------
# The same group, k, u, S, key derivation and TIMESTAMP as a user's SRP; the device group key stands where the pool
# name does and the device key where the username does, and the "password" is a random secret only the device
# knows. The device made its verifier itself (AuthenticationHelper.generateHashDevice) and sent it to ConfirmDevice
# with its salt, each as Base64 of Cognito's padded hex bytes.


def from_base64(text: str) -> str | None:
    """The hex of a ConfirmDevice ``Salt`` or ``PasswordVerifier`` (Base64 of big-endian bytes), or None when it
    is not Base64 or holds zero (a verifier of zero, or one not below N, would be no verifier at all)."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    value = int.from_bytes(raw, "big")
    if value == 0 or len(raw) > 512:
        return None
    return format(value, "x")


def device_verifier_valid(verifier_hex: str) -> bool:
    return 0 < int(verifier_hex, 16) < N


def device_signature_matches(
    key: bytes, group_key: str, device_key: str, secret_block: bytes, timestamp: str, signature_b64: str
) -> bool:
    """Constant-time check of a device's PASSWORD_CLAIM_SIGNATURE."""
    return _matches(_signature(key, group_key, device_key, secret_block, timestamp), signature_b64)


def client_ephemeral() -> tuple[int, str]:
    """A client's private ``a`` and public ``A`` (hex), as the clients make them: for benchmarks only.

    Tests use real clients (pycognito); this mirrors them only so the server can be measured on its own."""
    a = secrets.randbits(1024)
    return a, format(_powmod(G, a, N), "x")


def client_signature(
    a: int, pool_id: str, username: str, password: str, salt_hex: str, b_hex: str, secret_block: bytes, timestamp: str
) -> str:
    """The PASSWORD_CLAIM_SIGNATURE a client with private ``a`` sends: for benchmarks only."""
    big_a = _powmod(G, a, N)
    big_b = int(b_hex, 16)
    u = int(hex_hash(pad_hex(big_a) + pad_hex(big_b)), 16)
    x = _x(int(salt_hex, 16), pool_name(pool_id), username, password)
    s = _powmod((big_b - K * _powmod(G, x, N)) % N, a + u * x, N)
    prk = hmac.new(bytes.fromhex(pad_hex(u)), bytes.fromhex(pad_hex(s)), hashlib.sha256).digest()
    key = hmac.new(prk, INFO + b"\x01", hashlib.sha256).digest()[:16]
    return base64.b64encode(expected_signature(key, pool_id, username, secret_block, timestamp)).decode()
