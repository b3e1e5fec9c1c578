"""``Triggers``: which function a pool's trigger is, and calling it as Cognito does.

The app object owns one ``Triggers`` (its HTTP client, its thread pool, its Lambda clients, its background
deliveries) and hands it to operations through ``Context``. A pool's ``LambdaConfig`` names functions by ARN; the
configuration says where each ARN is reached:

- ``[triggers.functions]`` (or ``USERPOOL_TRIGGER_FUNCTIONS`` as JSON) maps an ARN to ``http(s)://...``,
  ``python:module:function`` (or just ``module:function``), ``lambda:`` (the Invoke API at
  ``USERPOOL_LAMBDA_ENDPOINT_URL``, or AWS's own endpoint when that is unset) or ``lambda:<endpoint URL>``;
- an ARN with no mapping goes to the Invoke API at ``USERPOOL_LAMBDA_ENDPOINT_URL`` when it is set, and otherwise
  cannot be invoked (a warning when the pool is created or updated; ``UnexpectedLambdaException`` when fired);
- ``triggers.pre_sign_up = "myapp.hooks:pre_sign_up"`` and its siblings are server-wide functions for every pool
  whose ``LambdaConfig`` has no entry of that kind: customising sign-up needs no AWS at all.

Synchronous triggers get ``trigger_timeout`` seconds per attempt and ``trigger_attempts`` attempts (Cognito: 5 s,
3 attempts). Custom sender triggers are invoked asynchronously: the API call does not wait for them.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx

from userpool.config import Settings
from userpool.domain.records import Pool, User
from userpool.errors import (
    InvalidParameterException,
    NotAuthorizedException,
    ServiceError,
    UnexpectedLambdaException,
    UserLambdaValidationException,
    UserNotFoundException,
)
from userpool.triggers import codes, events, responses
from userpool.triggers.events import Caller, Kind
from userpool.triggers.invokers import (
    FunctionError,
    HttpInvoker,
    InvocationFailed,
    Invoker,
    LambdaApiInvoker,
    PythonInvoker,
    load_handler,
)

log = logging.getLogger("userpool.triggers")

# The triggers this service runs; a pool may configure others (they are stored, and a warning says they do not run).
RUN = tuple(Kind)
LOCAL_SETTINGS = {
    Kind.PRE_SIGN_UP: "trigger_pre_sign_up",
    Kind.CUSTOM_MESSAGE: "trigger_custom_message",
    Kind.POST_CONFIRMATION: "trigger_post_confirmation",
    Kind.CUSTOM_EMAIL_SENDER: "trigger_custom_email_sender",
    Kind.CUSTOM_SMS_SENDER: "trigger_custom_sms_sender",
    Kind.PRE_AUTHENTICATION: "trigger_pre_authentication",
    Kind.POST_AUTHENTICATION: "trigger_post_authentication",
    Kind.PRE_TOKEN_GENERATION: "trigger_pre_token_generation",
    Kind.USER_MIGRATION: "trigger_user_migration",
}
# A pool's PreTokenGeneration function: ``PreTokenGenerationConfig`` (with its event version) or the legacy
# ``PreTokenGeneration`` ARN (V1_0).
TOKEN_CONFIG = "PreTokenGenerationConfig"
# The one PreTokenGeneration event version Cognito calls for client-credentials (machine-to-machine) tokens.
M2M_TOKEN_VERSION = "V3_0"
SENDER_FOR_MEDIUM = {"EMAIL": Kind.CUSTOM_EMAIL_SENDER, "SMS": Kind.CUSTOM_SMS_SENDER}
NOT_FOUND = "ResourceNotFoundException."  # what Lambda answers for a function it does not have
# Cognito's answer (InvalidParameterException) to CUSTOM_AUTH in a pool without the custom-auth functions.
CUSTOM_AUTH_NOT_CONFIGURED = "Custom auth lambda trigger is not configured for the user pool."


class TriggerConfigError(ValueError):
    """A trigger setting that cannot work (bad target, unknown module, bad key): the server does not start."""


@dataclass(frozen=True)
class Function:
    """A trigger of a pool: its kind, the function's name (ARN, or the setting of a server-wide hook) and how it
    is reached (None: it cannot be)."""

    kind: Kind
    name: str
    invoker: Invoker | None


def lambda_arn(entry: Any) -> str | None:
    """The ARN of a ``LambdaConfig`` entry: a string, or ``{"LambdaArn": ..., "LambdaVersion": ...}``."""
    if isinstance(entry, Mapping):
        return entry.get("LambdaArn")
    return entry if isinstance(entry, str) and entry else None


def _region_of(arn: str, default: str) -> str:
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 and parts[0] == "arn" and parts[3] else default


class Triggers:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="trigger")
        # Made when an HTTP function is configured: an idle client costs start-up time (httpcore's imports).
        self._http: httpx.AsyncClient | None = None
        self._lambda_clients: dict[tuple[str, str | None], Any] = {}
        self._by_endpoint: dict[str, Invoker] = {}
        self._background: set[asyncio.Task[None]] = set()
        self._code_key: bytes | None = None
        self._mapped: dict[str, Invoker] = {}
        self._local: dict[Kind, Function] = {}
        try:
            if settings.trigger_code_key is not None:
                self._code_key = codes.read_key(settings.trigger_code_key.get_secret_value())
            for arn, spec in settings.trigger_functions.items():
                self._mapped[arn] = self._invoker(spec, arn)
            for kind, setting in LOCAL_SETTINGS.items():
                spec = getattr(settings, setting)
                if spec:
                    self._local[kind] = Function(kind, f"{setting}={spec}", self._invoker(spec, None))
        except (codes.CodeKeyError, TriggerConfigError) as exc:
            self._executor.shutdown(wait=False)
            raise TriggerConfigError(str(exc)) from None
        for kind in (Kind.CUSTOM_EMAIL_SENDER, Kind.CUSTOM_SMS_SENDER):
            if kind in self._local and self._code_key is None:
                log.warning("the server-wide %s trigger needs USERPOOL_TRIGGER_CODE_KEY to encrypt codes", kind)

    # ---- configuration -------------------------------------------------------------------------------------
    def _lambda_client(self, region: str, endpoint: str | None) -> Any:
        key = (region, endpoint)
        if key not in self._lambda_clients:
            self._lambda_clients[key] = LambdaApiInvoker.make_client(region, endpoint, self._settings.trigger_timeout)
        return self._lambda_clients[key]

    def _lambda_invoker(self, function: str, endpoint: str | None) -> Invoker:
        region = _region_of(function, self._settings.region)
        return LambdaApiInvoker(self._lambda_client(region, endpoint), function, self._executor)

    def _invoker(self, spec: str, arn: str | None) -> Invoker:
        """The invoker a target spec names (see the module docstring); ``arn`` is the mapped ARN, if any."""
        spec = spec.strip()
        where = f"trigger target {spec!r}" + (f" for {arn}" if arn else "")
        if spec.startswith(("http://", "https://")):
            if self._http is None:
                self._http = httpx.AsyncClient()
            return HttpInvoker(self._http, spec)
        if spec.startswith("lambda:"):
            rest = spec.removeprefix("lambda:")
            function, endpoint = (rest, None) if rest.startswith("arn:") else (arn, rest or None)
            if not function:
                raise TriggerConfigError(f"{where}: name the function, as lambda:arn:aws:lambda:...")
            return self._lambda_invoker(function, endpoint or self._settings.lambda_endpoint_url)
        target = spec.removeprefix("python:")
        try:
            handler = load_handler(target)
        except ValueError as exc:
            raise TriggerConfigError(
                f"{where}: expected http(s)://..., lambda:[endpoint], or python:module:function ({exc})"
            ) from None
        return PythonInvoker(handler, target, arn or f"local:{target}", self._executor)

    def resolve(self, pool_settings: Mapping[str, Any], kind: Kind) -> Function | None:
        """The pool's function for ``kind``: its LambdaConfig entry, else the server-wide one, else None."""
        config = pool_settings.get("LambdaConfig") or {}
        arn = lambda_arn(config.get(kind.value))
        if kind is Kind.PRE_TOKEN_GENERATION:
            arn = lambda_arn(config.get(TOKEN_CONFIG)) or arn
        if arn is None:
            return self._local.get(kind)
        invoker = self._mapped.get(arn)
        if invoker is None and self._settings.lambda_endpoint_url:
            invoker = self._by_endpoint.get(arn)
            if invoker is None:
                invoker = self._by_endpoint[arn] = self._lambda_invoker(arn, self._settings.lambda_endpoint_url)
        return Function(kind, arn, invoker)

    def check_pool(self, pool_id: str, lambda_config: Mapping[str, Any]) -> None:
        """Warn about a pool's triggers that cannot run: ARNs with nowhere to go, a custom sender with no code key,
        trigger kinds this service does not run yet."""
        for key, entry in lambda_config.items():
            arn = lambda_arn(entry)
            if key == "KMSKeyID" or arn is None:
                continue
            if key not in {k.value for k in RUN} | {TOKEN_CONFIG}:
                log.warning(
                    "pool %s: the %s trigger (%s) is stored but userpool does not run it yet", pool_id, key, arn
                )
                continue
            if arn not in self._mapped and not self._settings.lambda_endpoint_url:
                log.warning(
                    "pool %s: no way to reach the %s function %s: map it in [triggers.functions] (or "
                    "USERPOOL_TRIGGER_FUNCTIONS) or set USERPOOL_LAMBDA_ENDPOINT_URL; until then %s answers "
                    "UnexpectedLambdaException",
                    pool_id,
                    key,
                    arn,
                    key,
                )
            if key in (Kind.CUSTOM_EMAIL_SENDER, Kind.CUSTOM_SMS_SENDER) and self._code_key is None:
                log.warning("pool %s: the %s trigger needs USERPOOL_TRIGGER_CODE_KEY to encrypt codes", pool_id, key)

    # ---- calling ---------------------------------------------------------------------------------------------
    async def call(
        self, function: Function, event: dict[str, Any], refused: type[ServiceError] = UserLambdaValidationException
    ) -> dict[str, Any]:
        """Invoke a synchronous trigger and return its answer, mapping failures to Cognito's errors (a function's
        own error is ``refused``, worded ``<Trigger> failed with error <message>.``)."""
        return responses.parse(await self._invoke(function, event, refused))

    async def _invoke(
        self, function: Function, event: dict[str, Any], refused: type[ServiceError] = UserLambdaValidationException
    ) -> bytes:
        kind = function.kind
        if function.invoker is None:
            log.warning("%s function %s has no mapping and no Lambda endpoint is set", kind, function.name)
            raise UnexpectedLambdaException(f"{kind} invocation failed due to error {NOT_FOUND}")
        payload = json.dumps(event).encode("utf-8")
        attempts = self._settings.trigger_attempts
        for attempt in range(1, attempts + 1):
            try:
                raw = await function.invoker.invoke(payload, self._settings.trigger_timeout)
            except FunctionError as exc:
                raise refused(f"{kind} failed with error {exc.message}.") from None
            except InvocationFailed as exc:
                log.warning("%s function %s, attempt %d/%d: %s", kind, function.name, attempt, attempts, exc.reason)
                if not exc.retryable or attempt == attempts:
                    raise UnexpectedLambdaException(f"{kind} invocation failed due to error {exc.reason}") from None
                continue
            return raw
        raise AssertionError("unreachable")  # pragma: no cover

    def _spawn(self, function: Function, event: dict[str, Any]) -> None:
        async def deliver() -> None:
            try:
                await self._invoke(function, event)  # a sender's answer is not read
            except (UnexpectedLambdaException, UserLambdaValidationException) as exc:
                log.warning("%s function %s did not deliver: %s", function.kind, function.name, exc.message)

        task = asyncio.get_running_loop().create_task(deliver())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # ---- the triggers, as the operations use them ----------------------------------------------------------------
    async def pre_sign_up(
        self,
        pool: Pool,
        caller: Caller,
        user_name: str,
        attributes: Mapping[str, str],
        validation_data: Any,
        client_metadata: Mapping[str, str] | None,
        source: str = "PreSignUp_SignUp",
    ) -> responses.PreSignUpAnswer:
        """Run the PreSignUp trigger (``PreSignUp_SignUp`` or ``PreSignUp_AdminCreateUser``), if the pool has one;
        its answer (no change when there is none)."""
        function = self.resolve(pool.settings, Kind.PRE_SIGN_UP)
        if function is None:
            return responses.PreSignUpAnswer()
        event = events.pre_sign_up(
            self._settings.region, pool.id, user_name, caller, attributes, validation_data, client_metadata, source
        )
        return responses.pre_sign_up(await self.call(function, event))

    def user_view(self, pool: Pool, user: User) -> dict[str, str]:
        """A user's attributes as functions see them (``events.user_attributes``)."""
        return events.user_attributes(user.attributes, user.status, pool.settings)

    _view = user_view

    async def custom_message(
        self,
        pool: Pool,
        caller: Caller,
        user: User,
        medium: str,
        source: str,
        client_metadata: Mapping[str, str] | None,
    ) -> responses.CustomMessageAnswer:
        """Run the CustomMessage trigger (``source`` is ``SignUp``, ``ResendCode`` or ``AdminCreateUser``), if the
        pool has one."""
        function = self.resolve(pool.settings, Kind.CUSTOM_MESSAGE)
        if function is None:
            return responses.CustomMessageAnswer()
        event = events.custom_message(
            self._settings.region,
            pool.id,
            user.username,
            caller,
            self._view(pool, user),
            client_metadata,
            f"CustomMessage_{source}",
        )
        return responses.custom_message(await self.call(function, event), medium)

    async def post_confirmation(
        self,
        pool: Pool,
        caller: Caller,
        user: User,
        client_metadata: Mapping[str, str] | None,
        source: str = "PostConfirmation_ConfirmSignUp",
    ) -> None:
        """Run the PostConfirmation trigger (``PostConfirmation_ConfirmSignUp`` or
        ``PostConfirmation_ConfirmForgotPassword``), if the pool has one."""
        function = self.resolve(pool.settings, Kind.POST_CONFIRMATION)
        if function is None:
            return
        event = events.post_confirmation(
            self._settings.region, pool.id, user.username, caller, self._view(pool, user), client_metadata, source
        )
        await self.call(function, event)

    def custom_sender(self, pool: Pool, medium: str) -> Function | None:
        """The function that delivers ``medium`` (``EMAIL``/``SMS``) messages instead of us, if any."""
        return self.resolve(pool.settings, SENDER_FOR_MEDIUM[medium])

    def hand_code_to(
        self,
        function: Function,
        pool: Pool,
        caller: Caller,
        user: User,
        code: str,
        source: str,
        client_metadata: Mapping[str, str] | None,
    ) -> None:
        """Give a custom sender function the encrypted code to deliver; asynchronous, as in Cognito."""
        if self._code_key is None:
            raise UnexpectedLambdaException(
                f"{function.kind} invocation failed due to error KMSKeyID is not usable: "
                "set USERPOOL_TRIGGER_CODE_KEY to encrypt codes for custom sender triggers."
            )
        event = events.custom_sender(
            self._settings.region,
            pool.id,
            user.username,
            caller,
            function.kind,
            self._view(pool, user),
            codes.seal_code(self._code_key, code),
            client_metadata,
            f"{function.kind}_{source}",
        )
        self._spawn(function, event)

    # ---- sign-in ----------------------------------------------------------------------------------------------------
    def has(self, pool: Pool, kind: Kind) -> bool:
        """Whether the pool has a ``kind`` function (its own or the server-wide one)."""
        return self.resolve(pool.settings, kind) is not None

    async def pre_authentication(
        self,
        pool: Pool,
        caller: Caller,
        user_name: str,
        attributes: Mapping[str, str],
        validation_data: Mapping[str, str] | None,
        user_not_found: bool | None,
    ) -> None:
        """Run the PreAuthentication trigger, if the pool has one. Its error refuses the sign-in with Cognito's
        ``NotAuthorizedException: PreAuthentication failed with error <message>.``"""
        function = self.resolve(pool.settings, Kind.PRE_AUTHENTICATION)
        if function is None:
            return
        event = events.pre_authentication(
            self._settings.region, pool.id, user_name, caller, attributes, validation_data, user_not_found
        )
        await self.call(function, event, refused=NotAuthorizedException)

    async def post_authentication(
        self,
        pool: Pool,
        caller: Caller,
        user: User,
        client_metadata: Mapping[str, str] | None,
        new_device_used: bool | None = None,
    ) -> None:
        """Run the PostAuthentication trigger, if the pool has one (its error withholds the tokens)."""
        function = self.resolve(pool.settings, Kind.POST_AUTHENTICATION)
        if function is None:
            return
        event = events.post_authentication(
            self._settings.region,
            pool.id,
            user.username,
            caller,
            self._view(pool, user),
            client_metadata,
            new_device_used,
        )
        await self.call(function, event)

    def token_lambda_version(self, pool: Pool) -> str:
        """The event version of the pool's PreTokenGeneration function: its config's, V1_0 for the legacy ARN."""
        config = (pool.settings.get("LambdaConfig") or {}).get(TOKEN_CONFIG)
        if isinstance(config, Mapping) and config.get("LambdaVersion"):
            return str(config["LambdaVersion"])
        return "V1_0"

    async def pre_token_generation(
        self,
        pool: Pool,
        caller: Caller,
        user: User,
        source: str,
        group_configuration: Mapping[str, Any],
        client_metadata: Mapping[str, str] | None,
        scopes: list[str],
    ) -> responses.PreTokenAnswer | None:
        """Run the PreTokenGeneration trigger, if the pool has one: its answer, or None when there is none."""
        function = self.resolve(pool.settings, Kind.PRE_TOKEN_GENERATION)
        if function is None:
            return None
        version = self.token_lambda_version(pool)
        event = events.pre_token_generation(
            self._settings.region,
            pool.id,
            user.username,
            caller,
            version,
            source,
            self._view(pool, user),
            group_configuration,
            client_metadata,
            scopes,
        )
        return responses.pre_token_generation(await self.call(function, event), version)

    async def pre_token_generation_client_credentials(
        self, pool: Pool, caller: Caller, client_metadata: Mapping[str, str] | None, scopes: list[str]
    ) -> responses.PreTokenAnswer | None:
        """Run the PreTokenGeneration trigger for a client-credentials access token: only a ``V3_0`` function is
        called for machine-to-machine tokens (None otherwise, and when the pool has no function). The answer
        changes the access token only."""
        function = self.resolve(pool.settings, Kind.PRE_TOKEN_GENERATION)
        if function is None or self.token_lambda_version(pool) != M2M_TOKEN_VERSION:
            return None
        event = events.pre_token_generation(
            self._settings.region,
            pool.id,
            events.CLIENT_CREDENTIALS_USER_NAME,
            caller,
            M2M_TOKEN_VERSION,
            events.TOKEN_CLIENT_CREDENTIALS,
            {},
            None,
            client_metadata,
            scopes,
        )
        answer = responses.pre_token_generation(await self.call(function, event), M2M_TOKEN_VERSION)
        return responses.PreTokenAnswer(access_token=answer.access_token)

    async def user_migration(
        self,
        pool: Pool,
        caller: Caller,
        user_name: str,
        source: str,
        password: str | None,
        validation_data: Mapping[str, str] | None,
        client_metadata: Mapping[str, str] | None,
    ) -> responses.MigrationAnswer | None:
        """Ask the pool's UserMigration function for ``user_name``: the user it found, or None when the pool has
        no such function. A function's error is ``UserNotFoundException: UserMigration failed with error
        <message>.`` (unverified)."""
        function = self.resolve(pool.settings, Kind.USER_MIGRATION)
        if function is None:
            return None
        event = events.user_migration(
            self._settings.region, pool.id, user_name, caller, source, password, validation_data, client_metadata
        )
        return responses.user_migration(await self.call(function, event, refused=UserNotFoundException))

    # ---- custom authentication -------------------------------------------------------------------------------------
    async def define_auth_challenge(
        self,
        pool: Pool,
        caller: Caller,
        user_name: str,
        attributes: Mapping[str, str],
        session: list[dict[str, Any]],
        client_metadata: Mapping[str, str] | None,
        user_not_found: bool | None,
    ) -> responses.DefineAnswer:
        """Run DefineAuthChallenge (a pool without the three custom-auth functions refuses CUSTOM_AUTH)."""
        function = self._required(pool, Kind.DEFINE_AUTH_CHALLENGE)
        event = events.define_auth_challenge(
            self._settings.region, pool.id, user_name, caller, attributes, session, client_metadata, user_not_found
        )
        return responses.define_auth_challenge(await self.call(function, event))

    async def create_auth_challenge(
        self,
        pool: Pool,
        caller: Caller,
        user_name: str,
        attributes: Mapping[str, str],
        challenge_name: str,
        session: list[dict[str, Any]],
        client_metadata: Mapping[str, str] | None,
        user_not_found: bool | None,
    ) -> responses.CreateAnswer:
        function = self._required(pool, Kind.CREATE_AUTH_CHALLENGE)
        event = events.create_auth_challenge(
            self._settings.region,
            pool.id,
            user_name,
            caller,
            attributes,
            challenge_name,
            session,
            client_metadata,
            user_not_found,
        )
        return responses.create_auth_challenge(await self.call(function, event))

    async def verify_auth_challenge_response(
        self,
        pool: Pool,
        caller: Caller,
        user_name: str,
        attributes: Mapping[str, str],
        private_parameters: Mapping[str, str],
        answer: str,
        client_metadata: Mapping[str, str] | None,
        user_not_found: bool | None,
    ) -> bool:
        function = self._required(pool, Kind.VERIFY_AUTH_CHALLENGE_RESPONSE)
        event = events.verify_auth_challenge_response(
            self._settings.region,
            pool.id,
            user_name,
            caller,
            attributes,
            private_parameters,
            answer,
            client_metadata,
            user_not_found,
        )
        return responses.verify_auth_challenge_response(await self.call(function, event))

    def _required(self, pool: Pool, kind: Kind) -> Function:
        """The pool's ``kind`` function, or Cognito's answer for a custom flow in a pool without it."""
        function = self.resolve(pool.settings, kind)
        if function is None:
            raise InvalidParameterException(CUSTOM_AUTH_NOT_CONFIGURED)
        return function

    # ---- lifecycle -------------------------------------------------------------------------------------------
    async def close(self) -> None:
        """Let background deliveries finish (within one trigger budget), then release the clients and threads."""
        if self._background:
            budget = self._settings.trigger_timeout * self._settings.trigger_attempts
            _, pending = await asyncio.wait(set(self._background), timeout=budget)
            for task in pending:
                task.cancel()
        if self._http is not None:
            await self._http.aclose()
        self._executor.shutdown(wait=False, cancel_futures=True)
