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

# ---- groups ----------------------------------------------------------------------------------------------------
GROUP_NOT_FOUND: Final = "Group not found."  # observed (aws-amplify/amplify-cli#2214)
GROUP_EXISTS: Final = "A group with the name {name} already exists."  # (unverified; emulators' wording)
GROUPS_PER_POOL_EXCEEDED: Final = "The user pool has reached its limit of {limit} groups."  # (unverified)
GROUPS_PER_USER_EXCEEDED: Final = "The user can't be added to more than {limit} groups."  # (unverified)

# ---- attributes ------------------------------------------------------------------------------------------------
SCHEMA_MISMATCH: Final = "Attributes did not conform to the schema: "
NOT_IN_SCHEMA: Final = "{name}: Attribute does not exist in the schema."
REQUIRED_ATTRIBUTE: Final = "{name}: The attribute is required"
INVALID_EMAIL: Final = "Invalid email address format."
INVALID_PHONE: Final = "Invalid phone number format."
UNAUTHORIZED_WRITE: Final = "A client attempted to write unauthorized attribute"
# Admin/DeleteUserAttributes: the prefix, then one ``user.<name>: <problem>\n`` per attribute.
INVALID_USER_ATTRIBUTES: Final = "Invalid user attributes: "
REQUIRED_NOT_DELETABLE: Final = "{name}: Required attribute cannot be deleted."  # (unverified)
IMMUTABLE_NOT_DELETABLE: Final = "{name}: Immutable attribute cannot be deleted."  # (unverified)

# ---- a pool's schema and tags (CreateUserPool, AddCustomAttributes, TagResource) -------------------------------
TEMPORARY_PASSWORD_DAYS_TWICE: Final = (
    "Please use TemporaryPasswordValidityDays in PasswordPolicy instead of UnusedAccountValidityDays"
)
INVALID_CONSTRAINTS: Final = "Invalid {kind} for schema attribute {name}"
TOO_MANY_CUSTOM_ATTRIBUTES: Final = "A user pool can have at most 50 custom attributes."  # (unverified)
TOO_MANY_TAGS: Final = "A user pool can have at most 50 tags."  # (unverified)
INVALID_ARN: Final = "Invalid resource ARN: {arn}"  # (unverified) a ResourceArn that names no user pool

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
MISSING_PARAMETER: Final = "Missing required parameter {name}"  # an AuthParameter or ChallengeResponse
INVALID_SRP_A: Final = "Invalid SRP_A value."  # (unverified)

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

# ---- MFA -------------------------------------------------------------------------------------------------------
MFA_CODE_MISMATCH: Final = "Invalid code received for user"  # a wrong SMS, email or TOTP code at sign-in
TOTP_CODE_MISMATCH: Final = "Code mismatch and fail enable Software Token MFA"  # VerifySoftwareToken
TOTP_USED: Final = "Your software token has already been used once."  # (unverified) a replayed TOTP code
TOTP_NOT_ENABLED: Final = "Software Token MFA has not been enabled by the userPool"
TOTP_NOT_ASSOCIATED: Final = "User has not associated a software token."  # (unverified) Verify before Associate
MFA_CANNOT_DISABLE_ALL: Final = (
    "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration."
)
MFA_OFF_WITH_FACTOR: Final = "Invalid MFA configuration given, can't turn off MFA and configure an MFA together."
MFA_NEEDS_SMS: Final = (
    "SMS configuration and Auto verification for phone_number are required when MFA is required/optional"
)
# (unverified) SetUserPoolMfaConfig's email MFA without the pool's own SES sending, and on the Lite tier.
EMAIL_MFA_NEEDS_SES: Final = "Email MFA requires an EmailConfiguration with EmailSendingAccount DEVELOPER."
EMAIL_MFA_TIER: Final = "Email MFA is not available in the LITE tier."
# SetUserMFAPreference for a factor the user has no delivery for (observed for SOFTWARE_TOKEN_MFA).
MFA_NO_DELIVERY: Final = "User does not have delivery config set to turn on {factor}"
MFA_ONE_PREFERRED: Final = "Only one MFA type can be set as preferred."  # (unverified)
MFA_SMS_NOT_ENABLED: Final = "SMS MFA is not enabled for this user pool."  # (unverified)
MFA_EMAIL_NOT_ENABLED: Final = "Email MFA is not enabled for this user pool."  # (unverified)
MFA_REQUIRED_BY_POOL: Final = "User pool requires MFA: a user can't turn off every MFA factor."  # (unverified)
MFA_SELECT_INVALID: Final = "Invalid ANSWER for SELECT_MFA_TYPE."  # (unverified)
MFA_SETUP_INCOMPLETE: Final = "Software token MFA is not set up for the user."  # (unverified) MFA_SETUP too early
MFA_OPTIONS_INVALID: Final = "Only SMS to phone_number is supported as an MFA option."  # (unverified)
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

# ---- OAuth 2.0 -------------------------------------------------------------------------------------------------
# An access token without the scope an operation needs (an OAuth token without aws.cognito.signin.user.admin).
MISSING_SCOPES: Final = "Access Token does not have required scopes"
# ---- remembered devices -----------------------------------------------------------------------------------------
DEVICE_NOT_FOUND: Final = "Device does not exist."  # (observed, amazon-cognito-identity-js#200)
DEVICE_KEY_EXISTS: Final = "Device key already exists."  # ConfirmDevice on a confirmed device (unverified)
DEVICE_TRACKING_OFF: Final = "Device tracking is not enabled for this user pool."  # (unverified)
DEVICE_VERIFIER_INVALID: Final = "Invalid device secret verifier config."  # (unverified)

# ---- choice-based sign-in (USER_AUTH) and passwordless sign-up (all unverified: AWS documents the errors' types) -
SIGN_IN_POLICY_NEEDS_PASSWORD: Final = "AllowedFirstAuthFactors must include PASSWORD."
EMAIL_OTP_NEEDS_SES: Final = (
    "EMAIL_OTP as a first auth factor requires an EmailConfiguration with EmailSendingAccount DEVELOPER."
)
SMS_OTP_NEEDS_SMS: Final = "SMS_OTP as a first auth factor requires an SmsConfiguration."
PASSWORD_REQUIRED_TO_SIGN_UP: Final = "Password is required to sign up in this user pool."
NO_FIRST_FACTOR: Final = "The user has no available challenges to sign in with."
CHALLENGE_NOT_AVAILABLE: Final = "The challenge {answer} is not available for the user."

# ---- passkeys (WebAuthn) ----------------------------------------------------------------------------------------
# Every text here is unverified: AWS documents the error types, not their messages.
WEBAUTHN_NOT_ENABLED: Final = "Passkeys (WEB_AUTHN) are not an allowed first factor of this user pool."
WEBAUTHN_CONFIGURATION_MISSING: Final = "The user pool has no relying party id: set one, or add a user pool domain."
WEBAUTHN_CHALLENGE_NOT_FOUND: Final = "The registration challenge was not found, has expired or was used."
WEBAUTHN_CLIENT_MISMATCH: Final = "The access token is for another app client than the registration was started with."
WEBAUTHN_RELYING_PARTY_MISMATCH: Final = "The credential is for another relying party than {rp_id}."
WEBAUTHN_ORIGIN_NOT_ALLOWED: Final = "The origin {origin} is not allowed for the relying party {rp_id}."
WEBAUTHN_CREDENTIAL_NOT_SUPPORTED: Final = "The passkey credential is not supported: {reason}."
WEBAUTHN_CREDENTIAL_INVALID: Final = "Invalid passkey credential: {reason}."
WEBAUTHN_CREDENTIAL_EXISTS: Final = "The passkey credential is already registered."
WEBAUTHN_CREDENTIAL_LIMIT: Final = "The user has registered the maximum number of passkeys ({limit})."
WEBAUTHN_CREDENTIAL_NOT_FOUND: Final = "Passkey credential not found."
WEBAUTHN_SIGN_IN_REFUSED: Final = "The passkey could not be verified."
WEBAUTHN_RELYING_PARTY_INVALID: Final = "Invalid RelyingPartyId: a domain name is required, not a URL."
WEBAUTHN_MFA_NEEDS_VERIFICATION: Final = (
    "FactorConfiguration MULTI_FACTOR_WITH_USER_VERIFICATION requires UserVerification required."
)
WEBAUTHN_TIER: Final = "Passkeys are not available in the LITE feature plan."
