"""Issue #14 point 2: a complete Art. 15 copy.

A subject holding every record type, every text field at its maximum length, gets an access
report in which every value appears whole (label/value rows per record, long values wrap; never
cut at the page edge), in nl, fr and en. Every activity whose data the subject appears in is
listed with all its legal bases; Art. 15(2) only when a transfer applies. Staff preview and
download the PDF and the zip from the request page before sending, each download audited.
"""

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from records.models import Contact, Invoice, NewsletterSubscription, WebInquiry
from registry.models import ProcessingActivity, Recipient, Transfer
from requests_app.models import AccessPackage, AuditEntry, DataSubjectRequest, SubjectMatch
from requests_app.packages import access_package_create
from tests.pdf_text import pdf_pages

pytestmark = pytest.mark.django_db


LegalBasis = ProcessingActivity.LegalBasis


def _long(tag: str, length: int) -> str:
    """A value of exactly `length` characters, unique per field, with no spaces to break on."""
    body = (tag + "-" + "abcdefghijklmnopqrstuvwxyz0123456789" * 200)[: length - 1]
    return body + "Z"


def _long_email(tag: str) -> str:
    local = _long(tag, 64)
    domain = ".".join([_long(f"{tag}d{i}", 60) for i in range(3)]) + ".be"
    return f"{local}@{domain}"[:254]


def _words(tag: str, length: int) -> str:
    return (" ".join(f"{tag}{i:04d}" for i in range(length)))[:length].rstrip() + "."


@pytest.fixture
def subject_with_everything(officer, register):
    contact = Contact.objects.create(
        kind=Contact.Kind.CUSTOMER,
        first_name=_long("first", 100),
        last_name=_long("last", 100),
        company=_long("company", 200),
        street=_long("street", 200),
        postal_code=_long("pc", 16),
        city=_long("city", 100),
        country="BE",
        phone="+32 15 51 35 31 00 00 00 00 0000",
        mobile="+32 470 12 34 56 00 00 00 00 000",
        email=_long_email("mail"),
        vat_number="BE0403170701",
        kbo_number="0403170701",
        url="https://" + _long("url", 180) + ".example.be/",
        source=_long("source", 100),
        first_contact_at=datetime(2020, 1, 2, 3, 4, tzinfo=UTC),
        became_customer_on=date(2020, 2, 3),
        last_activity_at=datetime(2025, 5, 6, 7, 8, tzinfo=UTC),
    )
    invoice = Invoice.objects.create(
        number=_long("inv", 50),
        contact=contact,
        issue_date=date(2025, 3, 4),
        fiscal_year=2025,
        total_excl_vat=Decimal("9999999999.99"),
        vat_amount=Decimal("2099999999.99"),
        total_incl_vat=Decimal("1234567890.12"),
        billing_name=_long("billname", 200),
        billing_address=_words("addr", 600),
        billing_vat_number="BE0403170701",
    )
    inquiry = WebInquiry.objects.create(
        name=_long("inqname", 200),
        email=_long_email("inqmail"),
        email_normalised="x",
        phone="+32 15 51 35 31",
        company=_long("inqcompany", 200),
        message=_words("msg", 3000),
    )
    subscription = NewsletterSubscription.objects.create(
        email=_long_email("nlmail"),
        email_normalised="y",
        consent_text=_words("consent", 1500),
        statement_version=_long("ver", 50),
        source=_long("nlsrc", 50),
    )
    dsr = DataSubjectRequest.objects.create(
        type="access",
        name="Marie Peeters",
        email="marie@example.be",
        language="nl",
        status=DataSubjectRequest.Status.IN_PROGRESS,
        due_on=date(2026, 3, 3),
    )
    for record in (contact, invoice, inquiry, subscription):
        SubjectMatch.objects.create(
            request=dsr,
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            confirmed_by=officer,
        )
    return dsr, [contact, invoice, inquiry, subscription]


def _text(package: AccessPackage) -> str:
    """The PDF's text without the page footers ("3 / 7"), which stand between the two parts of
    a value that runs on to the next page."""
    pages = pdf_pages(package.path.read_bytes())
    return " ".join(
        re.sub(rf"(?<!\d){number}\s*/\s*{len(pages)}(?!\d)", " ", text, count=1)
        for number, text in enumerate(pages, start=1)
    )


def _squeezed(text: str) -> str:
    """Without any whitespace: a value wrapped over lines reads the same as on one line."""
    return re.sub(r"\s+", "", text)


def _values(record) -> list[str]:
    """Every text value stored in the record (what the subject must see whole); not the search
    keys derived from a shown field (personal fields that are not editable: e-mail, phone and
    name keys)."""
    values = []
    derived = {name for name in record.PERSONAL_FIELDS if not record._meta.get_field(name).editable}
    for field in record._meta.concrete_fields:
        value = getattr(record, field.attname)
        if field.name in derived or field.primary_key or field.is_relation:
            continue
        if isinstance(value, str) and value and not field.choices:
            values.append(value)
    return values


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_every_value_of_every_record_is_whole_in_the_report(
    subject_with_everything, officer, language
):
    dsr, records = subject_with_everything
    dsr.language = language
    dsr.save(update_fields=["language"])
    package = access_package_create(dsr=dsr, actor=officer, kind="access_report")
    text = _squeezed(_text(package))
    for record in records:
        for value in _values(record):
            assert _squeezed(value) in text, (type(record).__name__, value[:40])
    assert "1234567890.12" in text or "1.234.567.890,12" in text or "1234567890,12" in text


@pytest.mark.parametrize(
    ("language", "obligation"),
    [
        ("nl", "wettelijke verplichting"),
        ("fr", "obligation légale"),
        ("en", "legal obligation"),
    ],
)
def test_every_activity_with_the_subjects_data_is_listed_with_all_its_legal_bases(
    subject_with_everything, officer, language, obligation
):
    dsr, _records = subject_with_everything
    dsr.language = language
    dsr.save(update_fields=["language"])
    package = access_package_create(dsr=dsr, actor=officer, kind="access_report")
    text = re.sub(r"\s+", " ", _text(package))
    concerned = ProcessingActivity.objects.active().filter(
        role="controller",
        data_subject_categories__code__in=[
            "customers", "web-inquirers", "newsletter-subscribers", "requesters",
        ],
    ).distinct()  # fmt: skip
    codes = {activity.code for activity in concerned}
    assert {"A", "C", "D", "E", "F"} <= codes  # A: marketing to customers too
    for activity in concerned:
        code = activity.code
        with translation.override(language):
            assert f"{code}. {activity.name}" in text
            for basis in activity.legal_bases:
                assert str(LegalBasis(basis).label) in text, (code, basis)
    assert obligation in text  # D rests on the law that keeps invoices too
    assert "15(2)" not in text  # C-DOT's register has no transfers outside the EEA


def test_art_15_2_appears_when_a_transfer_applies(subject_with_everything, officer):
    dsr, _records = subject_with_everything
    recipient = Recipient.objects.create(
        code="mailing-inc", name="Mailing Inc.", kind="processor", country="US", inside_eea=False
    )
    Transfer.objects.create(
        activity=ProcessingActivity.objects.get(code="A"),
        recipient=recipient,
        country="US",
        safeguard=Transfer.Safeguard.SCC,
    )
    package = access_package_create(dsr=dsr, actor=officer, kind="access_report")
    text = re.sub(r"\s+", " ", _text(package))
    assert "Art. 15(2)" in text and "Mailing Inc." in text and "US" in text


def test_staff_preview_and_download_the_documents_before_sending_each_download_audited(
    client, subject_with_everything, officer
):
    dsr, _records = subject_with_everything
    pdf = access_package_create(dsr=dsr, actor=officer, kind="access_report")
    archive = access_package_create(dsr=dsr, actor=officer, kind="portability")
    client.force_login(officer)
    page = client.get(f"/admin/requests_app/datasubjectrequest/{dsr.pk}/change/").content.decode()
    for package in (pdf, archive):
        url = f"/admin/requests_app/datasubjectrequest/{dsr.pk}/package/{package.pk}/"
        assert url in page
        response = client.get(url)
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        assert body == package.path.read_bytes()
    entries = AuditEntry.objects.filter(request=dsr, action=AuditEntry.Action.STAFF_DOWNLOADED)
    assert sorted(e.details["package_id"] for e in entries) == sorted([pdf.pk, archive.pk])
    assert all(e.actor == officer for e in entries)
    # another request's package is not reachable through this one
    other = DataSubjectRequest.objects.create(
        type="access", name="X", email="x@example.be", status="in_progress"
    )
    assert (
        client.get(
            f"/admin/requests_app/datasubjectrequest/{other.pk}/package/{pdf.pk}/"
        ).status_code
        == 404
    )
