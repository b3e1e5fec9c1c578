"""A legacy identity system users are migrated from: a dict of users with bcrypt password hashes, served as a
UserMigration function (a ``tests.functions`` behaviour), the way an application moving to userpool (or off
Cognito) would write its migration function."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import bcrypt

from tests.functions import Reply


@dataclass
class OldSystem:
    users: dict[str, tuple[bytes, dict[str, str]]] = field(default_factory=dict)
    final_status: str = "CONFIRMED"
    message_action: str | None = "SUPPRESS"  # None: Cognito's welcome message goes
    mediums: list[str] | None = None  # desiredDeliveryMediums (None: Cognito's default, SMS)

    def add(self, username: str, password: str, **attributes: str) -> None:
        # Cost 4: the test's old system needs no real work factor.
        self.users[username] = (bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)), attributes)

    def __call__(self, event: dict[str, Any]) -> Reply:
        """The migration function: the user's attributes for a right password (sign-in) or for a known name
        (forgot password); an error otherwise, which Cognito reports and which leaves no user."""
        found = self.users.get(event["userName"])
        if found is None:
            return Reply(error="User not found")
        password_hash, attributes = found
        if event["triggerSource"] == "UserMigration_Authentication":
            if not bcrypt.checkpw(event["request"]["password"].encode(), password_hash):
                return Reply(error="Bad password")
            status = self.final_status
        else:
            status = "RESET_REQUIRED"  # the user chooses a new password with the code it is sent
        response: dict[str, Any] = {
            "userAttributes": {**attributes, "email_verified": "true"},
            "finalUserStatus": status,
        }
        if self.message_action is not None:
            response["messageAction"] = self.message_action
        if self.mediums is not None:
            response["desiredDeliveryMediums"] = self.mediums
        return Reply(response=response)
