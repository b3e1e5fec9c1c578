"""User import jobs: GetCSVHeader, Create/Start/Stop/Describe/ListUserImportJobs, the .csv file uploaded to the
job's pre-signed URL with plain HTTP (as curl or ``requests.put`` would), the rows imported by the runner as
``RESET_REQUIRED`` users, the per-row report, and an imported user's way in (ForgotPassword, then sign-in)."""

from __future__ import annotations

import http.client
import shutil
import subprocess
import time
import urllib.parse
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from tests import databases
from tests.api.test_aws_cli import aws
from tests.api.test_crash import integrity_problems
from tests.helpers import PASSWORD, advance_clock, error_of, http_get, http_put, latest_code, make_client
from tests.server import ServerProcess
from tests.signin import ALL_FLOWS, make_pool_and_client, password_auth

ROLE = "arn:aws:iam::123456789012:role/CognitoImport"
STANDARD_HEADER = [
    "name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "profile", "picture",
    "website", "email", "email_verified", "gender", "birthdate", "zoneinfo", "locale", "phone_number",
    "phone_number_verified", "address", "updated_at", "cognito:mfa_enabled", "cognito:username",
]  # fmt: skip


def csv_text(header: list[str], rows: list[dict[str, str]]) -> str:
    """A file with this header and one line per row (absent columns empty)."""
    lines = [",".join(header)] + [",".join(row.get(c, "") for c in header) for row in rows]
    return "\n".join(lines) + "\n"


def person(username: str, **values: str) -> dict[str, str]:
    return {
        "cognito:username": username,
        "cognito:mfa_enabled": "false",
        "email": f"{username}@example.com",
        "email_verified": "TRUE",
        **values,
    }


def new_job(cognito: Any, pool_id: str, name: str = "import") -> dict[str, Any]:
    return cognito.create_user_import_job(UserPoolId=pool_id, JobName=name, CloudWatchLogsRoleArn=ROLE)["UserImportJob"]


def put(url: str, body: bytes | str) -> httpx.Response:
    return http_put(url, content=body.encode() if isinstance(body, str) else body, timeout=60)


def described(cognito: Any, pool_id: str, job_id: str) -> dict[str, Any]:
    return cognito.describe_user_import_job(UserPoolId=pool_id, JobId=job_id)["UserImportJob"]


def wait_for(cognito: Any, pool_id: str, job_id: str, timeout: float = 60) -> dict[str, Any]:
    """The job once it has ended (Succeeded, Failed or Stopped)."""
    deadline = time.monotonic() + timeout
    while True:
        job = described(cognito, pool_id, job_id)
        if job["Status"] in ("Succeeded", "Failed", "Stopped"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.1)


def run_import(cognito: Any, pool_id: str, body: str | bytes) -> dict[str, Any]:
    job = new_job(cognito, pool_id)
    assert put(job["PreSignedUrl"], body).status_code == 200
    cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    return wait_for(cognito, pool_id, job["JobId"])


def report(job: dict[str, Any]) -> list[str]:
    url = urllib.parse.urlsplit(job["PreSignedUrl"])
    response = http_get(f"{url.scheme}://{url.netloc}{url.path}/report?{url.query}")
    assert response.status_code == 200
    return response.text.splitlines()


def declaring_too_much(url: str) -> tuple[int, bool]:
    """A PUT declaring a body over 100 MB (and sending none): refused from its headers."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=30)
    try:
        connection.putrequest("PUT", f"{parts.path}?{parts.query}")
        connection.putheader("Content-Length", str(100 * 2**20 + 1))
        connection.endheaders()
        response = connection.getresponse()
        return response.status, b"<Code>EntityTooLarge</Code>" in response.read()
    finally:
        connection.close()


def failure(call: Any, **params: Any) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)


@pytest.fixture
def pool(cognito: Any) -> tuple[str, str]:
    """(pool id, client id): a pool that verifies email, with a client allowing password sign-in."""
    return make_pool_and_client(cognito, {"AutoVerifiedAttributes": ["email"]})


def test_csv_header_lists_the_pool_attributes_then_cognito_columns(cognito, make_pool):
    pool_id = make_pool(
        Schema=[{"Name": "tier", "AttributeDataType": "String", "Mutable": True}], AutoVerifiedAttributes=["email"]
    )["Id"]
    answer = cognito.get_csv_header(UserPoolId=pool_id)
    assert answer["UserPoolId"] == pool_id
    assert answer["CSVHeader"] == [*STANDARD_HEADER[:-2], "custom:tier", "cognito:mfa_enabled", "cognito:username"]
    missing = "us-east-1_nothere00"
    assert failure(cognito.get_csv_header, UserPoolId=missing) == (
        400, "ResourceNotFoundException", f"User pool {missing} does not exist.",
    )  # fmt: skip


def test_a_new_job_is_created_with_a_presigned_url_of_this_server(cognito, server, pool):
    pool_id, _ = pool
    job = new_job(cognito, pool_id, "first")
    assert job["JobId"].startswith("import-")
    assert job["PreSignedUrl"].startswith(f"{server.url}/_userpool/import/{job['JobId']}?expires=")
    assert "signature=" in job["PreSignedUrl"]
    expected = {
        "JobName": "first", "JobId": job["JobId"], "UserPoolId": pool_id, "PreSignedUrl": job["PreSignedUrl"],
        "CreationDate": job["CreationDate"], "Status": "Created", "CloudWatchLogsRoleArn": ROLE,
        "ImportedUsers": 0, "SkippedUsers": 0, "FailedUsers": 0,
    }  # fmt: skip
    assert job == expected
    described = cognito.describe_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])["UserImportJob"]
    assert described == expected
    second = new_job(cognito, pool_id, "second")
    page = cognito.list_user_import_jobs(UserPoolId=pool_id, MaxResults=1)
    assert [j["JobId"] for j in page["UserImportJobs"]] == [second["JobId"]]  # newest first
    rest = cognito.list_user_import_jobs(UserPoolId=pool_id, MaxResults=5, PaginationToken=page["PaginationToken"])
    assert [j["JobId"] for j in rest["UserImportJobs"]] == [job["JobId"]]
    assert "PaginationToken" not in rest


def test_an_import_makes_reset_required_users_and_reports_each_refused_row(cognito, server, pool):
    pool_id, _ = pool
    cognito.admin_create_user(UserPoolId=pool_id, Username="existing", MessageAction="SUPPRESS")
    header = cognito.get_csv_header(UserPoolId=pool_id)["CSVHeader"]
    rows = [
        person("ann", given_name="Ann", family_name="Lee\\, Jr", phone_number="+15550100", updated_at="1471453471"),
        person("bob"),
        person("existing"),  # line 4: the user already exists
        person("cid", email_verified="false"),  # line 5: no auto-verified attribute true
        person("dee", email="not-an-email"),  # line 6
        person("ann"),  # line 7: ann was imported by line 2
        person("eve", **{"cognito:mfa_enabled": "maybe"}),  # line 8
        person("has space"),  # line 9
    ]
    body = csv_text(header, rows) + "fay,too,few\n" + "\n"  # line 10: wrong number of values; a blank line 11
    body_bytes = body.encode() + b"g\xffh," + b",".join([b""] * (len(header) - 1)) + b"\n"  # line 12: not UTF-8
    job = run_import(cognito, pool_id, body_bytes)
    assert (job["Status"], job["ImportedUsers"], job["SkippedUsers"], job["FailedUsers"]) == ("Succeeded", 2, 2, 6)
    assert job["CompletionMessage"] == "Import Job Completed Successfully."
    assert job["StartDate"] <= job["CompletionDate"]
    assert report(job) == [
        "[SKIPPED] Line Number 4 - The user already exists.",
        "[FAILED] Line Number 5 - The User Record does not set any of the auto verified attributes to true. "
        "(Example: email_verified to true).",
        "[FAILED] Line Number 6 - Invalid email address format.",
        "[SKIPPED] Line Number 7 - The user already exists.",
        "[FAILED] Line Number 8 - The cognito:mfa_enabled value must be true or false.",
        "[FAILED] Line Number 9 - The cognito:username value must be at most 128 characters, without spaces or tabs.",
        f"[FAILED] Line Number 10 - The row has 3 values but the header has {len(header)} columns.",
        "[FAILED] Line Number 12 - The row is not valid UTF-8.",
    ]
    ann = cognito.admin_get_user(UserPoolId=pool_id, Username="ann")
    assert ann["UserStatus"] == "RESET_REQUIRED"
    attributes = {a["Name"]: a["Value"] for a in ann["UserAttributes"]}
    assert {k: v for k, v in attributes.items() if k != "sub"} == {
        "email": "ann@example.com",
        "email_verified": "true",
        "given_name": "Ann",
        "family_name": "Lee, Jr",
        "phone_number": "+15550100",
        "phone_number_verified": "false",
        "updated_at": "1471453471",
    }
    listed = cognito.list_users(UserPoolId=pool_id, Filter='cognito:user_status = "RESET_REQUIRED"')["Users"]
    assert sorted(u["Username"] for u in listed) == ["ann", "bob"]


def test_an_imported_user_signing_in_is_told_to_reset_its_password(cognito, pool):
    pool_id, client_id = pool
    header = cognito.get_csv_header(UserPoolId=pool_id)["CSVHeader"]
    run_import(cognito, pool_id, csv_text(header, [person("gus")]))
    reset = (400, "PasswordResetRequiredException", "Password reset required for the user")
    assert failure(password_auth, cognito=cognito, client_id=client_id, username="gus", password="Anything1!") == reset
    srp_start = {"USERNAME": "gus", "SRP_A": "abcdef0123456789"}
    assert (
        failure(cognito.initiate_auth, ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=srp_start) == reset
    )
    # a client that hides user existence says only that the password is wrong
    hiding = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="hiding", ExplicitAuthFlows=ALL_FLOWS, PreventUserExistenceErrors="ENABLED"
    )["UserPoolClient"]["ClientId"]
    assert failure(password_auth, cognito=cognito, client_id=hiding, username="gus", password="Anything1!") == (
        400, "NotAuthorizedException", "Incorrect username or password.",
    )  # fmt: skip


def test_an_imported_user_sets_a_password_with_forgot_password_and_signs_in(cognito, server, pool):
    pool_id, client_id = pool
    header = cognito.get_csv_header(UserPoolId=pool_id)["CSVHeader"]
    run_import(cognito, pool_id, csv_text(header, [person("hal")]))
    delivery = cognito.forgot_password(ClientId=client_id, Username="hal")["CodeDeliveryDetails"]
    assert delivery == {"Destination": "h***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    code = latest_code(server, pool_id, "hal")
    cognito.confirm_forgot_password(ClientId=client_id, Username="hal", ConfirmationCode=code, Password=PASSWORD)
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="hal")["UserStatus"] == "CONFIRMED"
    tokens = password_auth(cognito, client_id, "hal", PASSWORD)["AuthenticationResult"]
    assert tokens["AccessToken"]


def test_a_bad_header_fails_the_job_and_imports_nothing(cognito, pool):
    pool_id, _ = pool
    header = cognito.get_csv_header(UserPoolId=pool_id)["CSVHeader"]
    wrong = [c for c in header if c != "given_name"] + ["shoe_size"]
    job = run_import(cognito, pool_id, csv_text(wrong, [person("ivy")]))
    assert (job["Status"], job["ImportedUsers"], job["FailedUsers"]) == ("Failed", 0, 0)
    assert job["CompletionMessage"] == (
        "The .csv header does not match GetCSVHeader: missing given_name; unknown shoe_size."
    )
    bom = run_import(cognito, pool_id, "\ufeff" + csv_text(header, [person("ivy")]))
    assert bom["CompletionMessage"] == "The .csv file starts with a byte order mark; save it as UTF-8 without one."
    assert cognito.list_users(UserPoolId=pool_id)["Users"] == []


def test_a_job_without_a_file_or_in_a_pool_without_auto_verification_fails(cognito, make_pool):
    pool_id = make_pool(AutoVerifiedAttributes=["email"])["Id"]
    job = new_job(cognito, pool_id)
    cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    ended = wait_for(cognito, pool_id, job["JobId"])
    assert (ended["Status"], ended["CompletionMessage"]) == (
        "Failed", "No .csv file was uploaded to the job's pre-signed URL.",
    )  # fmt: skip
    plain = make_pool()["Id"]
    header = cognito.get_csv_header(UserPoolId=plain)["CSVHeader"]
    ended = run_import(cognito, plain, csv_text(header, [person("jo")]))
    assert ended["Status"] == "Failed"
    assert ended["CompletionMessage"].startswith("The user pool has no auto-verified attributes")


def test_all_rows_refused_fails_the_job(cognito, pool):
    pool_id, _ = pool
    header = cognito.get_csv_header(UserPoolId=pool_id)["CSVHeader"]
    job = run_import(cognito, pool_id, csv_text(header, [person("kim", email_verified="false")]))
    assert (job["Status"], job["FailedUsers"]) == ("Failed", 1)
    assert job["CompletionMessage"] == "Too many users have failed or been skipped during the import."


def test_an_alias_another_user_holds_fails_the_row(cognito, make_pool):
    pool_id = make_pool(AutoVerifiedAttributes=["email"], AliasAttributes=["email"])["Id"]
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="owner",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "taken@example.com"}, {"Name": "email_verified", "Value": "true"}],
    )
    header = cognito.get_csv_header(UserPoolId=pool_id)["CSVHeader"]
    job = run_import(cognito, pool_id, csv_text(header, [person("lou", email="taken@example.com"), person("max")]))
    assert (job["ImportedUsers"], job["FailedUsers"]) == (1, 1)
    assert report(job) == [
        "[FAILED] Line Number 2 - An account with the email already exists (an alias of another user)."
    ]


def test_a_pool_with_email_as_username_imports_by_email(cognito, make_pool):
    pool_id = make_pool(AutoVerifiedAttributes=["email"], UsernameAttributes=["email"])["Id"]
    header = cognito.get_csv_header(UserPoolId=pool_id)["CSVHeader"]
    rows = [person("ned@example.com", email="ned@example.com"), person("other", email="ole@example.com")]
    job = run_import(cognito, pool_id, csv_text(header, rows))
    assert (job["ImportedUsers"], job["FailedUsers"]) == (1, 1)
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="ned@example.com")
    assert user["UserStatus"] == "RESET_REQUIRED"
    again = run_import(cognito, pool_id, csv_text(header, rows[:1]))
    assert (again["Status"], again["SkippedUsers"]) == ("Failed", 1)


def test_wrong_state_transitions_and_unknown_jobs_are_refused(cognito, make_pool, pool):
    pool_id, _ = pool
    header = cognito.get_csv_header(UserPoolId=pool_id)["CSVHeader"]
    job = new_job(cognito, pool_id)
    job_id = job["JobId"]
    assert failure(cognito.stop_user_import_job, UserPoolId=pool_id, JobId=job_id) == (
        400, "PreconditionNotMetException",
        f"Import job {job_id} is Created: only a Pending or InProgress job can be stopped.",
    )  # fmt: skip
    put(job["PreSignedUrl"], csv_text(header, [person("oli")]))
    started = cognito.start_user_import_job(UserPoolId=pool_id, JobId=job_id)["UserImportJob"]
    assert started["Status"] in ("Pending", "InProgress")
    assert "StartDate" in started
    ended = wait_for(cognito, pool_id, job_id)
    assert failure(cognito.start_user_import_job, UserPoolId=pool_id, JobId=job_id) == (
        400, "PreconditionNotMetException",
        f"Import job {job_id} is {ended['Status']}: only a job in Created status can be started.",
    )  # fmt: skip
    missing = "import-nothere0000"
    assert failure(cognito.describe_user_import_job, UserPoolId=pool_id, JobId=missing) == (
        400, "ResourceNotFoundException", f"Import job {missing} does not exist.",
    )  # fmt: skip
    other = make_pool()["Id"]
    assert failure(cognito.start_user_import_job, UserPoolId=other, JobId=job_id) == (
        400, "ResourceNotFoundException", f"Import job {job_id} does not exist.",
    )  # fmt: skip
    assert failure(cognito.list_user_import_jobs, UserPoolId=pool_id, MaxResults=5, PaginationToken="bad") == (
        400, "InvalidParameterException", "Invalid pagination token.",
    )  # fmt: skip
    hashes = {"JobName": "hashes", "CloudWatchLogsRoleArn": ROLE, "PasswordHashingAlgorithm": "BCRYPT"}
    assert failure(cognito.create_user_import_job, UserPoolId=pool_id, **hashes) == (
        400,
        "UnsupportedOperationException",
        "userpool does not import password hashes (PasswordHashingAlgorithm) yet.",
    )


def test_a_stopped_job_ends_stopped(cognito, pool):
    pool_id, _ = pool
    header = cognito.get_csv_header(UserPoolId=pool_id)["CSVHeader"]
    job = new_job(cognito, pool_id)
    put(job["PreSignedUrl"], csv_text(header, [person(f"p{i}") for i in range(3000)]))
    cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    stopped = cognito.stop_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])["UserImportJob"]
    assert stopped["Status"] in ("Stopped", "Stopping")
    ended = wait_for(cognito, pool_id, job["JobId"])
    assert (ended["Status"], ended["CompletionMessage"]) == ("Stopped", "The Import Job was stopped by the developer.")
    assert ended["ImportedUsers"] < 3000
    users = cognito.list_users(UserPoolId=pool_id, Limit=60)
    assert len(users["Users"]) == min(ended["ImportedUsers"], 60)


def test_the_upload_url_refuses_a_wrong_signature_an_expired_url_and_a_started_job(cognito, server, pool, make_pool):
    pool_id, _ = pool
    header = cognito.get_csv_header(UserPoolId=pool_id)["CSVHeader"]
    body = csv_text(header, [person("pat")])
    job = new_job(cognito, pool_id)
    forged = job["PreSignedUrl"].replace("signature=", "signature=x")
    refused = put(forged, body)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/xml"
    assert "<Code>SignatureDoesNotMatch</Code>" in refused.text
    later = job["PreSignedUrl"].replace("expires=", "expires=9")
    assert put(later, body).status_code == 403  # the expiry is signed too
    assert put(job["PreSignedUrl"], body).status_code == 200
    assert put(job["PreSignedUrl"], body).status_code == 200  # a second upload replaces the first
    assert declaring_too_much(job["PreSignedUrl"]) == (400, True)
    cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    late = put(job["PreSignedUrl"], body)
    assert late.status_code == 400
    assert "<Code>InvalidRequest</Code>" in late.text
    assert wait_for(cognito, pool_id, job["JobId"])["ImportedUsers"] == 1

    expiring = new_job(cognito, pool_id)
    advance_clock(server, 15 * 60 + 5)
    expired = put(expiring["PreSignedUrl"], body)
    assert (expired.status_code, "<Message>Request has expired</Message>" in expired.text) == (403, True)

    doomed_pool = make_pool(AutoVerifiedAttributes=["email"])["Id"]
    doomed = new_job(cognito, doomed_pool)
    cognito.delete_user_pool(UserPoolId=doomed_pool)
    gone = put(doomed["PreSignedUrl"], body)
    assert (gone.status_code, "<Code>NoSuchKey</Code>" in gone.text) == (404, True)


def big_csv(header: list[str], count: int) -> bytes:
    """``count`` valid rows, written a line at a time (the test holds the bytes, the server never does)."""
    at = {column: i for i, column in enumerate(header)}

    def line(i: int) -> str:
        fields = [""] * len(header)
        for column, value in person(f"user{i:06d}", given_name="Bulk").items():
            fields[at[column]] = value
        return ",".join(fields)

    return ("\n".join([",".join(header), *(line(i) for i in range(count))]) + "\n").encode()


def importing(node: ServerProcess, count: int, until: int) -> tuple[str, str]:
    """(pool id, job id) of a job of ``count`` rows that ``node`` has started and imported ``until`` users of."""
    cognito = make_client(node.url)
    pool_id = cognito.create_user_pool(PoolName="big", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    body = big_csv(cognito.get_csv_header(UserPoolId=pool_id)["CSVHeader"], count)
    job = new_job(cognito, pool_id)
    assert put(job["PreSignedUrl"], body).status_code == 200
    cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    deadline = time.monotonic() + 120
    while (
        cognito.describe_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])["UserImportJob"]["ImportedUsers"]
        < until
    ):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return pool_id, job["JobId"]


def test_a_large_import_killed_midway_resumes_after_its_last_batch(fresh_database, tmp_path):
    """8,000 rows: eight batches, so a kill after the third leaves most of the file to resume (the 100,000-row
    import is the benchmark's, `python -m bench --parts imports`)."""
    # A store of its own: no other server's runner may take the job. The restart keeps the data dir (and its key).
    database = fresh_database
    env = {"USERPOOL_LOG_LEVEL": "info"}
    node = ServerProcess(tmp_path / "a", database_url=database, env=env).start()
    count = 8_000
    try:
        pool_id, job_id = importing(node, count, until=3000)
    finally:
        node.stop(kill=True)
    [(status, lines_done, imported, stored)] = databases.query(
        database,
        "SELECT status, lines_done, imported, (SELECT count(*) FROM users WHERE pool_id = :pool) "
        "FROM import_jobs WHERE id = :id",
        id=job_id,
        pool=pool_id,
    )
    assert status == "InProgress" and 3000 <= imported < count and lines_done == imported + 1
    assert stored == imported  # the committed batches, and nothing of a batch cut short

    # The restarted node claims the job once the killed runner's lease (30 s) has run out, and goes on after line
    # ``lines_done``: a run from the start would find the users already imported and skip them.
    again = ServerProcess(tmp_path / "a", database_url=database, env=env).start()
    try:
        cognito = make_client(again.url)
        advance_clock(again, 60)
        ended = wait_for(cognito, pool_id, job_id, timeout=300)
        assert (ended["Status"], ended["ImportedUsers"], ended["SkippedUsers"], ended["FailedUsers"]) == (
            "Succeeded", count, 0, 0,
        )  # fmt: skip
    finally:
        again.stop()
    [(stored, distinct)] = databases.query(
        database, "SELECT count(*), count(DISTINCT username_key) FROM users WHERE pool_id = :pool", pool=pool_id
    )
    assert (stored, distinct) == (count, count)
    assert integrity_problems(database, pool_id) == []


@pytest.mark.databases("sqlite")  # a client's test: the AWS CLI and curl send what the boto3 tests send
def test_the_aws_cli_and_curl_walkthrough_of_cognitos_guide(server, tmp_path):
    pool_id = aws(server, "create-user-pool", "--pool-name", "cli", "--auto-verified-attributes", "email")["UserPool"][
        "Id"
    ]
    header = aws(server, "get-csv-header", "--user-pool-id", pool_id)["CSVHeader"]
    assert header == STANDARD_HEADER
    job = aws(
        server, "create-user-import-job", "--job-name", "cli", "--user-pool-id", pool_id,
        "--cloud-watch-logs-role-arn", ROLE,
    )["UserImportJob"]  # fmt: skip
    users = tmp_path / "users.csv"
    users.write_text(csv_text(header, [person("quinn"), person("rae")]))
    curl = shutil.which("curl")
    assert curl, "curl is on the machine"
    uploaded = subprocess.run(
        [curl, "-sS", "-f", "-T", str(users), "-H", "x-amz-server-side-encryption:aws:kms", job["PreSignedUrl"]],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert uploaded.returncode == 0, uploaded.stderr
    started = aws(server, "start-user-import-job", "--user-pool-id", pool_id, "--job-id", job["JobId"])
    assert started["UserImportJob"]["Status"] in ("Pending", "InProgress", "Succeeded")
    ended = wait_for(make_client(server.url), pool_id, job["JobId"])
    assert (ended["Status"], ended["ImportedUsers"]) == ("Succeeded", 2)
    listed = aws(server, "list-user-import-jobs", "--user-pool-id", pool_id, "--max-results", "2")
    assert [j["JobId"] for j in listed["UserImportJobs"]] == [job["JobId"]]


def test_a_server_that_stops_lets_its_job_go_and_the_next_one_goes_on(fresh_database, tmp_path):
    database = fresh_database
    env = {"USERPOOL_LOG_LEVEL": "info"}
    node = ServerProcess(tmp_path / "a", database_url=database, env=env).start()
    # Enough batches that the stop lands midway: SQLite imports some 15,000 rows a second here, so six batches
    # could all be in before the server took in its SIGTERM.
    count = 6_000 if database.startswith("postgresql") else 20_000
    try:
        pool_id, job_id = importing(node, count, until=1000)
    finally:
        node.stop()  # SIGTERM: the runner finishes its batch and lets the job go
    assert "(the server stops)" in node.log()
    [(status, lease_expires_at)] = databases.query(
        database, "SELECT status, lease_expires_at FROM import_jobs WHERE id = :id", id=job_id
    )
    assert (status, lease_expires_at) in (("InProgress", 0.0), ("Succeeded", None))
    again = ServerProcess(tmp_path / "a", database_url=database, env=env).start()
    try:
        ended = wait_for(make_client(again.url), pool_id, job_id, timeout=300)  # no lease to wait out
        assert (ended["Status"], ended["ImportedUsers"], ended["SkippedUsers"]) == ("Succeeded", count, 0)
    finally:
        again.stop()
