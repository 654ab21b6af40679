"""CSV import: a validation report, all-or-nothing, idempotent, suppression respected."""

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from records.importing import records_import_csv
from records.models import Contact, Invoice
from records.services import suppression_add
from tests.records_factories import ContactFactory

pytestmark = pytest.mark.django_db

CONTACTS = """kind,first_name,last_name,company,email,phone,vat_number,first_contact_at,source
prospect,Jan,Peeters,,Jan.Peeters@Example.be,015 51 23 45,,2026-03-01T10:15,beurs
customer,An,Claes,Claes bv,an@claes.be,,BE0403.170.701,2025-01-02,website
loose,,,Bakkerij Wouters,,,BE 0428.759.497,,telefoon
"""


def run(kind, text):
    return records_import_csv(kind=kind, file=io.StringIO(text))


def test_contacts_are_imported_with_normalised_search_keys():
    report = run("contacts", CONTACTS)
    assert report.saved and (report.created, report.problems) == (3, [])
    jan = Contact.objects.get(email_normalised="jan.peeters@example.be")
    assert jan.phone_e164 == "+3215512345" and jan.kind == Contact.Kind.PROSPECT
    assert Contact.objects.get(company="Claes bv").kbo_number == "0403170701"
    assert Contact.objects.get(company="Bakkerij Wouters").vat_number == "BE0428759497"


def test_importing_the_same_file_twice_changes_nothing():
    run("contacts", CONTACTS)
    second = run("contacts", CONTACTS)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert Contact.objects.count() == 3


def test_a_changed_row_updates_the_contact_found_by_its_natural_key():
    run("contacts", CONTACTS)
    report = run("contacts", CONTACTS.replace("Claes bv", "Claes & Zonen bv"))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert Contact.objects.filter(company="Claes & Zonen bv").count() == 1


def test_one_bad_row_imports_nothing_and_the_report_names_row_and_column():
    bad = CONTACTS + "prospect,Piet,,,piet@example,,BE0403170702,gisteren,\n"
    report = run("contacts", bad)
    assert not report.saved
    assert Contact.objects.count() == 0
    where = {(p.row, p.column) for p in report.problems}
    assert {(5, "email"), (5, "vat_number"), (5, "first_contact_at")} <= where


def test_unknown_column_and_duplicate_rows_are_reported():
    text = "email,shoe_size\na@example.be,44\nA@example.be,45\n"
    report = run("contacts", text)
    assert not report.saved
    assert {(p.row, p.column) for p in report.problems} == {(1, "shoe_size"), (3, "email")}


def test_suppressed_addresses_are_not_imported_back():
    suppression_add(email="jan.peeters@example.be", reason="erasure")
    report = run("contacts", CONTACTS)
    assert report.skipped_suppressed == 1 and report.created == 2
    assert not Contact.objects.filter(email_normalised="jan.peeters@example.be").exists()


INVOICES = (
    "number,customer_email,customer_vat,issue_date,total_excl_vat,vat_amount,total_incl_vat,"
    "billing_name\n"
    """F2024-001,an@claes.be,,2024-02-29,100.00,21.00,121.00,Claes bv
F2024-002,,BE0428759497,2024-03-05,"50,00","10,50","60,50",Bakkerij Wouters
"""
)


def test_invoices_attach_to_contacts_who_become_customers():
    run("contacts", CONTACTS)
    report = run("invoices", INVOICES)
    assert report.saved and report.created == 2, report.problems
    wouters = Contact.objects.get(company="Bakkerij Wouters")
    assert wouters.kind == Contact.Kind.CUSTOMER
    assert wouters.became_customer_on == date(2024, 3, 5)
    assert Invoice.objects.get(number="F2024-001").fiscal_year == 2024
    again = run("invoices", INVOICES)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_invoice_with_unknown_customer_or_wrong_total_imports_nothing():
    run("contacts", CONTACTS)
    text = INVOICES + "F2024-003,nobody@example.be,,2024-04-01,1,1,3,X\n"
    text += "F2024-004,an@claes.be,,2024-04-01,10.00,2.10,12.00,X\n"
    report = run("invoices", text)
    assert not report.saved and Invoice.objects.count() == 0
    assert {(p.row, p.column) for p in report.problems} == {
        (4, "customer_email"),
        (5, "total_incl_vat"),
    }


def test_import_command_shows_a_summary_and_fails_on_problems(tmp_path, capsys):
    good = tmp_path / "contacts.csv"
    good.write_text(CONTACTS, encoding="utf-8")
    call_command("import_records", "contacts", str(good))
    assert "3 created" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("email\nnot-an-email\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_records", "contacts", str(bad))
    assert "row 2, column email" in capsys.readouterr().err
    assert ContactFactory._meta.model.objects.count() == 3


def test_a_nul_character_is_reported_not_a_database_error():
    report = run("contacts", "email,last_name\na@example.be,Pee\x00ters\n")
    assert not report.saved
    assert [(p.row, p.column) for p in report.problems] == [(2, "last_name")]
