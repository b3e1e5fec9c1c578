"""The console's pure parts: the search box as a ListUsers filter, what a user action sends, a client's secret."""

from __future__ import annotations

import asyncio

import pytest

from userpool.domain import filters
from userpool.web.console_views import ACTIONS, client_view, search_filter


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", None),
        ("   ", None),
        ("ann", 'username ^= "ann"'),
        ("ann@example", 'email ^= "ann@example"'),
        ("+4930", 'phone_number ^= "+4930"'),
        ("+49 30", 'username ^= "+49 30"'),
        ('a"b\\c', 'username ^= "a\\"b\\\\c"'),
    ],
)
def test_the_search_box_is_a_list_users_filter(text, expected):
    assert search_filter(text) == expected


def test_a_quoted_search_reads_back_as_typed():
    assert filters.parse(search_filter('a"b\\c')) == ("username", "^=", 'a"b\\c')


def no_secret(client_id: str, username: str) -> None:
    raise AssertionError("no client look-up expected")


def calls(action: str, **form: str) -> list:
    return asyncio.run(ACTIONS[action].calls("us-east-1_pool", form, no_secret))


def test_create_sends_admin_create_user_with_the_forms_choices():
    assert calls("create", username="ann", email="ann@example.com", email_verified="on") == [
        (
            "AdminCreateUser",
            {
                "UserPoolId": "us-east-1_pool",
                "Username": "ann",
                "UserAttributes": [
                    {"Name": "email", "Value": "ann@example.com"},
                    {"Name": "email_verified", "Value": "true"},
                ],
                "MessageAction": "SUPPRESS",
            },
        )
    ]
    [(_, invited)] = calls("create", username="ann", phone_number="+15555550100", invite="on", temporary_password="T")
    assert invited["DesiredDeliveryMediums"] == ["SMS"] and invited["TemporaryPassword"] == "T"
    assert "MessageAction" not in invited


def test_set_password_and_attributes_read_the_form():
    [(operation, params)] = calls("set-password", username="ann", password="P", permanent="on")
    assert operation == "AdminSetUserPassword" and params["Permanent"] is True and params["Password"] == "P"
    [(_, temporary)] = calls("set-password", username="ann", password="P")
    assert temporary["Permanent"] is False
    [(operation, params)] = calls("update-attribute", username="ann", name=" given_name ", value="Ann")
    assert params["UserAttributes"] == [{"Name": "given_name", "Value": "Ann"}]


def test_resend_is_an_invitation_or_a_sign_up_code():
    assert calls("resend", username="ann", invitation="yes", medium="SMS") == [
        (
            "AdminCreateUser",
            {
                "UserPoolId": "us-east-1_pool",
                "Username": "ann",
                "MessageAction": "RESEND",
                "DesiredDeliveryMediums": ["SMS"],
            },
        )
    ]

    async def public(client_id: str, username: str) -> None:
        return None

    sent = asyncio.run(ACTIONS["resend"].calls("us-east-1_pool", {"username": "ann", "client_id": "c1"}, public))
    assert sent == [("ResendConfirmationCode", {"ClientId": "c1", "Username": "ann"})]


def test_a_client_secret_is_never_shown_in_full():
    shown = client_view({"ClientId": "c1", "ClientName": "app", "ClientSecret": "s" * 48 + "WXYZ"})
    assert shown["secret"] == "…WXYZ"
    assert client_view({"ClientId": "c2"})["secret"] is None
