"""Groups, end to end with boto3: the nine operations (CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup,
AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup), their errors and
Cognito's limits, what deleting a group, a user or a pool does to memberships, and the claims a user's groups put in
their tokens (verified with PyJWT against the pool's JWKS), on sign-in and on refresh."""

from __future__ import annotations

import datetime
from typing import Any

import jwt
import pytest
from botocore.exceptions import ClientError

from tests import databases
from tests.api.test_aws_cli import aws
from tests.helpers import advance_clock, error_of
from tests.signin import claims, confirmed_user, make_pool_and_client, password_auth

ROLE_A = "arn:aws:iam::123456789012:role/RoleA"
ROLE_B = "arn:aws:iam::123456789012:role/RoleB"
GROUP_NOT_FOUND = (400, "ResourceNotFoundException", "Group not found.")
USER_NOT_FOUND = (400, "UserNotFoundException", "User does not exist.")


def failure(call: Any, **params: Any) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)


def answer(response: dict[str, Any]) -> dict[str, Any]:
    response.pop("ResponseMetadata")
    return response


@pytest.fixture
def pool(cognito) -> str:
    return cognito.create_user_pool(PoolName="groups", AliasAttributes=["email"])["UserPool"]["Id"]


def add_user(cognito, pool_id: str, username: str) -> None:
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": f"{username}@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
    )


def names(groups: list[dict[str, Any]]) -> list[str]:
    return [g["GroupName"] for g in groups]


# ---- CreateGroup, GetGroup -------------------------------------------------------------------------------------
def test_create_group_answers_cognitos_group_type(cognito, pool):
    created = answer(
        cognito.create_group(
            UserPoolId=pool, GroupName="admins", Description="The admins", RoleArn=ROLE_A, Precedence=1
        )
    )["Group"]
    assert set(created) == {
        "GroupName", "UserPoolId", "Description", "RoleArn", "Precedence", "LastModifiedDate", "CreationDate",
    }  # fmt: skip
    assert (created["GroupName"], created["UserPoolId"]) == ("admins", pool)
    assert (created["Description"], created["RoleArn"], created["Precedence"]) == ("The admins", ROLE_A, 1)
    assert isinstance(created["CreationDate"], datetime.datetime)
    assert created["LastModifiedDate"] == created["CreationDate"]
    assert answer(cognito.get_group(UserPoolId=pool, GroupName="admins")) == {"Group": created}


def test_a_group_without_description_role_or_precedence_leaves_them_out(cognito, pool):
    created = cognito.create_group(UserPoolId=pool, GroupName="plain")["Group"]
    assert set(created) == {"GroupName", "UserPoolId", "LastModifiedDate", "CreationDate"}
    assert cognito.get_group(UserPoolId=pool, GroupName="plain")["Group"] == created


def test_group_names_take_any_letters_marks_symbols_numbers_and_punctuation(cognito, pool):
    for name in ("Ünïcode-группа_1", "a.b@c:d/e+f", "x" * 128):
        assert cognito.create_group(UserPoolId=pool, GroupName=name)["Group"]["GroupName"] == name
    assert failure(cognito.create_group, UserPoolId=pool, GroupName="has space") == (
        400,
        "InvalidParameterException",
        "1 validation error detected: Value 'has space' at 'groupName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
    )


def test_precedence_runs_from_0_to_2_to_the_31_minus_1(cognito, raw_cognito, pool):
    for value in (0, 2**31 - 1):
        created = cognito.create_group(UserPoolId=pool, GroupName=f"p{value}", Precedence=value)["Group"]
        assert created["Precedence"] == value
    assert failure(raw_cognito.create_group, UserPoolId=pool, GroupName="neg", Precedence=-1) == (
        400,
        "InvalidParameterException",
        "1 validation error detected: Value '-1' at 'precedence' failed to satisfy constraint: "
        "Member must have value greater than or equal to 0",
    )
    assert failure(raw_cognito.update_group, UserPoolId=pool, GroupName="p0", Precedence=2**31)[:2] == (
        400,
        "SerializationException",
    )


def test_a_taken_group_name_is_refused_and_case_makes_another_name(cognito, pool):
    cognito.create_group(UserPoolId=pool, GroupName="staff", Description="first")
    assert failure(cognito.create_group, UserPoolId=pool, GroupName="staff", Description="second") == (
        400,
        "GroupExistsException",
        "A group with the name staff already exists.",
    )
    assert cognito.get_group(UserPoolId=pool, GroupName="staff")["Group"]["Description"] == "first"
    cognito.create_group(UserPoolId=pool, GroupName="Staff")
    assert failure(cognito.get_group, UserPoolId=pool, GroupName="STAFF") == GROUP_NOT_FOUND
    other = cognito.create_user_pool(PoolName="other")["UserPool"]["Id"]
    cognito.create_group(UserPoolId=other, GroupName="staff")  # names are per pool


def test_an_unknown_pool_is_not_found_by_every_group_operation(cognito):
    missing = "us-east-1_nosuchpool"
    expected = (400, "ResourceNotFoundException", f"User pool {missing} does not exist.")
    named = {"UserPoolId": missing, "GroupName": "g"}
    calls = [
        (cognito.create_group, named),
        (cognito.get_group, named),
        (cognito.list_groups, {"UserPoolId": missing}),
        (cognito.update_group, {**named, "Precedence": 1}),
        (cognito.delete_group, named),
        (cognito.admin_add_user_to_group, {**named, "Username": "ann"}),
        (cognito.admin_remove_user_from_group, {**named, "Username": "ann"}),
        (cognito.admin_list_groups_for_user, {"UserPoolId": missing, "Username": "ann"}),
        (cognito.list_users_in_group, named),
    ]
    for call, params in calls:
        assert failure(call, **params) == expected, call


def test_an_unknown_group_is_not_found(cognito, pool):
    add_user(cognito, pool, "ann")
    named = {"UserPoolId": pool, "GroupName": "ghosts"}
    assert failure(cognito.get_group, **named) == GROUP_NOT_FOUND
    assert failure(cognito.update_group, **named, Description="x") == GROUP_NOT_FOUND
    assert failure(cognito.delete_group, **named) == GROUP_NOT_FOUND
    assert failure(cognito.admin_add_user_to_group, **named, Username="ann") == GROUP_NOT_FOUND
    assert failure(cognito.admin_remove_user_from_group, **named, Username="ann") == GROUP_NOT_FOUND
    assert failure(cognito.list_users_in_group, **named) == GROUP_NOT_FOUND
    # the group is looked up before the user
    assert failure(cognito.admin_add_user_to_group, **named, Username="nobody") == GROUP_NOT_FOUND


def test_an_unknown_user_does_not_exist(cognito, pool):
    cognito.create_group(UserPoolId=pool, GroupName="g")
    assert failure(cognito.admin_add_user_to_group, UserPoolId=pool, GroupName="g", Username="nobody") == (
        USER_NOT_FOUND
    )
    assert failure(cognito.admin_remove_user_from_group, UserPoolId=pool, GroupName="g", Username="nobody") == (
        USER_NOT_FOUND
    )
    assert failure(cognito.admin_list_groups_for_user, UserPoolId=pool, Username="nobody") == USER_NOT_FOUND


# ---- UpdateGroup -----------------------------------------------------------------------------------------------
def test_update_group_changes_what_it_is_sent_and_keeps_the_rest(cognito, server, pool):
    created = cognito.create_group(UserPoolId=pool, GroupName="g", Description="old", RoleArn=ROLE_A, Precedence=5)[
        "Group"
    ]
    advance_clock(server, 2)
    updated = answer(cognito.update_group(UserPoolId=pool, GroupName="g", Description="new", Precedence=2))["Group"]
    # AWS CLI's documented example: RoleArn not sent, the group's role answered
    assert (updated["Description"], updated["RoleArn"], updated["Precedence"]) == ("new", ROLE_A, 2)
    assert updated["CreationDate"] == created["CreationDate"]
    assert updated["LastModifiedDate"] > created["LastModifiedDate"]
    assert cognito.get_group(UserPoolId=pool, GroupName="g")["Group"] == updated

    only_role = cognito.update_group(UserPoolId=pool, GroupName="g", RoleArn=ROLE_B)["Group"]
    assert (only_role["Description"], only_role["RoleArn"], only_role["Precedence"]) == ("new", ROLE_B, 2)
    nothing = cognito.update_group(UserPoolId=pool, GroupName="g")["Group"]
    assert (nothing["Description"], nothing["RoleArn"], nothing["Precedence"]) == ("new", ROLE_B, 2)


# ---- ListGroups ------------------------------------------------------------------------------------------------
def test_list_groups_pages_in_creation_order_and_a_group_made_meanwhile_comes_last(cognito, pool):
    for name in ("c", "a", "b", "d"):
        cognito.create_group(UserPoolId=pool, GroupName=name)
    first = cognito.list_groups(UserPoolId=pool, Limit=3)
    assert names(first["Groups"]) == ["c", "a", "b"] and first["NextToken"]
    cognito.create_group(UserPoolId=pool, GroupName="0-late")
    cognito.delete_group(UserPoolId=pool, GroupName="a")  # behind the position: changes nothing ahead
    second = cognito.list_groups(UserPoolId=pool, Limit=3, NextToken=first["NextToken"])
    assert names(second["Groups"]) == ["d", "0-late"] and "NextToken" not in second
    everything = cognito.list_groups(UserPoolId=pool)  # no Limit: up to 60
    assert names(everything["Groups"]) == ["c", "b", "d", "0-late"] and "NextToken" not in everything
    assert cognito.list_groups(UserPoolId=pool, Limit=0)["Groups"] == everything["Groups"]
    assert everything["Groups"][0] == cognito.get_group(UserPoolId=pool, GroupName="c")["Group"]


def test_list_groups_of_a_pool_without_groups_is_empty(cognito, pool):
    assert answer(cognito.list_groups(UserPoolId=pool)) == {"Groups": []}


def test_a_token_we_did_not_hand_out_is_refused(cognito, pool):
    add_user(cognito, pool, "ann")
    cognito.create_group(UserPoolId=pool, GroupName="g")
    expected = (400, "InvalidParameterException", "Invalid pagination token.")
    assert failure(cognito.list_groups, UserPoolId=pool, NextToken="not-ours") == expected
    assert failure(cognito.admin_list_groups_for_user, UserPoolId=pool, Username="ann", NextToken="x") == expected
    assert failure(cognito.list_users_in_group, UserPoolId=pool, GroupName="g", NextToken="x") == expected


# ---- memberships -----------------------------------------------------------------------------------------------
def test_adding_and_removing_members(cognito, pool):
    for user in ("ann", "bob"):
        add_user(cognito, pool, user)
    for group in ("readers", "writers"):
        cognito.create_group(UserPoolId=pool, GroupName=group)
    assert answer(cognito.admin_add_user_to_group(UserPoolId=pool, GroupName="readers", Username="ann")) == {}
    cognito.admin_add_user_to_group(UserPoolId=pool, GroupName="readers", Username="ann")  # again: no error
    cognito.admin_add_user_to_group(UserPoolId=pool, GroupName="writers", Username="ann@example.com")  # an alias
    cognito.admin_add_user_to_group(UserPoolId=pool, GroupName="readers", Username="bob")

    groups = cognito.admin_list_groups_for_user(UserPoolId=pool, Username="ann")
    assert names(groups["Groups"]) == ["readers", "writers"] and "NextToken" not in groups
    assert groups["Groups"][0] == cognito.get_group(UserPoolId=pool, GroupName="readers")["Group"]
    readers = cognito.list_users_in_group(UserPoolId=pool, GroupName="readers")
    assert [u["Username"] for u in readers["Users"]] == ["ann", "bob"]

    answered = answer(cognito.admin_remove_user_from_group(UserPoolId=pool, GroupName="readers", Username="ann"))
    assert answered == {}
    cognito.admin_remove_user_from_group(UserPoolId=pool, GroupName="readers", Username="ann")  # not a member: fine
    assert names(cognito.admin_list_groups_for_user(UserPoolId=pool, Username="ann")["Groups"]) == ["writers"]
    readers = cognito.list_users_in_group(UserPoolId=pool, GroupName="readers")
    assert [u["Username"] for u in readers["Users"]] == ["bob"]


def test_list_users_in_group_answers_user_types_a_page_at_a_time(cognito, pool):
    cognito.create_group(UserPoolId=pool, GroupName="team")
    for user in ("u1", "u2", "u3"):
        add_user(cognito, pool, user)
        cognito.admin_add_user_to_group(UserPoolId=pool, GroupName="team", Username=user)
    first = cognito.list_users_in_group(UserPoolId=pool, GroupName="team", Limit=2)
    assert [u["Username"] for u in first["Users"]] == ["u1", "u2"] and first["NextToken"]
    listed = {u["Username"]: u for u in cognito.list_users(UserPoolId=pool)["Users"]}
    assert first["Users"][0] == listed["u1"]  # the same UserType ListUsers answers
    assert {"Name": "email", "Value": "u1@example.com"} in first["Users"][0]["Attributes"]
    rest = cognito.list_users_in_group(UserPoolId=pool, GroupName="team", Limit=2, NextToken=first["NextToken"])
    assert [u["Username"] for u in rest["Users"]] == ["u3"] and "NextToken" not in rest
    assert answer(cognito.list_users_in_group(UserPoolId=pool, GroupName="team", Limit=3)) == {
        "Users": first["Users"] + rest["Users"]
    }


def test_admin_list_groups_for_user_pages(cognito, pool):
    add_user(cognito, pool, "ann")
    for group in ("g1", "g2", "g3"):
        cognito.create_group(UserPoolId=pool, GroupName=group)
        cognito.admin_add_user_to_group(UserPoolId=pool, GroupName=group, Username="ann")
    first = cognito.admin_list_groups_for_user(UserPoolId=pool, Username="ann", Limit=2)
    assert names(first["Groups"]) == ["g1", "g2"]
    rest = cognito.admin_list_groups_for_user(UserPoolId=pool, Username="ann", Limit=2, NextToken=first["NextToken"])
    assert names(rest["Groups"]) == ["g3"] and "NextToken" not in rest
    add_user(cognito, pool, "bob")
    assert answer(cognito.admin_list_groups_for_user(UserPoolId=pool, Username="bob")) == {"Groups": []}


def test_a_user_belongs_to_at_most_100_groups(cognito, pool):
    add_user(cognito, pool, "ann")
    for i in range(101):
        cognito.create_group(UserPoolId=pool, GroupName=f"g{i:03}")
    for i in range(100):
        cognito.admin_add_user_to_group(UserPoolId=pool, GroupName=f"g{i:03}", Username="ann")
    assert failure(cognito.admin_add_user_to_group, UserPoolId=pool, GroupName="g100", Username="ann") == (
        400,
        "LimitExceededException",
        "The user can't be added to more than 100 groups.",
    )
    cognito.admin_add_user_to_group(UserPoolId=pool, GroupName="g000", Username="ann")  # a member already: fine
    pages, token = [], None
    while True:
        page = cognito.admin_list_groups_for_user(
            UserPoolId=pool, Username="ann", **({"NextToken": token} if token else {})
        )
        pages.append(names(page["Groups"]))
        token = page.get("NextToken")
        if not token:
            break
    assert [len(p) for p in pages] == [60, 40]
    assert [name for page in pages for name in page] == [f"g{i:03}" for i in range(100)]


# ---- deleting --------------------------------------------------------------------------------------------------
def test_deleting_a_group_ends_its_memberships(cognito, server, pool):
    add_user(cognito, pool, "ann")
    for group in ("kept", "gone"):
        cognito.create_group(UserPoolId=pool, GroupName=group)
        cognito.admin_add_user_to_group(UserPoolId=pool, GroupName=group, Username="ann")
    assert answer(cognito.delete_group(UserPoolId=pool, GroupName="gone")) == {}
    assert failure(cognito.get_group, UserPoolId=pool, GroupName="gone") == GROUP_NOT_FOUND
    assert failure(cognito.delete_group, UserPoolId=pool, GroupName="gone") == GROUP_NOT_FOUND
    assert names(cognito.admin_list_groups_for_user(UserPoolId=pool, Username="ann")["Groups"]) == ["kept"]
    cognito.create_group(UserPoolId=pool, GroupName="gone")  # a new group of the old name starts empty
    assert cognito.list_users_in_group(UserPoolId=pool, GroupName="gone")["Users"] == []
    assert members(server, pool) == [("kept", "ann")]


def test_deleting_a_user_ends_their_memberships(cognito, server, pool):
    cognito.create_group(UserPoolId=pool, GroupName="g")
    for user in ("ann", "bob"):
        add_user(cognito, pool, user)
        cognito.admin_add_user_to_group(UserPoolId=pool, GroupName="g", Username=user)
    cognito.admin_delete_user(UserPoolId=pool, Username="ann")
    assert [u["Username"] for u in cognito.list_users_in_group(UserPoolId=pool, GroupName="g")["Users"]] == ["bob"]
    assert members(server, pool) == [("g", "bob")]


def test_deleting_a_pool_deletes_its_groups_and_memberships(cognito, server, pool):
    add_user(cognito, pool, "ann")
    cognito.create_group(UserPoolId=pool, GroupName="g")
    cognito.admin_add_user_to_group(UserPoolId=pool, GroupName="g", Username="ann")
    cognito.delete_user_pool(UserPoolId=pool)
    assert databases.query(server.database_url, "SELECT id FROM groups WHERE pool_id = :pool", pool=pool) == []
    assert members(server, pool) == []


def members(server, pool_id: str) -> list[tuple[str, str]]:
    """The stored memberships of a pool: (group name, username)."""
    return databases.query(
        server.database_url,
        "SELECT g.name, u.username FROM group_members m JOIN groups g ON g.id = m.group_id "
        "JOIN users u ON u.id = m.user_id WHERE g.pool_id = :pool ORDER BY g.name, u.username",
        pool=pool_id,
    )


# ---- tokens ----------------------------------------------------------------------------------------------------
@pytest.fixture
def signed_pool(cognito) -> tuple[str, str]:
    pool_id, client_id = make_pool_and_client(cognito)
    confirmed_user(cognito, pool_id, client_id)
    return pool_id, client_id


def verified(server, pool_id: str, client_id: str, result: dict[str, Any]) -> tuple[dict, dict]:
    """The ID and access tokens' claims, their signatures checked by PyJWT against the pool's JWKS (times are not:
    the session server's clock is moved by other tests)."""
    issuer = f"{server.url}/{pool_id}"
    keys = jwt.PyJWKClient(f"{issuer}/.well-known/jwks.json")
    options = {"verify_exp": False, "verify_iat": False, "verify_nbf": False}
    identity = jwt.decode(
        result["IdToken"],
        keys.get_signing_key_from_jwt(result["IdToken"]).key,
        algorithms=["RS256"],
        audience=client_id,
        issuer=issuer,
        options=options,
    )
    access = jwt.decode(
        result["AccessToken"],
        keys.get_signing_key_from_jwt(result["AccessToken"]).key,
        algorithms=["RS256"],
        issuer=issuer,
        options=options,
    )
    return identity, access


def join(cognito, pool_id: str, group: str, username: str = "alice", **settings: Any) -> None:
    cognito.create_group(UserPoolId=pool_id, GroupName=group, **settings)
    cognito.admin_add_user_to_group(UserPoolId=pool_id, GroupName=group, Username=username)


def test_a_user_in_no_group_has_no_group_claims(cognito, server, signed_pool):
    pool_id, client_id = signed_pool
    identity, access = verified(server, pool_id, client_id, password_auth(cognito, client_id)["AuthenticationResult"])
    for claim in ("cognito:groups", "cognito:roles", "cognito:preferred_role"):
        assert claim not in identity and claim not in access


def test_group_claims_by_precedence_then_name_with_the_preferred_role(cognito, server, signed_pool):
    pool_id, client_id = signed_pool
    join(cognito, pool_id, "zeta", Precedence=1, RoleArn=ROLE_B)
    join(cognito, pool_id, "beta")  # no precedence: after every group that has one
    join(cognito, pool_id, "alpha", Precedence=1)
    join(cognito, pool_id, "omega", Precedence=0)
    join(cognito, pool_id, "gamma", Precedence=3, RoleArn=ROLE_A)
    result = cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": "Passw0rd!"},
    )["AuthenticationResult"]
    identity, access = verified(server, pool_id, client_id, result)
    assert identity["cognito:groups"] == ["omega", "alpha", "zeta", "gamma", "beta"]
    assert access["cognito:groups"] == identity["cognito:groups"]
    assert identity["cognito:roles"] == [ROLE_B, ROLE_A]
    # the best precedence among the groups that have a role: zeta's (1), not gamma's (3)
    assert identity["cognito:preferred_role"] == ROLE_B
    assert "cognito:roles" not in access and "cognito:preferred_role" not in access


def test_one_group_is_still_a_list(cognito, server, signed_pool):
    pool_id, client_id = signed_pool
    join(cognito, pool_id, "solo", RoleArn=ROLE_A)
    result = password_auth(cognito, client_id)["AuthenticationResult"]
    identity, access = verified(server, pool_id, client_id, result)
    assert (identity["cognito:groups"], access["cognito:groups"]) == (["solo"], ["solo"])
    assert (identity["cognito:roles"], identity["cognito:preferred_role"]) == ([ROLE_A], ROLE_A)


def test_groups_tied_at_the_best_precedence_with_different_roles_prefer_none(cognito, signed_pool):
    pool_id, client_id = signed_pool
    join(cognito, pool_id, "a", Precedence=2, RoleArn=ROLE_A)
    join(cognito, pool_id, "b", Precedence=2, RoleArn=ROLE_B)
    join(cognito, pool_id, "c", Precedence=5, RoleArn=ROLE_A)
    identity = claims(password_auth(cognito, client_id)["AuthenticationResult"]["IdToken"])
    assert identity["cognito:roles"] == [ROLE_A, ROLE_B]
    assert "cognito:preferred_role" not in identity


def test_groups_tied_at_the_best_precedence_with_one_role_prefer_it(cognito, signed_pool):
    pool_id, client_id = signed_pool
    join(cognito, pool_id, "a", Precedence=2, RoleArn=ROLE_A)
    join(cognito, pool_id, "b", Precedence=2, RoleArn=ROLE_A)
    join(cognito, pool_id, "c", Precedence=9, RoleArn=ROLE_B)
    identity = claims(password_auth(cognito, client_id)["AuthenticationResult"]["IdToken"])
    assert (identity["cognito:roles"], identity["cognito:preferred_role"]) == ([ROLE_A, ROLE_B], ROLE_A)


def test_refreshed_tokens_carry_the_groups_of_now(cognito, server, signed_pool):
    pool_id, client_id = signed_pool
    join(cognito, pool_id, "first", Precedence=1)
    signed = password_auth(cognito, client_id)["AuthenticationResult"]
    assert claims(signed["IdToken"])["cognito:groups"] == ["first"]

    join(cognito, pool_id, "second", Precedence=0, RoleArn=ROLE_A)
    refreshed = cognito.initiate_auth(
        ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": signed["RefreshToken"]}
    )["AuthenticationResult"]
    identity, access = verified(server, pool_id, client_id, refreshed)
    assert identity["cognito:groups"] == access["cognito:groups"] == ["second", "first"]
    assert identity["cognito:preferred_role"] == ROLE_A

    cognito.admin_remove_user_from_group(UserPoolId=pool_id, GroupName="second", Username="alice")
    cognito.delete_group(UserPoolId=pool_id, GroupName="first")
    again = cognito.get_tokens_from_refresh_token(ClientId=client_id, RefreshToken=signed["RefreshToken"])
    identity, access = verified(server, pool_id, client_id, again["AuthenticationResult"])
    for claim in ("cognito:groups", "cognito:roles", "cognito:preferred_role"):
        assert claim not in identity and claim not in access


def test_an_updated_group_changes_the_claims_of_the_next_tokens(cognito, signed_pool):
    pool_id, client_id = signed_pool
    join(cognito, pool_id, "a", Precedence=1, RoleArn=ROLE_A)
    join(cognito, pool_id, "b", Precedence=2, RoleArn=ROLE_B)
    assert claims(password_auth(cognito, client_id)["AuthenticationResult"]["IdToken"])["cognito:groups"] == [
        "a",
        "b",
    ]
    cognito.update_group(UserPoolId=pool_id, GroupName="b", Precedence=0)
    identity = claims(password_auth(cognito, client_id)["AuthenticationResult"]["IdToken"])
    assert (identity["cognito:groups"], identity["cognito:preferred_role"]) == (["b", "a"], ROLE_B)


# ---- the AWS CLI -----------------------------------------------------------------------------------------------
@pytest.mark.databases("sqlite")  # a client's test: the CLI sends what boto3 does (see test_aws_cli)
def test_groups_with_the_aws_cli(server, cognito, pool):
    add_user(cognito, pool, "ann")
    created = aws(
        server,
        "create-group",
        "--user-pool-id",
        pool,
        "--group-name",
        "editors",
        "--description",
        "Can edit",
        "--role-arn",
        ROLE_A,
        "--precedence",
        "2",
    )["Group"]
    assert (created["GroupName"], created["Precedence"], created["RoleArn"]) == ("editors", 2, ROLE_A)
    aws(server, "admin-add-user-to-group", "--user-pool-id", pool, "--username", "ann", "--group-name", "editors")
    listed = aws(server, "admin-list-groups-for-user", "--user-pool-id", pool, "--username", "ann")
    assert names(listed["Groups"]) == ["editors"]
    users = aws(server, "list-users-in-group", "--user-pool-id", pool, "--group-name", "editors")
    assert [u["Username"] for u in users["Users"]] == ["ann"]
