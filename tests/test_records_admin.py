"""Staff admin of the records: lists, search by normalised keys, holds inline, CSV upload."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from records.models import Contact, LegalHold, SuppressionEntry
from records.normalise import email_hash
from tests.records_factories import (
    ContactFactory,
    DatasetFactory,
    InvoiceFactory,
    RecordingFactory,
    SubscriptionFactory,
    WebInquiryFactory,
)

pytestmark = pytest.mark.django_db

MODELS = [
    "contact",
    "invoice",
    "webinquiry",
    "newslettersubscription",
    "suppressionentry",
    "camerarecording",
    "processordataset",
    "legalhold",
]


@pytest.mark.parametrize("model", MODELS)
def test_every_records_list_and_add_page_opens(admin_client, model):
    ContactFactory()
    InvoiceFactory()
    WebInquiryFactory()
    SubscriptionFactory()
    RecordingFactory()
    DatasetFactory()
    assert admin_client.get(reverse(f"admin:records_{model}_changelist")).status_code == 200
    if model != "camerarecording":
        assert admin_client.get(reverse(f"admin:records_{model}_add")).status_code == 200


def test_contact_search_finds_by_differently_written_email_and_phone(admin_client):
    wanted = ContactFactory(email="jan@example.be", phone="015 51 23 45", last_name="Peeters")
    wanted.full_clean()
    wanted.save()
    ContactFactory(last_name="Janssens")
    url = reverse("admin:records_contact_changelist")
    for term in (" JAN@Example.be", "+32 15 51 23 45"):
        page = admin_client.get(url, {"q": term})
        assert list(page.context["cl"].result_list) == [wanted]


def test_saving_a_contact_in_the_admin_normalises_and_a_bad_vat_is_named(admin_client):
    url = reverse("admin:records_contact_add")
    data = {
        "kind": "customer",
        "last_name": "Claes",
        "email": "An@Claes.BE",
        "vat_number": "BE0403170702",
        "first_contact_at_0": "2026-11-28",
        "first_contact_at_1": "10:00:00",
        "country": "BE",
        "records-legalhold-content_type-object_id-TOTAL_FORMS": "0",
        "records-legalhold-content_type-object_id-INITIAL_FORMS": "0",
    }
    page = admin_client.post(url, data)
    assert page.status_code == 200 and "vat_number" in page.context["adminform"].form.errors
    assert not Contact.objects.exists()
    data["vat_number"] = "be 0403.170.701"
    assert admin_client.post(url, data).status_code == 302
    contact = Contact.objects.get()
    assert (contact.vat_number, contact.kbo_number) == ("BE0403170701", "0403170701")
    assert contact.email_normalised == "an@claes.be"


def test_a_legal_hold_set_inline_records_who_set_it(admin_client, admin_user):
    contact = ContactFactory()
    url = reverse("admin:records_contact_change", args=[contact.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "id"}
    data.update(
        {
            "first_contact_at_0": contact.first_contact_at.strftime("%Y-%m-%d"),
            "first_contact_at_1": "10:00:00",
            "records-legalhold-content_type-object_id-TOTAL_FORMS": "1",
            "records-legalhold-content_type-object_id-INITIAL_FORMS": "0",
            "records-legalhold-content_type-object_id-0-reason": "Geschil over factuur",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    hold = LegalHold.objects.get()
    assert hold.record == contact and hold.set_by == admin_user


def test_suppression_entry_is_added_from_an_email_but_stores_only_the_hash(admin_client):
    url = reverse("admin:records_suppressionentry_add")
    response = admin_client.post(url, {"email": "Lies@Example.be", "reason": "objection"})
    assert response.status_code == 302
    assert SuppressionEntry.objects.get().email_hash == email_hash("lies@example.be")
    again = admin_client.post(url, {"email": "lies@example.be", "reason": "objection"})
    assert again.status_code == 200 and SuppressionEntry.objects.count() == 1


def test_csv_upload_shows_the_report_and_imports_nothing_when_a_row_is_bad(admin_client):
    url = reverse("admin:records_contact_import")
    bad = SimpleUploadedFile("c.csv", b"email,last_name\nok@example.be,Ok\nnope,Bad\n")
    page = admin_client.post(url, {"kind": "contacts", "file": bad})
    html = page.content.decode()
    assert page.status_code == 200 and "<td>3</td><td>email</td>" in html
    assert not Contact.objects.exists()
    good = SimpleUploadedFile("c.csv", b"email,last_name\nok@example.be,Ok\n")
    admin_client.post(url, {"kind": "contacts", "file": good})
    assert Contact.objects.get().last_name == "Ok"


@pytest.mark.parametrize(
    ("language", "contacts", "problem"),
    [
        ("nl", "contacten", "Onbekende kolom."),
        ("fr", "contacts", "Colonne inconnue."),
        ("en", "contacts", "Unknown column."),
    ],
)
def test_records_texts_are_translated(language, contacts, problem):
    import io

    from django.utils import translation

    from records.importing import records_import_csv

    with translation.override(language):
        assert str(Contact._meta.verbose_name_plural) == contacts
        report = records_import_csv(kind="contacts", file=io.StringIO("shoe\nx\n"))
        assert report.problems[0].message == problem
