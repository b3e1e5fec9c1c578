"""Users: their statuses, the names they sign in by, the record of a new user, and how a user is described.

Pure rules: the operations and the seeder read and write users through the store; what a user is lives here.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from userpool.domain import pools, texts, usernames
from userpool.domain.attributes import VERIFIED_FLAGS
from userpool.domain.records import NewUser, Pool, User
from userpool.errors import AliasExistsException, InternalErrorException, ServiceError, UsernameExistsException


class UserStatus(StrEnum):
    """A user's status, as stored and as the API answers it (``UserStatusType``); a member is its string."""

    UNCONFIRMED = "UNCONFIRMED"
    CONFIRMED = "CONFIRMED"
    ARCHIVED = "ARCHIVED"
    COMPROMISED = "COMPROMISED"
    UNKNOWN = "UNKNOWN"
    RESET_REQUIRED = "RESET_REQUIRED"
    FORCE_CHANGE_PASSWORD = "FORCE_CHANGE_PASSWORD"
    EXTERNAL_PROVIDER = "EXTERNAL_PROVIDER"


def key_value(kind: str, value: str, case_sensitive: bool) -> str:
    """How a sign-in value is compared: phone numbers as they are, the others folded by the pool's rule."""
    return value if kind == "phone_number" else usernames.fold(value, case_sensitive)


def sign_in_kinds(settings: Mapping[str, Any]) -> list[str]:
    """The attributes a user may be named by besides the username: username attributes or aliases."""
    return list(settings.get("UsernameAttributes") or settings.get("AliasAttributes") or ())


def verified_aliases(pool: Pool, attributes: Mapping[str, str]) -> list[tuple[str, str]]:
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
    status: UserStatus,
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
    aliases = verified_aliases(pool, stored) if status != UserStatus.UNCONFIRMED else []
    claims = [(kind, value, kind != "preferred_username") for kind, value in aliases] if move_aliases else []
    return NewUser(
        pool_id=pool.id,
        username=stored_name,
        username_key=usernames.fold(stored_name, case_sensitive),
        sub=sub,
        status=status.value,
        password_hash=password_hash,
        created_at=now,
        attributes=stored,
        keys=keys if move_aliases else keys + aliases,
        claims=claims,
        **extra,
    )


def creation_conflict(what: str, settings: Mapping[str, Any], username_taken: str) -> ServiceError:
    """Cognito's error for a new user whose username or sign-in value another user has (``what``, a store
    ``Conflict``'s): the email or phone that is the username, the username (worded ``username_taken``, as each
    operation words it), or an alias."""
    if what in ("email", "phone_number") and settings.get("UsernameAttributes"):
        return UsernameExistsException(texts.SIGN_IN_VALUE_EXISTS.format(attribute=what))
    if what == "username":
        return UsernameExistsException(username_taken)
    if what in (settings.get("AliasAttributes") or ()):
        return AliasExistsException(texts.ALIAS_EXISTS.format(attribute=what))
    return InternalErrorException(texts.INTERNAL_ERROR)


def user_description(user: User, attribute_names: list[str] | None = None) -> dict[str, Any]:
    """A user as AdminCreateUser and ListUsers describe it (``UserType``)."""
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
