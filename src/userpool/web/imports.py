"""The user import jobs' pre-signed URL: ``PUT /_userpool/import/<job id>?expires=...&signature=...`` stores the
.csv file (as ``curl -T users.csv "<PreSignedUrl>"`` or ``requests.put(url, data=open(path, "rb"))`` sends it),
streamed into the store in 1 MiB chunks; ``GET /_userpool/import/<job id>/report?<the same query>`` lists the rows
the job skipped or failed, one ``[FAILED] Line Number 5 - <reason>`` line each (as Cognito's CloudWatch log).

The URL is signed with HMAC-SHA256 (``domain.imports``) and the upload expires 15 minutes after the job was made
(the report does not: the signature alone opens it). Refusals are S3's XML errors, never a traceback."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import AsyncIterator
from xml.sax.saxutils import escape

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from userpool.context import Context
from userpool.domain import imports
from userpool.domain.imports import ImportJob

log = logging.getLogger("userpool.imports")
REPORT_PAGE = 1000
TOO_LARGE = "The .csv file is larger than 100 MB."


def _error(status: int, code: str, message: str) -> Response:
    """S3's error document."""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{escape(message)}</Message>"
        f"<RequestId>{secrets.token_hex(8).upper()}</RequestId></Error>"
    )
    return Response(body, status, media_type="application/xml")


class Uploads:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def _signed_job(self, request: Request, *, check_expiry: bool) -> ImportJob | Response:
        """The job the URL names when its signature (and, for an upload, its expiry) holds, else the refusal."""
        job_id = request.path_params["job_id"]
        expires = imports.signature_matches(
            self.ctx.import_url_key,
            job_id,
            request.query_params.get("expires"),
            request.query_params.get("signature"),
        )
        if expires is None:
            return _error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match.")
        if check_expiry and self.ctx.clock.now() > expires:
            return _error(403, "AccessDenied", "Request has expired")
        job = await self.ctx.store.get_import_job(job_id)
        if job is None:
            return _error(404, "NoSuchKey", "The import job does not exist.")
        return job

    async def upload(self, request: Request) -> Response:
        found = await self._signed_job(request, check_expiry=True)
        if isinstance(found, Response):
            return found
        job = found
        if job.status != imports.CREATED:
            return _error(400, "InvalidRequest", f"The import job is {job.status}: its file can no longer change.")
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > imports.MAX_FILE_BYTES:
            return _error(400, "EntityTooLarge", TOO_LARGE)
        upload_id = secrets.token_hex(8)
        store = self.ctx.store
        size = lines = seq = 0
        digest = hashlib.md5(usedforsecurity=False)
        pending = bytearray()
        last = b"\n"
        try:
            async for piece in request.stream():
                size += len(piece)
                if size > imports.MAX_FILE_BYTES:
                    await store.discard_import_upload(job.id, upload_id)
                    return _error(400, "EntityTooLarge", TOO_LARGE)
                if not piece:
                    continue
                digest.update(piece)
                lines += piece.count(b"\n")
                last = piece[-1:]
                pending += piece
                while len(pending) >= imports.CHUNK_BYTES:
                    await store.add_import_chunk(job.id, upload_id, seq, bytes(pending[: imports.CHUNK_BYTES]))
                    del pending[: imports.CHUNK_BYTES]
                    seq += 1
            if pending:
                await store.add_import_chunk(job.id, upload_id, seq, bytes(pending))
        except ClientDisconnect:
            await store.discard_import_upload(job.id, upload_id)
            return _error(400, "IncompleteBody", "The upload ended before its body did.")
        rows = lines + (0 if last == b"\n" else 1) - 1  # lines after the header
        if rows > imports.MAX_ROWS:
            await store.discard_import_upload(job.id, upload_id)
            return _error(400, "InvalidRequest", f"The .csv file has more than {imports.MAX_ROWS:,} rows.")
        if not await store.finish_import_upload(job.id, upload_id, size, max(rows, 0)):
            return _error(400, "InvalidRequest", "The import job has started: its file can no longer change.")
        log.info("import job %s: received a .csv file of %d bytes, %d rows", job.id, size, max(rows, 0))
        return Response(status_code=200, headers={"ETag": f'"{digest.hexdigest()}"'})

    async def report(self, request: Request) -> Response:
        found = await self._signed_job(request, check_expiry=False)
        if isinstance(found, Response):
            return found
        job = found

        async def lines() -> AsyncIterator[str]:
            after = 0
            while True:
                rows = await self.ctx.store.list_import_report(job.id, after, REPORT_PAGE)
                for row in rows:
                    yield row.log_line() + "\n"
                if len(rows) < REPORT_PAGE:
                    return
                after = rows[-1].line

        return StreamingResponse(lines(), media_type="text/plain; charset=utf-8")


def routes(ctx: Context) -> list[Route]:
    uploads = Uploads(ctx)
    return [
        Route("/_userpool/import/{job_id}", uploads.upload, methods=["PUT"]),
        Route("/_userpool/import/{job_id}/report", uploads.report, methods=["GET"]),
    ]
