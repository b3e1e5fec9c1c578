"""AdminGetUser, ListUsers and AdminDeleteUser against the real server, through boto3."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.helpers import error_of, latest_code

PASSWORD = "Passw0rd!"
UNKNOWN_POOL = "us-east-1_XXXXXXXXX"
USER_NOT_FOUND = (400, "UserNotFoundException", "User does not exist.")
PARSE_ERROR = (400, "InvalidParameterException", "Error while parsing filter.")


# --- helpers ------------------------------------------------------------------------------------------------


def sign_up(cognito: Any, client_id: str, username: str, **attributes: str) -> dict[str, Any]:
    return cognito.sign_up(
        ClientId=client_id,
        Username=username,
        Password=PASSWORD,
        UserAttributes=[{"Name": n, "Value": v} for n, v in attributes.items()],
    )


def confirm(server: Any, cognito: Any, pool_id: str, client_id: str, username: str, stored: str = "") -> None:
    """ConfirmSignUp with the outbox's code (``stored``: the username the outbox knows, when different)."""
    code = latest_code(server, pool_id, stored or username)
    cognito.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode=code)


def attributes_of(user: dict[str, Any], key: str = "Attributes") -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in user[key]}


def usernames(response: dict[str, Any]) -> list[str]:
    return [u["Username"] for u in response["Users"]]


def list_error(cognito: Any, **params: Any) -> tuple[int, str, str]:
    with pytest.raises(cognito.exceptions.ClientError) as info:
        cognito.list_users(**params)
    return error_of(info)


@pytest.fixture
def people(
    server: Any,
    cognito: Any,
    make_pool: Callable[..., dict[str, Any]],
    make_app_client: Callable[..., dict[str, Any]],
) -> tuple[str, dict[str, str]]:
    """A pool with four users: (pool id, {username: sub}). alice and bob are CONFIRMED, the others not."""
    pool_id = make_pool(AutoVerifiedAttributes=["email"])["Id"]
    client_id = make_app_client(pool_id)["ClientId"]
    subs = {}
    for username, attrs in {
        "alice": {"email": "alice@example.com", "given_name": "Alice"},
        "bob": {"email": "bob@example.org", "given_name": "Bob"},
        "alfred": {"email": "alfred@example.com", "given_name": 'Al "the" Great'},
        "carol": {"email": "carol@example.com", "given_name": "Caro_l"},
    }.items():
        subs[username] = sign_up(cognito, client_id, username, **attrs)["UserSub"]
    confirm(server, cognito, pool_id, client_id, "alice")
    confirm(server, cognito, pool_id, client_id, "bob")
    return pool_id, subs


# --- AdminGetUser -------------------------------------------------------------------------------------------


def test_admin_get_user_before_and_after_confirmation(server, cognito, email_pool):
    pool_id, client_id = email_pool
    sub = sign_up(cognito, client_id, "jane", email="jane@example.com")["UserSub"]

    before = cognito.admin_get_user(UserPoolId=pool_id, Username="jane")
    assert before["Username"] == "jane"
    assert before["UserAttributes"] == [
        {"Name": "sub", "Value": sub},
        {"Name": "email", "Value": "jane@example.com"},
        {"Name": "email_verified", "Value": "false"},
    ]
    assert before["UserStatus"] == "UNCONFIRMED"
    assert before["Enabled"] is True
    assert isinstance(before["UserCreateDate"], dt.datetime)
    assert isinstance(before["UserLastModifiedDate"], dt.datetime)
    assert before["UserLastModifiedDate"] >= before["UserCreateDate"]
    assert "Attributes" not in before

    confirm(server, cognito, pool_id, client_id, "jane")
    after = cognito.admin_get_user(UserPoolId=pool_id, Username="jane")
    assert after["UserStatus"] == "CONFIRMED"
    assert after["UserAttributes"][0] == {"Name": "sub", "Value": sub}
    assert attributes_of(after, "UserAttributes") == {
        "sub": sub,
        "email": "jane@example.com",
        "email_verified": "true",
    }
    assert after["Enabled"] is True
    assert after["UserCreateDate"] == before["UserCreateDate"]
    assert after["UserLastModifiedDate"] >= before["UserLastModifiedDate"]


def test_admin_confirm_sign_up_confirms_without_verifying(cognito, email_pool):
    pool_id, client_id = email_pool
    sign_up(cognito, client_id, "ann", email="ann@example.com")
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username="ann")
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="ann")
    assert user["UserStatus"] == "CONFIRMED"
    assert attributes_of(user, "UserAttributes")["email_verified"] == "false"


def test_admin_get_user_by_email_in_email_as_username_pool(server, cognito, make_pool, make_app_client):
    pool_id = make_pool(UsernameAttributes=["email"], AutoVerifiedAttributes=["email"])["Id"]
    client_id = make_app_client(pool_id)["ClientId"]
    sub = sign_up(cognito, client_id, "mail@example.com")["UserSub"]

    # The username of such a user is its sub; the email finds it (verified or not).
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="mail@example.com")
    assert str(uuid.UUID(user["Username"])) == user["Username"]
    assert user["Username"] == sub
    assert attributes_of(user, "UserAttributes")["sub"] == user["Username"]
    assert attributes_of(user, "UserAttributes")["email"] == "mail@example.com"
    assert user["UserStatus"] == "UNCONFIRMED"

    confirm(server, cognito, pool_id, client_id, "mail@example.com", stored=sub)
    by_email = cognito.admin_get_user(UserPoolId=pool_id, Username="mail@example.com")
    by_sub = cognito.admin_get_user(UserPoolId=pool_id, Username=sub)
    assert by_email["Username"] == by_sub["Username"] == sub
    assert by_email["UserStatus"] == "CONFIRMED"
    assert attributes_of(by_email, "UserAttributes")["email_verified"] == "true"


def test_admin_get_user_by_alias_needs_a_verified_email(server, cognito, make_pool, make_app_client):
    pool_id = make_pool(AliasAttributes=["email"], AutoVerifiedAttributes=["email"])["Id"]
    client_id = make_app_client(pool_id)["ClientId"]
    sign_up(cognito, client_id, "aliased", email="aliased@example.com")

    with pytest.raises(cognito.exceptions.UserNotFoundException) as info:
        cognito.admin_get_user(UserPoolId=pool_id, Username="aliased@example.com")
    assert error_of(info) == USER_NOT_FOUND

    confirm(server, cognito, pool_id, client_id, "aliased")
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="aliased@example.com")
    assert user["Username"] == "aliased"
    assert attributes_of(user, "UserAttributes")["email_verified"] == "true"


def test_admin_get_user_by_alias_after_admin_confirm_is_still_unverified(cognito, make_pool, make_app_client):
    pool_id = make_pool(AliasAttributes=["email"], AutoVerifiedAttributes=["email"])["Id"]
    client_id = make_app_client(pool_id)["ClientId"]
    sign_up(cognito, client_id, "admin-confirmed", email="ac@example.com")
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username="admin-confirmed")

    with pytest.raises(cognito.exceptions.UserNotFoundException) as info:
        cognito.admin_get_user(UserPoolId=pool_id, Username="ac@example.com")
    assert error_of(info) == USER_NOT_FOUND
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="admin-confirmed")["UserStatus"] == "CONFIRMED"


def test_admin_get_user_unknown_user(cognito, email_pool):
    pool_id, client_id = email_pool
    sign_up(cognito, client_id, "someone", email="someone@example.com")
    for name in ("nobody", "Someone", "someone@example.com"):
        with pytest.raises(cognito.exceptions.UserNotFoundException) as info:
            cognito.admin_get_user(UserPoolId=pool_id, Username=name)
        assert error_of(info) == USER_NOT_FOUND


def test_admin_get_user_unknown_pool(cognito):
    with pytest.raises(cognito.exceptions.ResourceNotFoundException) as info:
        cognito.admin_get_user(UserPoolId=UNKNOWN_POOL, Username="jane")
    assert error_of(info) == (
        400,
        "ResourceNotFoundException",
        f"User pool {UNKNOWN_POOL} does not exist.",
    )


def test_admin_get_user_of_another_pool_is_not_found(cognito, email_pool, make_pool):
    _, client_id = email_pool
    sign_up(cognito, client_id, "mine", email="mine@example.com")
    other = make_pool()["Id"]
    with pytest.raises(cognito.exceptions.UserNotFoundException) as info:
        cognito.admin_get_user(UserPoolId=other, Username="mine")
    assert error_of(info) == USER_NOT_FOUND


def test_case_sensitive_pool_distinguishes_case(cognito, email_pool):
    pool_id, client_id = email_pool
    sign_up(cognito, client_id, "alice", email="alice@example.com")
    with pytest.raises(cognito.exceptions.UserNotFoundException) as info:
        cognito.admin_get_user(UserPoolId=pool_id, Username="ALICE")
    assert error_of(info) == USER_NOT_FOUND
    # A differently cased name is another user.
    sign_up(cognito, client_id, "ALICE", email="alice2@example.com")
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="ALICE")["Username"] == "ALICE"


# --- case-insensitive pools ---------------------------------------------------------------------------------


@pytest.fixture
def insensitive_pool(make_pool, make_app_client) -> tuple[str, str]:
    pool_id = make_pool(UsernameConfiguration={"CaseSensitive": False}, AutoVerifiedAttributes=["email"])["Id"]
    return pool_id, make_app_client(pool_id)["ClientId"]


def test_case_insensitive_admin_get_user(cognito, insensitive_pool):
    pool_id, client_id = insensitive_pool
    sign_up(cognito, client_id, "alice", email="alice@example.com")
    for name in ("ALICE", "Alice", "alice"):
        assert cognito.admin_get_user(UserPoolId=pool_id, Username=name)["Username"] == "alice"


def test_case_insensitive_list_users_username_filter(cognito, insensitive_pool):
    pool_id, client_id = insensitive_pool
    sign_up(cognito, client_id, "alice", email="alice@example.com")
    sign_up(cognito, client_id, "bob", email="bob@example.com")
    for value in ("alice", "ALICE", "Alice"):
        found = cognito.list_users(UserPoolId=pool_id, Filter=f'username = "{value}"')
        assert usernames(found) == ["alice"], value
    found = cognito.list_users(UserPoolId=pool_id, Filter='username ^= "AL"')
    assert usernames(found) == ["alice"]


def test_case_insensitive_list_users_username_filter_mixed_case_signup(cognito, insensitive_pool):
    """A user who signed up as "MixedCase" is found by a username filter in any case."""
    pool_id, client_id = insensitive_pool
    sign_up(cognito, client_id, "MixedCase", email="mixed@example.com")
    stored = cognito.admin_get_user(UserPoolId=pool_id, Username="mixedcase")["Username"]
    for value in ("MixedCase", "mixedcase", "MIXEDCASE"):
        found = cognito.list_users(UserPoolId=pool_id, Filter=f'username = "{value}"')
        assert usernames(found) == [stored], value


# --- ListUsers ----------------------------------------------------------------------------------------------


def test_list_users_returns_every_user(cognito, people):
    pool_id, subs = people
    found = cognito.list_users(UserPoolId=pool_id)
    assert sorted(usernames(found)) == sorted(subs)
    assert "PaginationToken" not in found
    by_name = {u["Username"]: u for u in found["Users"]}
    alice = by_name["alice"]
    assert alice["UserStatus"] == "CONFIRMED"
    assert alice["Enabled"] is True
    assert isinstance(alice["UserCreateDate"], dt.datetime)
    assert isinstance(alice["UserLastModifiedDate"], dt.datetime)
    assert alice["Attributes"][0] == {"Name": "sub", "Value": subs["alice"]}
    assert attributes_of(alice) == {
        "sub": subs["alice"],
        "email": "alice@example.com",
        "email_verified": "true",
        "given_name": "Alice",
    }
    assert by_name["carol"]["UserStatus"] == "UNCONFIRMED"
    assert attributes_of(by_name["carol"])["email_verified"] == "false"


def test_list_users_empty_pool(cognito, make_pool):
    pool_id = make_pool()["Id"]
    assert cognito.list_users(UserPoolId=pool_id)["Users"] == []


def test_list_users_unknown_pool(cognito):
    assert list_error(cognito, UserPoolId=UNKNOWN_POOL) == (
        400,
        "ResourceNotFoundException",
        f"User pool {UNKNOWN_POOL} does not exist.",
    )


def test_list_users_only_lists_its_own_pool(cognito, people, email_pool):
    other_pool, other_client = email_pool
    sign_up(cognito, other_client, "stranger", email="alice@example.com")
    pool_id, _ = people
    assert "stranger" not in usernames(cognito.list_users(UserPoolId=pool_id))
    found = cognito.list_users(UserPoolId=other_pool, Filter='email = "alice@example.com"')
    assert usernames(found) == ["stranger"]


FILTERS = [
    ('email = "alice@example.com"', ["alice"]),
    ('email = "alice@example"', []),
    ('email ^= "al"', ["alice", "alfred"]),
    ('email ^= "alice@example.com"', ["alice"]),
    ('email ^= "zz"', []),
    ('username = "bob"', ["bob"]),
    ('username = "bo"', []),
    ('username ^= "al"', ["alice", "alfred"]),
    ('cognito:user_status = "UNCONFIRMED"', ["alfred", "carol"]),
    ('cognito:user_status = "CONFIRMED"', ["alice", "bob"]),
    ('status = "Enabled"', ["alice", "bob", "alfred", "carol"]),
    ('status = "Disabled"', []),
    ('given_name = "Bob"', ["bob"]),
    ('given_name ^= "Al"', ["alice", "alfred"]),
    ('given_name = "Al \\"the\\" Great"', ["alfred"]),
    ('given_name ^= "Al \\"the"', ["alfred"]),
    # LIKE wildcards in a prefix are plain characters.
    ('given_name ^= "Car_"', []),
    ('given_name ^= "Caro_"', ["carol"]),
    ('given_name ^= "%"', []),
    ('email="bob@example.org"', ["bob"]),
    ('  email   ^=   "bob"  ', ["bob"]),
    ("", ["alice", "bob", "alfred", "carol"]),
    ("   ", ["alice", "bob", "alfred", "carol"]),
]


def test_list_users_filters(cognito, people):
    """Every filter of the table against one pool; all mismatches are reported together."""
    pool_id, _ = people
    wrong = {}
    for filter_text, expected in FILTERS:
        got = sorted(usernames(cognito.list_users(UserPoolId=pool_id, Filter=filter_text)))
        if got != sorted(expected):
            wrong[filter_text] = {"got": got, "expected": sorted(expected)}
    assert wrong == {}


def test_list_users_filter_by_sub(cognito, people):
    pool_id, subs = people
    found = cognito.list_users(UserPoolId=pool_id, Filter=f'sub = "{subs["bob"]}"')
    assert usernames(found) == ["bob"]
    found = cognito.list_users(UserPoolId=pool_id, Filter=f'sub ^= "{subs["carol"][:8]}"')
    assert "carol" in usernames(found)
    assert cognito.list_users(UserPoolId=pool_id, Filter=f'sub = "{uuid.uuid4()}"')["Users"] == []


def test_list_users_username_filter_is_case_sensitive(cognito, people):
    """AWS: ``username`` (case-sensitive) in a case-sensitive pool, for exact and prefix matches."""
    pool_id, _ = people
    assert cognito.list_users(UserPoolId=pool_id, Filter='username = "ALICE"')["Users"] == []
    assert cognito.list_users(UserPoolId=pool_id, Filter='username ^= "AL"')["Users"] == []


def test_list_users_status_filter_is_case_sensitive(cognito, people):
    """AWS: ``status`` (called Enabled in the console) is case-sensitive."""
    pool_id, _ = people
    assert cognito.list_users(UserPoolId=pool_id, Filter='status = "enabled"')["Users"] == []


def test_list_users_user_status_filter_is_case_insensitive(cognito, people):
    """AWS: ``cognito:user_status`` (called Status in the console) is case-insensitive."""
    pool_id, _ = people
    found = cognito.list_users(UserPoolId=pool_id, Filter='cognito:user_status = "unconfirmed"')
    assert sorted(usernames(found)) == ["alfred", "carol"]


MALFORMED_FILTERS = [
    'email == "x"',
    "email = x",
    "email = 'x'",
    'email "x"',
    '= "x"',
    'email = "x',
    'email = "x" extra',
    'email = "a"b"',
    'email = "x\\"',
    'email = "x" or given_name = "y"',
    'email != "x"',
]


def test_list_users_malformed_filters(cognito, people):
    pool_id, _ = people
    answers = {f: list_error(cognito, UserPoolId=pool_id, Filter=f) for f in MALFORMED_FILTERS}
    assert answers == dict.fromkeys(MALFORMED_FILTERS, PARSE_ERROR)


def test_list_users_unsearchable_attributes(cognito, people):
    pool_id, _ = people
    names = ["locale", "custom:team", "email_verified", "nickname"]
    answers = {n: list_error(cognito, UserPoolId=pool_id, Filter=f'{n} = "x"') for n in names}
    assert answers == {n: (400, "InvalidParameterException", f"Invalid search attribute: {n}") for n in names}


def test_list_users_attributes_to_get(cognito, people):
    pool_id, _ = people
    found = cognito.list_users(UserPoolId=pool_id, AttributesToGet=["email"])
    assert len(found["Users"]) == 4
    for user in found["Users"]:
        assert [a["Name"] for a in user["Attributes"]] == ["email"]
        assert user["UserStatus"] in ("CONFIRMED", "UNCONFIRMED")
        assert user["Enabled"] is True
    by_name = {u["Username"]: attributes_of(u) for u in found["Users"]}
    assert by_name["bob"] == {"email": "bob@example.org"}

    found = cognito.list_users(UserPoolId=pool_id, AttributesToGet=["given_name", "email"], Filter='username = "alice"')
    assert attributes_of(found["Users"][0]) == {"email": "alice@example.com", "given_name": "Alice"}


def test_list_users_unknown_attribute_to_get(cognito, people):
    pool_id, _ = people
    for wanted in (["shoe_size"], ["email", "custom:nope"]):
        assert list_error(cognito, UserPoolId=pool_id, AttributesToGet=wanted) == (
            400,
            "InvalidParameterException",
            "One or more requested attributes do not exist.",
        )


def test_list_users_pagination(cognito, email_pool):
    pool_id, client_id = email_pool
    names = [f"page{i}" for i in range(5)]
    for name in names:
        sign_up(cognito, client_id, name, email=f"{name}@example.com")

    seen: list[str] = []
    pages = []
    token = None
    while True:
        params: dict[str, Any] = {"UserPoolId": pool_id, "Limit": 2}
        if token:
            params["PaginationToken"] = token
        page = cognito.list_users(**params)
        pages.append(len(page["Users"]))
        seen.extend(usernames(page))
        token = page.get("PaginationToken")
        if not token:
            break
        assert len(pages) < 10, "pagination does not end"
    assert pages == [2, 2, 1]
    assert sorted(seen) == sorted(names)
    assert len(seen) == len(set(seen))


def test_list_users_pagination_with_filter(cognito, email_pool):
    pool_id, client_id = email_pool
    for i in range(5):
        sign_up(cognito, client_id, f"f{i}", email=f"{'in' if i % 2 == 0 else 'out'}{i}@example.com")
    first = cognito.list_users(UserPoolId=pool_id, Limit=2, Filter='email ^= "in"')
    assert len(first["Users"]) == 2
    rest = cognito.list_users(
        UserPoolId=pool_id, Limit=2, Filter='email ^= "in"', PaginationToken=first["PaginationToken"]
    )
    assert "PaginationToken" not in rest
    assert sorted(usernames(first) + usernames(rest)) == ["f0", "f2", "f4"]


def test_list_users_exact_limit_has_no_token(cognito, email_pool):
    pool_id, client_id = email_pool
    for i in range(3):
        sign_up(cognito, client_id, f"x{i}", email=f"x{i}@example.com")
    found = cognito.list_users(UserPoolId=pool_id, Limit=3)
    assert len(found["Users"]) == 3
    assert "PaginationToken" not in found


def test_list_users_invalid_pagination_token(cognito, people):
    pool_id, _ = people
    tokens = [
        "not-a-token",
        base64.urlsafe_b64encode(b'"abc"').decode(),
        base64.urlsafe_b64encode(b"1.5").decode(),
        base64.urlsafe_b64encode(b"[]").decode(),
    ]
    answers = {t: list_error(cognito, UserPoolId=pool_id, PaginationToken=t) for t in tokens}
    assert answers == dict.fromkeys(tokens, (400, "InvalidParameterException", "Invalid pagination token."))


def test_list_users_pagination_token_with_huge_number_is_invalid_not_500(cognito, people):
    """A forged token holding an integer the database cannot hold is a bad token, not an internal error."""
    pool_id, _ = people
    token = base64.urlsafe_b64encode(json.dumps(10**30).encode()).decode()
    assert list_error(cognito, UserPoolId=pool_id, PaginationToken=token) == (
        400,
        "InvalidParameterException",
        "Invalid pagination token.",
    )


def test_list_users_limit_over_60(raw_cognito, people):
    pool_id, _ = people
    assert list_error(raw_cognito, UserPoolId=pool_id, Limit=61) == (
        400,
        "InvalidParameterException",
        "1 validation error detected: Value '61' at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 60",
    )


# --- AdminDeleteUser ----------------------------------------------------------------------------------------


def test_admin_delete_user(server, cognito, email_pool):
    pool_id, client_id = email_pool
    sign_up(cognito, client_id, "doomed", email="doomed@example.com")
    sign_up(cognito, client_id, "kept", email="kept@example.com")
    confirm(server, cognito, pool_id, client_id, "doomed")

    assert cognito.admin_delete_user(UserPoolId=pool_id, Username="doomed")["ResponseMetadata"]["HTTPStatusCode"] == 200
    with pytest.raises(cognito.exceptions.UserNotFoundException) as info:
        cognito.admin_get_user(UserPoolId=pool_id, Username="doomed")
    assert error_of(info) == USER_NOT_FOUND
    assert usernames(cognito.list_users(UserPoolId=pool_id)) == ["kept"]

    # The name is free again, and the new user is a new user.
    again = sign_up(cognito, client_id, "doomed", email="doomed@example.com")
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="doomed")
    assert user["UserStatus"] == "UNCONFIRMED"
    assert attributes_of(user, "UserAttributes")["sub"] == again["UserSub"]

    # Deleting twice: the second time there is nobody.
    cognito.admin_delete_user(UserPoolId=pool_id, Username="doomed")
    with pytest.raises(cognito.exceptions.UserNotFoundException) as info:
        cognito.admin_delete_user(UserPoolId=pool_id, Username="doomed")
    assert error_of(info) == USER_NOT_FOUND


def test_admin_delete_user_frees_the_email_in_email_as_username_pool(cognito, make_pool, make_app_client):
    pool_id = make_pool(UsernameAttributes=["email"], AutoVerifiedAttributes=["email"])["Id"]
    client_id = make_app_client(pool_id)["ClientId"]
    first = sign_up(cognito, client_id, "once@example.com")["UserSub"]
    cognito.admin_delete_user(UserPoolId=pool_id, Username="once@example.com")
    with pytest.raises(cognito.exceptions.UserNotFoundException) as info:
        cognito.admin_get_user(UserPoolId=pool_id, Username=first)
    assert error_of(info) == USER_NOT_FOUND
    second = sign_up(cognito, client_id, "once@example.com")["UserSub"]
    assert second != first
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="once@example.com")["Username"] == second


def test_admin_delete_unknown_user(cognito, email_pool):
    pool_id, _ = email_pool
    with pytest.raises(cognito.exceptions.UserNotFoundException) as info:
        cognito.admin_delete_user(UserPoolId=pool_id, Username="ghost")
    assert error_of(info) == USER_NOT_FOUND


def test_admin_delete_user_unknown_pool(cognito):
    with pytest.raises(cognito.exceptions.ResourceNotFoundException) as info:
        cognito.admin_delete_user(UserPoolId=UNKNOWN_POOL, Username="ghost")
    assert error_of(info) == (
        400,
        "ResourceNotFoundException",
        f"User pool {UNKNOWN_POOL} does not exist.",
    )
