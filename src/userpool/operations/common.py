"""Look-ups and rules several operations share: pools, clients, users by any name they answer to,
the client secret check, and the code messages."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from userpool.context import Call, Context
from userpool.delivery import DeliveryError, Message
from userpool.domain import codes, messages, pools, secret_hash, usernames
from userpool.domain.attributes import VERIFIED_FLAGS
from userpool.domain.masking import mask
from userpool.errors import (
    CodeDeliveryFailureException,
    LimitExceededException,
    NotAuthorizedException,
    ResourceNotFoundException,
)
from userpool.store import Client, NewUser, Pool, User
from userpool.triggers import CLIENT_ID_NOT_APPLICABLE, Caller

log = logging.getLogger("userpool.delivery")

USER_NOT_FOUND = "User does not exist."
EMAIL_QUOTA_EXCEEDED = (
    "Exceeded daily email limit for the operation or the account. If a higher limit is required, please configure "
    "your user pool to use your own Amazon SES configuration for sending email."
)
# Cognito's answer when an email cannot be sent; the SMS wording mirrors it (unverified).
DELIVERY_FAILED = {
    "EMAIL": "Invalid email provided/Unable to send the email",
    "SMS": "Invalid phone number provided/Unable to send the SMS",
}


async def require_pool(ctx: Context, pool_id: str) -> Pool:
    pool = await ctx.store.get_pool(pool_id)
    if pool is None:
        raise ResourceNotFoundException(f"User pool {pool_id} does not exist.")
    return pool


async def require_client(ctx: Context, client_id: str, pool_id: str | None = None) -> Client:
    """The app client ``client_id`` (of pool ``pool_id`` when given), or Cognito's not-found error."""
    client = await ctx.store.get_client(client_id)
    if client is None or (pool_id is not None and client.pool_id != pool_id):
        raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
    return client


async def found_client(ctx: Context, client_id: str, call: Call | None = None) -> tuple[Client, Pool | None] | None:
    """The app client ``client_id`` and its pool; None when there is no such client. Read once per ``call``
    however many of its steps ask (the rate limits, then the operation)."""
    if call is None:
        return await ctx.store.get_client_and_pool(client_id)
    if client_id not in call.clients:
        call.clients[client_id] = await ctx.store.get_client_and_pool(client_id)
    return call.clients[client_id]


async def client_and_pool(ctx: Context, client_id: str, call: Call | None = None) -> tuple[Client, Pool]:
    """The app client and its pool (one read, shared by ``call``'s steps), or Cognito's not-found error for the
    one that is missing."""
    found = await found_client(ctx, client_id, call)
    if found is None:
        raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
    client, pool = found
    if pool is None:
        raise ResourceNotFoundException(f"User pool {client.pool_id} does not exist.")
    return client, pool


def check_secret_hash(client: Client, username: str, sent: str | None) -> None:
    """A client with a secret must be sent the right SecretHash for this username (constant-time check)."""
    if client.secret is None:
        return
    if sent is None:
        raise NotAuthorizedException(f"Client {client.id} is configured for secret but secret was not received")
    if not secret_hash.verify(client.secret, username, client.id, sent):
        raise NotAuthorizedException(f"Unable to verify secret hash for client {client.id}")


def key_value(kind: str, value: str, case_sensitive: bool) -> str:
    """How a sign-in value is compared: phone numbers as they are, the others folded by the pool's rule."""
    return value if kind == "phone_number" else usernames.fold(value, case_sensitive)


def sign_in_kinds(settings: dict[str, Any]) -> list[str]:
    """The attributes a user may be named by besides the username: username attributes or aliases."""
    return list(settings.get("UsernameAttributes") or settings.get("AliasAttributes") or ())


async def find_user(ctx: Context, pool: Pool, name: str) -> User | None:
    """The user a request names: by username, else by a username-attribute value or a verified alias."""
    sensitive = pools.case_sensitive(pool.settings)
    user = await ctx.store.find_user(pool.id, usernames.fold(name, sensitive))
    if user is not None:
        return user
    for kind in sign_in_kinds(pool.settings):
        user = await ctx.store.find_user_by_key(pool.id, [kind], key_value(kind, name, sensitive))
        if user is not None:
            return user
    return None


def code_destination(settings: dict[str, Any], attributes: dict[str, str]) -> tuple[str, str] | None:
    """Where a sign-up code goes: ``(attribute, medium)``. The phone wins when both are auto-verified."""
    auto = settings.get("AutoVerifiedAttributes") or ()
    if "phone_number" in auto and attributes.get("phone_number"):
        return "phone_number", "SMS"
    if "email" in auto and attributes.get("email"):
        return "email", "EMAIL"
    return None


def delivery_details(attribute: str, medium: str, destination: str) -> dict[str, str]:
    return {"Destination": mask(medium, destination), "DeliveryMedium": medium, "AttributeName": attribute}


def verification_message(
    settings: dict[str, Any],
    medium: str,
    code: str,
    username: str,
    link: str | None = None,
    overrides: messages.Overrides | None = None,
) -> messages.Composed:
    """The verification message from the pool's template (or Cognito's defaults); ``overrides`` (a CustomMessage
    trigger's answer) take precedence over the template."""
    return messages.verification_message(settings, medium, code, username, link, overrides)


async def send_code(
    ctx: Context,
    pool: Pool,
    user_name: str,
    attribute: str,
    medium: str,
    destination: str,
    code: str,
    client_id: str | None = None,
    overrides: messages.Overrides | None = None,
) -> dict[str, str]:
    """Deliver a verification code (by link when the pool confirms email by link and the app client is known);
    the CodeDeliveryDetails to answer with.

    The user and the code are already stored: when delivery fails (``CodeDeliveryFailureException``) or the daily
    email quota is used up (``LimitExceededException``), nothing is lost and ResendConfirmationCode tries again."""
    link = None
    if medium == "EMAIL" and client_id is not None and messages.uses_link(pool.settings):
        link = messages.confirmation_link(ctx.settings.public_base_url, client_id, user_name, code)
    composed = verification_message(pool.settings, medium, code, user_name, link, overrides)
    await send_message(ctx, pool, user_name, medium, destination, composed, code)
    return delivery_details(attribute, medium, destination)


async def send_message(
    ctx: Context, pool: Pool, user_name: str, medium: str, destination: str, composed: messages.Composed, code: str
) -> None:
    """Send one message to a user through the configured sender, from the pool's email identity, counted against
    the daily email quota (``LimitExceededException`` when it is used up). A failed delivery is
    ``CodeDeliveryFailureException``, and gives its quota back."""
    sender = messages.email_sender(pool.settings.get("EmailConfiguration"), ctx.settings.email_from)
    message = Message(
        pool_id=pool.id,
        username=user_name,
        medium=medium,
        destination=destination,
        subject=composed.subject,
        body=composed.text,
        code=code,
        html=composed.html,
        link=composed.link,
        from_header=sender.from_header if medium == "EMAIL" else None,
        reply_to=sender.reply_to if medium == "EMAIL" else None,
        envelope_sender=sender.envelope_sender if medium == "EMAIL" else None,
    )
    quota_day = await _take_quota(ctx, pool, medium)
    try:
        await ctx.sender.send(message)
    except DeliveryError as exc:
        log.warning("%s delivery for user %s of pool %s failed: %s", medium, user_name, pool.id, exc)
        if quota_day is not None:
            await ctx.store.return_send_quota(pool.id, medium, quota_day)
        raise CodeDeliveryFailureException(DELIVERY_FAILED[medium]) from None


async def deliver_code(
    ctx: Context,
    caller: Caller,
    pool: Pool,
    user: User,
    attribute: str,
    medium: str,
    code: str,
    source: str,
    client_metadata: dict[str, str] | None,
) -> dict[str, str]:
    """Deliver a code as Cognito does: a pool with a custom sender trigger for ``medium`` gets the code encrypted
    and delivers it itself (we do not wait for it); otherwise the CustomMessage trigger, when the pool has one,
    may rewrite the message, which our sender delivers. ``source`` is ``SignUp`` or ``ResendCode``."""
    destination = user.attributes[attribute]
    custom_sender = ctx.triggers.custom_sender(pool, medium)
    if custom_sender is not None:
        ctx.triggers.hand_code_to(custom_sender, pool, caller, user, code, source, client_metadata)
        return delivery_details(attribute, medium, destination)
    custom = await ctx.triggers.custom_message(pool, caller, user, medium, source, client_metadata)
    if medium == "EMAIL":
        overrides = messages.Overrides(email_subject=custom.subject, email_message=custom.body)
    else:
        overrides = messages.Overrides(sms_message=custom.body)
    client_id = None if caller.client_id == CLIENT_ID_NOT_APPLICABLE else caller.client_id
    return await send_code(
        ctx, pool, user.username, attribute, medium, destination, code, client_id=client_id, overrides=overrides
    )


def new_code(ctx: Context) -> tuple[str, str, float]:
    """A fresh code, its hash, and when it expires."""
    code = ctx.generate_code()
    return code, codes.hash_code(code), ctx.clock.now() + codes.CODE_VALIDITY_SECONDS


def user_description(user: User, attribute_names: list[str] | None = None) -> dict[str, Any]:
    attributes = [
        {"Name": n, "Value": v} for n, v in user.attributes.items() if attribute_names is None or n in attribute_names
    ]
    return {
        "Username": user.username,
        "Attributes": attributes,
        "UserCreateDate": user.created_at,
        "UserLastModifiedDate": user.modified_at,
        "Enabled": user.enabled,
        "UserStatus": user.status,
    }


def verified_aliases(pool: Pool, attributes: dict[str, str]) -> list[tuple[str, str]]:
    """The aliases a confirmed user owns, as (kind, folded value): its verified email and phone, and its
    preferred_username."""
    case_sensitive = pools.case_sensitive(pool.settings)
    return [
        (kind, key_value(kind, attributes[kind], case_sensitive))
        for kind in pool.settings.get("AliasAttributes") or ()
        if attributes.get(kind)
        and (kind == "preferred_username" or attributes.get(VERIFIED_FLAGS.get(kind, "")) == "true")
    ]


def new_user(
    pool: Pool,
    username: str,
    attributes: dict[str, str],
    password_hash: str | None,
    status: str,
    sub: str,
    now: float,
    *,
    move_aliases: bool = False,
    **extra: Any,
) -> NewUser:
    """The record of a new user: the stored username (the sub where email/phone is the username), its folded
    key, its attributes with ``sub`` first and unverified flags for email/phone unless given, and the sign-in
    values it claims: username-attribute values always; the aliases of a user past confirmation (its verified
    email and phone, its preferred_username). With ``move_aliases`` a verified email/phone alias moves from a
    user who holds it (as ForceAliasCreation does); otherwise such an alias is a ``Conflict``. ``extra`` are
    further ``NewUser`` fields (SRP verifier, password expiry)."""
    settings = pool.settings
    case_sensitive = pools.case_sensitive(settings)
    stored_name = sub if settings.get("UsernameAttributes") else username
    stored = {"sub": sub, **attributes}
    for attribute, flag in VERIFIED_FLAGS.items():
        if attribute in attributes:
            stored.setdefault(flag, "false")
    keys = [
        (kind, key_value(kind, attributes[kind], case_sensitive))
        for kind in settings.get("UsernameAttributes") or ()
        if attributes.get(kind)
    ]
    aliases = verified_aliases(pool, stored) if status != "UNCONFIRMED" else []
    claims = [(kind, value, kind != "preferred_username") for kind, value in aliases] if move_aliases else []
    return NewUser(
        pool_id=pool.id,
        username=stored_name,
        username_key=usernames.fold(stored_name, case_sensitive),
        sub=sub,
        status=status,
        password_hash=password_hash,
        created_at=now,
        attributes=stored,
        keys=keys if move_aliases else keys + aliases,
        claims=claims,
        **extra,
    )


async def _take_quota(ctx: Context, pool: Pool, medium: str) -> str | None:
    """Count this message against the pool's daily email quota; the UTC day counted, or None when no quota
    applies (SMS, no quota set, or a pool that sends email with its own SES configuration)."""
    quota = ctx.settings.daily_email_quota
    if medium != "EMAIL" or quota is None or not messages.uses_cognito_email(pool.settings):
        return None
    day = datetime.fromtimestamp(ctx.clock.now(), UTC).date().isoformat()
    if not await ctx.store.take_send_quota(pool.id, medium, day, quota):
        raise LimitExceededException(EMAIL_QUOTA_EXCEEDED)
    return day
