"""The door through which the website and webshop hand personal data in (purposes E and F).

Every endpoint here needs an API key with the right scope (`Authorization: Bearer <key>`),
is rate-limited per key, accepts an `Idempotency-Key` header (a retry creates nothing twice
and gets the same answer), rejects unknown fields, and leaves an ApiAuditEntry per record it
writes. Logs carry ids only, never the e-mails or names posted.
"""

import hashlib
import json
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django_ratelimit.core import is_ratelimited
from ninja import Field, Header, Router, Schema, Status
from ninja.security import HttpBearer
from pydantic import ConfigDict, field_validator, model_validator

from .models import ApiAuditEntry, ApiKey, IdempotencyRecord
from .normalise import normalise_phone
from .services import (
    ConsentNotFresh,
    newsletter_subscribe,
    newsletter_withdraw,
    web_inquiry_create,
)

logger = logging.getLogger(__name__)
router = Router(tags=["intake"])

RATE_WINDOW_SECONDS = 60
IDEMPOTENCY_TTL = timedelta(hours=24)


# --- errors -----------------------------------------------------------------------------------


class ApiProblem(Exception):
    """A 4xx answer naming the field (or header) at fault; see cdot_privacy.api."""

    def __init__(self, status: int, message: str, field: str | None = None, headers=None):
        super().__init__(message)
        self.status, self.message, self.field = status, message, field
        self.headers = headers or {}


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError] = []


ERRORS = {code: ErrorOut for code in (400, 401, 403, 409, 422, 429)}
ERROR_DESCRIPTIONS = {
    400: {"description": "The body is not JSON."},
    401: {"description": "No API key, or an unknown or revoked one."},
    403: {"description": "The API key lacks this endpoint's scope."},
    409: {
        "description": (
            "A time more than 5 minutes after the server's clock, or (subscriptions) a consent "
            "given before the address's withdrawal."
        )
    },
    422: {
        "description": (
            "The body breaks the schema, or this Idempotency-Key was already used (within "
            "24 hours) for a different request: the same key must carry the same body."
        )
    },
    429: {"description": "This key's calls per minute are used up; see Retry-After."},
}


# --- authentication, scopes, rate limits ------------------------------------------------------


class ApiKeyAuth(HttpBearer):
    """`Authorization: Bearer <key>`: a key that exists, is not revoked and has the scope."""

    def __init__(self, scope: str):
        self.scope = scope
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        api_key = ApiKey.objects.find(token)
        if api_key is None:
            return None  # 401: unknown or revoked
        if not api_key.allows(self.scope):
            raise ApiProblem(403, f"This API key lacks the scope {self.scope}.", "Authorization")
        rate_limit_check(request, api_key)
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now())
        return api_key


def rate_limit_check(request: HttpRequest, api_key: ApiKey) -> None:
    """At most `api_key.rate_limit_per_minute` calls per key and minute, counted in the shared
    cache (Redis in production) by django-ratelimit, the limiter of the public request form
    and the consent endpoint too. Retry-After is the window's length: a retry after it is
    counted in a new window."""
    rate = f"{api_key.rate_limit_per_minute}/m"
    key = f"api-key:{api_key.pk}"
    if is_ratelimited(request, group="api:key", key=lambda _g, _r: key, rate=rate, increment=True):
        raise ApiProblem(
            429,
            f"Rate limit of {api_key.rate_limit_per_minute} calls per minute reached.",
            headers={"Retry-After": str(RATE_WINDOW_SECONDS)},
        )


# --- idempotency and audit --------------------------------------------------------------------


def _request_hash(payload: Schema) -> str:
    canonical = json.dumps(payload.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def idempotent_write(
    *,
    request: HttpRequest,
    response: HttpResponse,
    endpoint: str,
    payload: Schema,
    idempotency_key: str | None,
    write: Callable[[], tuple[int, dict, str, list[int]]],
) -> tuple[int, dict]:
    """Run `write` once per Idempotency-Key; audit every record it wrote.

    `write` returns (status, body, record_type, record_ids). The body holds ids and statuses
    only, so the stored answer holds no personal data.
    """
    api_key: ApiKey = request.auth  # type: ignore[attr-defined]  # set by ninja's auth
    request_hash = _request_hash(payload)
    if idempotency_key:
        stored = _stored_answer(api_key, idempotency_key, endpoint, request_hash)
        if stored is not None:
            response["Idempotent-Replayed"] = "true"
            return stored
    try:
        with transaction.atomic():
            status, body, record_type, record_ids = write()
            ApiAuditEntry.objects.bulk_create(
                ApiAuditEntry(
                    api_key=api_key, endpoint=endpoint, record_type=record_type, record_id=pk
                )
                for pk in record_ids
            )
            if idempotency_key:
                IdempotencyRecord.objects.create(
                    api_key=api_key,
                    key=idempotency_key,
                    endpoint=endpoint,
                    request_hash=request_hash,
                    status_code=status,
                    response_body=body,
                )
    except IntegrityError:
        # A concurrent call with the same key won the race: answer what it answered.
        stored = (
            _stored_answer(api_key, idempotency_key, endpoint, request_hash)
            if idempotency_key
            else None
        )
        if stored is None:
            raise
        response["Idempotent-Replayed"] = "true"
        return stored
    logger.info(
        "api write key=%s endpoint=%s status=%s %s=%s",
        api_key.pk,
        endpoint,
        status,
        record_type,
        ",".join(map(str, record_ids)),
    )
    return status, body


def _stored_answer(api_key, idempotency_key, endpoint, request_hash) -> tuple[int, dict] | None:
    since = timezone.now() - IDEMPOTENCY_TTL
    stored = IdempotencyRecord.objects.filter(
        api_key=api_key, key=idempotency_key, created_at__gte=since
    ).first()
    if stored is None:
        return None
    if stored.endpoint != endpoint or stored.request_hash != request_hash:
        raise ApiProblem(
            422,
            "This Idempotency-Key was already used for a different request.",
            "Idempotency-Key",
        )
    return stored.status_code, stored.response_body


# --- input schemas: what the OpenAPI schema states is exactly what is enforced ---------------
#
# Every constraint below is declared in the schema (pattern, lengths) and checked against the
# text as sent, so a client that validates against the schema is never refused for its shape
# (issue 19, finding 8; tests/test_api_schemathesis.py runs every schemathesis check). Text is
# stripped of the BLANK characters only after it passed.

# What str.isspace() calls blank; stripped from the ends, and not enough on its own for a
# required text. Spelled out so the pattern and the stripping agree on every engine.
BLANK = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
_BLANK_CLASS = "".join(f"\\u{ord(c):04x}" for c in BLANK)
NO_NUL = r"^[^\u0000]*$"
# Some character that is neither blank nor NUL; the classes are disjoint, so no backtracking.
NOT_BLANK = rf"^[{_BLANK_CLASS}]*[^\u0000{_BLANK_CLASS}][^\u0000]*$"
# An address of the dot-atom form, ASCII domain with a top-level name: a subset of what
# Django's EmailValidator (and the records' EmailField) accepts, so the two never disagree.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
EMAIL_PATTERN = (
    rf"^{_ATOM}(\.{_ATOM})*@([A-Za-z0-9]([A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.)+[A-Za-z]{{2,63}}$"
)
# RFC 3339 date-time with its offset, year 2000-2099 (a consent before 2000 is no real moment).
DATE_TIME_PATTERN = (
    r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?"
    r"([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)
PHONE_MAX_LENGTH = 32
# The message a client reads when a pattern is not matched (cdot_privacy.api._message).
PATTERN_MESSAGES = {
    NO_NUL: "Text may not contain NUL characters.",
    NOT_BLANK: "Give a text that is not blank and holds no NUL character.",
    EMAIL_PATTERN: "Enter a valid e-mail address.",
}
# A time this far past the server's clock is a client's clock error.
CLOCK_SKEW = timedelta(minutes=5)


def _not_after_now(value: datetime | None, field: str) -> None:
    """A time later than the server's clock is a 409: the schema cannot say "now"."""
    if value is not None and value > timezone.now() + CLOCK_SKEW:
        raise ApiProblem(409, "This time is in the future.", field)


_email_validator = EmailValidator()


def _check_email(value: str) -> str:
    try:
        _email_validator(value)
    except DjangoValidationError as exc:  # not expected: EMAIL_PATTERN is a subset
        raise ValueError("Enter a valid e-mail address.") from exc
    return value


def _timestamp_text(value):
    """Times come as RFC 3339 text; a bare number (epoch) is refused, not guessed."""
    if value is None:
        return value
    if not isinstance(value, str) or not re.fullmatch(DATE_TIME_PATTERN, value):
        raise ValueError(
            "Give the time as RFC 3339 text with a time zone from 2000 on, "
            "e.g. 2026-11-28T10:15:00+01:00."
        )
    return value


def _utc(value: datetime | None) -> datetime | None:
    """The same moment in UTC (the pattern already demanded a time zone)."""
    return None if value is None else value.astimezone(UTC)


def _text(*, required: bool, max_length: int, default: str = "", **extra):
    """A text field: NUL refused, and a required one needs a character that is not blank."""
    if required:
        return Field(min_length=1, max_length=max_length, pattern=NOT_BLANK, **extra)
    return Field(default, max_length=max_length, pattern=NO_NUL, **extra)


class StrictSchema(Schema):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _strip(cls, value):
        return value.strip(BLANK) if isinstance(value, str) else value


EmailField = Field(
    max_length=254,
    pattern=EMAIL_PATTERN,
    description="An address name@domain.tld (ASCII domain; the pattern is the whole rule).",
)
TIME_DESCRIPTION = (
    "RFC 3339 with a time zone, from 2000 on. More than 5 minutes after the server's "
    "clock is a 409."
)


class InquiryIn(StrictSchema):
    name: str = _text(required=True, max_length=200)
    email: str = EmailField
    # The format "phone" is the whole rule (characters, length, a number that exists), as no
    # pattern can say which numbers exist; max_length is checked, not declared apart.
    phone: str = Field(
        "",
        json_schema_extra={"format": "phone"},
        description=(
            "Empty, or at most 32 characters naming a number that exists in the numbering "
            "plan (libphonenumber): international (+32 15 51 23 45) or Belgian national "
            "(015 51 23 45)."
        ),
    )
    company: str = _text(required=False, max_length=200)
    message: str = _text(required=True, max_length=5000)
    source: Literal["website", "webshop"] = "website"

    _email = field_validator("email")(_check_email)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        if value and (len(value) > PHONE_MAX_LENGTH or normalise_phone(value) is None):
            raise ValueError("Enter a valid phone number, e.g. +32 15 51 23 45.")
        return value


class InquiryOut(Schema):
    id: int
    status: Literal["received"]


def _one_of_them_given(schema: dict) -> None:
    """Art. 7(1) proof: the schema says that consent_text or statement_version is not blank."""
    schema["anyOf"] = [
        {"required": [name], "properties": {name: {"pattern": NOT_BLANK}}}
        for name in ("consent_text", "statement_version")
    ]


class SubscriptionIn(StrictSchema):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_one_of_them_given)

    email: str = EmailField
    consent_given_at: datetime = Field(
        json_schema_extra={"pattern": DATE_TIME_PATTERN}, description=TIME_DESCRIPTION
    )
    consent_text: str = _text(
        required=False,
        max_length=5000,
        description="The exact consent text shown (this or statement_version, not blank).",
    )
    statement_version: str = _text(
        required=False, max_length=50, description="Or the statement version shown."
    )
    source: str = _text(required=True, max_length=50, description="e.g. website-footer")

    _email = field_validator("email")(_check_email)
    _given_text = field_validator("consent_given_at", mode="before")(_timestamp_text)
    _given = field_validator("consent_given_at")(_utc)

    @model_validator(mode="after")
    def _proof(self):
        if not self.consent_text and not self.statement_version:
            raise ValueError("Give consent_text or statement_version: what was shown.")
        return self


class SubscriptionOut(Schema):
    id: int
    status: Literal["subscribed", "already_subscribed"]


class WithdrawalIn(StrictSchema):
    email: str = EmailField
    withdrawn_at: datetime | None = Field(
        None, json_schema_extra={"pattern": DATE_TIME_PATTERN}, description=TIME_DESCRIPTION
    )

    _email = field_validator("email")(_check_email)
    _at_text = field_validator("withdrawn_at", mode="before")(_timestamp_text)
    _at = field_validator("withdrawn_at")(_utc)


class WithdrawalOut(Schema):
    status: Literal["withdrawn"]


IdempotencyKey = Header(
    None,
    alias="Idempotency-Key",
    min_length=1,
    max_length=200,
    pattern=r"^[\x21-\x7e]+$",
    description=(
        "Any unique string per logical request; a retry with it is answered the same. "
        "Reused with another body or endpoint: 422."
    ),
)


# --- endpoints --------------------------------------------------------------------------------


@router.post(
    "/inquiries",
    auth=ApiKeyAuth(ApiKey.Scope.INQUIRIES_WRITE),
    response={201: InquiryOut, **ERRORS},
    summary="Hand in a contact-form message",
    openapi_extra={"responses": ERROR_DESCRIPTIONS},
)
def inquiry_post(
    request: HttpRequest,
    response: HttpResponse,
    payload: InquiryIn,
    idempotency_key: str | None = IdempotencyKey,
):
    """Becomes a WebInquiry, kept 1 year unless the sender becomes a customer."""

    def write():
        inquiry = web_inquiry_create(**payload.model_dump())
        return 201, {"id": inquiry.pk, "status": "received"}, "web_inquiry", [inquiry.pk]

    return Status(
        *idempotent_write(
            request=request,
            response=response,
            endpoint="inquiries",
            payload=payload,
            idempotency_key=idempotency_key,
            write=write,
        )
    )


@router.post(
    "/newsletter/subscriptions",
    auth=ApiKeyAuth(ApiKey.Scope.NEWSLETTER_WRITE),
    response={201: SubscriptionOut, 200: SubscriptionOut, **ERRORS},
    summary="Record a newsletter consent",
    openapi_extra={"responses": ERROR_DESCRIPTIONS},
)
def subscription_post(
    request: HttpRequest,
    response: HttpResponse,
    payload: SubscriptionIn,
    idempotency_key: str | None = IdempotencyKey,
):
    """Proof of consent (Art. 7(1)): the text or statement version shown, when, where.

    A withdrawn (suppressed) address needs a consent given after the withdrawal (409 if not).
    """

    _not_after_now(payload.consent_given_at, "consent_given_at")

    def write():
        try:
            subscription, created = newsletter_subscribe(**payload.model_dump())
        except ConsentNotFresh as exc:
            raise ApiProblem(
                409,
                "This address withdrew its consent; a new consent given after that is needed.",
                "consent_given_at",
            ) from exc
        if not created:
            return 200, {"id": subscription.pk, "status": "already_subscribed"}, "", []
        body = {"id": subscription.pk, "status": "subscribed"}
        return 201, body, "newsletter_subscription", [subscription.pk]

    return Status(
        *idempotent_write(
            request=request,
            response=response,
            endpoint="newsletter/subscriptions",
            payload=payload,
            idempotency_key=idempotency_key,
            write=write,
        )
    )


@router.post(
    "/newsletter/withdrawals",
    auth=ApiKeyAuth(ApiKey.Scope.NEWSLETTER_WRITE),
    response={200: WithdrawalOut, **ERRORS},
    summary="Withdraw a newsletter consent",
    openapi_extra={"responses": ERROR_DESCRIPTIONS},
)
def withdrawal_post(
    request: HttpRequest,
    response: HttpResponse,
    payload: WithdrawalIn,
    idempotency_key: str | None = IdempotencyKey,
):
    """Art. 7(3): as easy as giving consent. The address is suppressed whether or not it was
    subscribed (the answer does not reveal which)."""

    _not_after_now(payload.withdrawn_at, "withdrawn_at")

    def write():
        ids, entry = newsletter_withdraw(**payload.model_dump())
        # audited: the subscriptions withdrawn, else the suppression entry made
        if ids:
            return 200, {"status": "withdrawn"}, "newsletter_subscription", ids
        return 200, {"status": "withdrawn"}, "suppression_entry", [entry.pk]

    return Status(
        *idempotent_write(
            request=request,
            response=response,
            endpoint="newsletter/withdrawals",
            payload=payload,
            idempotency_key=idempotency_key,
            write=write,
        )
    )
