"""The MFA strategies: the answers to ``SMS_MFA``, ``EMAIL_OTP`` and ``SOFTWARE_TOKEN_MFA`` (a code),
``SELECT_MFA_TYPE`` (the factor chosen: its challenge follows) and ``MFA_SETUP`` (after VerifySoftwareToken
registered an authenticator with the setup session: tokens).

A wrong code answers ``CodeMismatchException`` and counts as a failed sign-in toward the user's lockout, like a
wrong password. A session takes three answers, each counted before it is checked (so racing guesses never take
more), so each three guesses cost a new password sign-in (and the lockout's growing waits). A TOTP code is
accepted within one 30-second step of now, once.
"""

from __future__ import annotations

from typing import Any

from userpool.context import Call, Context
from userpool.domain import auth_events as events
from userpool.domain import codes, texts
from userpool.domain import mfa as mfa_rules
from userpool.domain import pools as pool_rules
from userpool.domain.records import AuthSession, Confirmation, User
from userpool.domain.users import key_value
from userpool.errors import (
    CodeMismatchException,
    ExpiredCodeException,
    InvalidParameterException,
    NotAuthorizedException,
)
from userpool.operations.shared import issuing, lookups, user_passwords
from userpool.operations.shared.signin import flow, otp, second_factor
from userpool.operations.shared.signin.sessions import (
    SignIn,
    Step,
    find_session,
    new_session,
    required,
    session_user,
    take_attempt,
    use_session,
)
from userpool.store import Conflict


async def _session_and_user(
    s: SignIn, r: dict[str, str], token: str | None, challenge: str, *, hidden_code: bool = False
) -> tuple[AuthSession, User]:
    """The live session of ``challenge`` and its user, named by ``USERNAME``. With ``hidden_code``, a code sent (as
    it seemed) to a user the client hides is counted and answered as a wrong code (``otp.pretend``)."""
    username = required(r, "USERNAME")
    lookups.check_secret_hash(s.client, username, r.get("SECRET_HASH"))
    session = await find_session(s.ctx, s.client, token, challenge)
    if hidden_code and session.user_id is None and session.data.get(otp.FIRST_FACTOR):
        await take_attempt(s.ctx, session)
        raise CodeMismatchException(texts.MFA_CODE_MISMATCH)
    user = await session_user(s.ctx, s.pool, session, username)
    if user is None:
        raise NotAuthorizedException(texts.INVALID_SESSION)
    if not user.enabled:
        raise NotAuthorizedException(texts.USER_DISABLED)
    return session, user


def code_answer(challenge: str) -> Step:
    """The strategy answering ``challenge`` (``SMS_MFA``, ``EMAIL_OTP``, ``SOFTWARE_TOKEN_MFA``) with its code."""

    async def answer(s: SignIn, r: dict[str, str], token: str | None) -> dict[str, Any]:
        names = mfa_rules.CODE_RESPONSES[challenge]
        code = next((r[n] for n in names if r.get(n)), None)
        if code is None:
            required(r, names[0])
        session, user = await _session_and_user(s, r, token, challenge, hidden_code=True)
        flow.check_not_locked(s.ctx, user)
        await take_attempt(s.ctx, session)
        if not await _code_matches(s, user, challenge, str(code)):
            await user_passwords.count_failure(s.ctx, user)
            await flow.record_sign_in(s, user, events.FAIL, events.MFA_FAILURE)
            raise CodeMismatchException(texts.MFA_CODE_MISMATCH)
        await use_session(s.ctx, session)
        if challenge == mfa_rules.SMS:
            user = await _phone_verified(s, user)
        if session.data.get(otp.FIRST_FACTOR):  # a one-time code as the first factor (choice-based sign-in)
            return await flow.proven(s, user, session.data.get("auth_parameters", {}), passwordless=True)
        return await flow.next_step(s, user, session.data.get("auth_parameters", {}), mfa_done=True)

    return answer


async def _phone_verified(s: SignIn, user: User) -> User:
    """A right SMS code proves the phone number: ``phone_number_verified`` becomes true (an alias the number is
        claims it, unless another user's verified alias holds it: the sign-in goes on either way). The user as it is
    now."""
    if user.attributes.get("phone_number_verified") == "true":
        return user
    claim = []
    if "phone_number" in (s.pool.settings.get("AliasAttributes") or ()):
        sensitive = pool_rules.case_sensitive(s.pool.settings)
        claim = [("phone_number", key_value("phone_number", user.attributes["phone_number"], sensitive))]
    confirmation = Confirmation(
        user_id=user.id,
        from_status=user.status,
        to_status=user.status,
        verify=["phone_number_verified"],
        claim_keys=claim,
        force_alias=False,
        consume_code=mfa_rules.CODE_PURPOSE,
        at=s.ctx.clock.now(),
    )
    try:
        await s.ctx.store.confirm(confirmation)
    except Conflict:
        return user
    return await s.ctx.store.get_user(user.id) or user


async def _code_matches(s: SignIn, user: User, challenge: str, code: str) -> bool:
    ctx = s.ctx
    if challenge == mfa_rules.TOTP:
        settings = await ctx.store.get_mfa_settings(user.id)
        secret = settings.totp_secret if settings is not None else None
        step = mfa_rules.totp_step(secret, code, ctx.clock.now()) if secret else None
        if step is None:
            return False
        if not await ctx.store.use_totp_step(user.id, step):
            raise ExpiredCodeException(texts.TOTP_USED)
        return True
    stored = await ctx.store.take_attempt(user.id, mfa_rules.CODE_PURPOSE, ctx.settings.code_attempts)
    if stored is None or not codes.matches(code, stored.code_hash):
        return False
    if stored.expires_at <= ctx.clock.now():
        raise ExpiredCodeException(texts.CODE_EXPIRED)
    return True


async def answer_select(s: SignIn, r: dict[str, str], token: str | None) -> dict[str, Any]:
    """``SELECT_MFA_TYPE``: ``ANSWER`` names one of ``MFAS_CAN_CHOOSE`` (``EMAIL_MFA`` for ``EMAIL_OTP`` too); the
    chosen factor's challenge follows, its code sent."""
    answer = required(r, "ANSWER")
    session, user = await _session_and_user(s, r, token, mfa_rules.SELECT)
    chosen = mfa_rules.EMAIL if answer == "EMAIL_MFA" else answer
    if chosen not in session.data.get("options", ()):
        raise InvalidParameterException(texts.MFA_SELECT_INVALID)
    await use_session(s.ctx, session)
    return await second_factor.ask(s, user, mfa_rules.Decision(chosen), session.data.get("auth_parameters", {}))


async def answer_setup(s: SignIn, r: dict[str, str], token: str | None) -> dict[str, Any]:
    """``MFA_SETUP``, answered with the session VerifySoftwareToken returned once the authenticator is registered."""
    session, user = await _session_and_user(s, r, token, mfa_rules.SETUP)
    if not session.data.get("verified"):
        raise InvalidParameterException(texts.MFA_SETUP_INCOMPLETE)
    await use_session(s.ctx, session)
    return await flow.next_step(s, user, session.data.get("auth_parameters", {}), mfa_done=True)


async def setup_session(ctx: Context, call: Call, token: str) -> tuple[SignIn, AuthSession, User]:
    """The sign-in an ``MFA_SETUP`` session (AssociateSoftwareToken's or VerifySoftwareToken's ``Session``) belongs
    to, that session, and its user; Cognito's refusal when it is not a live one."""
    session = await ctx.store.get_session(issuing.token_hash(token))
    if session is None or session.user_id is None:
        raise NotAuthorizedException(texts.INVALID_SESSION)
    found = await ctx.store.get_client_and_pool(session.client_id)
    user = await ctx.store.get_user(session.user_id)
    if found is None or found[1] is None or user is None:
        raise NotAuthorizedException(texts.INVALID_SESSION)
    client, pool = found
    await find_session(ctx, client, token, mfa_rules.SETUP)  # used or expired: Cognito's texts
    return SignIn(ctx, call, pool, client), session, user


async def next_setup_session(s: SignIn, user: User, session: AuthSession, **data: Any) -> str:
    """Spend an ``MFA_SETUP`` session and hand out its successor (AssociateSoftwareToken and VerifySoftwareToken
    each answer with a new one); ``data`` is added to what it carries."""
    await use_session(s.ctx, session)
    return await new_session(s, user, mfa_rules.SETUP, {**session.data, **data})
