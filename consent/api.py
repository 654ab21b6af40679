"""The public consent endpoint the banner posts each choice to (Art. 7(1) proof).

`POST /api/v1/consent` takes a small fixed JSON body (at most 256 bytes, unknown fields
rejected) from a website listed in the register's banner settings (CORS: the browser's Origin
header must be one of them, or this app itself), at most CONSENT_RATE_PER_MINUTE per client
and minute. The client's address is used only for that count, as a keyed hash in the cache
that expires within two minutes; it is never stored with the record.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Literal

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Router, Schema
from pydantic import ConfigDict, Field, StrictBool, ValidationError

from cdot_privacy.client_ip import client_ip
from registry.models import ConsentSettings

from .models import BannerVersion
from .services import consent_record_create

router = Router(tags=["consent"])

MAX_BODY_BYTES = 256
RATE_WINDOW_SECONDS = 60
DEFAULT_RATE_PER_MINUTE = 20


class ConsentIn(Schema):
    """One choice made in the banner."""

    model_config = ConfigDict(extra="forbid")

    consent_id: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_-]{22}$",
        description="The ID from the visitor's consent cookie; absent on a first choice.",
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


def _allowed_origin(request: HttpRequest) -> str | None:
    origin = (request.headers.get("Origin") or "").rstrip("/").lower()
    if not origin:
        return None
    own = f"{request.scheme}://{request.get_host()}".lower()
    if origin == own or origin in ConsentSettings.objects.current().origins:
        return origin
    return None


def _cors(response: HttpResponse, origin: str) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = origin
    response["Vary"] = "Origin"
    return response


def _rate_exceeded(request: HttpRequest) -> bool:
    """Fixed one-minute windows per client, counted under a keyed hash of its address."""
    address = client_ip(request)
    digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256)
    window = int(timezone.now().timestamp()) // RATE_WINDOW_SECONDS
    calls = _count(f"consent-rate:{digest.hexdigest()[:24]}:{window}")
    return calls > settings.CONSENT_RATE_PER_MINUTE


def _count(key: str) -> int:
    """Add one to a counter that expires; one round trip on Redis (INCR + EXPIRE NX)."""
    timeout = RATE_WINDOW_SECONDS * 2
    if isinstance(cache, RedisCache):
        name = cache.make_and_validate_key(key)
        pipe = cache._cache.get_client(name, write=True).pipeline(transaction=False)
        pipe.incr(name)
        pipe.expire(name, timeout, nx=True)
        return int(pipe.execute()[0])
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def _banner_version(version: str) -> BannerVersion | None:
    """A banner version this app served (and so stored), or None."""
    pk = BannerVersion.objects.filter(version=version).values_list("pk", flat=True).first()
    return None if pk is None else BannerVersion(pk=pk, version=version)


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
    version = _banner_version(payload.version)
    if version is None:
        return _cors(_problem(422, "Unknown banner version.", "version"), origin)
    record = consent_record_create(
        consent_id=payload.consent_id,
        banner_version=version,
        language=payload.language,
        choices=payload.model_dump(include={"preferences", "statistics", "marketing"}),
        origin=origin,
    )
    body = ConsentOut(
        consent_id=record.consent_id, kind=record.kind, recorded_at=record.recorded_at
    )
    return _cors(JsonResponse(body.model_dump(mode="json"), status=201), origin)
