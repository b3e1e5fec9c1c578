"""SMS: Amazon SNS ``Publish`` (boto3; any SNS-compatible endpoint) or an HTTP webhook."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
from botocore.exceptions import BotoCoreError, ClientError

from userpool.delivery import DeliveryError, Message
from userpool.domain.masking import mask

log = logging.getLogger("userpool.delivery")

# What Cognito's SMS messages are sent as: SNS delivery logs of Cognito messages show "smsType": "Transactional".
SNS_ATTRIBUTES = {"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}}


class SnsSender:
    """``sns:Publish`` with ``PhoneNumber`` = the destination and ``Message`` = the text. Credentials come from
    boto3's usual chain (environment, shared files, instance role)."""

    def __init__(self, region: str, endpoint_url: str | None, timeout: float) -> None:
        import boto3  # imported here: only servers that send SMS through SNS pay for it at start-up
        from botocore.config import Config

        self._endpoint = endpoint_url or f"SNS ({region})"
        self._client: Any = boto3.session.Session().client(
            "sns",
            region_name=region,
            endpoint_url=endpoint_url,
            config=Config(
                connect_timeout=timeout,
                read_timeout=timeout,
                retries={"max_attempts": 1},
                user_agent_extra="userpool",
            ),
        )

    def _publish(self, message: Message) -> str:
        answer = self._client.publish(
            PhoneNumber=message.destination, Message=message.body, MessageAttributes=SNS_ATTRIBUTES
        )
        return str(answer.get("MessageId", ""))

    async def send(self, message: Message) -> None:
        try:
            message_id = await asyncio.to_thread(self._publish, message)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise DeliveryError(f"{self._endpoint}: {error.get('Code')}: {error.get('Message')}") from None
        except BotoCoreError as exc:
            raise DeliveryError(f"{self._endpoint}: {type(exc).__name__}: {exc}") from None
        log.info(
            "SMS message for user %s of pool %s sent to %s through SNS (MessageId %s)",
            message.username,
            message.pool_id,
            mask("SMS", message.destination),
            message_id,
        )

    async def aclose(self) -> None:
        self._client.close()


class WebhookSender:
    """``POST <url>`` with the JSON body ``{"to": "+1555…", "body": "Your verification code is …"}``; any 2xx
    answer means delivered."""

    def __init__(self, url: str, timeout: float) -> None:
        self._url = url
        self._where = str(httpx.URL(url).copy_with(query=None, fragment=None))  # a token in the query stays out of logs
        self._client = httpx.AsyncClient(timeout=timeout, headers={"User-Agent": "userpool"})

    async def send(self, message: Message) -> None:
        try:
            response = await self._client.post(self._url, json={"to": message.destination, "body": message.body})
        except httpx.HTTPError as exc:
            raise DeliveryError(f"SMS webhook {self._where}: {type(exc).__name__}: {exc}".rstrip(": ")) from None
        if not response.is_success:
            raise DeliveryError(f"SMS webhook {self._where} answered HTTP {response.status_code}")
        log.info(
            "SMS message for user %s of pool %s sent to %s through the webhook",
            message.username,
            message.pool_id,
            mask("SMS", message.destination),
        )

    async def aclose(self) -> None:
        await self._client.aclose()
