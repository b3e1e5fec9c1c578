"""User import jobs (CreateUserImportJob and its kin): the job record and its statuses, the pre-signed upload URL,
the CSV header a pool asks for, and Cognito's rules for each row of the file. Pure: the store keeps jobs and
uploaded chunks, ``operations.shared.import_runner`` feeds rows through ``RowReader``.

Cognito's rules ("Creating the user import .csv file"): the header names every column of GetCSVHeader, in any
order; ``cognito:username`` and ``cognito:mfa_enabled`` are required; at least one of the pool's auto-verified
attributes must be ``true`` (with its value present); values are trimmed; a comma inside a value is written ``\\,``;
UTF-8 without a byte order mark; at most 16,000 characters a row, 100 MB a file and 500,000 users a file; imported
users are ``RESET_REQUIRED`` without a password. The log names a row by its line number only (no user data), as
``[FAILED] Line Number 5 - <reason>``.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from userpool.domain import ids, texts, usernames
from userpool.domain.attributes import VERIFIED_FLAGS, missing_required, schema_by_name, value_problems
from userpool.domain.records import NewUser, Pool
from userpool.domain.users import UserStatus, new_user

# Statuses (``UserImportJobStatusType``), as stored and answered.
CREATED: Final = "Created"
PENDING: Final = "Pending"
IN_PROGRESS: Final = "InProgress"
STOPPING: Final = "Stopping"
STOPPED: Final = "Stopped"
SUCCEEDED: Final = "Succeeded"
FAILED: Final = "Failed"
EXPIRED: Final = "Expired"
RUNNABLE: Final = (PENDING, IN_PROGRESS, STOPPING)  # what a runner may claim

USERNAME: Final = "cognito:username"
MFA_ENABLED: Final = "cognito:mfa_enabled"

URL_LIFETIME: Final = 15 * 60  # the pre-signed URL lives 15 minutes (Cognito's)
EXPIRES_AFTER: Final = 24 * 3600  # a job not started within a day is Expired (Cognito says 24-48 hours)
MAX_FILE_BYTES: Final = 100 * 1024 * 1024
MAX_ROWS: Final = 500_000
MAX_ROW_CHARS: Final = 16_000
CHUNK_BYTES: Final = 1024 * 1024  # an upload is stored in chunks of this size

# Outcomes of a row, as the report and the log name them.
SKIPPED_ROW: Final = "SKIPPED"
FAILED_ROW: Final = "FAILED"

_ID_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class ImportJob:
    """A user import job as stored. ``lines_done`` is the last line of the file (the header is line 1) whose
    outcome is committed: a job resumes after it. ``upload_id`` names the chunks of the file's last complete
    upload (None before one)."""

    id: str
    pool_id: str
    name: str
    role_arn: str
    status: str
    created_at: float
    url_expires_at: float
    started_at: float | None = None
    completed_at: float | None = None
    completion_message: str | None = None
    imported: int = 0
    skipped: int = 0
    failed: int = 0
    lines_done: int = 0
    upload_id: str | None = None
    upload_bytes: int = 0
    upload_rows: int = 0
    lease_owner: str | None = None
    lease_expires_at: float | None = None


@dataclass(frozen=True)
class RowOutcome:
    """A row that was not imported: its line number, ``SKIPPED`` or ``FAILED``, and a reason without user data."""

    line: int
    outcome: str
    reason: str

    def log_line(self) -> str:
        """The row as Cognito's CloudWatch log writes it."""
        return f"[{self.outcome}] Line Number {self.line} - {self.reason}"


def new_job_id() -> str:
    """``import-`` and ten random letters and digits (``UserImportJobIdType``: ``import-[0-9a-zA-Z-]+``)."""
    return "import-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(10))


def new_job(pool_id: str, name: str, role_arn: str, now: float) -> ImportJob:
    return ImportJob(
        id=new_job_id(),
        pool_id=pool_id,
        name=name,
        role_arn=role_arn,
        status=CREATED,
        created_at=now,
        url_expires_at=now + URL_LIFETIME,
    )


def description(job: ImportJob, url: str) -> dict[str, Any]:
    """The job as the API answers it (``UserImportJobType``)."""
    described: dict[str, Any] = {
        "JobName": job.name,
        "JobId": job.id,
        "UserPoolId": job.pool_id,
        "PreSignedUrl": url,
        "CreationDate": job.created_at,
        "Status": job.status,
        "CloudWatchLogsRoleArn": job.role_arn,
        "ImportedUsers": job.imported,
        "SkippedUsers": job.skipped,
        "FailedUsers": job.failed,
    }
    if job.started_at is not None:
        described["StartDate"] = job.started_at
    if job.completed_at is not None:
        described["CompletionDate"] = job.completed_at
    if job.completion_message:
        described["CompletionMessage"] = job.completion_message
    return described


# ---- the pre-signed URL ----------------------------------------------------------------------------------------
def url_key(secret_key: bytes) -> bytes:
    """The key upload URLs are signed with, derived from the server's secret key for this use alone (every process
    on one store signs and accepts the same URLs)."""
    return hmac.new(secret_key, b"userpool import upload urls v1", hashlib.sha256).digest()


def _signature(key: bytes, job_id: str, expires: int) -> str:
    digest = hmac.new(key, f"{job_id}\0{expires}".encode(), hashlib.sha256).digest()
    return ids.base64url(digest)


def upload_path(job_id: str) -> str:
    return f"/_userpool/import/{job_id}"


def presigned_url(base_url: str, key: bytes, job: ImportJob) -> str:
    """``<base>/_userpool/import/<job id>?expires=<epoch>&signature=<HMAC-SHA256>``: the same URL every time the job
    is described."""
    expires = int(job.url_expires_at)
    return f"{base_url}{upload_path(job.id)}?expires={expires}&signature={_signature(key, job.id, expires)}"


def signature_matches(key: bytes, job_id: str, expires: str | None, signature: str | None) -> int | None:
    """The URL's expiry (epoch seconds) when its signature is the one this job's URL carries, else None; compared
    in constant time."""
    if not expires or not signature or not expires.isascii() or not expires.isdigit() or len(expires) > 12:
        return None
    expected = _signature(key, job_id, int(expires))
    return int(expires) if hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")) else None


# ---- the header ------------------------------------------------------------------------------------------------
def csv_header(pool: Pool) -> list[str]:
    """GetCSVHeader: the pool's attributes but ``sub`` (and developer-only ones), in schema order, then
    ``cognito:mfa_enabled`` and ``cognito:username`` (the order of Cognito's sample answer)."""
    names = [
        a["Name"]
        for a in pool.settings["SchemaAttributes"]
        if a["Name"] != "sub" and not a.get("DeveloperOnlyAttribute") and not a["Name"].startswith("dev:")
    ]
    return [*names, MFA_ENABLED, USERNAME]


def header_problem(pool: Pool, columns: Sequence[str]) -> str | None:
    """Why a file's header is not the pool's (every column of GetCSVHeader once, any order), or None."""
    if columns and columns[0].startswith("\ufeff"):
        return "The .csv file starts with a byte order mark; save it as UTF-8 without one."
    expected = csv_header(pool)
    seen: set[str] = set()
    repeated = sorted({c for c in columns if c in seen or seen.add(c)})  # type: ignore[func-returns-value]
    missing = [c for c in expected if c not in seen]
    unknown = [c for c in columns if c not in expected]
    if not (repeated or missing or unknown):
        return None
    parts = []
    if missing:
        parts.append("missing " + ", ".join(missing))
    if unknown:
        parts.append("unknown " + ", ".join(unknown))
    if repeated:
        parts.append("repeated " + ", ".join(repeated))
    return "The .csv header does not match GetCSVHeader: " + "; ".join(parts) + "."


def pool_problem(pool: Pool) -> str | None:
    """Why no user of this pool can be imported (the job fails at once), or None."""
    if not auto_verified(pool):
        return "The user pool has no auto-verified attributes (email or phone_number); the import job cannot start."
    return None


def completion_message(text: str) -> str:
    """A job's CompletionMessage: at most 128 characters (``CompletionMessageType``)."""
    return text if len(text) <= 128 else text[:125] + "..."


SUCCEEDED_MESSAGE: Final = "Import Job Completed Successfully."  # (unverified wording)
TOO_MANY_FAILED: Final = "Too many users have failed or been skipped during the import."
STOPPED_MESSAGE: Final = "The Import Job was stopped by the developer."
NO_FILE: Final = "No .csv file was uploaded to the job's pre-signed URL."
EXISTS: Final = "The user already exists."
NO_AUTO_VERIFIED: Final = (
    "The User Record does not set any of the auto verified attributes to true. (Example: email_verified to true)."
)


def final_status(imported: int, skipped: int, failed: int) -> tuple[str, str]:
    """How a job that read its whole file ends: Failed when rows were read and none was imported."""
    if imported == 0 and (skipped or failed):
        return FAILED, TOO_MANY_FAILED
    return SUCCEEDED, SUCCEEDED_MESSAGE


# ---- lines and rows --------------------------------------------------------------------------------------------
class LineSplitter:
    """Splits a byte stream fed in pieces into lines (``\\n``, a trailing ``\\r`` dropped), numbered from 1, so
    that no more than one piece and one line are ever held."""

    def __init__(self) -> None:
        self._rest = b""
        self.number = 0

    def feed(self, piece: bytes) -> list[tuple[int, bytes]]:
        data = self._rest + piece
        *lines, self._rest = data.split(b"\n")
        return [self._numbered(line) for line in lines]

    def end(self) -> list[tuple[int, bytes]]:
        rest, self._rest = self._rest, b""
        return [self._numbered(rest)] if rest else []

    def _numbered(self, line: bytes) -> tuple[int, bytes]:
        self.number += 1
        return self.number, line[:-1] if line.endswith(b"\r") else line


def split_row(text: str) -> list[str]:
    """A line's fields: separated by commas, ``\\,`` a comma inside a value, quotes kept as they are (Cognito: values
    are not quoted), each trimmed."""
    fields = next(csv.reader([text], delimiter=",", quoting=csv.QUOTE_NONE, escapechar="\\"), [])
    return [f.strip() for f in fields]


def decode_line(raw: bytes) -> str | None:
    """A line as text, or None when it is not UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def auto_verified(pool: Pool) -> list[str]:
    return [a for a in pool.settings.get("AutoVerifiedAttributes") or () if a in VERIFIED_FLAGS]


_BOOLEAN = {"true": "true", "false": "false"}


class RowReader:
    """Cognito's rules for the rows of one file in one pool, prepared once per job: ``user(line, raw, ...)`` is the
    user a line makes (``RESET_REQUIRED``, no password), the reason it fails, or None for a blank line."""

    def __init__(self, pool: Pool, columns: Sequence[str]) -> None:
        self.pool = pool
        self.columns = list(columns)
        settings = pool.settings
        self.by_name = schema_by_name(settings["SchemaAttributes"])
        self.booleans = {n for n, a in self.by_name.items() if a.get("AttributeDataType") == "Boolean"}
        self.required = [a for a in self.by_name.values() if a.get("Required")]
        self.flags = [VERIFIED_FLAGS[a] for a in auto_verified(pool)]
        self.mfa = settings.get("MfaConfiguration") or "OFF"
        self.username_kinds = list(settings.get("UsernameAttributes") or ())

    def user(self, line: int, raw: bytes, sub: str, now: float) -> NewUser | RowOutcome | None:
        text = decode_line(raw)
        if text is None:
            return RowOutcome(line, FAILED_ROW, "The row is not valid UTF-8.")
        if not text.strip():
            return None
        if len(text) > MAX_ROW_CHARS:
            return RowOutcome(line, FAILED_ROW, f"The row is longer than {MAX_ROW_CHARS:,} characters.")
        fields = split_row(text)
        if len(fields) != len(self.columns):
            return RowOutcome(
                line, FAILED_ROW, f"The row has {len(fields)} values but the header has {len(self.columns)} columns."
            )
        attributes = {c: v for c, v in zip(self.columns, fields, strict=True) if v}
        username = attributes.pop(USERNAME, "")
        problem = self._account_problem(username, attributes.pop(MFA_ENABLED, "").lower())
        problem = problem or self._attribute_problem(attributes, username)
        if problem:
            return RowOutcome(line, FAILED_ROW, problem)
        return new_user(self.pool, username, attributes, None, UserStatus.RESET_REQUIRED, sub, now)

    def _account_problem(self, username: str, mfa: str) -> str | None:
        """Why the row's ``cognito:`` columns break Cognito's rules, or None."""
        if not username:
            return "The cognito:username value is required."
        if len(username) > 128 or any(c.isspace() for c in username):
            return "The cognito:username value must be at most 128 characters, without spaces or tabs."
        if mfa not in _BOOLEAN:
            return "The cognito:mfa_enabled value must be true or false."
        if (self.mfa == "ON" and mfa != "true") or (self.mfa == "OFF" and mfa != "false"):
            wanted = "true" if self.mfa == "ON" else "false"
            return f"The cognito:mfa_enabled value must be {wanted} (the pool's MFA is {self.mfa})."
        return None

    def _attribute_problem(self, attributes: dict[str, str], username: str) -> str | None:
        """Why the row's attributes break the pool's schema or Cognito's rules, or None; booleans are written back
        in lower case."""
        for name in self.booleans.intersection(attributes):
            value = attributes[name].lower()
            if value not in _BOOLEAN:
                return f"{texts.SCHEMA_MISMATCH}{name}: Boolean must be true or false."
            attributes[name] = value
        for attribute, flag in VERIFIED_FLAGS.items():
            if attributes.get(flag) == "true" and not attributes.get(attribute):
                return f"The {flag} value is true but there is no {attribute}."
        if not any(attributes.get(flag) == "true" for flag in self.flags):
            return NO_AUTO_VERIFIED
        if "email" in attributes and not usernames.is_email(attributes["email"]):
            return texts.INVALID_EMAIL
        if "phone_number" in attributes and not usernames.is_phone(attributes["phone_number"]):
            return texts.INVALID_PHONE
        problems = value_problems(attributes, self.by_name)
        problems += [texts.REQUIRED_ATTRIBUTE.format(name=n) for n in missing_required(self.required, attributes)]
        if problems:
            return texts.SCHEMA_MISMATCH + "; ".join(problems)
        kinds = self.username_kinds
        if kinds and not any(_same(kind, attributes.get(kind), username) for kind in kinds):
            return "In a pool whose users sign in by email or phone number, cognito:username must be that value."
        return None


def _same(kind: str, value: str | None, username: str) -> bool:
    if value is None:
        return False
    return value == username if kind == "phone_number" else value.lower() == username.lower()
