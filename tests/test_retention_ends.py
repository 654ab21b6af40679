"""Issue 13: restriction, objection and erasure-with-invoice are states with an end, not
exemptions from the purge (Art. 5(1)(e), 17(3)(b), 18, 21); the consent proof and the keyed
suppression list; one way to delete; counting held rows writes nothing."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from records.models import (
    Contact,
    Invoice,
    NewsletterConsentProof,
    NewsletterSubscription,
    RestrictionReason,
    SuppressionEntry,
)
from records.normalise import email_hash, email_sha256, keyed_hash
from records.services import (
    ContactStateRefused,
    contact_erase_keeping_invoices,
    contact_erasure_date,
    contact_erasure_notice,
    contact_object,
    contact_restrict,
    contact_restriction_lift,
    legal_hold_set,
    newsletter_withdraw,
    suppression_add,
)
from registry.periods import BRUSSELS
from retention.services import purge_preview, purge_run_execute
from tests.records_factories import (
    ContactFactory,
    InvoiceFactory,
    OrganisationFactory,
    SubscriptionFactory,
    rule,
)

pytestmark = pytest.mark.django_db
SECOND = timedelta(seconds=1)


def bxl(*args) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


def purge(code: str, now: datetime):
    with time_machine.travel(now, tick=False):
        return purge_run_execute(rule_code=code, now=now)


def exists(contact: Contact) -> bool:
    return Contact.objects.filter(pk=contact.pk).exists()


# --- restriction (Art. 18) --------------------------------------------------------------------


def test_a_restriction_needs_a_reason_and_an_end_and_bad_input_changes_nothing():
    contact = ContactFactory()
    with time_machine.travel(bxl(2026, 6, 1, 12), tick=False):
        with pytest.raises(ContactStateRefused):
            contact_restrict(pks=[contact.pk], reason="because", until=date(2026, 7, 1))
        with pytest.raises(ContactStateRefused):
            contact_restrict(
                pks=[contact.pk], reason=RestrictionReason.ACCURACY, until=date(2026, 6, 1)
            )
    contact.refresh_from_db()
    assert (contact.restricted, contact.restriction_reason, contact.restricted_until) == (
        False,
        "",
        None,
    )


def test_a_restricted_prospect_is_kept_shows_for_a_decision_past_its_end_and_goes_once_lifted():
    rule("prospect", 1, "years", "first_contact")
    contact = ContactFactory(first_contact_at=bxl(2024, 1, 1))
    with time_machine.travel(bxl(2026, 5, 1, 12), tick=False):
        contact_restrict(
            pks=[contact.pk], reason=RestrictionReason.ACCURACY, until=date(2026, 5, 31)
        )

    run = purge("prospect", bxl(2026, 5, 15))
    assert exists(contact) and run.skipped_held == 1
    assert not Contact.objects.restriction_ended(bxl(2026, 5, 31, 23, 59))
    assert list(Contact.objects.restriction_ended(bxl(2026, 6, 1, 0, 1))) == [contact]
    assert exists(contact)  # past its end it waits for staff, it is not silently dropped

    assert contact_restriction_lift(pks=[contact.pk], reason="reason_ended") == 1
    purge("prospect", bxl(2026, 6, 2))
    assert not exists(contact)


def test_a_restriction_keeps_every_field_the_person_asked_us_to_keep():
    """Art. 18(1)(b), (c): the person asked us to keep the data instead of erasing them (or
    needs them for a claim). Restricting is storage only: nothing is blanked at once, and the
    purge does not minimise a restricted customer either, even past the relationship's end
    with an invoice still kept. Once lifted, the contact follows its rule again."""
    OrganisationFactory()
    rule("invoice", 7, "years", "last_invoice_fiscal_year_end")
    rule("customer-contact", 1, "years", "last_activity")
    customer = ContactFactory(
        kind=Contact.Kind.CUSTOMER,
        first_contact_at=bxl(2019, 1, 10),
        last_activity_at=bxl(2019, 6, 12),
        phone="+32 15 12 34 56",
        mobile="+32 475 12 34 56",
        url="https://els.example.be",
        source="beurs",
    )
    InvoiceFactory(contact=customer, issue_date=date(2019, 6, 12))
    personal = {f: getattr(customer, f) for f in Contact.PERSONAL_FIELDS}
    assert personal["email"] and personal["mobile"]
    with time_machine.travel(bxl(2022, 3, 1, 12), tick=False):
        contact_restrict(
            pks=[customer.pk], reason=RestrictionReason.LEGAL_CLAIMS, until=date(2022, 9, 1)
        )
    customer.refresh_from_db()
    assert {f: getattr(customer, f) for f in Contact.PERSONAL_FIELDS} == personal
    assert customer.marketing_opt_out

    run = purge("customer-contact", bxl(2022, 6, 1))
    customer.refresh_from_db()
    assert {f: getattr(customer, f) for f in Contact.PERSONAL_FIELDS} == personal
    assert run.skipped_held == 1

    contact_restriction_lift(pks=[customer.pk], reason="reason_ended")
    purge("customer-contact", bxl(2022, 9, 2))
    customer.refresh_from_db()
    assert (customer.email, customer.mobile, customer.url) == ("", "", "")  # minimised now
    assert customer.last_name == personal["last_name"]  # the kept invoice still needs it


# --- objection (Art. 21) ----------------------------------------------------------------------


def test_an_objecting_contact_gets_no_marketing_but_still_follows_its_rule():
    rule("prospect", 1, "years", "first_contact")
    contact = ContactFactory(first_contact_at=bxl(2025, 6, 1, 10), email="Piet@Example.be")
    with time_machine.travel(bxl(2025, 9, 1), tick=False):
        assert contact_object(pks=[contact.pk]) == {"contacts": 1, "suppressed": 1}
    contact.refresh_from_db()
    assert contact.marketing_opt_out and not contact.restricted
    assert SuppressionEntry.objects.matching("piet@example.be").exists()

    purge("prospect", bxl(2026, 6, 1, 10) - SECOND)
    assert exists(contact)
    purge("prospect", bxl(2026, 6, 1, 10) + SECOND)
    assert not exists(contact)


# --- erasure while invoices must be kept (Art. 17(3)(b)) ---------------------------------------


def _erased_customer() -> Contact:
    OrganisationFactory()
    rule("invoice", 7, "years", "last_invoice_fiscal_year_end")
    rule("customer-contact", 7, "years", "last_invoice_fiscal_year_end", action="review")
    customer = ContactFactory(
        kind=Contact.Kind.CUSTOMER,
        first_name="Els",
        last_name="Maes",
        street="Kerkstraat 1",
        email="els@example.be",
        phone="+32 15 12 34 56",
        mobile="+32 475 12 34 56",
        url="https://els.example.be",
        source="beurs",
        vat_number="BE0403170701",
    )
    InvoiceFactory(contact=customer, issue_date=date(2019, 6, 12))
    with time_machine.travel(bxl(2024, 3, 1), tick=False):
        contact_erase_keeping_invoices(pks=[customer.pk])
    customer.refresh_from_db()
    return customer


def test_erasure_with_a_kept_invoice_minimises_at_once_and_the_contact_goes_with_the_invoice():
    customer = _erased_customer()
    assert (customer.email, customer.phone, customer.mobile, customer.url, customer.source) == (
        "",
        "",
        "",
        "",
        "",
    )
    assert (customer.last_name, customer.street, customer.vat_number) == (
        "Maes",
        "Kerkstraat 1",
        "BE0403170701",
    )
    assert customer.marketing_opt_out and customer.erasure_requested_at is not None
    assert SuppressionEntry.objects.matching("els@example.be").exists()

    # 12 June 2019 → fiscal year ends 31 Dec 2019 → kept 7 years → purged from 1 Jan 2027.
    purge("invoice", bxl(2026, 12, 31, 23, 59))
    assert exists(customer) and Invoice.objects.filter(contact=customer).exists()
    run = purge("invoice", bxl(2027, 1, 1, 0, 0, 1))
    assert not Invoice.objects.filter(contact=customer).exists()
    assert not exists(customer)  # the customer-contact rule is "review": the invoice rule ends it
    assert (run.status, run.remaining_after) == ("succeeded", 0)


def test_the_date_told_to_the_person_follows_the_invoice_rule_in_the_register():
    customer = _erased_customer()
    assert contact_erasure_date(contact=customer) == date(2027, 1, 1)
    rule("invoice", 10, "years", "last_invoice_fiscal_year_end")
    assert contact_erasure_date(contact=customer) == date(2030, 1, 1)
    notice = contact_erasure_notice(pks=[customer.pk], language="nl")
    assert "1 januari 2030" in notice and "7 jaar" not in notice
    assert "Jan. 1, 2030" in contact_erasure_notice(pks=[customer.pk], language="en")
    assert "1 janvier 2030" in contact_erasure_notice(pks=[customer.pk], language="fr")


def test_an_erased_contact_under_legal_hold_stays_until_the_hold_is_released():
    customer = _erased_customer()
    with time_machine.travel(bxl(2026, 1, 1), tick=False):
        legal_hold_set(record=customer, reason="claim")
    purge("invoice", bxl(2027, 1, 2))
    assert exists(customer)


# --- consent proof and keyed suppression (Art. 7(1), 21(3)) -----------------------------------


def test_a_withdrawn_consent_leaves_a_pseudonymous_proof_for_its_rule_then_that_goes_too():
    rule("newsletter", 0, "days", "consent_withdrawn")
    rule("consent-proof", 5, "years", "consent_withdrawn")
    subscription = SubscriptionFactory(
        email="lies@example.be",
        consent_given_at=bxl(2025, 2, 1, 9),
        statement_version="2025-01",
        consent_text="Ja, stuur mij de nieuwsbrief.",
    )
    withdrawn_at = bxl(2026, 3, 1, 9)
    newsletter_withdraw(email="lies@example.be", withdrawn_at=withdrawn_at)
    purge("newsletter", bxl(2026, 3, 2))

    assert not NewsletterSubscription.objects.filter(pk=subscription.pk).exists()
    proof = NewsletterConsentProof.objects.get()
    assert (proof.email_hash, proof.consent_given_at, proof.withdrawn_at) == (
        email_hash("lies@example.be"),
        bxl(2025, 2, 1, 9),
        withdrawn_at,
    )
    assert proof.statement_version == "2025-01"
    assert "lies" not in str(NewsletterConsentProof.objects.values().get())  # no address in it

    purge("consent-proof", bxl(2031, 3, 1, 9) - SECOND)
    assert NewsletterConsentProof.objects.exists()
    purge("consent-proof", bxl(2031, 3, 1, 9) + SECOND)
    assert not NewsletterConsentProof.objects.exists()


def test_the_suppression_list_cannot_be_reversed_with_a_dictionary_without_the_key(settings):
    suppression_add(email="Lies@Example.be", reason=SuppressionEntry.Reason.OBJECTION)
    stored = SuppressionEntry.objects.get().email_hash
    dictionary = ["lies@example.be", "jan@example.be", "info@c-dot.be"]
    import hashlib

    plain = {hashlib.sha256(e.encode()).hexdigest() for e in dictionary}
    md5 = {hashlib.md5(e.encode()).hexdigest() for e in dictionary}  # noqa: S324
    assert stored not in plain | md5
    assert stored == keyed_hash(email_sha256("lies@example.be"))
    settings.SUPPRESSION_KEY = "another key"
    assert stored != email_hash("lies@example.be")  # a different key does not find it
    settings.SUPPRESSION_KEY_FALLBACKS = [settings.SUPPRESSION_KEY]


def test_after_a_key_rotation_old_entries_still_suppress_and_are_rekeyed(settings):
    settings.SUPPRESSION_KEY = "old key"
    suppression_add(email="lies@example.be", reason=SuppressionEntry.Reason.WITHDRAWN)
    settings.SUPPRESSION_KEY, settings.SUPPRESSION_KEY_FALLBACKS = "new key", ["old key"]
    assert SuppressionEntry.objects.matching("lies@example.be").exists()
    suppression_add(email="lies@example.be", reason=SuppressionEntry.Reason.WITHDRAWN)
    assert SuppressionEntry.objects.get().email_hash == keyed_hash(
        email_sha256("lies@example.be"), "new key"
    )


# --- counting what holds keep writes nothing ---------------------------------------------------


def test_counting_held_rows_does_not_write(django_assert_max_num_queries):
    rule("prospect", 1, "years", "first_contact")
    held = ContactFactory(first_contact_at=bxl(2020, 1, 1))
    ContactFactory(first_contact_at=bxl(2020, 1, 1))
    with time_machine.travel(bxl(2026, 1, 1), tick=False):
        legal_hold_set(record=held, reason="dispute")
    with CaptureQueriesContext(connection) as queries:
        preview = purge_preview(rule_code="prospect", now=bxl(2026, 6, 1))
    assert (preview.expired_now, preview.held_now) == (1, 1)
    writes = [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("UPDATE", "SAVEPOINT"))
    ]
    assert writes == []


def test_the_migration_keys_old_unkeyed_entries_without_needing_the_address():
    import importlib

    from django.apps import apps as django_apps

    migration = importlib.import_module("records.migrations.0004_restriction_ends_consent_proof")
    old = SuppressionEntry.objects.create(
        email_hash=email_sha256("Old.Reader@example.be"), reason=SuppressionEntry.Reason.BOUNCE
    )
    assert not SuppressionEntry.objects.matching("old.reader@example.be").exists()
    migration.suppression_entries_keyed(django_apps, None)
    assert list(SuppressionEntry.objects.matching("old.reader@example.be")) == [old]
