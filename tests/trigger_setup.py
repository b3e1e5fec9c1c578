"""A server with trigger functions on each database kind, shared by the authentication-trigger tests: every function
is played by ``tests.functions.FunctionServer`` and reached three ways, chosen by its name:

- ``http-*``: plain HTTP (the HTTP invoker);
- ``py-*``: ``python:tests.functions:python_function`` in the server's process (the in-process Python invoker);
- any other name: the AWS Lambda Invoke API with boto3 against the function server (the Lambda invoker).

The fixtures (``functions``, ``trigger_server``, ``idp``) are in tests/api/triggers/conftest.py.
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

from tests.functions import FunctionServer, arn
from tests.server import LocalUserpool, in_process

HTTP = ("http-a", "http-b", "http-c")
PYTHON = ("py-a", "py-b", "py-c")
TIMEOUT = 0.5
CODE_KEY = base64.b64encode(bytes(range(32))).decode()  # encrypts the codes custom sender functions get
SDK = "aws-sdk-unknown-unknown"
VIAS = ("http", "python", "lambda")


def start_server(functions: FunctionServer, data_dir: Any, database_url: str) -> LocalUserpool:
    mapping = {arn(name): functions.url(name) for name in HTTP}
    mapping.update({arn(name): "python:tests.functions:python_function" for name in PYTHON})
    return in_process(
        data_dir,
        database_url=database_url,
        trigger_functions=mapping,
        lambda_endpoint_url=functions.endpoint,
        trigger_timeout=TIMEOUT,
        trigger_attempts=2,
        trigger_code_key=CODE_KEY,
    )


def function_name(via: str, slot: str = "a") -> str:
    """A function reached ``via`` this invoker (a fresh name for the Lambda Invoke API)."""
    if via == "http":
        return f"http-{slot}"
    if via == "python":
        return f"py-{slot}"
    return f"fn-{slot}-{uuid.uuid4().hex[:8]}"
