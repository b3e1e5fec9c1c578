"""Cognito's user-facing message texts: the one home of every message the operations and the domain rules name.

Pure constants. A text with ``{placeholders}`` is filled with ``str.format`` by the code that raises it. A message
raised in exactly one place by a domain rule may stay at its raise (``attributes``, ``pools``, ``clients``,
``filters`` word their own validation problems); a message two places answer with, or that code elsewhere names,
lives here. The trigger runner's Lambda texts stay in ``triggers/``, the wire protocol's in ``protocol/``.
Texts marked (unverified) are our wording where no public source shows Cognito's.
"""

from __future__ import annotations

from typing import Final

# ---- look-ups --------------------------------------------------------------------------------------------------
POOL_NOT_FOUND: Final = "User pool {pool_id} does not exist."
CLIENT_NOT_FOUND: Final = "User pool client {client_id} does not exist."
USER_NOT_FOUND: Final = "User does not exist."
# What client-side operations (ConfirmSignUp, ForgotPassword, ...) answer for an unknown user.
NOT_FOUND_BY_CLIENT: Final = "Username/client id combination not found."
SECRET_NOT_RECEIVED: Final = "Client {client_id} is configured for secret but secret was not received"
SECRET_MISMATCH: Final = "Unable to verify secret hash for client {client_id}"
CLIENT_AUTHENTICATION_FAILED: Final = "Client authentication failed."  # RevokeToken (unverified)

# ---- client secrets (Add/List/DeleteUserPoolClientSecret; AWS documents the errors, not their texts) -----------
SECRET_LIMIT: Final = "A client can have at most 2 client secrets."  # (unverified)
LAST_SECRET: Final = "The last client secret of a client can't be deleted."  # (unverified)
SECRET_NOT_FOUND: Final = "Client secret not found."  # (unverified)
PUBLIC_CLIENT_SECRET: Final = "Client secrets can be added only to a client that has a secret."  # (unverified)

# ---- users -----------------------------------------------------------------------------------------------------
USERNAME_EXISTS: Final = "User already exists"
USER_ACCOUNT_EXISTS: Final = "User account already exists"  # AdminCreateUser's wording
# A username-attribute value (email or phone as the username) another user has.
SIGN_IN_VALUE_EXISTS: Final = "An account with the given {attribute} already exists."
ALIAS_EXISTS: Final = "An account with the {attribute} already exists."
NOT_CONFIRMABLE: Final = (
    "User cannot be confirmed. Current status is {status}"  # ConfirmSignUp of a user not UNCONFIRMED
)

# ---- attributes ------------------------------------------------------------------------------------------------
SCHEMA_MISMATCH: Final = "Attributes did not conform to the schema: "
NOT_IN_SCHEMA: Final = "{name}: Attribute does not exist in the schema."
REQUIRED_ATTRIBUTE: Final = "{name}: The attribute is required"
INVALID_EMAIL: Final = "Invalid email address format."
INVALID_PHONE: Final = "Invalid phone number format."
UNAUTHORIZED_WRITE: Final = "A client attempted to write unauthorized attribute"

# ---- codes -----------------------------------------------------------------------------------------------------
CODE_MISMATCH: Final = "Invalid verification code provided, please try again."
CODE_EXPIRED: Final = "Invalid code provided, please request a code again."
ATTEMPTS_EXCEEDED: Final = "Attempt limit exceeded, please try after some time."

# ---- passwords -------------------------------------------------------------------------------------------------
# Each operation words a policy failure its own way: the prefix, then ``passwords.policy_violation``'s text.
SIGN_UP_POLICY_PREFIX: Final = "Password did not conform with policy: "
CHANGE_POLICY_PREFIX: Final = "Password does not conform to policy: "
ADMIN_CREATE_POLICY_PREFIX: Final = "Password did not conform with password policy: "
HISTORY_VIOLATION: Final = "The password can't be a previously used password."  # (unverified wording)
# Threat protection blocking a compromised password (unverified).
COMPROMISED_PASSWORD: Final = "Provided password cannot be used for security reasons."
NO_RECOVERY: Final = "Cannot reset password for the user as there is no registered/verified email or phone_number"

# ---- sign-in ---------------------------------------------------------------------------------------------------
INCORRECT_PASSWORD: Final = "Incorrect username or password."
PASSWORD_ATTEMPTS_EXCEEDED: Final = "Password attempts exceeded"  # during a lockout
NOT_CONFIRMED: Final = "User is not confirmed."
PASSWORD_RESET_REQUIRED: Final = "Password reset required for the user"
TEMPORARY_PASSWORD_EXPIRED: Final = "Temporary password has expired and must be reset by an administrator."
USER_DISABLED: Final = "User is disabled."
INVALID_SESSION: Final = "Invalid session for the user."
SESSION_EXPIRED: Final = "Invalid session for the user, session is expired."
SESSION_USED: Final = "Invalid session for the user, session can only be used once."
SRP_TIMESTAMP_FORMAT: Final = "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english."

# ---- tokens ----------------------------------------------------------------------------------------------------
INVALID_ACCESS_TOKEN: Final = "Invalid Access Token"
EXPIRED_ACCESS_TOKEN: Final = "Access Token has expired"
REVOKED_ACCESS_TOKEN: Final = "Access Token has been revoked"
INVALID_REFRESH_TOKEN: Final = "Invalid Refresh Token."
REVOKED_REFRESH_TOKEN: Final = "Refresh Token has been revoked"
EXPIRED_REFRESH_TOKEN: Final = "Refresh Token has expired"  # (unverified wording)
REUSED_REFRESH_TOKEN: Final = "Refresh Token has already been used."  # (unverified wording)

# ---- user sessions (all unverified: AWS documents the errors' types, not their texts) ---------------------------
SESSION_TRACKING_OFF: Final = "Session tracking is not enabled for this user pool."
SESSION_NOT_FOUND: Final = "Session not found."
CURRENT_SESSION: Final = "The current session can't be revoked."
FEATURE_NOT_IN_TIER: Final = "This feature is not available in the user pool's feature plan."

# ---- delivery --------------------------------------------------------------------------------------------------
EMAIL_QUOTA_EXCEEDED: Final = (
    "Exceeded daily email limit for the operation or the account. If a higher limit is required, please configure "
    "your user pool to use your own Amazon SES configuration for sending email."
)
# Cognito's answer when an email cannot be sent; the SMS wording mirrors it (unverified).
DELIVERY_FAILED: Final = {
    "EMAIL": "Invalid email provided/Unable to send the email",
    "SMS": "Invalid phone number provided/Unable to send the SMS",
}

# ---- user import jobs ------------------------------------------------------------------------------------------
IMPORT_JOB_NOT_FOUND: Final = "Import job {job_id} does not exist."  # (unverified)
IMPORT_NOT_CREATED: Final = (
    "Import job {job_id} is {status}: only a job in Created status can be started."  # (unverified)
)
IMPORT_NOT_RUNNING: Final = (
    "Import job {job_id} is {status}: only a Pending or InProgress job can be stopped."  # (unverified)
)
IMPORT_HASHES: Final = "userpool does not import password hashes (PasswordHashingAlgorithm) yet."

# ---- threat protection ----------------------------------------------------------------------------------------
AUTH_EVENT_NOT_FOUND: Final = "Auth event not found."  # (unverified) an EventId the user has no event of
INVALID_FEEDBACK_TOKEN: Final = "Invalid feedback token."  # (unverified) UpdateAuthEventFeedback's token is wrong

# ---- the service -----------------------------------------------------------------------------------------------
RATE_EXCEEDED: Final = "Rate exceeded"
INTERNAL_ERROR: Final = "An internal error occurred."
INVALID_PAGINATION_TOKEN: Final = "Invalid pagination token."
