"""The ``imports`` part: a user import job's speed, on each database. A .csv file of ``rows`` valid users is
written to disk, uploaded to the job's pre-signed URL (streamed from the file), and imported by the server's
runner; reported are the upload's MB/s, the import's rows/s (the job's own StartDate to CompletionDate) and the
server's RSS after the import, which stays flat as the file grows (the file is read a chunk at a time)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from bench.targets import Userpool, rss_bytes, userpool
from userpool.testing import boto3_client as make_client
from userpool.testing import create_postgres_database, drop_postgres_database, postgres_unavailable

ROLE = "arn:aws:iam::123456789012:role/CognitoImport"


def write_csv(path: Path, header: list[str], rows: int) -> int:
    """``rows`` valid users (username, email verified, a name) under ``header``; the file's size."""
    at = {column: i for i, column in enumerate(header)}
    with path.open("w", encoding="utf-8") as out:
        out.write(",".join(header) + "\n")
        for i in range(rows):
            fields = [""] * len(header)
            fields[at["cognito:username"]] = f"user{i:07d}"
            fields[at["cognito:mfa_enabled"]] = "false"
            fields[at["email"]] = f"user{i:07d}@example.com"
            fields[at["email_verified"]] = "true"
            fields[at["given_name"]] = "Imported"
            out.write(",".join(fields) + "\n")
    return path.stat().st_size


def _one(workdir: Path, database: str, url: str | None, rows: int, shared: Userpool | None) -> dict[str, Any]:
    with userpool(workdir / f"imports-{database}", database_url=url, shared=shared) as target:
        cognito = make_client(target.url)
        pool_id = cognito.create_user_pool(PoolName="imports", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
        header = cognito.get_csv_header(UserPoolId=pool_id)["CSVHeader"]
        path = workdir / f"imports-{database}.csv"
        size = write_csv(path, header, rows)
        job = cognito.create_user_import_job(UserPoolId=pool_id, JobName="bench", CloudWatchLogsRoleArn=ROLE)
        job_id = job["UserImportJob"]["JobId"]
        started = time.perf_counter()
        with path.open("rb") as body:
            response = httpx.put(job["UserImportJob"]["PreSignedUrl"], content=body, timeout=600)
        upload_s = time.perf_counter() - started
        response.raise_for_status()
        cognito.start_user_import_job(UserPoolId=pool_id, JobId=job_id)
        while True:
            ended = cognito.describe_user_import_job(UserPoolId=pool_id, JobId=job_id)["UserImportJob"]
            if ended["Status"] in ("Succeeded", "Failed", "Stopped"):
                break
            time.sleep(0.25)
        seconds = ended["CompletionDate"].timestamp() - ended["StartDate"].timestamp()
        return {
            "database": database,
            "rows": rows,
            "status": ended["Status"],
            "imported": ended["ImportedUsers"],
            "file_mb": round(size / 2**20, 1),
            "upload_mb_per_s": round(size / 2**20 / upload_s, 1),
            "import_s": round(seconds, 2),
            "rows_per_s": round(rows / max(seconds, 1e-3)),
            "server_rss_mb": round(rss_bytes(target.pid) / 2**20, 1),
        }


def imports(
    workdir: Path, databases: list[str], rows: int, log: Any, shared: Userpool | None = None
) -> list[dict[str, Any]]:
    results = []
    for database in databases:
        scratch = None
        url = None
        if database == "postgresql":
            reason = postgres_unavailable()
            if reason is not None:
                log(f"  postgresql skipped: {reason}")
                results.append({"database": database, "skipped": reason})
                continue
            url = scratch = create_postgres_database("userpool_bench")
        try:
            row = _one(workdir, database, url, rows, shared)
        finally:
            if scratch is not None:
                drop_postgres_database(scratch)
        results.append(row)
        log(
            f"  {database}: {row['imported']:,} of {rows:,} rows {row['status']} in {row['import_s']} s "
            f"({row['rows_per_s']:,} rows/s), upload {row['upload_mb_per_s']} MB/s, RSS {row['server_rss_mb']} MB"
        )
    return results
