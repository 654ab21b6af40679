"""Issue 13, point 1: a model's personal fields are declared once (``PERSONAL_FIELDS``) and the
purge, the erasure, the CSV importer and the Art. 15 access report all read that declaration:
a field added there is importable and shown in the report, with a translated label."""

import io
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import translation
from django.utils.translation import trans_real

from records.importing import records_import_csv
from records.models import Contact, Invoice, NewsletterSubscription, WebInquiry
from requests_app.models import DataSubjectRequest, SubjectMatch
from requests_app.packages import access_report_context
from tests.records_factories import ContactFactory, InvoiceFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db
REPORTED = (Contact, Invoice, WebInquiry, NewsletterSubscription)


def _subject() -> DataSubjectRequest:
    officer = get_user_model().objects.create_user("officer", "o@c-dot.be", "x" * 20)
    contact = ContactFactory(email="an@claes.be", kind=Contact.Kind.CUSTOMER)
    invoice = InvoiceFactory(contact=contact, issue_date=date(2025, 3, 4))
    inquiry = WebInquiry.objects.create(
        name="An Claes", email="an@claes.be", message="Offerte graag", contact=contact
    )
    subscription = SubscriptionFactory(email="an@claes.be")
    dsr = DataSubjectRequest.objects.create(
        type="access", name="An Claes", email="an@claes.be", language="nl", due_on=date(2027, 1, 1)
    )
    for record in (contact, invoice, inquiry, subscription):
        SubjectMatch.objects.create(
            request=dsr,
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            confirmed_by=officer,
        )
    return dsr


def _report_labels(dsr: DataSubjectRequest, language: str = "nl") -> dict[str, list[str]]:
    """Per kind of record (by model), the row labels of its first record in the copy."""
    with translation.override(language):
        blocks = access_report_context(dsr)["data"]
    titles = {}
    for model in REPORTED:
        with translation.override(language):
            titles[str(model._meta.verbose_name_plural)] = model
    return {titles[block["title"]]: [label for label, _ in block["records"][0]] for block in blocks}


def _label(model, name: str, language: str = "nl") -> str:
    with translation.override(language):
        return str(model._meta.get_field(name).verbose_name)


def _shown(model) -> list[str]:
    return [name for name in model.PERSONAL_FIELDS if model._meta.get_field(name).editable]


def test_the_access_report_shows_every_personal_field_first_with_a_dutch_label():
    dsr = _subject()
    dutch, english = _report_labels(dsr, "nl"), _report_labels(dsr, "en")
    catalogue = trans_real.translation("nl")._catalog
    assert set(dutch) == set(REPORTED)
    for model in REPORTED:
        expected = [_label(model, name) for name in _shown(model)]
        assert dutch[model][: len(expected)] == expected, model
        # Every row of the copy reads in Dutch: each English label has a Dutch translation.
        untranslated = [label for label in english[model] if not catalogue.get(label)]
        assert untranslated == [], model


def test_no_derived_search_key_is_a_row_of_the_copy():
    labels = _report_labels(_subject(), "en")
    for key in ("name key", "email normalised", "phone e164", "mobile e164"):
        assert all(key not in row_labels for row_labels in labels.values()), key


def test_a_field_added_to_personal_fields_is_imported_and_reported_as_personal(monkeypatch):
    monkeypatch.setattr(Contact, "PERSONAL_FIELDS", (*Contact.PERSONAL_FIELDS, "restricted_until"))
    report = records_import_csv(
        kind="contacts",
        file=io.StringIO("email,last_name,restricted_until\nan@claes.be,Claes,2027-01-31\n"),
    )
    assert report.problems == [] and report.saved
    assert Contact.objects.get(email="an@claes.be").restricted_until == date(2027, 1, 31)
    labels = _report_labels(_subject_for_existing())
    personal = [_label(Contact, name) for name in _shown(Contact)]
    assert labels[Contact][: len(personal)] == personal
    assert personal[-1] == _label(Contact, "restricted_until")


def _subject_for_existing() -> DataSubjectRequest:
    officer = get_user_model().objects.create_user("officer", "o@c-dot.be", "x" * 20)
    contact = Contact.objects.get(email="an@claes.be")
    dsr = DataSubjectRequest.objects.create(
        type="access", name="An Claes", email="an@claes.be", language="nl", due_on=date(2027, 1, 1)
    )
    SubjectMatch.objects.create(
        request=dsr,
        content_type=ContentType.objects.get_for_model(contact),
        object_id=contact.pk,
        confirmed_by=officer,
    )
    return dsr


def test_the_importer_takes_its_personal_columns_from_personal_fields():
    header = ",".join(["email", *_shown(Contact)]).replace("email,", "", 1)
    row = "Jan,Peeters,C-DOT,Kerkstraat 1,3190,Boortmeerbeek,+32 15 51 00 00,+32 470 12 34 56,"
    row += "jan@peeters.be,BE0403170701,0403170701,https://peeters.be,beurs"
    report = records_import_csv(kind="contacts", file=io.StringIO(f"{header}\n{row}\n"))
    assert report.problems == [] and report.saved
    contact = Contact.objects.get()
    assert [getattr(contact, name) for name in _shown(Contact)][:3] == ["Jan", "Peeters", "C-DOT"]
