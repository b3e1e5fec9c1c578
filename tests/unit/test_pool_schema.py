"""Domain rules of a pool's schema and tags, and the seed export of a developer-only attribute."""

from __future__ import annotations

import pytest

from userpool.domain import pools, tags
from userpool.domain.records import Pool
from userpool.errors import InvalidParameterException, ResourceNotFoundException
from userpool.seed import export


def test_export_then_create_reproduces_custom_and_developer_only_attributes():
    request = {
        "Schema": [
            {"Name": "plan", "AttributeDataType": "String", "StringAttributeConstraints": {"MaxLength": "9"}},
            {"Name": "level", "AttributeDataType": "Number", "DeveloperOnlyAttribute": True},
        ]
    }
    settings = pools.settings_for_create(request)
    (entry,) = export([(Pool("us-east-1_abc", "p", settings, 0.0, 0.0), [])])["pools"]
    assert [a["Name"] for a in entry["Schema"]] == ["plan", "level"]
    assert pools.settings_for_create(entry)["SchemaAttributes"] == settings["SchemaAttributes"]


def test_add_custom_attributes_leaves_the_given_schema_alone():
    schema = pools.settings_for_create({})["SchemaAttributes"]
    added = pools.add_custom_attributes(schema, [{"Name": "x", "AttributeDataType": "String"}])
    assert len(added) == len(schema) + 1
    assert "custom:x" not in {a["Name"] for a in schema}


@pytest.mark.parametrize(
    ("arn", "error"),
    [
        ("arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abc", None),
        ("arn:aws:cognito-idp:eu-west-1:000000000000:userpool/us-east-1_abc", ResourceNotFoundException),
        ("arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abc/extra", InvalidParameterException),
        ("arn:aws:iam::000000000000:role/r", InvalidParameterException),
    ],
)
def test_pool_id_of_an_arn(arn, error):
    if error is None:
        assert tags.pool_id_of(arn, "us-east-1", "000000000000") == "us-east-1_abc"
    else:
        with pytest.raises(error):
            tags.pool_id_of(arn, "us-east-1", "000000000000")


def test_tagging_replaces_values_and_untagging_ignores_unknown_keys():
    assert tags.tagged({"a": "1"}, {"a": "2", "b": "3"}) == {"a": "2", "b": "3"}
    assert tags.untagged({"a": "1", "b": "2"}, ["a", "zzz"]) == {"b": "2"}
    with pytest.raises(InvalidParameterException):
        tags.tagged({f"k{i}": "" for i in range(50)}, {"new": ""})
