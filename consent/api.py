"""The public consent endpoint the banner posts each choice to (Art. 7(1) proof).

`POST /api/v1/consent` takes a small fixed JSON body (at most 256 bytes, unknown fields
rejected) from a website listed in the register's banner settings (CORS: the browser's Origin
header must be one of them, or this app itself), at most CONSENT_RATE_PER_MINUTE per client
and minute, counted by django-ratelimit as the public request form is (the client address from
cdot_privacy.client_ip, which honours TRUSTED_PROXIES). The address is used only for that
count, hashed into a cache key that expires within 65 seconds; it is never stored with the
record.

What the endpoint checks against the register (the listed websites, the banner versions
served) is read at most once per REGISTER_SECONDS per process. With Redis (REDIS_URL), a first
choice (no consent ID) touches no database: one Redis round trip counts the rate limit in
django-ratelimit's own counter and, within the limit, queues the record (consent/services.py);
beat writes the queue into the database every 10 seconds, and so does every reader first (the
staff lookup and proof, the dashboard). A change sent with a consent ID writes the queue first,
then reads that ID's last record, to tell a withdrawal, and is written at once. Without Redis,
or with Redis unreachable (logged), a choice is written at once (bench/consent.py measures it).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from django.conf import settings
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django_ratelimit import ALL
from django_ratelimit.core import (
    EXPIRATION_FUDGE,
    _get_ip,
    _get_window,
    _make_cache_key,
    _split_rate,
    is_ratelimited,
)
from ninja import Router, Schema
from pydantic import ConfigDict, Field, StrictBool, ValidationError

from registry.models import ConsentSettings

from .models import BannerVersion, ConsentRecord
from .services import (
    REDIS_ERRORS,
    FirstChoice,
    consent_choice_queue,
    consent_choice_store,
    consent_queue_flush_for_reading,
    consent_record_create,
    queue_cache,
    queue_client,
)

logger = logging.getLogger(__name__)
router = Router(tags=["consent"])

MAX_BODY_BYTES = 256
RATE_WINDOW_SECONDS = 60
RATE_GROUP = "consent:post"
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
    # banner version -> an instance of its row holding only pk and version
    # (stored versions never change; one instance per process saves building one per POST)
    versions: dict[str, BannerVersion]


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
    origin = request.META.get("HTTP_ORIGIN", "").rstrip("/").lower()  # request.headers: slower
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


def _rate() -> str:
    return f"{settings.CONSENT_RATE_PER_MINUTE}/m"


def _rate_exceeded(request: HttpRequest) -> bool:
    """The request form's limiter (django-ratelimit), per client address, per minute.

    With Redis unreachable the choice is not refused (logged): it is written at once.
    """
    try:
        return is_ratelimited(request, group=RATE_GROUP, key="ip", rate=_rate(), increment=True)
    except REDIS_ERRORS as exc:
        logger.warning("event=consent_redis_unreachable step=count error=%s", type(exc).__name__)
        return False


def _rate_key(request: HttpRequest) -> tuple[str | None, int, int]:
    """django-ratelimit's counter for this client and window as is_ratelimited(key="ip")
    names it (cache prefix and version included), the limit and the counter's expiry; the key
    is None when RATELIMIT_ENABLE is off."""
    rate = _rate()
    limit, period = _split_rate(rate)
    if not settings.RATELIMIT_ENABLE:
        return None, limit, period
    value = _get_ip(request)
    key = _make_cache_key(RATE_GROUP, _get_window(value, period), rate, value, ALL)
    return queue_cache().make_key(key), limit, period + EXPIRATION_FUDGE


def _too_many() -> JsonResponse:
    response = _problem(429, "Too many choices from this client; try again in a minute.")
    response["Retry-After"] = str(RATE_WINDOW_SECONDS)
    return response


def _banner_version(version: str) -> BannerVersion | None:
    """A banner version this app served (and so stored), or None."""
    versions = register_copy().versions
    found = versions.get(version)
    if found is None:
        pk = BannerVersion.objects.filter(version=version).values_list("pk", flat=True).first()
        if pk is None:
            return None
        found = versions[version] = BannerVersion(pk=pk, version=version)
    return found


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


def _choices(payload: ConsentIn) -> dict[str, bool]:
    return payload.model_dump(include={"preferences", "statistics", "marketing"})


def _written(payload: ConsentIn, create) -> ConsentRecord | None:
    """Write through ``create(version)``; None if the banner version is not one this app
    served. A version row gone (a restored database) is looked up again."""
    version = _banner_version(payload.version)
    if version is None:
        return None
    try:
        return create(version)
    except IntegrityError:
        forget_register()
        version = _banner_version(payload.version)
        return None if version is None else create(version)


def _queued(
    request: HttpRequest, client, payload: ConsentIn, version: BannerVersion, origin: str
) -> FirstChoice | ConsentRecord | HttpResponse | None:
    """A first choice with Redis: counted and, within the limit, queued in one round trip.

    The answer is the choice queued (its ID and time made here). Redis unreachable: the
    choice is written at once, uncounted (logged), never lost.
    """
    choice = FirstChoice.new(
        banner_version=version, language=payload.language, origin=origin, choices=_choices(payload)
    )
    rate_key, limit, expiry = _rate_key(request)
    try:
        count = consent_choice_queue(
            choice=choice, client=client, rate_key=rate_key, limit=limit, expiry=expiry
        )
    except REDIS_ERRORS as exc:
        logger.warning("event=consent_redis_unreachable step=queue error=%s", type(exc).__name__)
        return _written(
            payload, lambda v: consent_choice_store(choice=replace(choice, banner_version=v))
        )
    if rate_key is not None and count > limit:
        return _too_many()
    return choice


def _at_once(payload: ConsentIn, origin: str) -> ConsentRecord | None:
    """Written at once: a change (after the queue, so that the ID's last record is known) or
    a first choice without Redis."""
    if payload.consent_id:
        consent_queue_flush_for_reading()
    return _written(
        payload,
        lambda version: consent_record_create(
            consent_id=payload.consent_id,
            banner_version=version,
            language=payload.language,
            choices=_choices(payload),
            origin=origin,
        ),
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
    description=(
        "Records one choice made in the cookie banner (Art. 7(1)): no IP address or other "
        "request data is stored. A first choice (no `consent_id`) gets a new consent ID. "
        "With Redis it is counted and queued in one round trip and written to the database "
        "within about 10 seconds (at once when staff look it up or the visitor changes the "
        "choice); without Redis it is written at once. A change (with `consent_id`) is written "
        "at once, as a withdrawal when it refuses a category the same ID had accepted."
    ),
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
    try:
        payload = ConsentIn.model_validate(json.loads(request.body or b"null"))
    except (ValueError, TypeError) as exc:
        if _rate_exceeded(request):
            return _cors(_too_many(), origin)
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
    client = queue_client() if version is not None and payload.consent_id is None else None
    answer: FirstChoice | ConsentRecord | HttpResponse | None
    if client is not None and version is not None:
        answer = _queued(request, client, payload, version, origin)
    elif _rate_exceeded(request):
        answer = _too_many()
    else:
        answer = None if version is None else _at_once(payload, origin)
    if isinstance(answer, HttpResponse):
        return _cors(answer, origin)
    if answer is None:
        return _cors(_problem(422, "Unknown banner version.", "version"), origin)
    body = ConsentOut.model_validate(  # validated: kind must be one the schema names
        {"consent_id": answer.consent_id, "kind": answer.kind, "recorded_at": answer.recorded_at}
    )
    return _cors(JsonResponse(body.model_dump(mode="json"), status=201), origin)
