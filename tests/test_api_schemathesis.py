"""schemathesis against the generated OpenAPI schema: every endpoint, authenticated.

Bounded (50 examples per operation). Fails on any 5xx, any status the schema does not
declare, and any response body that does not match its declared schema.
"""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from records.models import ApiKey
from statement.models import StatementVersion

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def keep_test_connection():
    """Like Django's test client: the WSGI app must not close the test's DB connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_key(db, keep_test_connection):
    cache.clear()
    key, prefix, digest = ApiKey.generate()
    ApiKey.objects.create(
        name="schemathesis",
        prefix=prefix,
        key_hash=digest,
        scopes=[scope.value for scope in ApiKey.Scope],
        rate_limit_per_minute=100_000,
    )
    StatementVersion.objects.get_or_create(
        number=1,
        defaults={
            "content_hash": "b" * 64,
            "published_at": timezone.now(),
            "trigger": StatementVersion.Trigger.COMMAND,
            "facts": {"nl": {"activities": []}, "fr": {}, "en": {}},
            **{f"{part}_{lang}": "x" for part in ("footer", "body") for lang in ("nl", "fr", "en")},
            **{f"pdf_{lang}": b"" for lang in ("nl", "fr", "en")},
        },
    )
    return key


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case, api_key):
    # positive_data_acceptance is left out on purpose: a schema-valid e-mail or phone still
    # passes the records' own validators (Django's EmailValidator, phonenumbers), which JSON
    # Schema cannot express, and a reused Idempotency-Key with another body is a 422 by design.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {api_key}"},
        excluded_checks=[positive_data_acceptance],
    )
