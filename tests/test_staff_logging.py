"""Logs are structured and carry no personal data: a request walked through end to end."""

import io
import logging

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from cdot_privacy.celery import app as celery_app
from records.models import Contact
from requests_app.models import DataSubjectRequest
from requests_app.tokens import verification_token
from retention.services import purge_run_execute

EMAIL = "Griet.Vandenbroucke@Example.BE"
NAME = "Griet Vandenbroucke"
PHONE = "+32 470 12 34 56"


@pytest.fixture
def eager_celery():
    """Tasks run in-process, so their log lines are captured too."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.mark.django_db
def test_a_request_walked_through_logs_no_personal_data(
    client, caplog, eager_celery, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.PRIVATE_STORAGE_DIR = tmp_path
    # A cache of its own: the public form's rate limit must not remember earlier runs.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "log"}
    }
    caplog.set_level(logging.DEBUG)
    Contact.objects.create(
        kind="prospect",
        first_name="Griet",
        last_name="Vandenbroucke",
        email=EMAIL,
        email_normalised=EMAIL.lower(),
        phone=PHONE,
        first_contact_at=timezone.now() - timezone.timedelta(days=400),
    )
    officer = get_user_model().objects.create_superuser("po", "po@c-dot.be", "x" * 20)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/nl/privacy/request/",
            {"type": "erasure", "name": NAME, "email": EMAIL, "phone": PHONE, "details": "Wis"},
        )
    assert response.status_code == 200
    dsr = DataSubjectRequest.objects.get()
    token = verification_token(dsr)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/nl/privacy/request/verify/{token}/").status_code == 200
    client.force_login(officer)
    base = f"/admin/requests_app/datasubjectrequest/{dsr.pk}"
    steps = [
        ("identity-check", {"method": "email_match", "outcome": "confirmed"}),
        ("start", {}),
    ]
    for step, data in steps:
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(f"{base}/step/{step}/", data).status_code == 302, step
    search = client.get(f"{base}/search/", {"email": EMAIL, "phone": PHONE, "name": NAME})
    assert search.status_code == 200
    contact = Contact.objects.get()
    for url, data in [
        (
            search.request["PATH_INFO"] + "?" + search.request["QUERY_STRING"],
            {"confirm": "1", "hit": [f"records.contact:{contact.pk}"]},
        ),  # the search shown (#19)
        (f"{base}/step/erase/", {}),
        (f"{base}/step/complete/", {"decision": "granted", "answer": "Gewist."}),
    ]:
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url, data).status_code == 302, url
    assert not Contact.objects.filter(pk=contact.pk).exists()
    dsr.refresh_from_db()
    assert dsr.status == "completed", dsr.status
    assert len(mail.outbox) >= 2  # the subject did get e-mails: the address was in use
    call_command("seed_cdot", stdout=io.StringIO())
    with django_capture_on_commit_callbacks(execute=True):
        purge_run_execute(rule_code="prospect")

    lines = [record.getMessage() for record in caplog.records]
    # The e-mail tasks ran and were logged: the capture saw the walk-through.
    assert sum("records.email_send" in line for line in lines) >= 2, lines  # via the outbox
    text = "\n".join(lines).lower()
    for secret in (EMAIL, "vandenbroucke", "griet", "470 12 34 56", "+32470123456"):
        assert secret.lower() not in text, f"personal data in the logs: {secret}"
    formatter = logging.Formatter(settings.LOGGING["formatters"]["kv"]["format"])
    assert all(" level=" in formatter.format(r) for r in caplog.records)
