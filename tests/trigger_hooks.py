"""Lambda handlers that tests run inside the server process as server-wide triggers (``python:`` targets).

Each records the event it gets (one JSON line in the file named by ``USERPOOL_TEST_HOOK_LOG``) and acts on
``clientMetadata["action"]``, so a test chooses what the function does through the API call itself.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from typing import Any


def _record(name: str, event: dict[str, Any]) -> str | None:
    with open(os.environ["USERPOOL_TEST_HOOK_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps({"hook": name, "event": event}) + "\n")
    return (event["request"].get("clientMetadata") or {}).get("action")


def pre_sign_up(event: dict[str, Any], context: Any) -> Any:
    """A sync handler (run in a thread)."""
    action = _record("pre_sign_up", event)
    if action == "reject":
        raise ValueError(f"No sign-ups for {event['request']['userAttributes'].get('email')}")
    if action == "confirm":
        event["response"].update(autoConfirmUser=True, autoVerifyEmail=True)
    if action == "slow":
        time.sleep(context.get_remaining_time_in_millis() / 1000 + 0.3)
    if action == "nothing":
        return None
    return event


async def custom_message(event: dict[str, Any], context: Any) -> Any:
    """An async handler (awaited on the server's event loop)."""
    action = _record("custom_message", event)
    if action == "slow-message":
        await asyncio.sleep(context.get_remaining_time_in_millis() / 1000 + 0.3)
    event["response"]["emailSubject"] = f"Welcome to {context.function_name}"
    event["response"]["emailMessage"] = f"Hello {event['request']['userAttributes']['email']}, code {{####}}"
    return event


def post_confirmation(event: dict[str, Any], context: Any) -> Any:
    if _record("post_confirmation", event) == "fail":
        raise RuntimeError("welcome mail failed")
    return event
