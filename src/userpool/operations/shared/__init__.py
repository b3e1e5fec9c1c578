"""What two or more operations share, one module for each thing it does:

- ``lookups``: pools, app clients and users by any name, the client's secret, PreventUserExistenceErrors;
- ``sending``: code and message delivery, the daily email quota, CustomMessage and the custom senders;
- ``confirmation_codes``: making a code and checking one a user sends back;
- ``user_passwords``: the lockout, and a new password (policy, history, hash and SRP verifier);
- ``attribute_changes``: UpdateUserAttributes and AdminUpdateUserAttributes;
- ``issuing``: signing keys, issuing and refreshing tokens, checking an access token;
- ``threat_protection``: the risk configuration that applies, the compromised-password check;
- ``throttle``: the rate limits (the wire layer's admission, the per-user quotas).

A shared module registers no operation and imports no operation module; an operation module (one with
``OPERATIONS``, directly in ``operations/``) imports shared modules and never another operation module
(``tests/unit/test_operation_modules.py`` holds both to it).
"""
