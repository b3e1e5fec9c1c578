"""A tiny OpenID provider for tests, standing in for an external system (Google, a company's IdP): a loopback HTTP
server with a discovery document, a JWKS, an authorize endpoint that consents at once (302 back with a code), a
token endpoint that checks the code, the client and the PKCE verifier and answers an ID token it signs with PyJWT,
and userInfo. A test chooses how the next ID token is spoiled (``spoil``: another key, audience, issuer, nonce, an
expired token) to see the service refuse it."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLIENT_ID = "standin-client"
CLIENT_SECRET = "standin-secret-0123456789"


def _key() -> Any:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Grant:
    params: dict[str, str]


@dataclass
class StandIn:
    subject: str = "standin-user-1"
    claims: dict[str, Any] = field(default_factory=lambda: {"email": "bob@standin.example", "name": "Bob"})
    spoil: str | None = None  # "signature", "audience", "issuer", "nonce", "expired", "no-id-token"
    now: float | None = None  # the time the provider's tokens are issued at (the userpool's test clock)

    def __post_init__(self) -> None:
        self.key, self.other_key = _key(), _key()
        self.grants: dict[str, Grant] = {}
        self.token_requests: list[dict[str, str]] = []
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def _json(self, body: Any, status: int = 200) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path == "/.well-known/openid-configuration":
                    self._json(standin.discovery())
                elif url.path == "/jwks":
                    jwk = json.loads(RSAAlgorithm.to_jwk(standin.key.public_key()))
                    self._json({"keys": [{**jwk, "kid": "standin-key", "alg": "RS256", "use": "sig"}]})
                elif url.path == "/authorize":
                    code = secrets.token_urlsafe(16)
                    standin.grants[code] = Grant(query)
                    target = (
                        query["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": query["state"]})
                    )
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif url.path == "/userinfo":
                    self._json({"sub": standin.subject, **standin.claims})
                else:
                    self._json({"error": "not_found"}, 404)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                form = dict(urllib.parse.parse_qsl(body))
                standin.token_requests.append(form)
                self._json(*standin.token_answer(form))

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.http.daemon_threads = True
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.http.server_address[1]}"

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
        }

    def token_answer(self, form: dict[str, str]) -> tuple[dict[str, Any], int]:
        grant = self.grants.pop(form.get("code", ""), None)
        if grant is None or form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return {"error": "invalid_grant"}, 400
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge != grant.params.get("code_challenge") or form.get("redirect_uri") != grant.params["redirect_uri"]:
            return {"error": "invalid_grant"}, 400
        answer: dict[str, Any] = {"access_token": secrets.token_urlsafe(24), "token_type": "Bearer", "expires_in": 3600}
        if self.spoil != "no-id-token":
            answer["id_token"] = self.id_token(grant.params.get("nonce", ""))
        return answer, 200

    def id_token(self, nonce: str) -> str:
        now = int(self.now if self.now is not None else time.time())
        claims = {
            "iss": self.issuer,
            "sub": self.subject,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 3600,
            "nonce": nonce,
            **self.claims,
        }
        key = self.key
        if self.spoil == "signature":
            key = self.other_key
        elif self.spoil == "audience":
            claims["aud"] = "another-client"
        elif self.spoil == "issuer":
            claims["iss"] = "http://127.0.0.1:1/someone-else"
        elif self.spoil == "nonce":
            claims["nonce"] = "not-the-nonce-we-sent"
        elif self.spoil == "expired":
            claims["iat"], claims["exp"] = now - 7200, now - 3600
        return jwt.encode(claims, key, "RS256", headers={"kid": "standin-key"})

    def stop(self) -> None:
        self.http.shutdown()
        self.http.server_close()
