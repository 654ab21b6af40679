"""Property: the one-query `expired()` of invoices and customer contacts selects exactly what a
row-by-row oracle, written from the docstrings with registry.periods, says has expired."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from records.models import Contact, Invoice, LegalHold
from records.services import legal_hold_set
from registry import periods
from registry.models import Organisation
from tests.records_factories import ContactFactory, InvoiceFactory, OrganisationFactory, rule

pytestmark = pytest.mark.django_db

FISCAL_ENDS = [(12, 31), (6, 30), (2, 29), (3, 31)]
days = st.dates(min_value=date(2015, 1, 1), max_value=date(2026, 12, 31))
leap_days = st.sampled_from([date(2016, 2, 29), date(2020, 2, 29), date(2024, 2, 29)])
moments = st.datetimes(min_value=datetime(2016, 1, 1), max_value=datetime(2036, 12, 31)).map(
    lambda d: d.replace(tzinfo=periods.BRUSSELS)
)

customer = st.fixed_dictionaries(
    {
        "invoices": st.lists(st.one_of(days, leap_days), max_size=3),
        "first_contact_at": moments,
        "last_activity_at": st.one_of(st.none(), moments),
        "held": st.booleans(),
        "held_invoice": st.booleans(),
    }
)


def fye(day: date, end: tuple[int, int]) -> date:
    return periods.fiscal_year_end(day, end_month=end[0], end_day=end[1])


def oracle(customers, now, end, invoice_years, contact_years):
    """Expired invoice numbers and contact indexes, row by row."""
    invoice_cutoff = periods.cutoff(now, invoice_years, "years")
    contact_cutoff = periods.cutoff(now, contact_years, "years")
    invoices, contacts = set(), set()
    for index, c in enumerate(customers):
        last = max(c["invoices"]) if c["invoices"] else None
        anchor = periods.end_of_day(fye(last, end)) if last else None
        for n, _day in enumerate(c["invoices"]):
            held = c["held"] or (c["held_invoice"] and n == 0)
            if anchor <= invoice_cutoff and not held:
                invoices.add(f"{index}-{n}")
        if c["held"] or (c["held_invoice"] and c["invoices"]):
            continue
        kept = anchor is not None and anchor > invoice_cutoff
        relationship = anchor or c["last_activity_at"] or c["first_contact_at"]
        if relationship <= contact_cutoff and not kept:
            contacts.add(index)
    return invoices, contacts


def _bxl(*args) -> datetime:
    return datetime(*args, tzinfo=periods.BRUSSELS)


KEPT_CUSTOMER = {  # relationship over after 1 year, invoice kept 7: only the invoice rule ends it
    "invoices": [date(2020, 6, 1)],
    "first_contact_at": _bxl(2019, 1, 1),
    "last_activity_at": None,
    "held": False,
    "held_invoice": False,
}


@example(
    customers=[KEPT_CUSTOMER], now=_bxl(2024, 1, 1), end=(12, 31), invoice_years=7, contact_years=1
)
@example(
    customers=[{**KEPT_CUSTOMER, "held_invoice": True}, KEPT_CUSTOMER],
    now=_bxl(2028, 1, 2),
    end=(12, 31),
    invoice_years=7,
    contact_years=1,
)
@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    customers=st.lists(customer, min_size=1, max_size=4),
    now=moments,
    end=st.sampled_from(FISCAL_ENDS),
    invoice_years=st.integers(1, 10),
    contact_years=st.integers(0, 10),
)
def test_expired_invoices_and_customers_match_the_oracle(
    customers, now, end, invoice_years, contact_years
):
    LegalHold.objects.all().delete()
    Invoice.objects.all().delete()
    Contact.objects.all().delete()
    Organisation.objects.all().delete()
    OrganisationFactory(fiscal_year_end_month=end[0], fiscal_year_end_day=end[1])
    invoice_rule = rule("invoice", invoice_years, "years", "last_invoice_fiscal_year_end")
    contact_rule = rule("customer-contact", contact_years, "years", "last_invoice_fiscal_year_end")
    contact_pks = []
    for index, c in enumerate(customers):
        contact = ContactFactory(
            kind=Contact.Kind.CUSTOMER,
            first_contact_at=c["first_contact_at"],
            last_activity_at=c["last_activity_at"],
        )
        contact_pks.append(contact.pk)
        for n, day in enumerate(c["invoices"]):
            invoice = InvoiceFactory(number=f"{index}-{n}", contact=contact, issue_date=day)
            if c["held_invoice"] and n == 0:
                hold = legal_hold_set(record=invoice, reason="x")
                LegalHold.objects.filter(pk=hold.pk).update(set_at=now - timedelta(days=1))
        if c["held"]:
            hold = legal_hold_set(record=contact, reason="x")
            LegalHold.objects.filter(pk=hold.pk).update(set_at=now - timedelta(days=1))
    want_invoices, want_contacts = oracle(customers, now, end, invoice_years, contact_years)
    got_invoices = set(Invoice.objects.expired(now, invoice_rule).values_list("number", flat=True))
    got_contacts = {
        contact_pks.index(pk)
        for pk in Contact.objects.expired(now, contact_rule).values_list("pk", flat=True)
    }
    assert got_invoices == want_invoices
    assert got_contacts == want_contacts
