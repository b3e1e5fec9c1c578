"""User import jobs: GetCSVHeader, CreateUserImportJob, StartUserImportJob, StopUserImportJob,
DescribeUserImportJob, ListUserImportJobs. The file is uploaded to the job's pre-signed URL (``web/imports.py``)
and imported by the runner (``operations/shared/import_runner.py``); the rules are ``domain/imports.py``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from userpool.context import Call, Context
from userpool.domain import imports, texts
from userpool.domain.imports import ImportJob
from userpool.errors import (
    InvalidParameterException,
    PreconditionNotMetException,
    ResourceNotFoundException,
    UnsupportedOperationException,
)
from userpool.operations.shared import lookups
from userpool.store import InvalidToken


def _described(ctx: Context, job: ImportJob) -> dict[str, Any]:
    url = imports.presigned_url(ctx.settings.public_base_url, ctx.import_url_key, job)
    return imports.description(job, url)


async def _job(ctx: Context, call: Call) -> ImportJob:
    """The request's job, which must be of the request's pool (which must exist)."""
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    job = await ctx.store.get_import_job(call.params["JobId"])
    if job is None or job.pool_id != pool.id:
        raise ResourceNotFoundException(texts.IMPORT_JOB_NOT_FOUND.format(job_id=call.params["JobId"]))
    return job


async def get_csv_header(ctx: Context, call: Call) -> dict[str, Any]:
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    return {"UserPoolId": pool.id, "CSVHeader": imports.csv_header(pool)}


async def create_user_import_job(ctx: Context, call: Call) -> dict[str, Any]:
    p = call.params
    pool = await lookups.require_pool(ctx.store, p["UserPoolId"])
    if p.get("PasswordHashingAlgorithm"):
        raise UnsupportedOperationException(texts.IMPORT_HASHES)
    job = imports.new_job(pool.id, p["JobName"], p["CloudWatchLogsRoleArn"], ctx.clock.now())
    await ctx.store.create_import_job(job)
    return {"UserImportJob": _described(ctx, job)}


Move = Callable[[str, float], Awaitable[ImportJob | None]]


async def _move(ctx: Context, call: Call, move: Move, refusal: str) -> dict[str, Any]:
    """Move the request's job to its next status by ``move`` (a conditional store write), or refuse with
    ``refusal`` naming the status it is in."""
    job = await _job(ctx, call)
    moved = await move(job.id, ctx.clock.now())
    if moved is None:
        current = await ctx.store.get_import_job(job.id) or job
        raise PreconditionNotMetException(refusal.format(job_id=job.id, status=current.status))
    return {"UserImportJob": _described(ctx, moved)}


async def start_user_import_job(ctx: Context, call: Call) -> dict[str, Any]:
    """``Created`` → ``Pending``: a runner takes it from there."""
    return await _move(ctx, call, ctx.store.start_import_job, texts.IMPORT_NOT_CREATED)


async def stop_user_import_job(ctx: Context, call: Call) -> dict[str, Any]:
    """``Pending`` → ``Stopped``, ``InProgress`` → ``Stopping`` (its runner ends it ``Stopped``)."""
    return await _move(ctx, call, ctx.store.stop_import_job, texts.IMPORT_NOT_RUNNING)


async def describe_user_import_job(ctx: Context, call: Call) -> dict[str, Any]:
    return {"UserImportJob": _described(ctx, await _job(ctx, call))}


async def list_user_import_jobs(ctx: Context, call: Call) -> dict[str, Any]:
    p = call.params
    pool = await lookups.require_pool(ctx.store, p["UserPoolId"])
    try:
        jobs, token = await ctx.store.list_import_jobs(pool.id, p["MaxResults"], p.get("PaginationToken"))
    except InvalidToken:
        raise InvalidParameterException(texts.INVALID_PAGINATION_TOKEN) from None
    result: dict[str, Any] = {"UserImportJobs": [_described(ctx, job) for job in jobs]}
    if token:
        result["PaginationToken"] = token
    return result


OPERATIONS = {
    "GetCSVHeader": get_csv_header,
    "CreateUserImportJob": create_user_import_job,
    "StartUserImportJob": start_user_import_job,
    "StopUserImportJob": stop_user_import_job,
    "DescribeUserImportJob": describe_user_import_job,
    "ListUserImportJobs": list_user_import_jobs,
}
