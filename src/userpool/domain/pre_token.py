"""Token customisation by a PreTokenGeneration function (pure): what an answer asks of the ID and access tokens,
and ``apply_overrides``, which changes the claims a sign-in's tokens were about to carry.

Cognito's rules, as its developer guide states them:
- ``claimsToAddOrOverride`` sets claims; ``claimsToSuppress`` removes them, and suppressing wins over adding.
- ``groupOverrideDetails`` replaces ``cognito:groups`` in both tokens and ``cognito:roles`` and
  ``cognito:preferred_role`` in the ID token; present but empty (or ``null``) removes them. Group claims cannot be
  set through ``claimsToAddOrOverride``, nor any other ``cognito:`` claim (dropped quietly, unverified).
- ``V1_0`` claim values are strings; another value is dropped quietly (unverified, as emulators describe
  Cognito).
- Some claims can never be changed (``PROTECTED``; the access token also keeps ``client_id``, ``username``,
  ``scope``, ``device_key``, ``event_id`` and ``version``, unverified). An answer that names one is not refused:
  the claim keeps its value (unverified: the guide lists these claims but not what an answer naming them gets).
- Scopes (V2_0/V3_0, access token): ``scopesToAdd`` then ``scopesToSuppress``; ``aws.cognito.signin.user.admin``
  is neither added nor suppressed by a function (unverified), and the ``scope`` claim is dropped when no scope
  is left.
- In the ID token ``email_verified``, ``phone_number_verified``, ``updated_at`` and ``address`` cannot take complex
  values (arrays, objects): such a value is ignored (unverified).
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from userpool.errors import InvalidParameterException

# Claims no answer changes (the guide's list for V1_0, which V2_0 keeps for both tokens).
PROTECTED = frozenset(
    {
        "acr",
        "amr",
        "aud",
        "at_hash",
        "auth_time",
        "azp",
        "cognito:username",
        "exp",
        "iat",
        "identities",
        "iss",
        "jti",
        "nbf",
        "nonce",
        "origin_jti",
        "sub",
        "token_use",
    }
)
PROTECTED_ACCESS = PROTECTED | {"client_id", "username", "scope", "device_key", "event_id", "version"}
GROUP_CLAIMS = frozenset({"cognito:groups", "cognito:roles", "cognito:preferred_role"})
SIMPLE_ONLY = frozenset({"email_verified", "phone_number_verified", "updated_at", "address"})
USER_ADMIN_SCOPE = "aws.cognito.signin.user.admin"


@dataclass(frozen=True)
class TokenGeneration:
    """What an answer asks of one token: claims to add or override, claims to suppress, and (access token) scopes
    to add or suppress."""

    add: Mapping[str, Any] = field(default_factory=dict)
    suppress: tuple[str, ...] = ()
    scopes_to_add: tuple[str, ...] = ()
    scopes_to_suppress: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupConfiguration:
    """A user's groups as a PreTokenGeneration event states them (``groupConfiguration``) and as an answer
    overrides them (``groupOverrideDetails``)."""

    groups: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    preferred_role: str | None = None

    def event(self) -> dict[str, Any]:
        return {
            "groupsToOverride": list(self.groups),
            "iamRolesToOverride": list(self.roles),
            "preferredRole": self.preferred_role,
        }


class Groups(Protocol):
    """Anything stating a user's groups, roles and preferred role (``GroupConfiguration``, or the groups feature's
    ``group_claims`` result)."""

    @property
    def groups(self) -> tuple[str, ...]: ...

    @property
    def roles(self) -> tuple[str, ...]: ...

    @property
    def preferred_role(self) -> str | None: ...


def group_configuration(groups: Groups) -> dict[str, Any]:
    """A user's groups as the event's ``groupConfiguration``."""
    return GroupConfiguration(tuple(groups.groups), tuple(groups.roles), groups.preferred_role).event()


# A user in no group (what ``token_triggers.customise`` assumes unless given the user's groups).
NO_GROUPS = GroupConfiguration()


@dataclass(frozen=True)
class PreTokenAnswer:
    """A PreTokenGeneration answer. ``groups`` is None when it leaves the user's groups alone (no
    ``groupOverrideDetails``), else the groups the tokens state instead (possibly none)."""

    id_token: TokenGeneration | None = None
    access_token: TokenGeneration | None = None
    groups: GroupConfiguration | None = None


def _change(
    claims: MutableMapping[str, Any], generation: TokenGeneration, protected: frozenset[str], id_token: bool
) -> None:
    for name, value in generation.add.items():
        if name in protected or name.startswith("cognito:"):
            continue
        if id_token and name in SIMPLE_ONLY and isinstance(value, list | dict):
            continue
        claims[name] = value
    for name in generation.suppress:
        if name not in protected and name not in GROUP_CLAIMS:
            claims.pop(name, None)


def _scopes(claims: MutableMapping[str, Any], generation: TokenGeneration) -> None:
    scopes = str(claims.get("scope", "")).split()
    for scope in generation.scopes_to_add:
        if scope != USER_ADMIN_SCOPE and scope not in scopes:
            scopes.append(scope)
    suppressed = set(generation.scopes_to_suppress) - {USER_ADMIN_SCOPE}
    scopes = [s for s in scopes if s not in suppressed]
    if scopes:
        claims["scope"] = " ".join(scopes)
    else:
        claims.pop("scope", None)


def _groups(claims: MutableMapping[str, Any], groups: GroupConfiguration, id_token: bool) -> None:
    for name in GROUP_CLAIMS:
        claims.pop(name, None)
    if groups.groups:
        claims["cognito:groups"] = list(groups.groups)
    if id_token and groups.roles:
        claims["cognito:roles"] = list(groups.roles)
    if id_token and groups.preferred_role:
        claims["cognito:preferred_role"] = groups.preferred_role


def apply_overrides(
    claims_id: MutableMapping[str, Any], claims_access: MutableMapping[str, Any], answer: PreTokenAnswer | None
) -> None:
    """Change the ID token's and the access token's claims (in place) as ``answer`` asks, by Cognito's rules."""
    if answer is None:
        return
    if answer.groups is not None:
        _groups(claims_id, answer.groups, id_token=True)
        _groups(claims_access, answer.groups, id_token=False)
    if answer.id_token is not None:
        _change(claims_id, answer.id_token, PROTECTED, id_token=True)
    if answer.access_token is not None:
        _change(claims_access, answer.access_token, PROTECTED_ACCESS, id_token=False)
        _scopes(claims_access, answer.access_token)


def scopes_of(claims_access: Mapping[str, Any]) -> list[str]:
    """The access token's scopes, as a V2_0/V3_0 event lists them."""
    return str(claims_access.get("scope", "")).split()


LEGACY_KEY = "PreTokenGeneration"
CONFIG_KEY = "PreTokenGenerationConfig"
# (unverified wording: Cognito refuses two different functions, no public source quotes its text)
TWO_FUNCTIONS = "PreTokenGeneration and PreTokenGenerationConfig.LambdaArn must name the same function."


def lambda_config(config: Mapping[str, Any] | None) -> dict[str, Any]:
    """A pool's ``LambdaConfig`` as Cognito stores and echoes it: the legacy ``PreTokenGeneration`` ARN and
    ``PreTokenGenerationConfig`` are two views of one function, so either one set fills in the other (the legacy
    ARN is a ``V1_0`` function), and both set must name the same function."""
    stored = dict(config or {})
    legacy = stored.get(LEGACY_KEY)
    versioned = stored.get(CONFIG_KEY)
    if versioned:
        if legacy and legacy != versioned.get("LambdaArn"):
            raise InvalidParameterException(TWO_FUNCTIONS)
        stored[LEGACY_KEY] = versioned["LambdaArn"]
    elif legacy:
        stored[CONFIG_KEY] = {"LambdaArn": legacy, "LambdaVersion": "V1_0"}
    return stored
