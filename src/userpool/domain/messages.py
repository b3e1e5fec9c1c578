"""Verification messages as Cognito writes them: the pool's templates (or Cognito's default texts), the ``{####}``,
``{username}`` and ``{##link text##}`` placeholders, the confirmation link, and who an email comes from.

Pure functions, no I/O. A CustomMessage trigger's answer plugs in as ``Overrides``: whatever it sets replaces the
pool's template and goes through the same placeholder substitution, as in Cognito.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlencode

from userpool.domain.pools import DEFAULT_EMAIL_MESSAGE, DEFAULT_EMAIL_SUBJECT, DEFAULT_SMS_MESSAGE

# Cognito's default link message and subject (the code texts live in domain/pools.py).
# AdminCreateUser's invitation (Cognito's default texts).
DEFAULT_INVITE_SUBJECT = "Your temporary password"
DEFAULT_INVITE_MESSAGE = "Your username is {username} and temporary password is {####}. "
DEFAULT_EMAIL_MESSAGE_BY_LINK = "Please click the link below to verify your email address. {##Verify Email##} "
DEFAULT_EMAIL_SUBJECT_BY_LINK = "Your verification link"
# Cognito's default FROM address (EmailConfigurationType.EmailSendingAccount in the botocore model).
DEFAULT_FROM = "no-reply@verificationemail.com"

CONFIRM_WITH_LINK = "CONFIRM_WITH_LINK"
CODE = "{####}"
USERNAME = "{username}"
_LINK = re.compile(r"\{##(.+?)##\}", re.DOTALL)  # not {####}, the code
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")


@dataclass(frozen=True)
class Overrides:
    """What a CustomMessage trigger answered (``emailSubject``, ``emailMessage``, ``smsMessage``); each one that is
    set replaces the pool's template. Placeholders in them are substituted like the template's."""

    email_subject: str | None = None
    email_message: str | None = None
    sms_message: str | None = None


@dataclass(frozen=True)
class Composed:
    """A message ready to send: ``text`` always; ``html`` for HTML templates and link messages; ``link`` when the
    message carries a confirmation link."""

    subject: str | None
    text: str
    html: str | None
    link: str | None


def uses_link(settings: Mapping[str, Any]) -> bool:
    """True when the pool confirms email by link (``VerificationMessageTemplate.DefaultEmailOption``)."""
    template = settings.get("VerificationMessageTemplate") or {}
    return template.get("DefaultEmailOption") == CONFIRM_WITH_LINK


def confirmation_link(base_url: str, client_id: str, user_name: str, code: str) -> str:
    """``<base>/confirmUser?client_id=…&user_name=…&confirmation_code=…``, the link Cognito mails."""
    query = urlencode(
        {"client_id": client_id, "user_name": user_name, "confirmation_code": code}, quote_via=quote, safe=""
    )
    return f"{base_url.rstrip('/')}/confirmUser?{query}"


def verification_message(
    settings: Mapping[str, Any],
    medium: str,
    code: str,
    username: str,
    link: str | None = None,
    overrides: Overrides | None = None,
) -> Composed:
    """The verification message for ``medium`` ("EMAIL" or "SMS"). An email is a link message when the pool
    confirms with a link and ``link`` is given; otherwise it carries the code."""
    template = settings.get("VerificationMessageTemplate") or {}
    overrides = overrides or Overrides()
    if medium == "SMS":
        body = overrides.sms_message or template.get("SmsMessage") or DEFAULT_SMS_MESSAGE
        return Composed(None, _substitute_text(body, code, username, None), None, None)
    by_link = link is not None and uses_link(settings)
    if by_link:
        subject = overrides.email_subject or template.get("EmailSubjectByLink") or DEFAULT_EMAIL_SUBJECT_BY_LINK
        body = overrides.email_message or template.get("EmailMessageByLink") or DEFAULT_EMAIL_MESSAGE_BY_LINK
    else:
        subject = overrides.email_subject or template.get("EmailSubject") or DEFAULT_EMAIL_SUBJECT
        body = overrides.email_message or template.get("EmailMessage") or DEFAULT_EMAIL_MESSAGE
    link = link if by_link and _LINK.search(body.replace(CODE, "")) else None  # no {##…##}: no link in it
    return compose(subject, body, code, username, link)


def invitation_message(
    settings: Mapping[str, Any], medium: str, password: str, username: str, overrides: Overrides | None = None
) -> Composed:
    """AdminCreateUser's invitation for ``medium``: the pool's ``AdminCreateUserConfig.InviteMessageTemplate``
    (or Cognito's default texts), ``{username}`` and ``{####}`` (the temporary password) filled in."""
    template = (settings.get("AdminCreateUserConfig") or {}).get("InviteMessageTemplate") or {}
    overrides = overrides or Overrides()
    if medium == "SMS":
        body = overrides.sms_message or template.get("SMSMessage") or DEFAULT_INVITE_MESSAGE
        return Composed(None, _substitute_text(body, password, username, None), None, None)
    subject = overrides.email_subject or template.get("EmailSubject") or DEFAULT_INVITE_SUBJECT
    body = overrides.email_message or template.get("EmailMessage") or DEFAULT_INVITE_MESSAGE
    return compose(subject, body, password, username, None)


def compose(subject: str, body: str, code: str, username: str, link: str | None) -> Composed:
    """An email from its subject and body templates: placeholders filled, a text part always, an HTML part for
    HTML templates and for link messages."""
    subject = " ".join(_substitute_text(subject, code, username, None).splitlines())
    if is_html(body):
        return Composed(
            subject,
            _substitute_text(html_to_text(body), code, username, link),
            _substitute_html(body, code, username, link),
            link,
        )
    text = _substitute_text(body, code, username, link)
    if link is None:
        return Composed(subject, text, None, None)
    # A plain-text link template still gets an HTML part, so that the link text is a real link.
    return Composed(subject, text, _substitute_html(_plain_to_html(body), code, username, link), link)


def is_html(template: str) -> bool:
    """Whether a template is written in HTML (it has at least one tag)."""
    return _TAG.search(template) is not None


def _substitute_text(template: str, code: str, username: str, link: str | None) -> str:
    text = template.replace(CODE, code).replace(USERNAME, username)
    if link is None:
        return text
    # RFC 3986 appendix C: angle brackets delimit a URI in plain text.
    return _LINK.sub(lambda m: f"{m.group(1)} <{link}>", text)


def _substitute_html(template: str, code: str, username: str, link: str | None) -> str:
    """Placeholders in an HTML template: the template is the pool owner's markup; the values are escaped."""
    text = template.replace(CODE, html.escape(code)).replace(USERNAME, html.escape(username))
    if link is None:
        return text
    href = html.escape(link, quote=True)
    return _LINK.sub(lambda m: f'<a href="{href}">{m.group(1)}</a>', text)


def _plain_to_html(template: str) -> str:
    """A plain-text template as HTML: escaped, line breaks kept. Placeholders survive escaping unchanged."""
    return "<br>\n".join(html.escape(line, quote=False) for line in template.split("\n"))


class _TextExtractor(HTMLParser):
    _BREAKS = frozenset({"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script", "head", "title"):
            self._skip += 1
        elif tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "head", "title"):
            self._skip = max(0, self._skip - 1)
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """The readable text of an HTML template, for the text/plain part of the email."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def _source_address(source_arn: str | None) -> str | None:
    """The address of an SES identity ARN ``arn:aws:ses:<region>:<account>:identity/<address>``, if it names one."""
    if not source_arn:
        return None
    _, _, identity = source_arn.partition(":identity/")
    return identity if "@" in identity else None


@dataclass(frozen=True)
class EmailSender:
    from_header: str  # the From header: an address, or "Name <address>"
    reply_to: str | None
    envelope_sender: str  # MAIL FROM


def email_sender(email_configuration: Mapping[str, Any] | None, default_from: str) -> EmailSender:
    """Who a pool's email comes from: ``EmailConfiguration.From``, else the address of ``SourceArn``, else the
    server's default; the envelope sender is the ``SourceArn`` address when there is one (the identity that sends),
    else the From address. ``ReplyToEmailAddress`` becomes Reply-To."""
    config = email_configuration or {}
    source = _source_address(config.get("SourceArn"))
    from_header = config.get("From") or source or default_from
    envelope = source or parseaddr(from_header)[1] or parseaddr(default_from)[1]
    return EmailSender(from_header, config.get("ReplyToEmailAddress") or None, envelope)


def uses_cognito_email(settings: Mapping[str, Any]) -> bool:
    """Whether the pool sends email through Cognito's own account (the one with a daily quota)."""
    config = settings.get("EmailConfiguration") or {}
    return config.get("EmailSendingAccount", "COGNITO_DEFAULT") != "DEVELOPER"
