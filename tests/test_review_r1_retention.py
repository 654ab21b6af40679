"""Review of issue 13 (R1): an anonymised contact keeps no name search key; an invoice the
accounting law still keeps cannot be deleted, neither through records_delete nor the admin."""

from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse

from records.deletion import RecordsDeleteRefused, records_delete, records_delete_refusal
from records.models import Contact, Invoice
from registry.periods import BRUSSELS
from retention.services import purge_run_execute
from tests.records_factories import ContactFactory, InvoiceFactory, OrganisationFactory, rule

pytestmark = pytest.mark.django_db


def bxl(*args) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


def test_an_anonymised_customer_keeps_no_name_search_key():
    rule("customer-contact", 2, "years", "end_of_relationship", action="anonymise")
    customer = ContactFactory(
        kind=Contact.Kind.CUSTOMER,
        first_name="Geneviève",
        last_name="Dupré",
        last_activity_at=bxl(2022, 1, 10),
    )
    customer.fill_search_keys()  # as the services and the importer do
    customer.save()
    assert customer.name_key  # "<last>|<first>"
    now = bxl(2026, 6, 1)
    with time_machine.travel(now, tick=False):
        purge_run_execute(rule_code="customer-contact", now=now)
    customer.refresh_from_db()
    assert (customer.first_name, customer.last_name, customer.name_key) == ("", "", "")


def test_an_invoice_the_law_still_keeps_is_not_deleted():
    OrganisationFactory()
    rule("invoice", 7, "years", "last_invoice_fiscal_year_end")
    invoice = InvoiceFactory(issue_date=date.today())
    assert "kept" in records_delete_refusal(model=Invoice, pk=invoice.pk)
    with pytest.raises(RecordsDeleteRefused):
        records_delete(model=Invoice, pks=[invoice.pk])
    assert Invoice.objects.filter(pk=invoice.pk).exists()


def test_an_invoice_the_law_still_keeps_cannot_be_deleted_in_the_admin(admin_client):
    OrganisationFactory()
    rule("invoice", 7, "years", "last_invoice_fiscal_year_end")
    invoice = InvoiceFactory(issue_date=date.today())
    url = reverse("admin:records_invoice_delete", args=[invoice.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Invoice.objects.filter(pk=invoice.pk).exists()


def test_an_invoice_past_its_period_can_still_be_deleted():
    OrganisationFactory()
    rule("invoice", 7, "years", "last_invoice_fiscal_year_end")
    invoice = InvoiceFactory(issue_date=date(2010, 3, 1))
    assert records_delete_refusal(model=Invoice, pk=invoice.pk) == ""
    assert records_delete(model=Invoice, pks=[invoice.pk]) == 1
