"""Sign-in as one flow engine: a flow of challenges whose steps are strategies.

- ``sessions``: ``SignIn`` (one step's service, request, pool and client) and the challenge session record
  (single use, expiry, attempt count);
- ``flow``: ``proven`` and ``next_step``, the one place deciding what follows a proven step (tokens,
  ``NEW_PASSWORD_REQUIRED``, an MFA challenge, ``MFA_SETUP``), with the seam remembered devices plug into;
- ``second_factor``: asking for the MFA ``next_step`` chose (the challenge, its session, the SMS or email code);
- strategies, one module per factor: ``password``, ``srp``, ``new_password``, ``refresh``, ``mfa``;
- ``strategies``: the registry (``AuthFlow`` and ``ChallengeName`` to strategy) and ``start``/``answer``, the doors
  every caller (the API operations, the hosted UI) runs a step through.
"""
