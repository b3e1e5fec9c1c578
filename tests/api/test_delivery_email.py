"""Email over SMTP: a real SMTP server (aiosmtpd) on loopback receives what SignUp and ResendConfirmationCode send;
SMTP down, refused logins and a server that never answers fail with CodeDeliveryFailureException and lose nothing."""

from __future__ import annotations

import html
import re
import ssl
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.helpers import error_of, make_client, outbox
from tests.peers import Mail, SilentServer, SmtpServer, self_signed_certificate
from tests.server import LocalUserpool, ServerProcess, free_port, in_process

PASSWORD = "Passw0rd!"
DELIVERY_FAILED = (400, "CodeDeliveryFailureException", "Invalid email provided/Unable to send the email")


def smtp_env(port: int, **extra: str) -> dict[str, str]:
    return {
        "USERPOOL_EMAIL_SENDER": "smtp",
        "USERPOOL_SMTP_HOST": "127.0.0.1",
        "USERPOOL_SMTP_PORT": str(port),
        "USERPOOL_SMTP_SECURITY": "none",
        "USERPOOL_SMTP_TIMEOUT": "2",
        **extra,
    }


def address() -> str:
    return f"user-{uuid.uuid4().hex[:10]}@example.com"


def mail_to(smtp: SmtpServer, to: str) -> Mail:
    [mail] = [m for m in smtp.mails if m.rcpt_tos == [to]]
    return mail


def code_in(text: str) -> str:
    [code] = re.findall(r"\b[0-9]{6}\b", text)
    return code


def new_pool(cognito: Any, **settings: Any) -> tuple[str, str]:
    pool_id = cognito.create_user_pool(PoolName="mail", AutoVerifiedAttributes=["email"], **settings)["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="web")["UserPoolClient"]["ClientId"]
    return pool_id, client_id


def sign_up(cognito: Any, client_id: str, username: str, email: str) -> dict[str, Any]:
    return cognito.sign_up(
        ClientId=client_id,
        Username=username,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": email}],
    )


def status(cognito: Any, pool_id: str, username: str) -> str:
    return cognito.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"]


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def mail_server(tmp_path_factory: pytest.TempPathFactory, smtp: SmtpServer) -> Iterator[LocalUserpool]:
    server = in_process(
        tmp_path_factory.mktemp("mail") / "data",
        email_sender="smtp",
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_security="none",
        smtp_timeout=2,
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def mail_cognito(mail_server: LocalUserpool) -> Any:
    return make_client(mail_server.url)


def test_the_code_arrives_by_smtp_from_the_pools_sender_with_a_utf8_subject(mail_cognito, smtp, mail_server):
    pool_id, client_id = new_pool(
        mail_cognito,
        EmailConfiguration={
            "EmailSendingAccount": "DEVELOPER",
            "SourceArn": "arn:aws:ses:us-east-1:000000000000:identity/no-reply@example.com",
            "From": "Équipe Exemple <no-reply@example.com>",
            "ReplyToEmailAddress": "help@example.com",
        },
        VerificationMessageTemplate={
            "EmailSubject": "Votre code de vérification ✓",
            "EmailMessage": "Bonjour {username}, votre code est {####}.",
        },
    )
    to = address()
    result = sign_up(mail_cognito, client_id, "zoé", to)
    assert result["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"

    mail = mail_to(smtp, to)
    assert mail.mail_from == "no-reply@example.com"  # the SourceArn identity sends
    assert mail.message["From"] == "Équipe Exemple <no-reply@example.com>"
    assert mail.message["To"] == to
    assert mail.message["Reply-To"] == "help@example.com"
    assert mail.message["Subject"] == "Votre code de vérification ✓"
    assert mail.raw.isascii()  # RFC 2047 in headers, a transfer encoding for the body: 7-bit on the wire
    assert b"\nSubject: Votre code de =?utf-8?" in mail.raw
    assert mail.message["Message-ID"] and mail.message["Date"]
    assert mail.message.get_content_type() == "text/plain"  # a plain template: no HTML part
    text = mail.part("plain")
    code = code_in(text)
    assert text == f"Bonjour zoé, votre code est {code}.\n"

    [kept] = outbox(mail_server, pool_id, "zoé")  # the outbox keeps a copy of what was delivered
    assert kept["code"] == code and kept["destination"] == to
    mail_cognito.confirm_sign_up(ClientId=client_id, Username="zoé", ConfirmationCode=code)
    assert status(mail_cognito, pool_id, "zoé") == "CONFIRMED"


def test_a_pool_without_email_configuration_sends_from_the_server_default(mail_cognito, smtp):
    _, client_id = new_pool(mail_cognito)
    to = address()
    sign_up(mail_cognito, client_id, "plain", to)
    mail = mail_to(smtp, to)
    assert mail.mail_from == "no-reply@verificationemail.com"
    assert mail.message["From"] == "no-reply@verificationemail.com"
    assert mail.message["Reply-To"] is None
    assert mail.message["Subject"] == "Your verification code"
    text = mail.part("plain")
    assert text == f"Your verification code is {code_in(text)}. \n"


def test_an_html_template_gets_an_html_part_with_escaped_values(mail_cognito, smtp):
    _, client_id = new_pool(
        mail_cognito,
        VerificationMessageTemplate={
            "EmailSubject": "Welcome",
            "EmailMessage": "<h1>Welcome {username}</h1><p>Your code is <b>{####}</b></p>",
        },
    )
    to = address()
    sign_up(mail_cognito, client_id, "a<b>&c", to)
    mail = mail_to(smtp, to)
    assert mail.message.get_content_type() == "multipart/alternative"
    text, markup = mail.part("plain"), mail.part("html")
    code = code_in(text)
    assert text == f"Welcome a<b>&c\nYour code is {code}\n"
    assert markup == f"<h1>Welcome a&lt;b&gt;&amp;c</h1><p>Your code is <b>{code}</b></p>\n"


def test_a_link_pool_mails_a_link_that_confirms_the_user(mail_cognito, smtp, mail_server):
    pool_id, client_id = new_pool(mail_cognito, VerificationMessageTemplate={"DefaultEmailOption": "CONFIRM_WITH_LINK"})
    to = address()
    sign_up(mail_cognito, client_id, "linked", to)
    mail = mail_to(smtp, to)
    assert mail.message["Subject"] == "Your verification link"
    markup = mail.part("html")
    [href] = re.findall(r'<a href="([^"]+)">Verify Email</a>', markup)
    link = html.unescape(href)
    code = re.search(r"confirmation_code=([0-9]{6})$", link).group(1)
    assert link == (f"{mail_server.url}/confirmUser?client_id={client_id}&user_name=linked&confirmation_code={code}")
    assert mail.part("plain") == f"Please click the link below to verify your email address. Verify Email <{link}> \n"
    with urllib.request.urlopen(link) as page:
        assert page.status == 200
    assert status(mail_cognito, pool_id, "linked") == "CONFIRMED"


def test_smtp_down_fails_delivery_keeps_the_user_and_resend_works_once_it_is_back(tmp_path):
    port = free_port()  # nothing listens here yet
    # A quota of one email a day: the failed attempt must not use it up.
    server = ServerProcess(tmp_path / "data", env=smtp_env(port, USERPOOL_DAILY_EMAIL_QUOTA="1")).start()
    smtp = None
    try:
        cognito = make_client(server.url)
        pool_id, client_id = new_pool(cognito)
        to = address()
        with pytest.raises(ClientError) as e:
            sign_up(cognito, client_id, "patient", to)
        assert error_of(e) == DELIVERY_FAILED
        assert status(cognito, pool_id, "patient") == "UNCONFIRMED"
        assert outbox(server, pool_id, "patient") == []  # nothing was delivered, so nothing is kept
        with pytest.raises(ClientError) as e:
            cognito.resend_confirmation_code(ClientId=client_id, Username="patient")
        assert error_of(e) == DELIVERY_FAILED

        smtp = SmtpServer(port=port).start()
        cognito.resend_confirmation_code(ClientId=client_id, Username="patient")
        code = code_in(mail_to(smtp, to).part("plain"))
        cognito.confirm_sign_up(ClientId=client_id, Username="patient", ConfirmationCode=code)
        assert status(cognito, pool_id, "patient") == "CONFIRMED"
        log = server.log()
        assert "delivery for user patient" in log and f"127.0.0.1:{port}" in log
        assert code not in log
    finally:
        server.stop()
        if smtp is not None:
            smtp.stop()


@pytest.fixture
def tls_context(tmp_path: Path) -> tuple[ssl.SSLContext, Path]:
    cert, key = self_signed_certificate(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context, cert


def test_refused_login_fails_delivery_and_the_right_password_recovers(tmp_path, tls_context):
    context, cert = tls_context
    smtp = SmtpServer(credentials=("mailer", "right-secret"), tls_context=context).start()
    login = {
        "USERPOOL_SMTP_SECURITY": "starttls",
        "USERPOOL_SMTP_CA_FILE": str(cert),
        "USERPOOL_SMTP_USERNAME": "mailer",
    }
    server = ServerProcess(
        tmp_path / "data", env=smtp_env(smtp.port, **login, USERPOOL_SMTP_PASSWORD="wrong-secret")
    ).start()
    try:
        cognito = make_client(server.url)
        pool_id, client_id = new_pool(cognito)
        to = address()
        with pytest.raises(ClientError) as e:
            sign_up(cognito, client_id, "locked", to)
        assert error_of(e) == DELIVERY_FAILED
        assert smtp.auth_attempts and set(smtp.auth_attempts) == {"mailer"}  # it logged in over STARTTLS: refused
        assert smtp.mails == []
        assert status(cognito, pool_id, "locked") == "UNCONFIRMED"
        assert "wrong-secret" not in server.log()
    finally:
        server.stop()

    fixed = ServerProcess(
        tmp_path / "data", port=server.port, env=smtp_env(smtp.port, **login, USERPOOL_SMTP_PASSWORD="right-secret")
    ).start()
    try:
        cognito = make_client(fixed.url)
        cognito.resend_confirmation_code(ClientId=client_id, Username="locked")
        code = code_in(mail_to(smtp, to).part("plain"))
        cognito.confirm_sign_up(ClientId=client_id, Username="locked", ConfirmationCode=code)
        assert status(cognito, pool_id, "locked") == "CONFIRMED"
    finally:
        fixed.stop()
        smtp.stop()


def test_implicit_tls_delivers_and_an_untrusted_certificate_is_refused(tmp_path, tls_context):
    context, cert = tls_context
    smtp = SmtpServer(implicit_tls=context).start()
    env = smtp_env(smtp.port, USERPOOL_SMTP_SECURITY="tls")
    untrusting = ServerProcess(tmp_path / "data", env=env).start()  # the system's CAs do not know this certificate
    try:
        cognito = make_client(untrusting.url)
        pool_id, client_id = new_pool(cognito)
        to = address()
        with pytest.raises(ClientError) as e:
            sign_up(cognito, client_id, "secure", to)
        assert error_of(e) == DELIVERY_FAILED
        assert smtp.mails == []
        assert "CERTIFICATE_VERIFY_FAILED" in untrusting.log()
    finally:
        untrusting.stop()
    trusting = ServerProcess(
        tmp_path / "data", port=untrusting.port, env={**env, "USERPOOL_SMTP_CA_FILE": str(cert)}
    ).start()
    try:
        cognito = make_client(trusting.url)
        cognito.resend_confirmation_code(ClientId=client_id, Username="secure")
        code = code_in(mail_to(smtp, to).part("plain"))
        cognito.confirm_sign_up(ClientId=client_id, Username="secure", ConfirmationCode=code)
        assert status(cognito, pool_id, "secure") == "CONFIRMED"
    finally:
        trusting.stop()
        smtp.stop()


def test_a_server_that_never_answers_times_out_and_the_user_recovers(tmp_path):
    silent = SilentServer().start()
    server = ServerProcess(tmp_path / "data", env=smtp_env(silent.port, USERPOOL_SMTP_TIMEOUT="1")).start()
    smtp = None
    try:
        cognito = make_client(server.url)
        pool_id, client_id = new_pool(cognito)
        to = address()
        with pytest.raises(ClientError) as e:
            sign_up(cognito, client_id, "waiting", to)
        assert error_of(e) == DELIVERY_FAILED
        assert status(cognito, pool_id, "waiting") == "UNCONFIRMED"

        silent.stop()
        smtp = SmtpServer(port=silent.port).start()
        cognito.resend_confirmation_code(ClientId=client_id, Username="waiting")
        code = code_in(mail_to(smtp, to).part("plain"))
        cognito.confirm_sign_up(ClientId=client_id, Username="waiting", ConfirmationCode=code)
        assert status(cognito, pool_id, "waiting") == "CONFIRMED"
        assert "Timeout" in server.log()
    finally:
        server.stop()
        silent.stop()
        if smtp is not None:
            smtp.stop()


def test_smtp_sender_needs_a_host(tmp_path):
    server = ServerProcess(tmp_path / "data", env={"USERPOOL_EMAIL_SENDER": "smtp"})
    with pytest.raises(RuntimeError) as e:
        server.start(timeout=15)
    assert "email_sender = smtp needs smtp_host (USERPOOL_SMTP_HOST)" in str(e.value)
