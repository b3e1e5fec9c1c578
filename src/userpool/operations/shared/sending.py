"""Sending codes and messages to users: where a code goes, the CustomMessage trigger and custom senders, the daily
email quota, and what an operation answers about a delivery (``CodeDeliveryDetails``)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from userpool.context import Context
from userpool.delivery import DeliveryError, Message
from userpool.domain import messages, texts, usernames
from userpool.domain.masking import mask
from userpool.domain.records import Pool, User
from userpool.errors import CodeDeliveryFailureException, LimitExceededException
from userpool.triggers import CLIENT_ID_NOT_APPLICABLE, Caller

log = logging.getLogger("userpool.delivery")
# The messages whose code may be a confirmation link (a pool that confirms email by link): sign-up's.
LINK_SOURCES = frozenset({"SignUp", "ResendCode"})


def medium_of(attribute: str) -> str:
    """How a code for ``attribute`` travels: SMS to a phone number, email otherwise."""
    return "SMS" if attribute == "phone_number" else "EMAIL"


def code_destination(settings: Mapping[str, Any], attributes: Mapping[str, str]) -> tuple[str, str] | None:
    """Where a sign-up code goes: ``(attribute, medium)``. The phone wins when both are auto-verified."""
    auto = settings.get("AutoVerifiedAttributes") or ()
    if "phone_number" in auto and attributes.get("phone_number"):
        return "phone_number", "SMS"
    if "email" in auto and attributes.get("email"):
        return "email", "EMAIL"
    return None


def delivery_details(attribute: str, medium: str, destination: str) -> dict[str, str]:
    """``CodeDeliveryDetails``: the destination masked as Cognito masks it."""
    return {"Destination": mask(medium, destination), "DeliveryMedium": medium, "AttributeName": attribute}


def simulated_delivery(name: str, auto_verified: Sequence[str] = ("email",)) -> dict[str, str]:
    """What a client that hides user existence answers for an unknown user, as if a code went out: to the name
    itself when it is a phone number or an email, else to a made-up address of the kind the pool verifies."""
    if usernames.is_phone(name):
        return delivery_details("phone_number", "SMS", name)
    if usernames.is_email(name):
        return delivery_details("email", "EMAIL", name)
    if "phone_number" in auto_verified:
        return delivery_details("phone_number", "SMS", "+10000000000")
    return delivery_details("email", "EMAIL", f"{name[:1] or 'x'}@x")


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
    the CodeDeliveryDetails to answer with. ``overrides`` (a CustomMessage trigger's answer) take precedence over
    the pool's template.

    The user and the code are already stored: when delivery fails (``CodeDeliveryFailureException``) or the daily
    email quota is used up (``LimitExceededException``), nothing is lost and ResendConfirmationCode tries again."""
    link = None
    if medium == "EMAIL" and client_id is not None and messages.uses_link(pool.settings):
        link = messages.confirmation_link(ctx.settings.public_base_url, client_id, user_name, code)
    composed = messages.verification_message(pool.settings, medium, code, user_name, link, overrides)
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
        raise CodeDeliveryFailureException(texts.DELIVERY_FAILED[medium]) from None


async def custom_message(
    ctx: Context,
    caller: Caller,
    pool: Pool,
    user: User,
    medium: str,
    source: str,
    client_metadata: dict[str, str] | None,
) -> messages.Overrides:
    """The CustomMessage trigger's rewrite of a message (``source``: ``SignUp``, ``ResendCode``,
    ``AdminCreateUser``, ...); no change when the pool has no such function."""
    custom = await ctx.triggers.custom_message(pool, caller, user, medium, source, client_metadata)
    if medium == "EMAIL":
        return messages.Overrides(email_subject=custom.subject, email_message=custom.body)
    return messages.Overrides(sms_message=custom.body)


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
    may rewrite the message, which our sender delivers. ``source`` is the trigger source's suffix: ``SignUp``,
    ``ResendCode``, ``ForgotPassword``, ``UpdateUserAttribute``, ``VerifyUserAttribute``. Only a sign-up code
    may go by link."""
    destination = user.attributes[attribute]
    custom_sender = ctx.triggers.custom_sender(pool, medium)
    if custom_sender is not None:
        ctx.triggers.hand_code_to(custom_sender, pool, caller, user, code, source, client_metadata)
        return delivery_details(attribute, medium, destination)
    overrides = await custom_message(ctx, caller, pool, user, medium, source, client_metadata)
    client_id = None
    if caller.client_id != CLIENT_ID_NOT_APPLICABLE and source in LINK_SOURCES:
        client_id = caller.client_id
    return await send_code(
        ctx, pool, user.username, attribute, medium, destination, code, client_id=client_id, overrides=overrides
    )


async def send_invitation(
    ctx: Context,
    caller: Caller,
    pool: Pool,
    user: User,
    password: str,
    mediums: Sequence[str],
    client_metadata: dict[str, str] | None,
) -> None:
    """Send AdminCreateUser's invitation (Cognito's welcome message) with ``password`` (the temporary password) by
    each medium the user has an address for: a custom sender for the medium delivers it itself, else the
    CustomMessage trigger (``CustomMessage_AdminCreateUser``) may rewrite the pool's template."""
    shown_name = user.attributes.get("email") if pool.settings.get("UsernameAttributes") else user.username
    for medium in mediums:
        attribute = "phone_number" if medium == "SMS" else "email"
        destination = user.attributes.get(attribute)
        if not destination:
            continue  # (unverified: Cognito's answer when the medium's attribute is missing)
        custom_sender = ctx.triggers.custom_sender(pool, medium)
        if custom_sender is not None:  # the function delivers the temporary password itself
            ctx.triggers.hand_code_to(custom_sender, pool, caller, user, password, "AdminCreateUser", client_metadata)
            continue
        overrides = await custom_message(ctx, caller, pool, user, medium, "AdminCreateUser", client_metadata)
        composed = messages.invitation_message(pool.settings, medium, password, shown_name or user.username, overrides)
        await send_message(ctx, pool, user.username, medium, destination, composed, password)


async def _take_quota(ctx: Context, pool: Pool, medium: str) -> str | None:
    """Count this message against the pool's daily email quota; the UTC day counted, or None when no quota
    applies (SMS, no quota set, or a pool that sends email with its own SES configuration)."""
    quota = ctx.settings.daily_email_quota
    if medium != "EMAIL" or quota is None or not messages.uses_cognito_email(pool.settings):
        return None
    day = datetime.fromtimestamp(ctx.clock.now(), UTC).date().isoformat()
    if not await ctx.store.take_send_quota(pool.id, medium, day, quota):
        raise LimitExceededException(texts.EMAIL_QUOTA_EXCEEDED)
    return day
