"""Asking for a second factor: the challenge ``next_step`` chose (``domain.mfa.decide``) handed to the client with
its session and Cognito's ChallengeParameters, and the SMS or email code sent for it.

A code is six digits, stored hashed in ``codes`` (purpose ``mfa``: one live sign-in code per user), living three
minutes, its attempts counted before each comparison. It goes out as Cognito sends it: a custom sender trigger
gets it encrypted (source ``Authentication``); otherwise the CustomMessage trigger (``CustomMessage_Authentication``)
may rewrite the pool's authentication message, and our sender delivers it.
"""

from __future__ import annotations

from typing import Any

from userpool.domain import codes
from userpool.domain import mfa as mfa_rules
from userpool.domain.masking import mask
from userpool.domain.records import NewCode, User
from userpool.operations.shared import sending
from userpool.operations.shared.signin.sessions import SignIn, new_session
from userpool.triggers import CLIENT_ID_NOT_APPLICABLE, Caller

SOURCE = "Authentication"  # the trigger source of a sign-in code (CustomMessage_Authentication, custom senders)


async def ask(s: SignIn, user: User, decision: mfa_rules.Decision, auth_parameters: dict[str, str]) -> dict[str, Any]:
    """The challenge ``decision`` names, in a new session that carries ``auth_parameters`` to the answer."""
    parameters: dict[str, str] = {"USER_ID_FOR_SRP": user.username}
    data: dict[str, Any] = {"auth_parameters": auth_parameters}
    if decision.challenge in mfa_rules.MEDIUM:
        parameters.update(await send_code(s, user, decision.challenge))
    elif decision.challenge == mfa_rules.SELECT:
        parameters["MFAS_CAN_CHOOSE"] = mfa_rules.json_list(decision.options)
        data["options"] = list(decision.options)
    elif decision.challenge == mfa_rules.SETUP:
        parameters["MFAS_CAN_SETUP"] = mfa_rules.json_list(decision.options)
    session = await new_session(s, user, decision.challenge, data)
    return {"ChallengeName": decision.challenge, "Session": session, "ChallengeParameters": parameters}


async def send_code(s: SignIn, user: User, challenge: str, digits: int = mfa_rules.CODE_DIGITS) -> dict[str, str]:
    """Make, store and send the code of an SMS or email challenge (``digits`` long); its ChallengeParameters."""
    ctx, pool = s.ctx, s.pool
    medium, attribute = mfa_rules.MEDIUM[challenge], mfa_rules.ATTRIBUTE[challenge]
    destination = user.attributes[attribute]
    code = ctx.generate_code(digits)
    expires_at = ctx.clock.now() + mfa_rules.CODE_SECONDS
    stored = NewCode(mfa_rules.CODE_PURPOSE, codes.hash_code(code), attribute, expires_at)
    await ctx.store.replace_code(user.id, stored, ctx.clock.now())
    caller = Caller(CLIENT_ID_NOT_APPLICABLE if s.admin else s.client.id, s.call.user_agent)
    metadata = s.call.params.get("ClientMetadata")
    custom_sender = ctx.triggers.custom_sender(pool, medium)
    if custom_sender is not None:
        ctx.triggers.hand_code_to(custom_sender, pool, caller, user, code, SOURCE, metadata)
    else:
        overrides = await sending.custom_message(ctx, caller, pool, user, medium, SOURCE, metadata)
        composed = mfa_rules.authentication_message(pool.settings, medium, code, user.username, overrides)
        await sending.send_message(ctx, pool, user.username, medium, destination, composed, code)
    return {"CODE_DELIVERY_DELIVERY_MEDIUM": medium, "CODE_DELIVERY_DESTINATION": mask(medium, destination)}
