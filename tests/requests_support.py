"""Fixtures and helpers shared by the tests/test_requests_*.py modules."""

import io
import re
import uuid
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from PIL import Image

from cdot_privacy.celery import app as celery_app
from requests_app.models import DataSubjectRequest

STAFF_PASSWORD = "a long staff password 123"


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path) -> Path:
    """ID copies and packages go to a fresh folder per test: leftovers are visible."""
    settings.PRIVATE_STORAGE_DIR = tmp_path / "private"
    return settings.PRIVATE_STORAGE_DIR


@pytest.fixture(autouse=True)
def rate_limit_cache(settings, tmp_path):
    """Rate-limit counters start at zero: this run's Redis db under a key prefix of its own
    (parallel tests never see each other's counters), or a fresh file cache."""
    if settings.REDIS_URL:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": settings.REDIS_URL,
                "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
                "TIMEOUT": 600,
            }
        }
    else:
        settings.CACHES = {
            "default": {
                "BACKEND": "requests_app.cache.AtomicFileBasedCache",
                "LOCATION": str(tmp_path / "cache"),
            }
        }


@pytest.fixture
def tasks_run_in_process():
    """Tasks enqueued on commit run in this process, so their e-mails land in mail.outbox."""
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture
def register(db):
    """C-DOT's register (activities A-G, rules, GBA/APD) as the seed command loads it."""
    call_command("seed_cdot", stdout=io.StringIO())


@pytest.fixture
def officer(db):
    return get_user_model().objects.create_superuser("officer", "officer@c-dot.be", STAFF_PASSWORD)


def form_data(**overrides) -> dict:
    data = {
        "type": DataSubjectRequest.Type.ACCESS,
        "name": "Jan Peeters",
        "email": "Jan.Peeters@Example.be",
        "phone": "015 51 35 31",
        "details": "Welke gegevens hebt u over mij?",
        "website": "",
    }
    data.update(overrides)
    return data


def png_bytes(*, exif: bytes | None = None, size=(40, 30)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if exif is not None:
        info = Image.Exif()
        info[0x010E] = exif.decode()  # ImageDescription
        image.save(out, format="JPEG", exif=info.tobytes())
    else:
        image.save(out, format="PNG")
    return out.getvalue()


def jpeg_with_exif(text: str = "GPS 50.95N 4.57E secret-camera") -> bytes:
    return png_bytes(exif=text.encode())


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def link_path(message, marker: str) -> str:
    """The path of the first link in an e-mail body that contains `marker`."""
    match = re.search(r"https?://[^/\s]+(/\S*" + re.escape(marker) + r"\S*)", message.body)
    assert match, message.body
    return match.group(1)


def submit_and_verify(client, django_capture_on_commit_callbacks, language="nl", **overrides):
    """The public half: form, e-mail, link, confirm. Returns the received request."""
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/{language}/privacy/request/", form_data(**overrides))
    assert response.status_code == 200, response.content.decode()[:2000]
    verify = link_path(mail.outbox[-1], "/verify/")
    assert client.get(verify).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(verify)
    assert response.status_code == 200
    return DataSubjectRequest.objects.get(
        reference__in=re.findall(r"DSR-\w{4}-\w{4}", response.content.decode())
    )


def step(client, dsr, name, data=None, django_capture_on_commit_callbacks=None):
    url = f"/admin/requests_app/datasubjectrequest/{dsr.pk}/step/{name}/"
    if django_capture_on_commit_callbacks is None:
        return client.post(url, data or {})
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(url, data or {})
