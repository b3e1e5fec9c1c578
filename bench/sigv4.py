"""SigV4 verification cost: requests signed by botocore, checked by ``protocol.auth.Authenticator`` in-process.

.venv/bin/python bench/sigv4.py [--requests 5000]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from starlette.datastructures import Headers

from userpool.protocol.auth import Authenticator, SignedRequest


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=5000)
    args = parser.parse_args()
    body = json.dumps({"UserPoolId": "us-east-1_abcdefghi", "Username": "alice"}).encode()
    request = AWSRequest(
        method="POST",
        url="http://127.0.0.1:9229/",
        data=body,
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AWSCognitoIdentityProviderService.AdminGetUser",
        },
    )
    SigV4Auth(Credentials("AKIDBENCH", "bench-secret"), "cognito-idp", "us-east-1").add_auth(request)
    pairs = [("host", "127.0.0.1:9229"), *request.headers.items()]  # the Host header an HTTP client adds
    headers = Headers(raw=[(k.lower().encode(), v.encode()) for k, v in pairs])
    signed = SignedRequest("POST", "http://127.0.0.1:9229/", headers, body)
    authenticator = Authenticator({"AKIDBENCH": "bench-secret"}, "us-east-1")
    now = time.time()
    authenticator.authenticate(signed, now)  # warm up
    started = time.perf_counter()
    for _ in range(args.requests):
        authenticator.authenticate(signed, now)
    elapsed = time.perf_counter() - started
    print(json.dumps({"requests": args.requests, "us_per_check": elapsed / args.requests * 1e6}))


if __name__ == "__main__":
    main()
