"""Delivery settings from a TOML file and the environment, and the rules across them."""

from __future__ import annotations

import pytest

from userpool import config


def test_smtp_from_toml_with_the_sender_chosen_in_the_environment(tmp_path, monkeypatch):
    toml = tmp_path / "userpool.toml"
    toml.write_text(
        '[server]\nsmtp_host = "mail.example.com"\nsmtp_security = "tls"\nsmtp_username = "mailer"\n'
        'smtp_password = "pw"\npublic_url = "https://auth.example.com/"\ndaily_email_quota = 50\n'
    )
    monkeypatch.setenv("USERPOOL_EMAIL_SENDER", "smtp")  # alone, the environment names no host: that is fine
    settings = config.load(toml)
    assert (settings.email_sender, settings.smtp_host, settings.smtp_security) == ("smtp", "mail.example.com", "tls")
    assert settings.smtp_password is not None and settings.smtp_password.get_secret_value() == "pw"
    assert "pw" not in repr(settings)
    assert settings.public_base_url == "https://auth.example.com"
    assert settings.daily_email_quota == 50


def test_the_default_public_url_is_where_the_server_listens():
    assert config.Settings(host="127.0.0.1", port=9229).public_base_url == "http://127.0.0.1:9229"
    assert config.Settings(host="::1", port=8000).public_base_url == "http://[::1]:8000"


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"email_sender": "smtp"}, "email_sender = smtp needs smtp_host (USERPOOL_SMTP_HOST)"),
        ({"sms_sender": "webhook"}, "sms_sender = webhook needs sms_webhook_url (USERPOOL_SMS_WEBHOOK_URL)"),
        ({"smtp_password": "x"}, "smtp_password needs smtp_username (USERPOOL_SMTP_USERNAME)"),
    ],
)
def test_incomplete_delivery_settings_are_refused(values, problem):
    with pytest.raises(ValueError) as e:
        config.load(None, **values)
    assert str(e.value) == problem


def test_bad_values_are_refused():
    for values in ({"smtp_security": "ssl"}, {"sms_sender": "carrier-pigeon"}, {"public_url": "ftp://x"}):
        with pytest.raises(ValueError):
            config.Settings(**values)
