"""The access report PDF contains every Art. 15(1)(a)-(h) item from the register, checked
through the PDF's text, plus the data found."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from records.models import Contact, Invoice
from registry.models import ProcessingActivity, RetentionRule, SupervisoryAuthority
from requests_app.models import AccessPackage, DataSubjectRequest, SubjectMatch
from requests_app.packages import access_package_create, access_report_context
from tests.conftest import renders_a_pdf
from tests.pdf_text import pdf_text

pytestmark = pytest.mark.django_db


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture
def request_with_customer(officer, register):
    contact = Contact(
        kind=Contact.Kind.CUSTOMER,
        first_name="Marie",
        last_name="Janssens",
        email="marie@example.be",
        source="beurs Leuven",
    )
    contact.full_clean()
    contact.save()
    Invoice.objects.create(
        number="2026-0042",
        contact=contact,
        issue_date=date(2026, 2, 3),
        fiscal_year=2026,
        total_excl_vat=Decimal("500.00"),
        vat_amount=Decimal("105.00"),
        total_incl_vat=Decimal("605.00"),
        billing_name="Marie Janssens",
    )
    dsr = DataSubjectRequest.objects.create(
        type="access",
        name="Marie Janssens",
        email="marie@example.be",
        language="nl",
        status=DataSubjectRequest.Status.IN_PROGRESS,
        due_on=date(2026, 3, 3),
    )
    SubjectMatch.objects.create(
        request=dsr,
        content_type=ContentType.objects.get_for_model(Contact),
        object_id=contact.pk,
        confirmed_by=officer,
    )
    return dsr


def _pdf_text(package: AccessPackage) -> str:
    return pdf_text(package.path.read_bytes())


@renders_a_pdf
def test_access_report_pdf_has_every_article_15_item_from_the_register(
    request_with_customer, officer
):
    package = access_package_create(
        dsr=request_with_customer, actor=officer, kind=AccessPackage.Kind.ACCESS_REPORT
    )
    text = _pdf_text(package)
    with translation.override("nl"):
        context = access_report_context(request_with_customer)
        activities = context["activities"]
        assert activities, "the customer's records lead to activities of the register"
        # The headings of (a)-(h) and 15(2), 15(3).
        for item in "abcdefgh":
            assert f"Art. 15(1)({item})" in text
        assert "Art. 15(3)" in text
        assert "Art. 15(2)" not in text  # no transfer outside the EEA applies (see _complete)
        for activity in activities:
            # (a) purposes and their legal basis
            assert _flat(activity.purpose)[:40] in text
            assert _flat(activity.get_legal_basis_display())[:25] in text
            # (b) categories of data
            for category in activity.data_categories.all():
                assert _flat(category.name) in text
            # (c) recipients
            for recipient in activity.recipients.all():
                assert _flat(recipient.name)[:30] in text
            # (h) automated decision-making, stated per activity
            assert f"{activity.code}: " in text
        # (d) retention periods of the rules behind those activities
        for rule in RetentionRule.objects.filter(activity__in=activities, is_active=True):
            assert rule.period_display() in text
        # (e) rights
        assert "verbetering (art. 16)" in text and "bezwaar te maken" in text
        # (f) the complaint goes to the GBA/APD, never the former Privacy Commission
        authority = SupervisoryAuthority.objects.current()
        assert _flat(authority.name)[:30] in text
        assert "Privacy" not in text.replace("privacy@", "")
        # (g) the source recorded with the data
        assert "beurs Leuven" in text
        assert "geen geautomatiseerde besluitvorming" in text.lower() or any(
            _flat(a.get_automated_decision_making_display()) in text for a in activities
        )
    # 15(3): the copy of the data itself
    assert "Janssens" in text and "2026-0042" in text
    assert "605,00" in text or "605.00" in text


def test_the_access_report_lists_only_the_activities_behind_the_subjects_records(
    request_with_customer,
):
    activities = list(access_report_context(request_with_customer)["activities"])
    rule_activity = RetentionRule.objects.get(code="customer-contact").activity
    invoice_activity = RetentionRule.objects.get(code="invoice").activity
    assert rule_activity in activities and invoice_activity in activities
    assert len(activities) < ProcessingActivity.objects.active().count()


@renders_a_pdf
def test_a_subject_without_records_gets_the_whole_register_and_a_no_data_statement(
    officer, register
):
    dsr = DataSubjectRequest.objects.create(
        type="access",
        name="Nobody",
        email="nobody@example.be",
        language="en",
        status=DataSubjectRequest.Status.IN_PROGRESS,
        due_on=date(2026, 3, 3),
    )
    package = access_package_create(dsr=dsr, actor=officer, kind="access_report")
    text = _pdf_text(package)
    assert "We found no personal data about you." in text
    assert "Art. 15(1)(h)" in text
