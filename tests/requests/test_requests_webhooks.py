"""Issue #14 point 7: a withdrawal or a marketing objection reaches each configured newsletter /
e-commerce processor through a signed outbound webhook (HMAC-SHA256), delivered by Celery with
retries; each delivery is logged without the e-mail address; the answer says it was passed on.
The receiver is a small HTTP server on 127.0.0.1 (no mock of HTTP)."""

import hashlib
import hmac
import json
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from records.models import NewsletterSubscription
from requests_app.models import DataSubjectRequest, ProcessorWebhook, SubjectMatch, WebhookDelivery
from requests_app.services_records import consent_withdraw, erasure_execute
from requests_app.services_webhooks import MAX_ATTEMPTS, webhook_deliver
from tests.loopback import serving
from tests.requests.support import step

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
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"  # served by _serve


@pytest.fixture
def receiver():
    yield from _serve(Receiver())


@pytest.fixture
def failing_receiver():
    yield from _serve(Receiver(status=503))


def _serve(receiver: Receiver):
    with serving(receiver.server):
        yield receiver


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
    ProcessorWebhook.objects.create(name="Webshop", url=failing_receiver.url, secret=SECRET)
    dsr = _withdrawal(officer)
    with django_capture_on_commit_callbacks(execute=False):
        consent_withdraw(dsr=dsr, actor=officer)
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


def test_deliveries_given_up_show_on_the_dashboard_with_a_link_to_the_delivery_list(
    client, officer, failing_receiver, django_capture_on_commit_callbacks
):
    ProcessorWebhook.objects.create(name="Webshop", url=failing_receiver.url, secret=SECRET)
    dsr = _withdrawal(officer)
    with django_capture_on_commit_callbacks(execute=False):
        consent_withdraw(dsr=dsr, actor=officer)
    delivery = WebhookDelivery.objects.get()
    for _attempt in range(MAX_ATTEMPTS):
        webhook_deliver(delivery_id=delivery.pk)
    retrying = WebhookDelivery.objects.create(  # still being retried: not failed for good
        webhook=delivery.webhook, request=dsr, event=delivery.event, attempts=1
    )
    WebhookDelivery.objects.filter(pk=retrying.pk).update(status=WebhookDelivery.Status.RETRYING)
    client.force_login(officer)
    response = client.get("/admin/")
    html = response.content.decode()
    tiles = {tile["key"]: tile for tile in response.context["today_tiles"]}
    assert tiles["webhooks"]["count"] == 1 and tiles["webhooks"]["severity"] == "bad"
    section = response.context["dashboard"]["webhooks"]
    assert section.data["failed"] == 1
    assert [(row["processor"], row["reference"]) for row in section.rows] == [
        ("Webshop", dsr.reference)
    ]
    assert "HTTP 503" in html and "jan.peeters" not in html.lower()
    list_url = reverse("admin:requests_app_webhookdelivery_changelist") + "?status__exact=failed"
    assert f'href="{list_url}"' in html
    listed = client.get(list_url)
    assert listed.status_code == 200 and listed.context["cl"].result_count == 1


def test_the_dashboard_has_no_webhook_block_while_nothing_failed_for_good(client, officer):
    client.force_login(officer)
    response = client.get("/admin/")
    assert "webhooks" not in {tile["key"] for tile in response.context["today_tiles"]}
    assert 'id="dash-webhooks"' not in response.content.decode()


def test_an_erased_newsletter_subscription_is_passed_on_to_each_processor(
    officer, receiver, django_capture_on_commit_callbacks
):
    """Art. 17 and 19: the platform that sends the mailings holds the address for C-DOT; an
    erasure that only deleted the local row would leave it mailing."""
    ProcessorWebhook.objects.create(name="Mailing platform", url=receiver.url, secret=SECRET)
    dsr = _withdrawal(officer)
    DataSubjectRequest.objects.filter(pk=dsr.pk).update(type=DataSubjectRequest.Type.ERASURE)
    with django_capture_on_commit_callbacks(execute=True):
        erasure_execute(dsr=dsr, actor=officer)
    assert not NewsletterSubscription.objects.exists()
    ((_headers, body),) = receiver.requests
    payload = json.loads(body)
    assert payload["event"] == "erasure" and payload["emails"] == ["jan.peeters@example.be"]
    dsr.refresh_from_db()
    assert "Mailing platform" in dsr.answer


def test_an_erasure_with_nothing_for_the_processors_sends_nothing(
    officer, receiver, django_capture_on_commit_callbacks
):
    ProcessorWebhook.objects.create(name="Mailing platform", url=receiver.url, secret=SECRET)
    dsr = DataSubjectRequest.objects.create(
        type=DataSubjectRequest.Type.ERASURE,
        name="Els Maes",
        email="els@maes.be",
        language="nl",
        status=DataSubjectRequest.Status.IN_PROGRESS,
    )
    with django_capture_on_commit_callbacks(execute=True):
        erasure_execute(dsr=dsr, actor=officer)
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()
