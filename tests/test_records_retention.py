"""Which records have expired: each model's anchor, at the boundaries (Brussels calendar)."""

from datetime import date, datetime, timedelta

import pytest
import time_machine

from records.models import (
    CameraRecording,
    Contact,
    Invoice,
    NewsletterSubscription,
    ProcessorDataset,
    WebInquiry,
)
from records.services import legal_hold_release, legal_hold_set
from registry.periods import BRUSSELS
from tests.records_factories import (
    ContactFactory,
    DatasetFactory,
    InvoiceFactory,
    OrganisationFactory,
    ProcessorClientFactory,
    RecordingFactory,
    SubscriptionFactory,
    WebInquiryFactory,
    rule,
)

pytestmark = pytest.mark.django_db
SECOND = timedelta(seconds=1)


def bxl(*args) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


def expired_pks(model, now, retention_rule):
    with time_machine.travel(now, tick=False):
        return set(model.objects.expired(now, retention_rule).values_list("pk", flat=True))


# --- contacts ---------------------------------------------------------------------------------


def test_prospect_expires_one_year_after_first_contact_to_the_second():
    prospects = rule("prospect", 1, "years", "first_contact")
    contact = ContactFactory(first_contact_at=bxl(2025, 3, 3, 10, 15))
    assert expired_pks(Contact, bxl(2026, 3, 3, 10, 15) - SECOND, prospects) == set()
    assert expired_pks(Contact, bxl(2026, 3, 3, 10, 15) + SECOND, prospects) == {contact.pk}


def test_a_prospect_rule_does_not_select_loose_contacts_or_customers():
    prospects = rule("prospect", 1, "years", "first_contact")
    long_ago = bxl(2020, 1, 1)
    ContactFactory(kind=Contact.Kind.LOOSE, first_contact_at=long_ago)
    ContactFactory(kind=Contact.Kind.CUSTOMER, first_contact_at=long_ago)
    prospect = ContactFactory(first_contact_at=long_ago)
    assert expired_pks(Contact, bxl(2026, 1, 1), prospects) == {prospect.pk}


def test_loose_contact_first_met_on_29_february_expires_on_1_march():
    loose = rule("loose-contact", 1, "years", "first_contact")
    contact = ContactFactory(kind=Contact.Kind.LOOSE, first_contact_at=bxl(2024, 2, 29, 12, 0))
    assert expired_pks(Contact, bxl(2025, 2, 28, 23, 59, 59), loose) == set()
    assert expired_pks(Contact, bxl(2025, 3, 1, 0, 0, 1), loose) == {contact.pk}


def test_held_prospect_is_not_expired_until_the_hold_is_released():
    prospects = rule("prospect", 1, "years", "first_contact")
    contact = ContactFactory(first_contact_at=bxl(2020, 1, 1))
    with time_machine.travel(bxl(2021, 6, 1), tick=False):
        hold = legal_hold_set(record=contact, reason="geschil")
    assert expired_pks(Contact, bxl(2026, 1, 1), prospects) == set()
    legal_hold_release(hold=hold, now=bxl(2026, 1, 2))
    assert expired_pks(Contact, bxl(2026, 1, 3), prospects) == {contact.pk}


def test_hold_with_an_end_date_lapses_at_that_date():
    prospects = rule("prospect", 1, "years", "first_contact")
    contact = ContactFactory(first_contact_at=bxl(2020, 1, 1))
    with time_machine.travel(bxl(2021, 6, 1), tick=False):
        legal_hold_set(record=contact, reason="onderzoek", until=bxl(2026, 2, 1))
    assert expired_pks(Contact, bxl(2026, 2, 1) - SECOND, prospects) == set()
    assert expired_pks(Contact, bxl(2026, 2, 1) + SECOND, prospects) == {contact.pk}


def test_customer_contact_is_kept_while_an_invoice_of_theirs_must_be_kept():
    rule("invoice", 7, "years", "last_invoice_fiscal_year_end")
    customers = rule("customer-contact", 1, "years", "end_of_relationship")
    customer = ContactFactory(
        kind=Contact.Kind.CUSTOMER,
        first_contact_at=bxl(2018, 1, 1),
        last_activity_at=bxl(2019, 7, 1),
    )
    InvoiceFactory(contact=customer, issue_date=date(2019, 6, 12))
    # relationship ended 2019: the 1-year criterion passed long ago, the invoice is kept to 2026
    assert expired_pks(Contact, bxl(2026, 12, 31, 23, 59, 59), customers) == set()
    assert expired_pks(Contact, bxl(2027, 1, 1, 0, 0, 1), customers) == {customer.pk}


def test_customer_contact_anchored_on_last_invoice_follows_the_fiscal_year_end():
    rule("invoice", 7, "years", "last_invoice_fiscal_year_end")
    customers = rule("customer-contact", 8, "years", "last_invoice_fiscal_year_end")
    customer = ContactFactory(kind=Contact.Kind.CUSTOMER, first_contact_at=bxl(2015, 1, 1))
    InvoiceFactory(contact=customer, issue_date=date(2018, 3, 1))
    InvoiceFactory(contact=customer, issue_date=date(2019, 6, 12))
    assert expired_pks(Contact, bxl(2027, 12, 31, 23, 59, 59), customers) == set()
    assert expired_pks(Contact, bxl(2028, 1, 1, 0, 0, 1), customers) == {customer.pk}


def test_customer_without_invoices_falls_back_to_last_activity():
    customers = rule("customer-contact", 7, "years", "last_invoice_fiscal_year_end")
    customer = ContactFactory(
        kind=Contact.Kind.CUSTOMER,
        first_contact_at=bxl(2010, 1, 1),
        last_activity_at=bxl(2019, 5, 5, 9, 0),
    )
    assert expired_pks(Contact, bxl(2026, 5, 5, 9, 0) - SECOND, customers) == set()
    assert expired_pks(Contact, bxl(2026, 5, 5, 9, 0) + SECOND, customers) == {customer.pk}


# --- invoices ---------------------------------------------------------------------------------


def test_invoice_expires_seven_years_after_the_end_of_its_fiscal_year():
    invoices = rule("invoice", 7, "years", "last_invoice_fiscal_year_end")
    invoice = InvoiceFactory(issue_date=date(2019, 6, 12))
    assert expired_pks(Invoice, bxl(2026, 12, 31, 23, 59, 59), invoices) == set()
    assert expired_pks(Invoice, bxl(2027, 1, 1, 0, 0, 1), invoices) == {invoice.pk}


def test_invoices_of_a_customer_wait_for_the_fiscal_year_of_the_last_invoice():
    invoices = rule("invoice", 7, "years", "last_invoice_fiscal_year_end")
    old = InvoiceFactory(issue_date=date(2017, 2, 1))
    last = InvoiceFactory(contact=old.contact, issue_date=date(2020, 1, 15))
    other_customer = InvoiceFactory(issue_date=date(2018, 5, 5))
    assert expired_pks(Invoice, bxl(2027, 1, 1, 0, 0, 1), invoices) == {other_customer.pk}
    assert expired_pks(Invoice, bxl(2028, 1, 1, 0, 0, 1), invoices) == {
        old.pk,
        last.pk,
        other_customer.pk,
    }


def test_invoice_follows_a_fiscal_year_ending_30_june():
    OrganisationFactory(fiscal_year_end_month=6, fiscal_year_end_day=30)
    invoices = rule("invoice", 7, "years", "last_invoice_fiscal_year_end")
    june = InvoiceFactory(issue_date=date(2019, 6, 30))
    july = InvoiceFactory(issue_date=date(2019, 7, 1))
    assert expired_pks(Invoice, bxl(2026, 6, 30, 23, 59, 59), invoices) == set()
    assert expired_pks(Invoice, bxl(2026, 7, 1, 0, 0, 1), invoices) == {june.pk}
    assert expired_pks(Invoice, bxl(2027, 7, 1, 0, 0, 1), invoices) == {june.pk, july.pk}


def test_invoice_with_a_fiscal_year_ending_on_29_february_in_a_leap_year():
    OrganisationFactory(fiscal_year_end_month=2, fiscal_year_end_day=29)
    invoices = rule("invoice", 1, "years", "last_invoice_fiscal_year_end")
    invoice = InvoiceFactory(issue_date=date(2024, 2, 29))
    # fiscal year ends 29 Feb 2024 at the end of the day; one year later there is no 29 Feb
    assert expired_pks(Invoice, bxl(2025, 2, 28, 23, 59, 59), invoices) == set()
    assert expired_pks(Invoice, bxl(2025, 3, 1, 0, 0, 1), invoices) == {invoice.pk}


def test_invoice_of_a_held_customer_is_not_expired():
    invoices = rule("invoice", 7, "years", "last_invoice_fiscal_year_end")
    invoice = InvoiceFactory(issue_date=date(2010, 1, 1))
    with time_machine.travel(bxl(2015, 1, 1), tick=False):
        legal_hold_set(record=invoice.contact, reason="betwisting")
    assert expired_pks(Invoice, bxl(2026, 1, 1), invoices) == set()


# --- web inquiries ----------------------------------------------------------------------------


def test_web_inquiry_expires_one_year_after_receipt_unless_sender_became_customer():
    inquiries = rule("web-inquiry", 1, "years", "received_at")
    received = bxl(2025, 11, 28, 9, 30)
    loose = WebInquiryFactory(received_at=received)
    of_prospect = WebInquiryFactory(received_at=received, contact=ContactFactory())
    WebInquiryFactory(received_at=received, contact=ContactFactory(kind=Contact.Kind.CUSTOMER))
    assert expired_pks(WebInquiry, bxl(2026, 11, 28, 9, 30) - SECOND, inquiries) == set()
    assert expired_pks(WebInquiry, bxl(2026, 11, 28, 9, 30) + SECOND, inquiries) == {
        loose.pk,
        of_prospect.pk,
    }


# --- newsletter -------------------------------------------------------------------------------


def test_newsletter_subscription_expires_when_consent_is_withdrawn():
    newsletter = rule("newsletter", 0, "days", "consent_withdrawn")
    withdrawn = SubscriptionFactory(withdrawn_at=bxl(2026, 11, 1, 8, 0))
    SubscriptionFactory()  # still subscribed
    assert expired_pks(NewsletterSubscription, bxl(2026, 11, 1, 8, 0) - SECOND, newsletter) == set()
    assert expired_pks(NewsletterSubscription, bxl(2026, 11, 1, 8, 0), newsletter) == {withdrawn.pk}


# --- camera footage ---------------------------------------------------------------------------


def test_footage_expires_after_14_calendar_days_across_the_dst_change():
    footage = rule("camera-footage", 14, "days", "recorded_at")
    # 20 Oct 2026 10:00 CEST; the clocks go back on 25 Oct; expiry is 3 Nov 10:00 CET
    recording = RecordingFactory(recorded_from=bxl(2026, 10, 20, 10, 0))
    assert expired_pks(CameraRecording, bxl(2026, 11, 3, 10, 0) - SECOND, footage) == set()
    assert expired_pks(CameraRecording, bxl(2026, 11, 3, 10, 0) + SECOND, footage) == {recording.pk}


def test_footage_under_legal_hold_is_kept():
    footage = rule("camera-footage", 14, "days", "recorded_at")
    recording = RecordingFactory(recorded_from=bxl(2026, 1, 1))
    with time_machine.travel(bxl(2026, 1, 2), tick=False):
        legal_hold_set(record=recording, reason="inbraak 1 januari, bewijs voor de politie")
    assert expired_pks(CameraRecording, bxl(2026, 11, 1), footage) == set()


# --- processor datasets -----------------------------------------------------------------------


def test_processor_dataset_is_due_the_day_after_contract_end():
    processor = rule("processor-data", 0, "days", "contract_end")
    dataset = DatasetFactory(contract_end=date(2026, 11, 27))
    assert expired_pks(ProcessorDataset, bxl(2026, 11, 27, 23, 59, 59), processor) == set()
    assert expired_pks(ProcessorDataset, bxl(2026, 11, 28, 0, 0, 1), processor) == {dataset.pk}


def test_processor_dataset_uses_the_client_contract_end_and_deletion_requests():
    processor = rule("processor-data", 0, "days", "contract_end")
    ended_client = ProcessorClientFactory(contract_end=date(2026, 1, 31))
    by_client = DatasetFactory(client=ended_client)
    requested = DatasetFactory(deletion_requested_on=date(2026, 11, 28))
    DatasetFactory(client=ended_client, deletion_confirmed_on=date(2026, 2, 3))
    DatasetFactory()  # running contract
    assert expired_pks(ProcessorDataset, bxl(2026, 11, 28, 9, 0), processor) == {
        by_client.pk,
        requested.pk,
    }


# --- one query --------------------------------------------------------------------------------


def test_expired_is_a_single_query_per_model(django_assert_num_queries):
    rules = {
        Contact: rule("customer-contact", 7, "years", "last_invoice_fiscal_year_end"),
        Invoice: rule("invoice", 7, "years", "last_invoice_fiscal_year_end"),
        WebInquiry: rule("web-inquiry", 1, "years", "received_at"),
        NewsletterSubscription: rule("newsletter", 0, "days", "consent_withdrawn"),
        CameraRecording: rule("camera-footage", 14, "days", "recorded_at"),
        ProcessorDataset: rule("processor-data", 0, "days", "contract_end"),
    }
    now = bxl(2026, 11, 28)
    for model, retention_rule in rules.items():
        queryset = model.objects.expired(now, retention_rule)
        with django_assert_num_queries(1):
            list(queryset)


def test_a_hold_on_an_invoice_or_inquiry_keeps_the_contact_too():
    prospects = rule("prospect", 1, "years", "first_contact")
    with_held_inquiry = ContactFactory(first_contact_at=bxl(2020, 1, 1))
    inquiry = WebInquiryFactory(contact=with_held_inquiry, received_at=bxl(2020, 1, 1))
    free = ContactFactory(first_contact_at=bxl(2020, 1, 1))
    with time_machine.travel(bxl(2020, 6, 1), tick=False):
        legal_hold_set(record=inquiry, reason="klacht")
    assert expired_pks(Contact, bxl(2026, 1, 1), prospects) == {free.pk}
