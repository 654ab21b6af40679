"""Fixtures of the data-subject request tests (tests/requests/): one meaning each in this area.

- ``register``: C-DOT's register as ``seed_cdot`` loads it, seeded once per module (each test's
  changes roll back; tests/conftest.py ``register_seeded_once``);
- ``officer``: a superuser staff account (a user, not a logged-in client);
- every test gets its own private-storage folder and fresh rate-limit counters (autouse).
"""

import uuid
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from cdot_privacy.celery import app as celery_app
from tests.requests.support import STAFF_PASSWORD


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
def officer(db):
    return get_user_model().objects.create_superuser("officer", "officer@c-dot.be", STAFF_PASSWORD)


@pytest.fixture
def register(register_seeded_once, db):
    """C-DOT's register, seeded once for the module (each test's changes roll back)."""
