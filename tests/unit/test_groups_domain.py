"""Group rules (``domain.groups``): GroupType, UpdateGroup's changes, and the claims a user's groups make."""

from __future__ import annotations

from userpool.domain.groups import GroupClaims, changes, group_claims, group_description, new_group
from userpool.domain.records import Group

A = "arn:aws:iam::123456789012:role/A"
B = "arn:aws:iam::123456789012:role/B"


def group(name: str, precedence: int | None = None, role: str | None = None) -> Group:
    return Group("us-east-1_x", name, None, role, precedence, 1.0, 1.0)


def test_a_new_group_takes_what_the_request_sends():
    made = new_group("us-east-1_x", {"GroupName": "g", "Precedence": 0, "UserPoolId": "us-east-1_x"}, 5.5)
    assert made == Group("us-east-1_x", "g", None, None, 0, 5.5, 5.5)
    assert group_description(made) == {
        "GroupName": "g",
        "UserPoolId": "us-east-1_x",
        "Precedence": 0,
        "LastModifiedDate": 5.5,
        "CreationDate": 5.5,
    }


def test_update_changes_only_the_members_sent():
    assert changes({"GroupName": "g", "UserPoolId": "p"}) == {}
    assert changes({"GroupName": "g", "Description": "", "Precedence": 3}) == {"description": "", "precedence": 3}
    assert changes({"RoleArn": A}) == {"role_arn": A}


def test_no_groups_no_claims():
    assert group_claims([]) == GroupClaims()


def test_groups_by_precedence_then_name_null_last():
    found = group_claims([group("b"), group("z", 2), group("a"), group("y", 0), group("x", 2)])
    assert found.groups == ("y", "x", "z", "a", "b")


def test_roles_are_all_the_groups_roles_once_in_group_order():
    found = group_claims([group("a", 3, B), group("b", 1, A), group("c", 2, B), group("d")])
    assert found.roles == (A, B)
    assert found.preferred_role == A


def test_the_preferred_role_ignores_groups_without_a_role():
    assert group_claims([group("strong", 0), group("weak", 9, B)]).preferred_role == B
    assert group_claims([group("a", None, A)]).preferred_role == A


def test_a_tie_at_the_best_precedence_prefers_a_shared_role_or_none():
    assert group_claims([group("a", 1, A), group("b", 1, A), group("c", 2, B)]).preferred_role == A
    assert group_claims([group("a", 1, A), group("b", 1, B), group("c", 0)]).preferred_role is None
    assert group_claims([group("a", None, A), group("b", None, B)]).preferred_role is None
