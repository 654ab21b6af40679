"""schemathesis against the generated OpenAPI schema: every endpoint, authenticated.

Bounded (50 examples per operation). Fails on any 5xx, any status the schema does not
declare, and any response body that does not match its declared schema.
"""

import os

import phonenumbers
import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings, strategies
from phonenumbers import PhoneNumberFormat, PhoneNumberType
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import negative_data_rejection

from records.api import BLANK
from records.models import ApiKey, IdempotencyRecord
from statement.models import StatementVersion


def _valid_phone_numbers() -> list[str]:
    """Numbers libphonenumber calls valid, as people type them (the schema's "phone" format)."""
    numbers = [""]
    for region in ("BE", "NL", "FR", "DE", "LU", "GB", "US"):
        for kind in (PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE):
            example = phonenumbers.example_number_for_type(region, kind)
            numbers.append(phonenumbers.format_number(example, PhoneNumberFormat.INTERNATIONAL))
            numbers.append(phonenumbers.format_number(example, PhoneNumberFormat.E164))
            if region == "BE":
                numbers.append(phonenumbers.format_number(example, PhoneNumberFormat.NATIONAL))
    return numbers


# "phone" is the schema's own format (OpenAPI formats are open): a generator must be told
# which strings are phone numbers, as a client knows. It has no pattern: once schemathesis negates
# the format, the phone is any string.
schemathesis.openapi.format("phone", strategies.sampled_from(_valid_phone_numbers()))
load_all_checks()
ALL_CHECKS = CHECKS.get_all()

# 50 examples per operation in the suite; SCHEMATHESIS_EXAMPLES=1000 for a deeper search by hand
# (docs/API.md): at 1000 the blank phone's false failure (`_a_blank_phone_read_as_invalid`)
# showed at once, at 50 it had shown in one whole run of many.
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "50"))

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
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case, api_key):
    # A reused Idempotency-Key with another body is a documented 422 that depends on what
    # earlier examples sent, not on this request: each example starts with no stored keys
    # (the conflict itself: tests/test_api.py).
    IdempotencyRecord.objects.all().delete()
    # Every built-in check: a schema-valid input the API refuses (ST202,
    # positive_data_acceptance) means the schema does not state a constraint the API enforces.
    # None is excluded but negative_data_rejection for the blank-phone case below, which must
    # instead be a 201.
    headers = {"Authorization": f"Bearer {api_key}"}
    if _a_blank_phone_read_as_invalid(case):
        response = case.call_and_validate(
            headers=headers, checks=ALL_CHECKS, excluded_checks=[negative_data_rejection]
        )
        assert response.status_code == 201, response.text
        return
    case.call_and_validate(headers=headers, checks=ALL_CHECKS, excluded_checks=[])


def _a_blank_phone_read_as_invalid(case) -> bool:
    """Building invalid bodies, schemathesis reads every value of a format it can generate but
    not check (a custom one, as "phone") as a violation, an empty or blank phone too. A body whose
    one change is the format of its phone, left empty or blank, is a valid body (the schema's
    description and docs/API.md: empty, or a number; blanks are removed), so the API must accept
    it (the fact this rests on: test_api.py). Every other check still runs on it."""
    mutations = getattr(case.meta.phase.data, "mutations", ()) if case.meta else ()
    phone = case.body.get("phone") if isinstance(case.body, dict) else None
    return (
        case.operation.label == "POST /api/v1/inquiries"
        and bool(mutations)
        and all(
            m.path == ("phone",)
            and m.keywords == ("format",)
            and m.parameter_location == ParameterLocation.BODY
            for m in mutations
        )
        and isinstance(phone, str)
        and not phone.strip(BLANK)
    )
