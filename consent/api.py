"""The public consent endpoint the banner posts each choice to (Art. 7(1) proof).

`POST /api/v1/consent` takes a small fixed JSON body (at most 256 bytes, unknown fields
rejected) from a website listed in the register's banner settings (CORS: the browser's Origin
header must be one of them, or this app itself), at most CONSENT_RATE_PER_MINUTE per client
and minute, counted by django-ratelimit as the public request form is (the client address from
cdot_privacy.client_ip, which honours TRUSTED_PROXIES). The address is used only for that
count, hashed into a cache key that expires within 65 seconds; it is never stored with the
record.

What the endpoint checks against the register (the listed websites, the banner versions
served) is read at most once per REGISTER_SECONDS per process, so a first choice costs the
rate-limit count and one durable INSERT (bench/consent.py); a change sent with a consent ID
also reads that ID's last record, to tell a withdrawal.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from django.conf import settings
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django_ratelimit.core import is_ratelimited
from ninja import Router, Schema
from pydantic import ConfigDict, Field, StrictBool, ValidationError

from registry.models import ConsentSettings

from .models import BannerVersion, ConsentRecord
from .services import consent_record_create

router = Router(tags=["consent"])

MAX_BODY_BYTES = 256
RATE_WINDOW_SECONDS = 60
REGISTER_SECONDS = 10  # how old this process's copy of the register may be


class ConsentIn(Schema):
    """One choice made in the banner."""

    model_config = ConfigDict(extra="forbid")

    consent_id: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_-]{22}$",
        description=(
            "The ID from the visitor's consent cookie; absent on a first choice. An ID no "
            "record holds is not taken over: the answer carries a new one."
        ),
    )
    version: str = Field(pattern=r"^[0-9a-f]{12}$", description="The banner version shown.")
    language: Literal["nl", "fr", "en"]
    preferences: StrictBool
    statistics: StrictBool
    marketing: StrictBool


class ConsentOut(Schema):
    consent_id: str
    kind: Literal["choice", "withdrawal"]
    recorded_at: datetime


def _problem(status: int, detail: str, field: str | None = None) -> JsonResponse:
    errors = [{"field": field, "message": detail}] if field else []
    return JsonResponse({"detail": detail, "errors": errors}, status=status)


@dataclass(frozen=True)
class RegisterCopy:
    """What a POST checks against the register, as this process last read it."""

    read_at: float
    origins: frozenset[str]
    versions: dict[str, int]  # banner version -> its row's id (stored versions never change)


_register: RegisterCopy | None = None


def register_copy() -> RegisterCopy:
    """The listed websites and the versions seen, read again after REGISTER_SECONDS.

    A website added or removed in the banner settings is allowed or refused within that time.
    """
    global _register
    now = time.time()
    copy = _register
    if copy is None or not 0 <= now - copy.read_at < REGISTER_SECONDS:
        copy = RegisterCopy(now, frozenset(ConsentSettings.objects.current().origins), {})
        _register = copy
    return copy


def forget_register() -> None:
    """Read the register again on the next POST (tests; a restored database)."""
    global _register
    _register = None


def _allowed_origin(request: HttpRequest) -> str | None:
    origin = (request.headers.get("Origin") or "").rstrip("/").lower()
    if not origin:
        return None
    own = f"{request.scheme}://{request.get_host()}".lower()
    if origin == own or origin in register_copy().origins:
        return origin
    return None


def _cors(response: HttpResponse, origin: str) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = origin
    response["Vary"] = "Origin"
    return response


def _rate_exceeded(request: HttpRequest) -> bool:
    """The request form's limiter (django-ratelimit), per client address, per minute."""
    rate = f"{settings.CONSENT_RATE_PER_MINUTE}/m"
    return is_ratelimited(request, group="consent:post", key="ip", rate=rate, increment=True)


def _banner_version(version: str) -> BannerVersion | None:
    """A banner version this app served (and so stored), or None."""
    versions = register_copy().versions
    pk = versions.get(version)
    if pk is None:
        pk = BannerVersion.objects.filter(version=version).values_list("pk", flat=True).first()
        if pk is None:
            return None
        versions[version] = pk
    return BannerVersion(pk=pk, version=version)


def _errors(exc: ValidationError) -> list[dict[str, str]]:
    found = []
    for error in exc.errors():
        field = ".".join(str(p) for p in error.get("loc", ())) or "body"
        if error.get("type") == "extra_forbidden":
            message = "Unknown field."
        elif error.get("type") == "missing":
            message = "This field is required."
        else:
            message = str(error.get("msg", "Invalid value."))
        found.append({"field": field, "message": message})
    return found


def _record(payload: ConsentIn, origin: str) -> ConsentRecord | None:
    """Store the choice; None if the banner version is not one this app served."""
    version = _banner_version(payload.version)
    if version is None:
        return None
    try:
        return _create(payload, version, origin)
    except IntegrityError:  # the version's row is gone (a restored database): look again
        forget_register()
        version = _banner_version(payload.version)
        return None if version is None else _create(payload, version, origin)


def _create(payload: ConsentIn, version: BannerVersion, origin: str) -> ConsentRecord:
    return consent_record_create(
        consent_id=payload.consent_id,
        banner_version=version,
        language=payload.language,
        choices=payload.model_dump(include={"preferences", "statistics", "marketing"}),
        origin=origin,
    )


@router.api_operation(["OPTIONS"], "/consent", include_in_schema=False, auth=None)
def consent_preflight(request: HttpRequest) -> HttpResponse:
    """CORS preflight: only the websites the register lists may post."""
    origin = _allowed_origin(request)
    if origin is None:
        return _problem(403, "This website may not record consents here.", "Origin")
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Methods"] = "POST"
    response["Access-Control-Allow-Headers"] = "Content-Type"
    response["Access-Control-Max-Age"] = "86400"
    return _cors(response, origin)


@router.post(
    "/consent",
    auth=None,
    response={201: ConsentOut},
    summary="Record a cookie choice (public, from the banner)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ConsentIn.model_json_schema()}},
        },
        "responses": {
            "403": {"description": "Origin not listed in the register's banner settings."},
            "413": {"description": f"Body larger than {MAX_BODY_BYTES} bytes."},
            "422": {"description": "Body not valid, or an unknown banner version."},
            "429": {"description": "Too many choices from this client in one minute."},
        },
    },
)
def consent_post(request: HttpRequest) -> HttpResponse:
    origin = _allowed_origin(request)
    if origin is None:
        return _problem(403, "This website may not record consents here.", "Origin")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = MAX_BODY_BYTES + 1
    if declared > MAX_BODY_BYTES or len(request.body) > MAX_BODY_BYTES:
        return _cors(_problem(413, f"The body may hold at most {MAX_BODY_BYTES} bytes."), origin)
    if _rate_exceeded(request):
        response = _problem(429, "Too many choices from this client; try again in a minute.")
        response["Retry-After"] = str(RATE_WINDOW_SECONDS)
        return _cors(response, origin)
    try:
        payload = ConsentIn.model_validate(json.loads(request.body or b"null"))
    except (ValueError, TypeError) as exc:
        errors = _errors(exc) if isinstance(exc, ValidationError) else []
        response = JsonResponse(
            {
                "detail": "The request is not valid.",
                "errors": errors or [{"field": "body", "message": "Send a JSON object."}],
            },
            status=422,
        )
        return _cors(response, origin)
    record = _record(payload, origin)
    if record is None:
        return _cors(_problem(422, "Unknown banner version.", "version"), origin)
    body = ConsentOut.model_validate(  # validated: kind must be one the schema names
        {"consent_id": record.consent_id, "kind": record.kind, "recorded_at": record.recorded_at}
    )
    return _cors(JsonResponse(body.model_dump(mode="json"), status=201), origin)
