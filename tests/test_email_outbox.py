"""The transactional e-mail outbox (issue 19, finding 6): written with the change, sent once,
retried until sent, kept no longer than the register's rule."""

import smtplib
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, transaction
from django.utils import timezone

from cdot_privacy.periodic import declared_periodic_tasks
from records.models import OutboxEmail
from records.outbox import email_enqueue, email_outbox_flush, email_send
from tests.settings_env import settings_under

pytestmark = pytest.mark.django_db


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that answers 451 (try again later) while ``refusing`` is set."""

    refusing = True

    def send_messages(self, messages):
        if RefusingBackend.refusing:
            raise smtplib.SMTPDataError(451, "4.3.0 try again later, alice@example.org")
        return LocmemBackend().send_messages(messages)


def enqueue(**overrides) -> OutboxEmail:
    fields = {
        "to": ["alice@example.org"],
        "subject": "Uw verzoek",
        "body": "Beste Alice",
        "language": "nl",
        "reference": "REQ-1",
    }
    return email_enqueue(**{**fields, **overrides})


def test_a_rolled_back_change_sends_no_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue()
            raise RuntimeError("the change failed")
    assert OutboxEmail.objects.count() == 0
    assert callbacks == []
    assert mail.outbox == []


def test_committed_email_is_queued_after_commit_and_sent_once(
    django_capture_on_commit_callbacks, settings
):
    from cdot_privacy.celery import app

    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            row = enqueue(html_body="<p>Beste Alice</p>")
        assert len(callbacks) == 1  # nothing is sent before the commit
        assert mail.outbox == []
        callbacks[0]()  # the commit: the send task runs (eagerly here)
    finally:
        app.conf.task_always_eager = False
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.org"] and message.subject == "Uw verzoek"
    assert message.alternatives[0][1] == "text/html"
    assert message.extra_headers["Message-ID"].startswith(f"<outbox-{row.pk}-")
    # A second delivery of the task (Redis redelivers it, the flush sees it): nothing more.
    assert email_send(email_id=row.pk) == "skipped"
    assert email_outbox_flush()["sent"] == 0
    assert len(mail.outbox) == 1


def test_broker_down_at_commit_leaves_the_row_for_the_flush(
    django_capture_on_commit_callbacks, settings
):
    from cdot_privacy.celery import app

    old = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    app.conf.broker_connection_retry = False
    app.conf.broker_connection_max_retries = 0
    try:
        with django_capture_on_commit_callbacks(execute=True):
            row = enqueue()
    finally:
        app.conf.broker_url = old
    assert OutboxEmail.objects.unsent().filter(pk=row.pk).exists()
    assert email_outbox_flush() == {"sent": 1, "retry": 0, "failed": 0, "skipped": 0}
    assert len(mail.outbox) == 1


def test_smtp_error_is_retried_with_backoff_until_sent(settings):
    settings.EMAIL_BACKEND = "tests.test_email_outbox.RefusingBackend"
    RefusingBackend.refusing = True
    row = enqueue()
    now = timezone.now()
    assert email_send(email_id=row.pk, now=now) == "retry"
    row.refresh_from_db()
    assert row.sent_at is None and row.attempts == 1
    assert row.last_error == "SMTPDataError 451"  # no server text: it may quote the address
    assert row.next_attempt_at == now + timedelta(minutes=1)
    # Not due yet: the flush leaves it alone.
    assert email_outbox_flush(now=now + timedelta(seconds=30))["skipped"] == 0
    assert email_outbox_flush(now=now + timedelta(seconds=30))["sent"] == 0
    RefusingBackend.refusing = False
    assert email_outbox_flush(now=now + timedelta(minutes=1))["sent"] == 1
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 2 and row.last_error == ""
    assert len(mail.outbox) == 1


def test_an_address_refused_for_days_is_given_up_and_logged(settings, caplog):
    from records import outbox

    settings.EMAIL_BACKEND = "tests.test_email_outbox.RefusingBackend"
    RefusingBackend.refusing = True
    row = enqueue()
    now = timezone.now()
    for _ in range(outbox.MAX_ATTEMPTS):
        now += timedelta(hours=5)
        email_outbox_flush(now=now)
    row.refresh_from_db()
    assert row.failed_at is not None and row.sent_at is None
    assert row.attempts == outbox.MAX_ATTEMPTS
    assert "given up" in caplog.text
    assert not OutboxEmail.objects.due(now + timedelta(days=30)).exists()


def test_bad_recipient_list_is_refused_and_writes_nothing():
    for to in ([], [""], "  "):
        with pytest.raises(ValueError):
            enqueue(to=to)
    assert OutboxEmail.objects.count() == 0


def test_subject_newlines_cannot_inject_headers():
    row = enqueue(subject="Hallo\r\nBcc: evil@example.org")
    assert row.subject == "Hallo Bcc: evil@example.org"
    assert email_send(email_id=row.pk) == "sent"
    assert mail.outbox[0].bcc == []


def test_beat_flushes_the_outbox_every_minute():
    specs = {spec.task: spec for spec in declared_periodic_tasks()}
    assert specs["records.email_outbox_flush"].seconds == 60


def test_sent_rows_are_purged_by_the_register_rule():
    from registry.models import RetentionRule
    from registry.services import register_seed
    from retention.targets import target_for

    register_seed()
    rule = RetentionRule.objects.get(code="email-outbox")
    target = target_for("email-outbox")
    assert target.model is OutboxEmail
    now = timezone.now()
    old = enqueue(to=["old@example.org"])
    OutboxEmail.objects.filter(pk=old.pk).update(sent_at=now - timedelta(days=31))
    recent = enqueue(to=["recent@example.org"])
    OutboxEmail.objects.filter(pk=recent.pk).update(sent_at=now - timedelta(days=29))
    unsent = enqueue(to=["waiting@example.org"])
    expired = set(target.expired(now, rule).values_list("pk", flat=True))
    assert expired == {old.pk}
    target.apply(list(expired), now=now, rule=rule)
    assert set(OutboxEmail.objects.values_list("pk", flat=True)) == {recent.pk, unsent.pk}


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_row_send_it_once(require_postgres, settings):
    """The row is locked while the SMTP server talks: the second worker skips it."""
    settings.EMAIL_BACKEND = "tests.test_email_outbox.SlowBackend"
    row = enqueue()
    SlowBackend.entered.clear()
    SlowBackend.release.clear()
    outcomes = []

    def first():
        try:
            outcomes.append(email_send(email_id=row.pk))
        finally:
            connection.close()

    worker = threading.Thread(target=first)
    worker.start()
    assert SlowBackend.entered.wait(10)
    try:
        assert email_send(email_id=row.pk) == "skipped"  # locked by the first worker
    finally:
        SlowBackend.release.set()
        worker.join(10)
    assert outcomes == ["sent"]
    assert SlowBackend.sent == 1
    row.refresh_from_db()
    assert row.sent_at is not None


class SlowBackend(BaseEmailBackend):
    entered = threading.Event()
    release = threading.Event()
    sent = 0

    def send_messages(self, messages):
        SlowBackend.entered.set()
        SlowBackend.release.wait(10)
        SlowBackend.sent += len(messages)
        return len(messages)


def test_redis_visibility_timeout_outlasts_the_longest_task():
    """Settings as production loads them (REDIS_URL set)."""
    s = settings_under(REDIS_URL="redis://127.0.0.1:6379/15")
    visibility = s["CELERY_BROKER_TRANSPORT_OPTIONS"]["visibility_timeout"]
    time_limit = s["CELERY_TASK_TIME_LIMIT"]
    assert visibility > time_limit


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_committed_email(celery_worker_process, wait_for, tmp_path):
    with transaction.atomic():
        row = enqueue(subject="Outbox via a real worker")
    wait_for(
        lambda: OutboxEmail.objects.filter(pk=row.pk, sent_at__isnull=False).exists(),
        timeout=30,
        what="the worker to send the outbox e-mail",
        log=tmp_path / "worker.log",
    )
    assert "Outbox via a real worker" in (tmp_path / "worker.log").read_text()
