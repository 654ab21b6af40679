"""`GET /api/v1/register`: the register summary of the published privacy statement, as JSON.

It serves exactly the facts the newest published StatementVersion was rendered from
(purposes, legal bases, categories, recipients, transfers, retention), so the machine-readable
register and the public statement never disagree; versioned and cacheable with the statement.
"""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from .models import StatementVersion

router = Router(tags=["register"])


class RegisterOut(Schema):
    version: int
    published_at: datetime
    language: str
    content_hash: str
    facts: dict[str, Any]


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError] = []


@router.get(
    "/register",
    auth=None,
    response={200: RegisterOut, 404: ErrorOut, 422: ErrorOut},
    summary="The public register summary (the published privacy statement's data)",
)
def register_get(
    request: HttpRequest, response: HttpResponse, lang: Literal["nl", "fr", "en"] = "nl"
):
    """Public; `Cache-Control: public` with an ETag per statement version and language."""
    version = (
        StatementVersion.objects.newest_first()
        .only("number", "content_hash", "published_at", "facts")
        .first()
    )
    if version is None:
        return Status(404, {"detail": "No privacy statement has been published yet."})
    etag = f'"register-{version.number}-{lang}-{version.content_hash[:16]}"'
    if etag in request.headers.get("If-None-Match", ""):
        not_modified = HttpResponse(status=304)
        not_modified["ETag"] = etag
        return not_modified
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=300"
    response["Vary"] = "Accept-Encoding"
    return Status(
        200,
        {
            "version": version.number,
            "published_at": version.published_at,
            "language": lang,
            "content_hash": version.content_hash,
            "facts": version.facts.get(lang, {}),
        },
    )
