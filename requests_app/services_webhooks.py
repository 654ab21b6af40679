"""Signed outbound webhooks to the newsletter / e-commerce processors (issue #14 point 7).

A withdrawal, a marketing objection or an erasure creates one WebhookDelivery per active
processor in the step's transaction; a Celery task posts it after the commit. The body is JSON,
signed with HMAC-SHA256 of the body in the `X-CDOT-Signature: sha256=<hex>` header. A failure
(HTTP status other than 2xx, network error) is retried with a doubling back-off up to
MAX_ATTEMPTS; failing deliveries are counted per processor in the admin list, and those given
up show on the staff dashboard. Logs and delivery rows hold ids, statuses and counts, never the
address.
"""

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from datetime import timedelta

from django.utils import timezone

from records.normalise import normalise_email

from .models import DataSubjectRequest, ProcessorWebhook, WebhookDelivery

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
TIMEOUT_SECONDS = 10
SIGNATURE_HEADER = "X-CDOT-Signature"


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, ... minutes after each failed attempt (at most about two hours)."""
    return timedelta(minutes=2 ** min(max(attempts - 1, 0), 7))


def processors_notify(*, dsr: DataSubjectRequest, event: str) -> list[WebhookDelivery]:
    """One delivery per active processor, written in the caller's transaction (the caller
    queues the task on commit)."""
    return [
        WebhookDelivery.objects.create(webhook=webhook, request=dsr, event=event)
        for webhook in ProcessorWebhook.objects.filter(active=True).order_by("name")
    ]


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _payload(delivery: WebhookDelivery) -> bytes:
    dsr = delivery.request
    return json.dumps(
        {
            "event": delivery.event,
            "reference": dsr.reference,
            "emails": [normalise_email(dsr.email)] if dsr.email else [],
            "at": delivery.created_at.isoformat(),
        },
        sort_keys=True,
    ).encode()


def webhook_deliver(*, delivery_id: int) -> bool:
    """Post one delivery; True when the processor answered 2xx. Failures are recorded with a
    next attempt after a back-off, or given up after MAX_ATTEMPTS."""
    delivery = WebhookDelivery.objects.select_related("webhook", "request").get(pk=delivery_id)
    if delivery.status in (WebhookDelivery.Status.DELIVERED, WebhookDelivery.Status.FAILED):
        return delivery.status == WebhookDelivery.Status.DELIVERED
    body = _payload(delivery)
    post = urllib.request.Request(  # noqa: S310 - the officer configures an http(s) URL
        delivery.webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(delivery.webhook.secret, body),
        },
    )
    delivery.attempts += 1
    error = ""
    try:
        with urllib.request.urlopen(post, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310  # nosec B310
            status = response.status
    except urllib.error.HTTPError as exc:
        status, error = exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        status, error = 0, type(exc).__name__
    now = timezone.now()
    if 200 <= status < 300:
        delivery.status, delivery.delivered_at, delivery.last_error = (
            WebhookDelivery.Status.DELIVERED,
            now,
            "",
        )
    else:
        delivery.last_error = error or f"HTTP {status}"
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.FAILED
        else:
            delivery.status = WebhookDelivery.Status.RETRYING
            delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    delivery.save()
    logger.info(
        "webhook delivery id=%s processor=%s event=%s status=%s attempts=%s",
        delivery.pk,
        delivery.webhook_id,
        delivery.event,
        delivery.status,
        delivery.attempts,
    )
    return delivery.status == WebhookDelivery.Status.DELIVERED
