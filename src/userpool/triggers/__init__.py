"""Lambda triggers: Cognito's exact events (``events``), how answers are read (``responses``), how a function is
reached (``invokers``), codes for custom senders (``codes``), and ``Triggers``, which ties them to a pool."""

from userpool.triggers.events import CLIENT_ID_NOT_APPLICABLE, Caller, Kind
from userpool.triggers.runner import Function, TriggerConfigError, Triggers

__all__ = ["CLIENT_ID_NOT_APPLICABLE", "Caller", "Function", "Kind", "TriggerConfigError", "Triggers"]
