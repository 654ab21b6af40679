"""The door through which the website and webshop hand personal data in (purposes E and F).

Every endpoint here needs an API key with the right scope (`Authorization: Bearer <key>`),
is rate-limited per key, accepts an `Idempotency-Key` header (a retry creates nothing twice
and gets the same answer), rejects unknown fields, and leaves an ApiAuditEntry per record it
writes. Logs carry ids only, never the e-mails or names posted.
"""

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
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
        rate_limit_check(api_key)
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now())
        return api_key


def rate_limit_check(api_key: ApiKey) -> None:
    """Fixed one-minute windows per key in the shared cache (Redis in production)."""
    from django.core.cache import cache

    window = int(timezone.now().timestamp()) // RATE_WINDOW_SECONDS
    cache_key = f"api-rate:{api_key.pk}:{window}"
    cache.add(cache_key, 0, timeout=RATE_WINDOW_SECONDS * 2)
    try:
        calls = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=RATE_WINDOW_SECONDS * 2)
        calls = 1
    if calls > api_key.rate_limit_per_minute:
        retry_after = RATE_WINDOW_SECONDS - int(timezone.now().timestamp()) % RATE_WINDOW_SECONDS
        raise ApiProblem(
            429,
            f"Rate limit of {api_key.rate_limit_per_minute} calls per minute reached.",
            headers={"Retry-After": str(retry_after)},
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


# --- input schemas: the same validators as the records ----------------------------------------

_email_validator = EmailValidator()


def _check_email(value: str) -> str:
    value = value.strip()
    try:
        _email_validator(value)
    except DjangoValidationError as exc:
        raise ValueError("Enter a valid e-mail address.") from exc
    return value


def _timestamp_text(value):
    """Times come as ISO 8601 text; a bare number (epoch) is refused, not guessed."""
    if value is not None and not isinstance(value, str):
        raise ValueError("Give the time as ISO 8601 text, e.g. 2026-11-28T10:15:00+01:00.")
    return value


def _aware(value: datetime | None) -> datetime | None:
    """A real moment: with a time zone, from 2000 on, not in the future; stored in UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("Give a time zone, e.g. 2026-11-28T10:15:00+01:00 or ...Z.")
    if value.year < 2000:
        raise ValueError("This time is too far in the past.")
    value = value.astimezone(UTC)
    if value > timezone.now() + timedelta(minutes=5):
        raise ValueError("This time is in the future.")
    return value


class StrictSchema(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value):
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("Text may not contain NUL characters.")
        return value


EmailField = Field(max_length=254, json_schema_extra={"format": "email"})


class InquiryIn(StrictSchema):
    name: str = Field(min_length=1, max_length=200)
    email: str = EmailField
    phone: str = Field("", max_length=32)
    company: str = Field("", max_length=200)
    message: str = Field(min_length=1, max_length=5000)
    source: Literal["website", "webshop"] = "website"

    _email = field_validator("email")(_check_email)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        if value and normalise_phone(value) is None:
            raise ValueError("Enter a valid phone number, e.g. +32 15 51 23 45.")
        return value


class InquiryOut(Schema):
    id: int
    status: Literal["received"]


class SubscriptionIn(StrictSchema):
    email: str = EmailField
    consent_given_at: datetime
    consent_text: str = Field("", max_length=5000, description="The exact consent text shown.")
    statement_version: str = Field("", max_length=50, description="Or the statement version.")
    source: str = Field(min_length=1, max_length=50, description="e.g. website-footer")

    _email = field_validator("email")(_check_email)
    _given_text = field_validator("consent_given_at", mode="before")(_timestamp_text)
    _given = field_validator("consent_given_at")(_aware)

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
    withdrawn_at: datetime | None = None

    _email = field_validator("email")(_check_email)
    _at_text = field_validator("withdrawn_at", mode="before")(_timestamp_text)
    _at = field_validator("withdrawn_at")(_aware)


class WithdrawalOut(Schema):
    status: Literal["withdrawn"]


IdempotencyKey = Header(
    None,
    alias="Idempotency-Key",
    min_length=1,
    max_length=200,
    pattern=r"^[\x21-\x7e]+$",
    description="Any unique string per logical request; a retry with it is answered the same.",
)


# --- endpoints --------------------------------------------------------------------------------


@router.post(
    "/inquiries",
    auth=ApiKeyAuth(ApiKey.Scope.INQUIRIES_WRITE),
    response={201: InquiryOut, **ERRORS},
    summary="Hand in a contact-form message",
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
)
def withdrawal_post(
    request: HttpRequest,
    response: HttpResponse,
    payload: WithdrawalIn,
    idempotency_key: str | None = IdempotencyKey,
):
    """Art. 7(3): as easy as giving consent. The address is suppressed whether or not it was
    subscribed (the answer does not reveal which)."""

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
