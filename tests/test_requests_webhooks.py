"""Issue #14 point 7: a withdrawal or a marketing objection reaches each configured newsletter /
e-commerce processor through a signed outbound webhook (HMAC-SHA256), delivered by Celery with
retries; each delivery is logged without the e-mail address; the answer says it was passed on.
The receiver is a small HTTP server on 127.0.0.1 (no mock of HTTP)."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from records.models import NewsletterSubscription
from requests_app.models import DataSubjectRequest, ProcessorWebhook, SubjectMatch, WebhookDelivery
from requests_app.services_webhooks import webhook_deliver
from tests.requests_support import *  # noqa: F403 - the fixtures
from tests.requests_support import step

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_in_process")]
SECRET = "a-shared-secret-of-the-newsletter-platform"


class Receiver:
    def __init__(self, status: int = 200):
        self.requests: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def failing_receiver():
    server = Receiver(status=503)
    yield server
    server.close()


def _withdrawal(officer) -> DataSubjectRequest:
    subscription = NewsletterSubscription(email="Jan.Peeters@Example.be", consent_text="Ja")
    subscription.full_clean()
    subscription.save()
    dsr = DataSubjectRequest.objects.create(
        type="consent_withdrawal",
        name="Jan Peeters",
        email="jan.peeters@example.be",
        language="nl",
        status=DataSubjectRequest.Status.IN_PROGRESS,
    )
    SubjectMatch.objects.create(
        request=dsr,
        content_type=ContentType.objects.get_for_model(NewsletterSubscription),
        object_id=subscription.pk,
        confirmed_by=officer,
    )
    return dsr


def test_a_withdrawal_is_sent_signed_to_each_processor_logged_without_the_address(
    client, officer, receiver, caplog, django_capture_on_commit_callbacks
):
    ProcessorWebhook.objects.create(name="Mailing platform", url=receiver.url, secret=SECRET)
    dsr = _withdrawal(officer)
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        assert step(client, dsr, "withdraw-consent").status_code == 302
    ((headers, body),) = receiver.requests
    expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Cdot-Signature"] == f"sha256={expected}"
    payload = json.loads(body)
    assert payload["event"] == "consent_withdrawn"
    assert payload["emails"] == ["jan.peeters@example.be"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.DELIVERED and delivery.attempts == 1
    assert "jan.peeters" not in repr(WebhookDelivery.objects.values()).lower()
    assert "jan.peeters" not in caplog.text.lower()
    dsr.refresh_from_db()
    assert "Mailing platform" in dsr.answer  # the answer says it was passed on


def test_a_failing_processor_is_retried_with_backoff_and_the_failure_kept(
    officer, failing_receiver, django_capture_on_commit_callbacks
):
    from requests_app.services_records import consent_withdraw

    ProcessorWebhook.objects.create(name="Webshop", url=failing_receiver.url, secret=SECRET)
    dsr = _withdrawal(officer)
    with django_capture_on_commit_callbacks(execute=False):
        consent_withdraw(request=dsr, actor=officer)
    delivery = WebhookDelivery.objects.get()
    assert webhook_deliver(delivery_id=delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.RETRYING
    assert delivery.attempts == 1 and delivery.last_error == "HTTP 503"
    first_wait = delivery.next_attempt_at - timezone.now()
    assert webhook_deliver(delivery_id=delivery.pk) is False
    delivery.refresh_from_db()
    second_wait = delivery.next_attempt_at - timezone.now()
    assert second_wait > first_wait * 1.5  # backs off: each wait doubles
    assert WebhookDelivery.objects.failing().count() == 1
