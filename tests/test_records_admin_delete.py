"""Issue 13, point 5: the admin deletes through records_delete (dependants, holds, files,
suppression in one place) and releases legal holds instead of deleting them."""

from datetime import date

import pytest
from django.urls import reverse

from records.models import Contact, LegalHold, NewsletterConsentProof, WebInquiry
from records.services import legal_hold_set
from tests.records_factories import (
    ContactFactory,
    InvoiceFactory,
    SubscriptionFactory,
    WebInquiryFactory,
    rule,
)

pytestmark = pytest.mark.django_db
INLINE = "records-legalhold-content_type-object_id"


def _change_data(admin_client, contact: Contact, **extra) -> dict:
    url = reverse("admin:records_contact_change", args=[contact.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "id"}
    data.update(
        {
            "first_contact_at_0": contact.first_contact_at.strftime("%Y-%m-%d"),
            "first_contact_at_1": "10:00:00",
            **extra,
        }
    )
    return data


def test_releasing_a_hold_in_the_inline_records_the_release_and_keeps_the_hold(admin_client):
    contact = ContactFactory()
    hold = legal_hold_set(record=contact, reason="Geschil")
    url = reverse("admin:records_contact_change", args=[contact.pk])
    data = _change_data(
        admin_client,
        contact,
        **{
            f"{INLINE}-TOTAL_FORMS": "1",
            f"{INLINE}-INITIAL_FORMS": "1",
            f"{INLINE}-0-id": str(hold.pk),
            f"{INLINE}-0-reason": "Geschil",
            f"{INLINE}-0-release": "on",
            f"{INLINE}-0-DELETE": "on",  # a forged delete is not honoured
        },
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    hold.refresh_from_db()
    assert hold.released_at is not None


def test_deleting_a_contact_in_the_admin_takes_its_inquiries_along(admin_client):
    contact = ContactFactory()
    WebInquiryFactory(contact=contact)
    url = reverse("admin:records_contact_delete", args=[contact.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Contact.objects.exists() and not WebInquiry.objects.exists()


def test_a_held_or_invoice_kept_contact_cannot_be_deleted_in_the_admin(admin_client):
    rule("invoice", 7, "years", "last_invoice_fiscal_year_end")
    held = ContactFactory()
    legal_hold_set(record=held, reason="Geschil")
    kept = ContactFactory(kind=Contact.Kind.CUSTOMER)
    InvoiceFactory(contact=kept, issue_date=date.today())
    for contact in (held, kept):
        url = reverse("admin:records_contact_delete", args=[contact.pk])
        assert admin_client.post(url, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:records_contact_changelist")
    admin_client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [held.pk, kept.pk], "post": "yes"},
    )
    assert Contact.objects.count() == 2
    assert LegalHold.objects.count() == 1


def test_deleting_a_subscription_in_the_admin_keeps_the_consent_proof(admin_client):
    subscription = SubscriptionFactory()
    url = reverse("admin:records_newslettersubscription_delete", args=[subscription.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert NewsletterConsentProof.objects.count() == 1
