"""The pure parts of triggers: events, answers, code envelopes, and the configuration that says where functions
run."""

from __future__ import annotations

import asyncio
import base64
import re
import sys
from pathlib import Path

import pytest

from userpool import config
from userpool.errors import InvalidLambdaResponseException, InvalidParameterException
from userpool.triggers import Kind, TriggerConfigError, Triggers, codes, events, responses
from userpool.triggers.invokers import HttpInvoker, LambdaApiInvoker, PythonInvoker

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


@pytest.mark.parametrize(
    ("user_agent", "reported"),
    [
        ("aws-sdk-nodejs/2.856.0 linux/v14.15.0 callback", "aws-sdk-nodejs-2.856.0"),
        ("aws-sdk-java/1.11.93 Linux/4.9 OpenJDK_64-Bit_Server_VM/25.121", "aws-sdk-java-1.11.93"),
        ("aws-sdk-js/3.614.0 ua/2.0 os/linux#6.1 lang/js md/nodejs#20.11.0", "aws-sdk-js-3.614.0"),
        ("aws-sdk-dotnet-coreclr/3.3.109.18 aws-sdk-dotnet-core/3.3.107.2", "aws-sdk-dotnet-coreclr-3.3.109.18"),
        ("Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1 lang/python#3.11.6", "aws-sdk-unknown-unknown"),
        ("aws-cli/2.15.0 Python/3.11.6 Linux/6.1", "aws-sdk-unknown-unknown"),
        ("Mozilla/5.0 (X11; Linux x86_64)", "aws-sdk-unknown-unknown"),
        ("aws-sdk-/1.0", "aws-sdk-unknown-unknown"),
        ("aws-sdk-go", "aws-sdk-unknown-unknown"),
        ("", "aws-sdk-unknown-unknown"),
    ],
)
def test_sdk_version_from_user_agent(user_agent, reported):
    assert events.sdk_version(user_agent) == reported


def test_attributes_as_triggers_see_them_in_an_alias_pool():
    stored = {"sub": "s-1", "email": "a@b.co", "email_verified": "true", "phone_number": "+1555", "name": "A"}
    settings = {"AliasAttributes": ["email", "phone_number"]}
    assert events.user_attributes(stored, "CONFIRMED", settings) == {
        "sub": "s-1",
        "cognito:email_alias": "a@b.co",  # verified; the phone is not, so it is no alias
        "cognito:user_status": "CONFIRMED",
        "email": "a@b.co",
        "email_verified": "true",
        "phone_number": "+1555",
        "name": "A",
    }


def test_attributes_as_triggers_see_them_in_a_phone_as_username_pool():
    stored = {"sub": "s-2", "phone_number": "+14325551212", "phone_number_verified": "false"}
    assert events.user_attributes(stored, "UNCONFIRMED", {"UsernameAttributes": ["phone_number", "email"]}) == {
        "sub": "s-2",
        "cognito:phone_number_alias": "+14325551212",
        "cognito:user_status": "UNCONFIRMED",
        "phone_number": "+14325551212",
        "phone_number_verified": "false",
    }


def test_validation_data_without_a_value():
    assert events.name_value_map([{"Name": "a", "Value": "1"}, {"Name": "b"}]) == {"a": "1", "b": None}
    assert events.name_value_map(None) is None


@pytest.mark.parametrize("raw", [b"", b"{", b"null", b"42", b'"text"', b"[]", b"\xff\xfe"])
def test_answers_that_are_not_json_objects(raw):
    with pytest.raises(InvalidLambdaResponseException) as e:
        responses.parse(raw)
    assert e.value.message == "Invalid lambda function output : Invalid JSON"


def test_pre_sign_up_answer_rules():
    assert responses.pre_sign_up({}) == responses.PreSignUpAnswer()
    assert responses.pre_sign_up({"response": None}) == responses.PreSignUpAnswer()
    answer = responses.pre_sign_up({"response": {"autoConfirmUser": True, "autoVerifyEmail": True}})
    assert answer.verified_flags({"email": "a@b.co"}) == ["email_verified"]
    with pytest.raises(InvalidParameterException) as e:
        answer.verified_flags({"phone_number": "+1555"})
    assert e.value.message == responses.NO_EMAIL_TO_VERIFY
    with pytest.raises(InvalidLambdaResponseException) as e:
        responses.pre_sign_up({"response": {"autoVerifyPhone": 1}})
    assert e.value.message == "Unrecognizable lambda output"


def test_custom_message_answer_rules():
    read = responses.custom_message
    assert read({"response": {"emailMessage": None}}, "EMAIL") == responses.CustomMessageAnswer()
    assert read({"response": {"emailMessage": "Code\n{####}\t!", "emailSubject": "Hi"}}, "EMAIL") == (
        responses.CustomMessageAnswer(subject="Hi", body="Code\n{####}\t!")
    )
    assert read({"response": {"smsMessage": "x" * 135 + "{####}"}}, "SMS") == responses.CustomMessageAnswer()
    with pytest.raises(InvalidParameterException) as e:
        read({"response": {"smsMessage": "no code here"}}, "SMS")
    assert e.value.message == (
        "1 validation error detected: Value at 'smsMessage' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: .*\{####\}.*"
    )
    with pytest.raises(InvalidParameterException) as e:
        read({"response": {"emailSubject": "tab\x07bell"}}, "EMAIL")
    assert "Value at 'emailSubject'" in e.value.message
    with pytest.raises(InvalidLambdaResponseException):
        read({"response": {"emailMessage": ["{####}"]}}, "EMAIL")


def test_code_envelope_round_trip():
    key = codes.read_key(base64.b64encode(b"0123456789abcdef").decode())
    first, second = codes.seal_code(key, "123456"), codes.seal_code(key, "123456")
    assert first != second  # a fresh nonce each time
    assert codes.open_code(key, first) == codes.open_code(key, second) == "123456"


@pytest.mark.parametrize("encoded", ["not base64!", base64.b64encode(b"short").decode()])
def test_a_bad_code_key_is_refused(encoded):
    with pytest.raises(codes.CodeKeyError):
        codes.read_key(encoded)


def test_trigger_settings_from_the_config_file(tmp_path):
    path = tmp_path / "userpool.toml"
    path.write_text(
        '[server]\nport = 9999\n[triggers]\npre_sign_up = "mod:fn"\ntimeout = 1.5\nattempts = 2\n'
        'lambda_endpoint_url = "http://127.0.0.1:4566"\n'
        '[triggers.functions]\n"arn:aws:lambda:us-east-1:000000000000:function:x" = "http://127.0.0.1:1/x"\n'
    )
    settings = config.load(path)
    assert (settings.port, settings.trigger_pre_sign_up) == (9999, "mod:fn")
    assert (settings.trigger_timeout, settings.trigger_attempts) == (1.5, 2)
    assert settings.lambda_endpoint_url == "http://127.0.0.1:4566"
    assert settings.trigger_functions == {"arn:aws:lambda:us-east-1:000000000000:function:x": "http://127.0.0.1:1/x"}
    path.write_text('[triggers]\npre_signup = "mod:fn"\n')
    with pytest.raises(ValueError, match="unknown key"):
        config.load(path)


def test_the_readme_function_table_resolves_to_the_three_invokers(tmp_path, monkeypatch):
    [block] = [b for b in re.findall(r"```toml\n(.*?)```", README, re.S) if b.startswith("[triggers.functions]")]
    (tmp_path / "myhooks.py").write_text("def custom_message(event, context):\n    return event\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    path = tmp_path / "userpool.toml"
    path.write_text(block)
    triggers = Triggers(config.load(path))
    try:

        def invoker(name: str) -> object:
            pool = {"LambdaConfig": {"PreSignUp": f"arn:aws:lambda:us-east-1:{name}"}}
            function = triggers.resolve(pool, Kind.PRE_SIGN_UP)
            assert function is not None
            return function.invoker

        assert isinstance(invoker("000000000000:function:pre"), HttpInvoker)
        assert isinstance(invoker("000000000000:function:message"), PythonInvoker)
        assert isinstance(invoker("123456789012:function:post"), LambdaApiInvoker)
        assert isinstance(invoker("000000000000:function:local"), LambdaApiInvoker)
        assert invoker("000000000000:function:unmapped") is None  # no USERPOOL_LAMBDA_ENDPOINT_URL
        assert triggers.resolve({"LambdaConfig": {}}, Kind.PRE_SIGN_UP) is None
    finally:
        asyncio.run(triggers.close())
        sys.modules.pop("myhooks", None)


@pytest.mark.parametrize("spec", ["lambda:", "lambda:http://127.0.0.1:4566", "ftp://x", "not a target"])
def test_server_wide_targets_that_cannot_work(spec):
    with pytest.raises(TriggerConfigError):
        Triggers(config.Settings(trigger_pre_sign_up=spec))


def test_a_local_lambda_endpoint_never_asks_the_metadata_services(monkeypatch, tmp_path):
    from botocore.credentials import ContainerProvider, InstanceMetadataProvider

    def forbidden(self):
        raise AssertionError(f"{type(self).__name__} must not be asked for credentials of a local endpoint")

    monkeypatch.setattr(InstanceMetadataProvider, "load", forbidden)
    monkeypatch.setattr(ContainerProvider, "load", forbidden)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    client = LambdaApiInvoker.make_client("us-east-1", "http://127.0.0.1:4566", 1.0)
    assert client._request_signer._credentials.access_key == "userpool"  # the fixed local credentials
