"""The custom-challenge strategy: ``CUSTOM_AUTH`` (a first step) and the ``CUSTOM_CHALLENGE`` answer, driven by the
pool's three functions as in Cognito:

DefineAuthChallenge sees the rounds so far (``session``: ``challengeName``, ``challengeResult``,
``challengeMetadata``) and answers ``issueTokens`` (the flow goes on to ``flow.next_step``: MFA if called for,
then tokens), ``failAuthentication`` (``NotAuthorizedException: Incorrect username or password.``, unverified
text) or a ``challengeName``; for ``CUSTOM_CHALLENGE`` CreateAuthChallenge makes the challenge (public parameters
go to the client with ``USERNAME``, private ones and the metadata stay in the session record), the client answers
``ANSWER``, VerifyAuthChallengeResponse grades it, and DefineAuthChallenge is asked again with one more round.
Each round hands out a new ``Session`` and spends the old one; rounds are bounded by the session's lifetime only.

With PreventUserExistenceErrors ``ENABLED`` an unknown user goes through the same rounds (``userNotFound: true``,
no attributes) and can never be given tokens.

``SRP_A`` in the first step (Amplify's ``CUSTOM_WITH_SRP``) proves the password first: the first round is
``{SRP_A, true}``; when DefineAuthChallenge answers ``PASSWORD_VERIFIER`` the client gets the SRP strategy's
``PASSWORD_VERIFIER`` challenge, and once its proof is right the flow comes back here (``after_password``) with a
``{PASSWORD_VERIFIER, true}`` round. A wrong proof ends the sign-in as in ``USER_SRP_AUTH``.
"""

from __future__ import annotations

from typing import Any

from userpool.domain import clients as client_rules
from userpool.domain import texts
from userpool.domain.records import User
from userpool.domain.users import UserStatus
from userpool.errors import (
    InvalidLambdaResponseException,
    NotAuthorizedException,
    UserNotConfirmedException,
)
from userpool.operations.shared import lookups
from userpool.operations.shared.signin import auth_triggers, flow, srp
from userpool.operations.shared.signin.sessions import (
    SignIn,
    carried,
    find_session,
    new_session,
    required,
    session_user,
    use_session,
)
from userpool.triggers.responses import UNRECOGNIZABLE

CUSTOM_CHALLENGE = "CUSTOM_CHALLENGE"


def _passed(challenge: str) -> dict[str, Any]:
    return {"challengeName": challenge, "challengeResult": True, "challengeMetadata": None}


async def start(s: SignIn, params: dict[str, str], session: str | None = None) -> dict[str, Any]:
    name = required(params, "USERNAME")
    lookups.check_secret_hash(s.client, name, params.get("SECRET_HASH"))
    user = await lookups.user_for_client(s.ctx.store, s.client, s.pool, name, texts.USER_NOT_FOUND)
    if user is not None:
        if not user.enabled:
            raise NotAuthorizedException(texts.USER_DISABLED)
        if user.status == UserStatus.UNCONFIRMED:
            raise UserNotConfirmedException(texts.NOT_CONFIRMED)
    srp_params = params if params.get("SRP_A") else None
    rounds = [_passed("SRP_A")] if srp_params is not None else []
    return await _round(s, user, user.username if user else name, rounds, None, carried(params), srp_params)


async def after_password(s: SignIn, user: User, state: dict[str, Any]) -> dict[str, Any]:
    """The SRP proof a CUSTOM_AUTH flow asked for was right: DefineAuthChallenge decides what follows."""
    rounds = [*state["rounds"], _passed(srp.PASSWORD_VERIFIER)]
    metadata = s.call.params.get("ClientMetadata")
    return await _round(s, user, state["user_name"], rounds, metadata, state["auth_parameters"])


async def answer(s: SignIn, r: dict[str, str], session_token: str | None) -> dict[str, Any]:
    name = required(r, "USERNAME")
    given = required(r, "ANSWER")
    lookups.check_secret_hash(s.client, name, r.get("SECRET_HASH"))
    session = await find_session(s.ctx, s.client, session_token, CUSTOM_CHALLENGE)
    data = session.data
    user = await session_user(s.ctx, s.pool, session, name)
    if user is None and (session.user_id is not None or name != data["user_name"]):
        raise NotAuthorizedException(texts.INVALID_SESSION)
    await use_session(s.ctx, session)
    metadata = s.call.params.get("ClientMetadata")
    correct = await s.ctx.triggers.verify_auth_challenge_response(
        s.pool,
        auth_triggers.caller(s),
        data["user_name"],
        _attributes(s, user),
        data["private"],
        given,
        metadata,
        _not_found(s, user),
    )
    rounds = [
        *data["rounds"],
        {"challengeName": CUSTOM_CHALLENGE, "challengeResult": correct, "challengeMetadata": data["metadata"]},
    ]
    return await _round(s, user, data["user_name"], rounds, metadata, data.get("auth_parameters", {}))


def _attributes(s: SignIn, user: User | None) -> dict[str, str]:
    return s.ctx.triggers.user_view(s.pool, user) if user is not None else {}


def _not_found(s: SignIn, user: User | None) -> bool | None:
    return (user is None) if client_rules.hides_user_existence(s.client.settings) else None


async def _round(
    s: SignIn,
    user: User | None,
    user_name: str,
    rounds: list[dict[str, Any]],
    metadata: dict[str, str] | None,
    auth_parameters: dict[str, str],
    srp_params: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Ask DefineAuthChallenge what follows ``rounds``, and do it (``srp_params``: the first step's, with
    ``SRP_A``, for a ``PASSWORD_VERIFIER`` answer)."""
    triggers, attributes, not_found = s.ctx.triggers, _attributes(s, user), _not_found(s, user)
    caller = auth_triggers.caller(s)
    decision = await triggers.define_auth_challenge(s.pool, caller, user_name, attributes, rounds, metadata, not_found)
    if decision.fail_authentication:
        raise NotAuthorizedException(texts.INCORRECT_PASSWORD)
    if decision.issue_tokens:
        if user is None:
            raise NotAuthorizedException(texts.INCORRECT_PASSWORD)
        return await flow.proven(s, user, auth_parameters)
    if decision.challenge_name == srp.PASSWORD_VERIFIER and srp_params is not None:
        state = {"user_name": user_name, "rounds": rounds, "auth_parameters": auth_parameters}
        return await srp.start(s, srp_params, custom=state)
    if decision.challenge_name != CUSTOM_CHALLENGE:
        # (unverified: PASSWORD_VERIFIER, SMS_MFA, ... named by the function are not run yet)
        raise InvalidLambdaResponseException(UNRECOGNIZABLE)
    created = await triggers.create_auth_challenge(
        s.pool, caller, user_name, attributes, CUSTOM_CHALLENGE, rounds, metadata, not_found
    )
    data = {
        "user_name": user_name,
        "rounds": rounds,
        "private": dict(created.private),
        "metadata": created.metadata,
        "auth_parameters": auth_parameters,
    }
    session = await new_session(s, user, CUSTOM_CHALLENGE, data)
    return {
        "ChallengeName": CUSTOM_CHALLENGE,
        "Session": session,
        "ChallengeParameters": {**created.public, "USERNAME": user_name},
    }
