"""domain/messages.py: templates, placeholders, links, CustomMessage overrides and email senders, alone."""

from __future__ import annotations

from userpool.domain.messages import (
    Composed,
    Overrides,
    confirmation_link,
    email_sender,
    html_to_text,
    uses_cognito_email,
    verification_message,
)

LINK = "http://127.0.0.1:9229/confirmUser?client_id=c&user_name=u&confirmation_code=123456"
LINK_POOL = {"VerificationMessageTemplate": {"DefaultEmailOption": "CONFIRM_WITH_LINK"}}


def test_cognito_defaults_for_email_and_sms():
    assert verification_message({}, "EMAIL", "123456", "u") == Composed(
        "Your verification code", "Your verification code is 123456. ", None, None
    )
    assert verification_message({}, "SMS", "123456", "u") == Composed(
        None, "Your verification code is 123456. ", None, None
    )


def test_default_link_message():
    message = verification_message(LINK_POOL, "EMAIL", "123456", "u", LINK)
    assert message.subject == "Your verification link"
    assert message.text == f"Please click the link below to verify your email address. Verify Email <{LINK}> "
    escaped = LINK.replace("&", "&amp;")
    assert (
        message.html
        == f'Please click the link below to verify your email address. <a href="{escaped}">Verify Email</a> '
    )
    assert message.link == LINK


def test_a_code_pool_ignores_the_link_and_a_link_pool_without_a_link_sends_the_code():
    assert verification_message({}, "EMAIL", "123456", "u", LINK).link is None
    assert verification_message(LINK_POOL, "EMAIL", "123456", "u").text == "Your verification code is 123456. "


def test_placeholders_and_the_username():
    settings = {
        "VerificationMessageTemplate": {"EmailMessage": "{username}: {####} {####}", "EmailSubject": "Hi {username}"}
    }
    message = verification_message(settings, "EMAIL", "000111", "zoé")
    assert (message.subject, message.text) == ("Hi zoé", "zoé: 000111 000111")


def test_a_subject_never_spans_lines():
    settings = {"VerificationMessageTemplate": {"EmailSubject": "Line one\nline two"}}
    assert verification_message(settings, "EMAIL", "1", "u").subject == "Line one line two"


def test_html_templates_escape_values_and_keep_markup():
    settings = {"VerificationMessageTemplate": {"EmailMessage": "<p>Hello {username},</p><p>code <b>{####}</b></p>"}}
    message = verification_message(settings, "EMAIL", "123456", "<x&y>")
    assert message.html == "<p>Hello &lt;x&amp;y&gt;,</p><p>code <b>123456</b></p>"
    assert message.text == "Hello <x&y>,\ncode 123456"


def test_a_plain_link_template_becomes_escaped_html_with_line_breaks():
    settings = {
        "VerificationMessageTemplate": {
            "DefaultEmailOption": "CONFIRM_WITH_LINK",
            "EmailMessageByLink": "Tom & Jerry <3 you\n{##Click here##}",
        }
    }
    message = verification_message(settings, "EMAIL", "123456", "u", LINK)
    escaped = LINK.replace("&", "&amp;")
    assert message.html == f'Tom &amp; Jerry &lt;3 you<br>\n<a href="{escaped}">Click here</a>'
    assert message.text == f"Tom & Jerry <3 you\nClick here <{LINK}>"


def test_custom_message_overrides_win_and_are_substituted():
    settings = {"VerificationMessageTemplate": {"EmailMessage": "template {####}", "SmsMessage": "sms {####}"}}
    overrides = Overrides(email_subject="From the trigger", email_message="trigger {####} for {username}")
    message = verification_message(settings, "EMAIL", "123456", "u", overrides=overrides)
    assert (message.subject, message.text) == ("From the trigger", "trigger 123456 for u")
    sms = verification_message(settings, "SMS", "123456", "u", overrides=Overrides(sms_message="t {####}"))
    assert sms.text == "t 123456"
    # Only what the trigger sets is replaced.
    assert verification_message(settings, "SMS", "123456", "u", overrides=overrides).text == "sms 123456"


def test_a_link_message_without_a_link_placeholder_carries_no_link():
    overrides = Overrides(email_message="Your code is {####}")  # e.g. a CustomMessage trigger's own text
    message = verification_message(LINK_POOL, "EMAIL", "123456", "u", LINK, overrides)
    assert (message.subject, message.text, message.link) == ("Your verification link", "Your code is 123456", None)


def test_a_link_template_may_show_the_code_too():
    settings = {
        "VerificationMessageTemplate": {
            "DefaultEmailOption": "CONFIRM_WITH_LINK",
            "EmailMessageByLink": "Code {####} or {##click##}",
        }
    }
    message = verification_message(settings, "EMAIL", "123456", "u", LINK)
    assert message.text == f"Code 123456 or click <{LINK}>"
    assert message.link == LINK


def test_confirmation_link_encodes_every_value():
    link = confirmation_link("https://auth.example.com/", "abc", "a b&c/é", "123456")
    assert (
        link
        == "https://auth.example.com/confirmUser?client_id=abc&user_name=a%20b%26c%2F%C3%A9&confirmation_code=123456"
    )


def test_html_to_text_drops_styles_and_keeps_paragraphs():
    markup = "<html><head><style>p{}</style></head><body><p>One</p><p>Two  words</p><br>Three</body></html>"
    assert html_to_text(markup) == "One\nTwo words\n\nThree"


def test_email_sender_from_the_pools_configuration():
    default = "no-reply@verificationemail.com"
    assert email_sender(None, default) == email_sender({"EmailSendingAccount": "COGNITO_DEFAULT"}, default)
    plain = email_sender(None, default)
    assert (plain.from_header, plain.reply_to, plain.envelope_sender) == (default, None, default)
    arn = "arn:aws:ses:us-east-1:123456789012:identity/sender@example.com"
    by_arn = email_sender({"SourceArn": arn}, default)
    assert (by_arn.from_header, by_arn.envelope_sender) == ("sender@example.com", "sender@example.com")
    full = email_sender(
        {"SourceArn": arn, "From": "Team <team@example.com>", "ReplyToEmailAddress": "r@e.com"}, default
    )
    assert (full.from_header, full.reply_to, full.envelope_sender) == (
        "Team <team@example.com>",
        "r@e.com",
        "sender@example.com",
    )
    domain_identity = email_sender({"SourceArn": "arn:aws:ses:us-east-1:123456789012:identity/example.com"}, default)
    assert domain_identity.from_header == default  # a domain identity names no address (unverified)


def test_only_cognitos_own_email_account_has_the_daily_quota():
    assert uses_cognito_email({})
    assert uses_cognito_email({"EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT"}})
    assert not uses_cognito_email({"EmailConfiguration": {"EmailSendingAccount": "DEVELOPER"}})
