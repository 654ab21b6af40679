"""Art. 16 rectification over every record type the subject search finds (issue #14 point 7):
contacts, web inquiries, newsletter subscriptions; an issued invoice stays as issued."""

from datetime import date
from decimal import Decimal

import pytest

from records.models import Contact, Invoice, NewsletterSubscription, WebInquiry
from requests_app.models import AuditEntry
from tests.requests.support import step, submit_and_verify

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_in_process")]


Action = AuditEntry.Action
EMAIL = "jan.peeters@example.be"


def _saved(record):
    record.full_clean()
    record.save()
    return record


@pytest.fixture
def records(db):
    contact = _saved(
        Contact(kind=Contact.Kind.CUSTOMER, first_name="Jan", last_name="Peeters", email=EMAIL)
    )
    inquiry = _saved(
        WebInquiry(name="Jan Peters", email=EMAIL, phone="015 51 35 31", message="Offerte?")
    )
    subscription = _saved(NewsletterSubscription(email=EMAIL, consent_text="Ja, nieuwsbrief"))
    invoice = Invoice.objects.create(
        number="2025-001",
        contact=contact,
        issue_date=date(2025, 3, 1),
        fiscal_year=2025,
        total_excl_vat=Decimal("100.00"),
        vat_amount=Decimal("21.00"),
        total_incl_vat=Decimal("121.00"),
        billing_name="Jan Peters",
        billing_address="Stationsstraat 1, 3190 Boortmeerbeek",
    )
    return {
        "contact": contact,
        "inquiry": inquiry,
        "subscription": subscription,
        "invoice": invoice,
    }


@pytest.fixture
def working_request(client, officer, register, records, django_capture_on_commit_callbacks):
    dsr = submit_and_verify(
        client, django_capture_on_commit_callbacks, type="rectification", email=EMAIL
    )
    client.force_login(officer)
    assert step(client, dsr, "start").status_code == 302
    url = f"/admin/requests_app/datasubjectrequest/{dsr.pk}/search/"
    page = client.get(url, {"email": EMAIL})
    hits = [f"{hit.label}:{hit.pk}" for hit in page.context["hits"]]
    assert len(hits) == 4, hits  # contact, its invoice, the inquiry, the subscription
    shown = page.request["PATH_INFO"] + "?" + page.request["QUERY_STRING"]
    assert client.post(shown, {"confirm": "1", "hit": hits}).status_code == 302
    return dsr


def _rectify_url(dsr, record) -> str:
    model = record._meta.model_name
    return f"/admin/requests_app/datasubjectrequest/{dsr.pk}/rectify/{model}/{record.pk}/"


def _audited(dsr) -> list[dict]:
    return [
        entry.details
        for entry in AuditEntry.objects.filter(request=dsr, action=Action.RECORD_RECTIFIED)
    ]


def test_a_contact_is_rectified_and_the_audit_names_the_fields_only(
    client, working_request, records
):
    contact = records["contact"]
    response = client.post(
        _rectify_url(working_request, contact), {"city": "Haacht", "phone": "016 12 34 56"}
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.city == "Haacht" and contact.phone_e164 == "+3216123456"
    assert _audited(working_request) == [{"contact_id": contact.pk, "fields": ["city", "phone"]}]


def test_a_web_inquiry_is_rectified_and_its_search_key_follows(client, working_request, records):
    inquiry = records["inquiry"]
    page = client.get(_rectify_url(working_request, inquiry))
    assert page.status_code == 200 and "message" not in page.context["form"].fields
    response = client.post(
        _rectify_url(working_request, inquiry),
        {"name": "Jan Peeters", "email": "Jan@Peeters.be", "message": "changed"},
    )
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.name == "Jan Peeters" and inquiry.email_normalised == "jan@peeters.be"
    assert inquiry.message == "Offerte?"  # what the person wrote stays as it was sent
    assert _audited(working_request) == [{"webinquiry_id": inquiry.pk, "fields": ["name", "email"]}]


def test_a_newsletter_subscription_address_is_rectified(client, working_request, records):
    subscription = records["subscription"]
    response = client.post(_rectify_url(working_request, subscription), {"email": "jan@new.be"})
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.email == "jan@new.be" and subscription.email_normalised == "jan@new.be"
    assert _audited(working_request) == [
        {"newslettersubscription_id": subscription.pk, "fields": ["email"]}
    ]


def test_an_issued_invoice_is_not_changed_and_staff_read_why(client, working_request, records):
    invoice = records["invoice"]
    response = client.post(_rectify_url(working_request, invoice), {"billing_name": "X"})
    assert response.status_code == 400
    assert "creditnota" in response.context["error"]  # the staff read Dutch
    invoice.refresh_from_db()
    assert invoice.billing_name == "Jan Peters"
    assert _audited(working_request) == []


def test_an_invalid_value_is_refused_and_nothing_changes(client, working_request, records):
    inquiry = records["inquiry"]
    response = client.post(_rectify_url(working_request, inquiry), {"phone": "not a phone"})
    assert response.status_code == 400
    inquiry.refresh_from_db()
    assert inquiry.phone == "015 51 35 31" and _audited(working_request) == []


def test_a_record_not_confirmed_for_this_request_is_refused(client, working_request, records, db):
    other = _saved(WebInquiry(name="Els Maes", email="els@maes.be", message="Hallo"))
    response = client.post(_rectify_url(working_request, other), {"name": "Mallory"})
    assert response.status_code == 400
    other.refresh_from_db()
    assert other.name == "Els Maes"


def test_the_request_page_offers_rectify_for_each_record_type_but_the_invoice(
    client, working_request, records
):
    page = client.get(f"/admin/requests_app/datasubjectrequest/{working_request.pk}/change/")
    html = page.content.decode()
    for key in ("contact", "inquiry", "subscription"):
        assert _rectify_url(working_request, records[key]) in html
    assert _rectify_url(working_request, records["invoice"]) not in html
