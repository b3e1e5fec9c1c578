"""The client side of remembered devices, as a client library does it, independent of the server's code: the
device's secret and SRP verifier for ConfirmDevice, and device authentication (DEVICE_SRP_AUTH, then
DEVICE_PASSWORD_VERIFIER).

The math is pycognito's (``aws_srp.generate_hash_device``, ``AWSSRP.process_device_challenge``: a port of
amazon-cognito-identity-js's ``AuthenticationHelper``). pycognito's own ``authenticate_user`` answers the device
challenges without the ``Session`` today's Cognito requires, so the exchange is driven here, with the Session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pycognito.aws_srp import AWSSRP, generate_hash_device, long_to_hex

from tests.helpers import PASSWORD


@dataclass(frozen=True)
class KnownDevice:
    """What a client keeps of a confirmed device: its key, its group key and its secret (the "password")."""

    key: str
    group_key: str
    secret: str


def confirm(cognito: Any, result: dict[str, Any], name: str | None = "phone") -> tuple[KnownDevice, dict[str, Any]]:
    """ConfirmDevice for the device a sign-in handed out (``result`` is its answer): the device as the client keeps
    it, and ConfirmDevice's answer."""
    tokens = result["AuthenticationResult"]
    metadata = tokens["NewDeviceMetadata"]
    secret, config = generate_hash_device(metadata["DeviceGroupKey"], metadata["DeviceKey"])
    answer = cognito.confirm_device(
        AccessToken=tokens["AccessToken"],
        DeviceKey=metadata["DeviceKey"],
        DeviceSecretVerifierConfig=config,
        **({"DeviceName": name} if name else {}),
    )
    return KnownDevice(metadata["DeviceKey"], metadata["DeviceGroupKey"], secret), answer


def srp(
    cognito: Any,
    pool_id: str,
    client_id: str,
    username: str = "alice",
    password: str = PASSWORD,
    device: KnownDevice | None = None,
    secret: str | None = None,
) -> AWSSRP:
    """pycognito's SRP client for this user, knowing ``device`` (it then sends DEVICE_KEY), of an app client with
    ``secret`` (it then sends SECRET_HASH)."""
    return AWSSRP(
        username,
        password,
        pool_id,
        client_id,
        client=cognito,
        client_secret=secret,
        device_key=device.key if device else None,
        device_group_key=device.group_key if device else None,
        device_password=device.secret if device else None,
    )


def srp_sign_in(cognito: Any, client: AWSSRP) -> dict[str, Any]:
    """USER_SRP_AUTH and the PASSWORD_VERIFIER answer: the answer to that (tokens or the next challenge)."""
    params = client.get_auth_params()
    started = cognito.initiate_auth(ClientId=client.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=params)
    return cognito.respond_to_auth_challenge(
        ClientId=client.client_id,
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=client.process_challenge(started["ChallengeParameters"], params),
    )


def device_srp_auth(cognito: Any, client: AWSSRP, challenge: dict[str, Any], username: str = "alice") -> dict[str, Any]:
    """Answer a DEVICE_SRP_AUTH challenge with the device's SRP_A: the DEVICE_PASSWORD_VERIFIER challenge."""
    assert challenge["ChallengeName"] == "DEVICE_SRP_AUTH", challenge
    return cognito.respond_to_auth_challenge(
        ClientId=client.client_id,
        ChallengeName="DEVICE_SRP_AUTH",
        Session=challenge["Session"],
        ChallengeResponses={
            "USERNAME": username,
            "DEVICE_KEY": client.device_key,
            "SRP_A": long_to_hex(client.large_a_value),
            **(
                {"SECRET_HASH": client.get_secret_hash(username, client.client_id, client.client_secret)}
                if client.client_secret
                else {}
            ),
        },
    )


def device_password_verifier(cognito: Any, client: AWSSRP, challenge: dict[str, Any]) -> dict[str, Any]:
    """Prove the device's secret against a DEVICE_PASSWORD_VERIFIER challenge: the tokens."""
    assert challenge["ChallengeName"] == "DEVICE_PASSWORD_VERIFIER", challenge
    return cognito.respond_to_auth_challenge(
        ClientId=client.client_id,
        ChallengeName="DEVICE_PASSWORD_VERIFIER",
        Session=challenge["Session"],
        ChallengeResponses=client.process_device_challenge(challenge["ChallengeParameters"]),
    )


def authenticate_device(cognito: Any, client: AWSSRP, challenge: dict[str, Any]) -> dict[str, Any]:
    """Both device steps from a DEVICE_SRP_AUTH challenge: the tokens."""
    return device_password_verifier(cognito, client, device_srp_auth(cognito, client, challenge))
