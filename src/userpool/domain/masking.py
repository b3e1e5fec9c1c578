"""How Cognito shows a destination in CodeDeliveryDetails: ``s***@g***`` and ``+*******4114``."""

from __future__ import annotations


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain[:1]}***"


def mask_phone(phone: str) -> str:
    if len(phone) <= 5:
        return phone
    return phone[0] + "*" * (len(phone) - 5) + phone[-4:]


def mask(medium: str, destination: str) -> str:
    return mask_email(destination) if medium == "EMAIL" else mask_phone(destination)
