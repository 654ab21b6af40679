"""The integration API: keys, scopes, rate limits, idempotency, validation, audit, register."""

import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from records.api import NO_NUL, NOT_BLANK
from records.models import (
    ApiAuditEntry,
    ApiKey,
    NewsletterSubscription,
    SuppressionEntry,
    WebInquiry,
)
from records.normalise import email_hash
from records.services import idempotency_records_prune, suppression_add
from statement.models import StatementVersion
from tests.records_factories import ContactFactory

pytestmark = pytest.mark.django_db

INQUIRY = {
    "name": "Jan Peeters",
    "email": "Jan.Peeters@example.be",
    "phone": "015 51 23 45",
    "company": "Peeters bv",
    "message": "Graag een offerte voor webhosting.",
    "source": "webshop",
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def make_key(*scopes, rate=60, revoked=False):
    key, prefix, digest = ApiKey.generate()
    api_key = ApiKey.objects.create(
        name="website",
        prefix=prefix,
        key_hash=digest,
        scopes=list(scopes) or [s.value for s in ApiKey.Scope],
        rate_limit_per_minute=rate,
        revoked_at=timezone.now() if revoked else None,
    )
    return key, api_key


def post(client, path, body, key=None, **headers):
    if key:
        headers["Authorization"] = f"Bearer {key}"
    return client.post(f"/api/v1/{path}", body, content_type="application/json", headers=headers)


def consent(**extra):
    return {
        "email": "lies@example.be",
        "consent_given_at": timezone.now().isoformat(),
        "consent_text": "Ja, stuur mij de nieuwsbrief van C-DOT.",
        "source": "website-footer",
        **extra,
    }


# --- inquiries --------------------------------------------------------------------------------


def test_posting_an_inquiry_creates_it_and_an_audit_entry(client):
    key, api_key = make_key()
    response = post(client, "inquiries", INQUIRY, key)
    assert response.status_code == 201, response.json()
    inquiry = WebInquiry.objects.get(pk=response.json()["id"])
    assert inquiry.email_normalised == "jan.peeters@example.be"
    assert inquiry.source == "webshop"
    audit = ApiAuditEntry.objects.get()
    assert (audit.api_key, audit.endpoint, audit.record_id) == (api_key, "inquiries", inquiry.pk)
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None


def test_an_inquiry_from_a_known_contact_is_linked_to_it(client):
    key, _ = make_key()
    contact = ContactFactory(email="jan.peeters@example.be")
    response = post(client, "inquiries", INQUIRY, key)
    assert WebInquiry.objects.get(pk=response.json()["id"]).contact == contact


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": "x" * 250 + "@example.be"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"message": ""}, "message"),
        ({"message": "x" * 5001}, "message"),
        ({"name": "x" * 201}, "name"),
        ({"source": "fax"}, "source"),
        ({"shoe_size": 44}, "shoe_size"),
    ],
)
def test_an_invalid_inquiry_is_a_422_naming_the_field_and_creates_nothing(client, change, field):
    key, _ = make_key()
    response = post(client, "inquiries", {**INQUIRY, **change}, key)
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]
    assert not WebInquiry.objects.exists() and not ApiAuditEntry.objects.exists()


def test_a_missing_field_is_named(client):
    key, _ = make_key()
    body = {k: v for k, v in INQUIRY.items() if k != "name"}
    response = post(client, "inquiries", body, key)
    assert response.json()["errors"] == [{"field": "name", "message": "This field is required."}]


def test_malformed_json_is_a_400(client):
    key, _ = make_key()
    response = client.post(
        "/api/v1/inquiries",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 400


# --- keys, scopes, rate limits ----------------------------------------------------------------


def _bodies():
    return {
        "inquiries": (INQUIRY, ApiKey.Scope.NEWSLETTER_WRITE),
        "newsletter/subscriptions": (consent(), ApiKey.Scope.INQUIRIES_WRITE),
        "newsletter/withdrawals": ({"email": "a@example.be"}, ApiKey.Scope.INQUIRIES_WRITE),
    }


ENDPOINTS = ["inquiries", "newsletter/subscriptions", "newsletter/withdrawals"]


def nothing_written() -> bool:
    return not (
        WebInquiry.objects.exists()
        or NewsletterSubscription.objects.exists()
        or SuppressionEntry.objects.exists()
        or ApiAuditEntry.objects.exists()
    )


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("key", [None, "cdot_wrong", "Bearer-less"])
def test_missing_or_unknown_key_is_401(client, endpoint, key):
    body, _other_scope = _bodies()[endpoint]
    assert post(client, endpoint, body, key).status_code == 401
    assert nothing_written()


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_revoked_key_is_401(client, endpoint):
    key, _ = make_key(revoked=True)
    body, _other_scope = _bodies()[endpoint]
    assert post(client, endpoint, body, key).status_code == 401
    assert nothing_written()


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_key_without_the_scope_is_403(client, endpoint):
    body, other_scope = _bodies()[endpoint]
    key, _ = make_key(other_scope)
    response = post(client, endpoint, body, key)
    assert response.status_code == 403
    assert "write" in response.json()["detail"]
    assert nothing_written()


def test_rate_limit_per_key_answers_429_with_retry_after(client, time_machine):
    time_machine.move_to(timezone.now().replace(second=1), tick=False)
    key, _ = make_key(rate=3)
    other_key, _ = make_key(rate=3)
    statuses = [post(client, "inquiries", INQUIRY, key).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]
    limited = post(client, "inquiries", INQUIRY, key)
    assert 0 < int(limited["Retry-After"]) <= 60
    assert post(client, "inquiries", INQUIRY, other_key).status_code == 201
    time_machine.move_to(timezone.now() + timedelta(seconds=60), tick=False)
    assert post(client, "inquiries", INQUIRY, key).status_code == 201
    assert WebInquiry.objects.count() == 5


# --- idempotency ------------------------------------------------------------------------------


def test_replay_with_the_same_idempotency_key_creates_nothing_twice(client):
    key, _ = make_key()
    first = post(client, "inquiries", INQUIRY, key, **{"Idempotency-Key": "form-123"})
    again = post(client, "inquiries", INQUIRY, key, **{"Idempotency-Key": "form-123"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert WebInquiry.objects.count() == 1 and ApiAuditEntry.objects.count() == 1


def test_same_idempotency_key_with_a_different_body_is_rejected(client):
    key, _ = make_key()
    post(client, "inquiries", INQUIRY, key, **{"Idempotency-Key": "form-123"})
    other = post(
        client,
        "inquiries",
        {**INQUIRY, "message": "iets anders"},
        key,
        **{"Idempotency-Key": "form-123"},
    )
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    assert WebInquiry.objects.count() == 1


def test_idempotency_keys_are_per_api_key_and_forgotten_after_a_day(client, time_machine):
    key, _ = make_key()
    webshop_key, _ = make_key()
    post(client, "inquiries", INQUIRY, key, **{"Idempotency-Key": "k1"})
    post(client, "inquiries", INQUIRY, webshop_key, **{"Idempotency-Key": "k1"})
    assert WebInquiry.objects.count() == 2
    time_machine.move_to(timezone.now() + timedelta(hours=25))
    assert idempotency_records_prune() == 2
    post(client, "inquiries", INQUIRY, key, **{"Idempotency-Key": "k1"})
    assert WebInquiry.objects.count() == 3


# --- newsletter -------------------------------------------------------------------------------


def test_subscription_records_the_proof_of_consent(client):
    key, _ = make_key(ApiKey.Scope.NEWSLETTER_WRITE)
    response = post(client, "newsletter/subscriptions", consent(statement_version="v3"), key)
    assert response.status_code == 201 and response.json()["status"] == "subscribed"
    subscription = NewsletterSubscription.objects.get()
    assert subscription.consent_text.startswith("Ja, stuur")
    assert subscription.statement_version == "v3" and subscription.source == "website-footer"
    assert ApiAuditEntry.objects.get().record_id == subscription.pk
    again = post(client, "newsletter/subscriptions", consent(), key)
    assert again.status_code == 200 and again.json()["status"] == "already_subscribed"
    assert NewsletterSubscription.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"consent_text": "", "statement_version": ""}, "body"),
        ({"consent_given_at": "2026-11-28T10:00:00"}, "consent_given_at"),
        ({"consent_given_at": "gisteren"}, "consent_given_at"),
        ({"source": ""}, "source"),
        ({"email": "lies@"}, "email"),
        ({"consent": True}, "consent"),
    ],
)
def test_an_invalid_consent_is_a_422_naming_the_field(client, change, field):
    key, _ = make_key(ApiKey.Scope.NEWSLETTER_WRITE)
    response = post(client, "newsletter/subscriptions", consent(**change), key)
    assert response.status_code == 422, response.json()
    assert field in [error["field"] for error in response.json()["errors"]]
    assert not NewsletterSubscription.objects.exists()


def test_a_consent_time_after_the_servers_clock_is_a_documented_409(client):
    """The schema cannot say "now": a time in the future conflicts with the server's clock."""
    key, _ = make_key(ApiKey.Scope.NEWSLETTER_WRITE)
    response = post(
        client, "newsletter/subscriptions", consent(consent_given_at="2099-01-01T10:00:00Z"), key
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "consent_given_at"
    assert not NewsletterSubscription.objects.exists()
    documented = client.get("/api/v1/openapi.json").json()["paths"]
    responses = documented["/api/v1/newsletter/subscriptions"]["post"]["responses"]
    assert "clock" in responses["409"]["description"]


def test_the_schema_states_the_idempotency_conflict_and_the_text_rules(client):
    """Issue 19 finding 8: what the API refuses, the schema says (see the schemathesis run)."""
    schema = client.get("/api/v1/openapi.json").json()
    for path in ("inquiries", "newsletter/subscriptions", "newsletter/withdrawals"):
        operation = schema["paths"][f"/api/v1/{path}"]["post"]
        assert "Idempotency-Key" in operation["responses"]["422"]["description"]
    inquiry = schema["components"]["schemas"]["InquiryIn"]["properties"]
    assert inquiry["name"]["pattern"] == NOT_BLANK and inquiry["company"]["pattern"] == NO_NUL
    assert re.fullmatch(inquiry["email"]["pattern"], "lies@example.be")
    subscription = schema["components"]["schemas"]["SubscriptionIn"]
    assert {tuple(branch["required"]) for branch in subscription["anyOf"]} == {
        ("consent_text",),
        ("statement_version",),
    }


@pytest.mark.parametrize("phone", ["", " ", "\u3000"])
def test_an_empty_or_blank_phone_is_accepted_as_the_schema_says(client, phone):
    """The phone is "Empty, or ... a number" (its schema's description), blanks removed:
    schemathesis, which can generate the format "phone" but not check it, builds bodies with an
    empty or blank phone as invalid ones, and test_api_schemathesis.py lets them pass on this
    fact."""
    schema = client.get("/api/v1/openapi.json").json()
    described = schema["components"]["schemas"]["InquiryIn"]["properties"]["phone"]
    assert described["format"] == "phone" and described["description"].startswith("Empty, or")
    key, _ = make_key()
    response = post(client, "inquiries", {**INQUIRY, "phone": phone}, key)
    assert response.status_code == 201
    assert WebInquiry.objects.get(pk=response.json()["id"]).phone == ""


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "Lies\x00"), ("name", " \t "), ("message", "\u3000"), ("source", "\x00")],
)
def test_a_blank_or_nul_text_is_refused_as_the_schema_says(client, field, value):
    key, _ = make_key(ApiKey.Scope.INQUIRIES_WRITE, ApiKey.Scope.NEWSLETTER_WRITE)
    path, body = (
        ("inquiries", INQUIRY) if field != "source" else ("newsletter/subscriptions", consent())
    )
    response = post(client, path, {**body, field: value}, key)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    pattern = NO_NUL if field == "company" else NOT_BLANK
    assert not re.fullmatch(pattern, value)


def test_withdrawal_suppresses_the_address_and_old_consent_cannot_resubscribe(client):
    key, _ = make_key(ApiKey.Scope.NEWSLETTER_WRITE)
    given = timezone.now() - timedelta(minutes=10)
    post(client, "newsletter/subscriptions", consent(consent_given_at=given.isoformat()), key)
    response = post(client, "newsletter/withdrawals", {"email": "LIES@example.be"}, key)
    assert response.status_code == 200 and response.json() == {"status": "withdrawn"}
    assert NewsletterSubscription.objects.get().withdrawn_at is not None
    assert SuppressionEntry.objects.filter(email_hash=email_hash("lies@example.be")).exists()
    stale = post(
        client, "newsletter/subscriptions", consent(consent_given_at=given.isoformat()), key
    )
    assert stale.status_code == 409
    assert stale.json()["errors"][0]["field"] == "consent_given_at"
    fresh = post(client, "newsletter/subscriptions", consent(), key)
    assert fresh.status_code == 201
    assert not SuppressionEntry.objects.exists()
    assert NewsletterSubscription.objects.active().count() == 1


def test_withdrawal_of_an_unknown_address_answers_the_same_and_suppresses_it(client):
    key, _ = make_key(ApiKey.Scope.NEWSLETTER_WRITE)
    response = post(client, "newsletter/withdrawals", {"email": "nobody@example.be"}, key)
    assert response.json() == {"status": "withdrawn"}
    entry = SuppressionEntry.objects.get()
    assert ApiAuditEntry.objects.get().record_id == entry.pk


def test_withdrawal_rejects_unknown_fields_and_needs_the_newsletter_scope(client):
    key, _ = make_key(ApiKey.Scope.NEWSLETTER_WRITE)
    inquiry_key, _ = make_key(ApiKey.Scope.INQUIRIES_WRITE)
    body = {"email": "a@example.be", "reason": "te veel mails"}
    response = post(client, "newsletter/withdrawals", body, key)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "reason"
    denied = post(client, "newsletter/withdrawals", {"email": "a@example.be"}, inquiry_key)
    assert denied.status_code == 403
    assert not SuppressionEntry.objects.exists()


def test_withdrawal_replay_and_rate_limit(client, time_machine):
    time_machine.move_to(timezone.now().replace(second=1), tick=False)
    key, _ = make_key(ApiKey.Scope.NEWSLETTER_WRITE, rate=2)
    body = {"email": "a@example.be"}
    first = post(client, "newsletter/withdrawals", body, key, **{"Idempotency-Key": "w1"})
    again = post(client, "newsletter/withdrawals", body, key, **{"Idempotency-Key": "w1"})
    assert first.json() == again.json() and ApiAuditEntry.objects.count() == 1
    assert post(client, "newsletter/withdrawals", body, key).status_code == 429


def test_subscription_replay_and_rate_limit(client, time_machine):
    time_machine.move_to(timezone.now().replace(second=1), tick=False)
    key, _ = make_key(ApiKey.Scope.NEWSLETTER_WRITE, rate=2)
    body = consent()
    first = post(client, "newsletter/subscriptions", body, key, **{"Idempotency-Key": "s1"})
    again = post(client, "newsletter/subscriptions", body, key, **{"Idempotency-Key": "s1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json() and NewsletterSubscription.objects.count() == 1
    assert post(client, "newsletter/subscriptions", body, key).status_code == 429


def test_a_subscription_for_a_suppressed_address_needs_consent_after_suppression(client):
    suppression_add(email="lies@example.be", reason=SuppressionEntry.Reason.OBJECTION)
    key, _ = make_key(ApiKey.Scope.NEWSLETTER_WRITE)
    old = (timezone.now() - timedelta(days=1)).isoformat()
    assert (
        post(client, "newsletter/subscriptions", consent(consent_given_at=old), key).status_code
        == 409
    )
    assert not NewsletterSubscription.objects.exists()


# --- no personal data in logs -----------------------------------------------------------------


def test_api_logs_hold_no_personal_data(client, caplog):
    key, _ = make_key()
    with caplog.at_level(logging.DEBUG):
        post(client, "inquiries", INQUIRY, key)
        post(client, "inquiries", {**INQUIRY, "email": "bad"}, key)
    text = caplog.text.lower()
    assert "api write" in text
    for personal in ("jan.peeters", "peeters bv", "offerte", "515", key.lower()):
        assert personal not in text


# --- register and schema ----------------------------------------------------------------------


def test_register_is_404_until_a_statement_is_published(client):
    response = client.get("/api/v1/register")
    assert response.status_code == 404


def test_register_serves_the_published_statement_facts_with_an_etag(client):
    version = StatementVersion.objects.create(
        number=3,
        content_hash="a" * 64,
        published_at=timezone.now(),
        trigger=StatementVersion.Trigger.COMMAND,
        facts={
            "nl": {"activities": [{"code": "A", "name": "Klantenbeheer"}]},
            "fr": {"activities": [{"code": "A", "name": "Gestion des clients"}]},
        },
        footer_nl="x",
        footer_fr="x",
        footer_en="x",
        body_nl="x",
        body_fr="x",
        body_en="x",
        pdf_nl=b"",
        pdf_fr=b"",
        pdf_en=b"",
    )
    response = client.get("/api/v1/register", {"lang": "fr"})
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == version.number and body["language"] == "fr"
    assert body["facts"]["activities"][0]["name"] == "Gestion des clients"
    assert "public" in response["Cache-Control"]
    cached = client.get(
        "/api/v1/register", {"lang": "fr"}, headers={"If-None-Match": response["ETag"]}
    )
    assert cached.status_code == 304
    assert client.get("/api/v1/register", {"lang": "de"}).status_code == 422


def test_openapi_schema_lists_every_endpoint_and_docs_are_for_staff(client, admin_client):
    schema = client.get("/api/v1/openapi.json").json()
    assert {
        "/api/v1/inquiries",
        "/api/v1/newsletter/subscriptions",
        "/api/v1/newsletter/withdrawals",
        "/api/v1/register",
    } <= set(schema["paths"])
    assert client.get("/api/v1/docs").status_code == 302
    docs = admin_client.get("/api/v1/docs")
    assert docs.status_code == 200 and b"swagger-ui-bundle.js" in docs.content
    assert reverse("api-v1:openapi-json") == "/api/v1/openapi.json"


def test_a_time_given_as_a_number_is_refused_not_guessed(client):
    key, _ = make_key(ApiKey.Scope.NEWSLETTER_WRITE)
    response = post(
        client, "newsletter/withdrawals", {"email": "a@example.be", "withdrawn_at": 0}, key
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "withdrawn_at"


def test_staff_create_a_key_in_the_admin_see_it_once_and_can_revoke_it(admin_client, client):
    response = admin_client.post(
        reverse("admin:records_apikey_add"),
        {"name": "webshop", "scopes": ["inquiries:write"], "rate_limit_per_minute": 30},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    key = next(word for m in shown for word in m.split() if word.startswith("cdot_"))
    api_key = ApiKey.objects.get()
    assert api_key.key_hash != key and key not in api_key.key_hash
    assert (
        key
        not in admin_client.get(
            reverse("admin:records_apikey_change", args=[api_key.pk])
        ).content.decode()
    )
    assert post(client, "inquiries", INQUIRY, key).status_code == 201
    admin_client.post(
        reverse("admin:records_apikey_change", args=[api_key.pk]),
        {
            "name": "webshop",
            "scopes": ["inquiries:write"],
            "rate_limit_per_minute": 30,
            "revoked": "on",
        },
    )
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    assert post(client, "inquiries", INQUIRY, key).status_code == 401


@pytest.mark.parametrize("given", ["0364-01-13T07:40:18-19:16", "1999-12-31T23:00:00Z"])
def test_implausible_consent_times_are_refused(client, given):
    key, _ = make_key(ApiKey.Scope.NEWSLETTER_WRITE)
    response = post(client, "newsletter/subscriptions", consent(consent_given_at=given), key)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "consent_given_at"


def test_an_odd_utc_offset_is_stored_as_the_same_moment_in_utc(client):
    key, _ = make_key(ApiKey.Scope.NEWSLETTER_WRITE)
    given = "2025-06-01T08:00:00-19:16"
    response = post(client, "newsletter/subscriptions", consent(consent_given_at=given), key)
    assert response.status_code == 201
    stored = NewsletterSubscription.objects.get().consent_given_at
    assert stored == datetime(2025, 6, 2, 3, 16, tzinfo=UTC)


def test_nul_characters_are_refused_naming_the_field(client):
    key, _ = make_key()
    response = post(client, "inquiries", {**INQUIRY, "company": "Peeters\x00bv"}, key)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "company"
