"""Cognito's lockout after failed sign-ins.

After five failed sign-in attempts the user is locked out for one second; each further failure doubles the
lockout, up to about 15 minutes (2^(n-5) seconds for n failures, at most 900). Attempts during a lockout are
answered ``Password attempts exceeded`` and do not count. Fifteen minutes without a failed attempt, or a
successful sign-in, start the count again. (Cognito's developer guide; resetting on a success before any
lockout is unverified.)
"""

from __future__ import annotations

from userpool.domain.records import Attempts

FREE_FAILURES = 5
MAX_LOCK_SECONDS = 900
RESET_AFTER_SECONDS = 900


def locked(state: Attempts, now: float) -> bool:
    return state.locked_until is not None and now < state.locked_until


def after_failure(state: Attempts, now: float) -> Attempts:
    """The state after one more failed attempt (one made outside a lockout)."""
    failures = state.failures
    if state.last_failure_at is not None and now - state.last_failure_at >= RESET_AFTER_SECONDS:
        failures = 0
    failures += 1
    locked_until = None
    if failures >= FREE_FAILURES:
        locked_until = now + min(2 ** (failures - FREE_FAILURES), MAX_LOCK_SECONDS)
    return Attempts(failures=failures, last_failure_at=now, locked_until=locked_until)
