"""AWS error shapes as exceptions.

Every error the service returns is one of these, raised anywhere below the protocol layer and encoded in one
place (``protocol.wire``). The class name is the ``__type`` AWS sends; ``status`` is the HTTP status.
"""

from __future__ import annotations

from userpool.domain import texts


class ServiceError(Exception):
    """Base of every error answered to a client in AWS's error shape."""

    status: int = 400

    def __init__(self, message: str, **extra: str) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra

    @property
    def type_name(self) -> str:
        return type(self).__name__


class SerializationException(ServiceError):
    pass


class UnknownOperationException(ServiceError):
    pass


class InternalErrorException(ServiceError):
    status = 500


class InvalidParameterException(ServiceError):
    pass


class ResourceNotFoundException(ServiceError):
    pass


class NotAuthorizedException(ServiceError):
    pass


class RefreshTokenReuseException(ServiceError):
    pass


class UsernameExistsException(ServiceError):
    pass


class UserNotFoundException(ServiceError):
    pass


class InvalidPasswordException(ServiceError):
    pass


class CodeMismatchException(ServiceError):
    pass


class ExpiredCodeException(ServiceError):
    pass


class AliasExistsException(ServiceError):
    pass


class LimitExceededException(ServiceError):
    pass


class DuplicateProviderException(ServiceError):
    pass


class UnsupportedIdentityProviderException(ServiceError):
    pass


class GroupExistsException(ServiceError):
    pass


class TooManyRequestsException(ServiceError):
    pass


class TooManyFailedAttemptsException(ServiceError):
    pass


class CodeDeliveryFailureException(ServiceError):
    pass


class UserLambdaValidationException(ServiceError):
    pass


class UnexpectedLambdaException(ServiceError):
    pass


class InvalidLambdaResponseException(ServiceError):
    pass


class UnsupportedOperationException(ServiceError):
    pass


class RequestEntityTooLargeException(ServiceError):
    status = 413


class UserNotConfirmedException(ServiceError):
    pass


class PasswordResetRequiredException(ServiceError):
    pass


class PasswordHistoryPolicyViolationException(ServiceError):
    pass


class UnauthorizedException(ServiceError):
    pass


class UnsupportedTokenTypeException(ServiceError):
    pass


class UnsupportedUserStateException(ServiceError):
    pass


class MissingAuthenticationTokenException(ServiceError):
    status = 403


class UnrecognizedClientException(ServiceError):
    pass


class InvalidSignatureException(ServiceError):
    pass


class IncompleteSignatureException(ServiceError):
    pass


class UserPoolAddOnNotEnabledException(ServiceError):
    pass


class OperationNotEnabledException(ServiceError):
    pass


class FeatureUnavailableInTierException(ServiceError):
    pass


class SoftwareTokenMFANotFoundException(ServiceError):
    pass


class EnableSoftwareTokenMFAException(ServiceError):
    pass


class RequestTimeoutException(ServiceError):
    status = 408


class DeviceKeyExistsException(ServiceError):
    pass


class InvalidUserPoolConfigurationException(ServiceError):
    pass


# Refinements: subclasses that answer as their AWS type, so that our own code (a page) can tell cases apart without
# reading the message.


class UserNotConfirmable(NotAuthorizedException):
    """The user to confirm is not UNCONFIRMED. AWS calls it ``NotAuthorizedException``; ``user_status`` says what
    the user is, so the confirmation page can tell "already confirmed" apart without reading the message."""

    def __init__(self, user_status: str) -> None:
        super().__init__(texts.NOT_CONFIRMABLE.format(status=user_status))
        self.user_status = user_status

    @property
    def type_name(self) -> str:
        return "NotAuthorizedException"


class InvalidOAuthFlowException(ServiceError):
    pass


class ScopeDoesNotExistException(ServiceError):
    pass


class ConcurrentModificationException(ServiceError):
    pass


class PreconditionNotMetException(ServiceError):
    pass
