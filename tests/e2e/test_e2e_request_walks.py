"""Issue #14, done when: the browser walks a staff-entered postal request and an erasure with
kept invoices to the end, with screenshots (test-artefacts/e2e/<test>/).

1. A letter arrives: the officer enters it (channel post, the day it was received), the due date
   runs one calendar month from that day (Art. 12(3)); identity, subject search, access report,
   answer. There is no e-mail address, so nothing is mailed to the subject: the page shows the
   letter to post (the printed report enclosed, no download link).
2. A customer whose invoices are still inside the tax period asks erasure: the contact is
   minimised at once (every field the invoices do not need is blanked, Art. 17(3)(b)) and the
   answer states the date the register's invoice rule ends, computed here from the rule.
"""

import calendar
import importlib
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from records.models import Contact, Invoice, fiscal_year_end_settings
from registry import periods
from registry.models import RetentionRule
from requests_app import services
from requests_app.models import AccessPackage, AnswerTemplate, DataSubjectRequest
from requests_app.tokens import verification_token
from tests.pdf_text import pdf_text

from .conftest import t, wait_until
from .staff import log_in, officer_with_authenticator


def step(page, label: str) -> None:
    page.get_by_role("link", name=t("nl", label), exact=True).click()


def confirm_step(page, dsr, label: str) -> None:
    """Open a step from the request page and press its button (steps without a form)."""
    step(page, label)
    page.get_by_role("button", name=t("nl", label)).click()
    page.wait_for_url(f"**/{dsr.pk}/change/")


def one_calendar_month_after(day: date) -> date:
    """Regulation 1182/71: the same date a month later, or that month's last day."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def answer_templates_of_a_fresh_install() -> None:
    """The officer's starting texts as migration 0006 installs them (a transactional test
    before this one may have flushed them)."""
    migration = importlib.import_module("requests_app.migrations.0006_answer_templates")
    for request_type, decision, texts in migration.TEMPLATES:
        for language, body in texts.items():
            AnswerTemplate.objects.get_or_create(
                request_type=request_type,
                decision=decision,
                language=language,
                defaults={"body": body},
            )


def nl_date(day: date) -> str:
    with translation.override("nl"):
        return date_format(day, "DATE_FORMAT")


@pytest.mark.long(11)
def test_staff_enter_a_postal_request_and_answer_it_by_post(
    cdot_site, celery_worker, page, shot, sent_mail
):
    officer, device = officer_with_authenticator()
    contact = Contact.objects.create(
        kind=Contact.Kind.CUSTOMER,
        first_name="Maria",
        last_name="Wouters",
        street="Kerkstraat 12",
        postal_code="3190",
        city="Boortmeerbeek",
    )
    received_on = timezone.localdate() - timedelta(days=3)

    log_in(page, device, shot)
    page.goto("/admin/requests_app/datasubjectrequest/")
    page.locator(".object-tools a.addlink").click()
    page.wait_for_url("**/datasubjectrequest/add/")
    page.locator("#id_channel").select_option(DataSubjectRequest.Channel.POST)
    page.locator("#id_received_at_0").fill(received_on.isoformat())
    page.locator("#id_received_at_1").fill("10:15")
    page.locator("#id_type").select_option(DataSubjectRequest.Type.ACCESS)
    page.locator("#id_name").fill("Maria Wouters")
    page.locator("#id_postal_address").fill("Kerkstraat 12\n3190 Boortmeerbeek")
    page.locator("#id_details").fill("Brief: welke gegevens bewaart u over mij?")
    shot(page, "enter postal request")
    page.get_by_role("button", name=t("nl", "Enter the request")).click()
    page.wait_for_url(re.compile(r".*/datasubjectrequest/\d+/change/$"))

    dsr = DataSubjectRequest.objects.get(name="Maria Wouters")
    assert dsr.channel == DataSubjectRequest.Channel.POST and dsr.email == ""
    assert dsr.status == DataSubjectRequest.Status.RECEIVED  # no confirmation link by post
    received = timezone.make_aware(datetime.combine(received_on, time(10, 15)))
    assert dsr.received_at == received and dsr.entered_by == officer
    due = one_calendar_month_after(received_on)  # Art. 12(3): from receipt, not from entry
    assert dsr.due_on == due
    assert nl_date(due) in page.locator("#content").inner_text()
    shot(page, "request entered with its due date")

    # Identity: the letter's details match a known customer.
    step(page, "Record identity check")
    page.get_by_label(t("nl", "How")).select_option("known_customer")
    page.get_by_label(t("nl", "Outcome")).select_option("confirmed")
    page.get_by_role("button", name=t("nl", "Record identity check")).click()
    page.wait_for_url(f"**/{dsr.pk}/change/")

    # Search by the name on the letter (no e-mail): the customer is found and ticked.
    step(page, "Search the records")
    page.get_by_role("button", name=t("nl", "Search")).click()
    page.wait_for_url(re.compile(r".*/search/\?.*"))  # the results page, not the form
    hit = page.locator(f"input[name='hit'][value='records.contact:{contact.pk}']")
    assert hit.count() == 1, "the customer is found by the name on the letter"
    hit.check()
    shot(page, "search by name")
    page.get_by_role("button", name=t("nl", "Confirm the ticked records")).click()
    page.wait_for_url(f"**/{dsr.pk}/change/")

    confirm_step(page, dsr, "Create access report (PDF)")
    package = AccessPackage.objects.get(request=dsr)
    with translation.override("nl"):
        link_name = str(package.get_kind_display())
    with page.expect_download() as download:  # staff print it and post it with the answer
        page.get_by_role("link", name=link_name).click()
    text = pdf_text(download.value.path().read_bytes())
    assert "Kerkstraat 12" in text and "Wouters" in text

    step(page, "Complete and answer")
    page.get_by_label(t("nl", "Answer (sent to the subject)")).fill(
        "Bijgevoegd vindt u het overzicht van alle gegevens die wij over u bewaren."
    )
    page.get_by_role("button", name=t("nl", "Show the e-mail")).click()
    preview = page.locator(".dsr-preview").inner_text()
    assert dsr.reference in preview and "Bijgevoegd vindt u het overzicht" in preview
    # A letter, not an e-mail: the printed report is enclosed, no download link.
    assert t("nl", "The letter to post to the subject (no e-mail address)") in page.content()
    assert t("nl", "Enclosed with this letter:") in preview and "/download/" not in preview
    shot(page, "answer to post")
    page.get_by_role("button", name=t("nl", "Complete and answer")).click()
    page.wait_for_url(f"**/{dsr.pk}/change/")
    shot(page, "completed")
    dsr.refresh_from_db()
    assert dsr.status == DataSubjectRequest.Status.COMPLETED
    assert dsr.completed_at is not None and dsr.completed_at.date() <= dsr.due_on
    # No address to mail: the subject is answered by post; only staff were told by e-mail.
    assert sent_mail(), "the privacy officers are told of the entered request"
    assert not [m for m in sent_mail() if "Bijgevoegd vindt u het overzicht" in m["body"]]


def test_erasure_keeps_invoices_minimises_the_contact_and_states_the_rule_s_end_date(
    cdot_site, celery_worker, page, shot, sent_mail
):
    officer, device = officer_with_authenticator()
    email = "pieter.claes@example.be"
    contact = Contact(
        kind=Contact.Kind.CUSTOMER,
        first_name="Pieter",
        last_name="Claes",
        company="Claes Bouw",
        street="Dorpsstraat 5",
        postal_code="3190",
        city="Boortmeerbeek",
        email="Pieter.Claes@Example.be",
        phone="015 51 00 11",
        mobile="0470 12 34 56",
        url="https://claes-bouw.example.be",
        source="webshop",
        vat_number="BE0403170701",
    )
    contact.full_clean()
    contact.save()
    issued = [timezone.localdate() - timedelta(days=400), timezone.localdate() - timedelta(days=30)]
    for number, day in enumerate(issued, start=1):
        Invoice.objects.create(
            number=f"2026-{number:03d}",
            contact=contact,
            issue_date=day,
            fiscal_year=day.year,
            total_excl_vat=Decimal("100.00"),
            vat_amount=Decimal("21.00"),
            total_incl_vat=Decimal("121.00"),
            billing_name="Claes Bouw",
            billing_address="Dorpsstraat 5, 3190 Boortmeerbeek",
        )
    # The date the answer must state, from the register's invoice rule: its period after the
    # end of the fiscal year of the last invoice; the contact goes the day after.
    rule = RetentionRule.objects.get(code=Invoice.retention_rule_code, is_active=True)
    end_month, end_day = fiscal_year_end_settings()
    year_end = periods.fiscal_year_end(max(issued), end_month=end_month, end_day=end_day)
    ends = rule.expires_at(periods.end_of_day(year_end)).astimezone(periods.BRUSSELS).date()
    deleted_on = ends + timedelta(days=1)
    with translation.override("nl"):
        period = rule.period_display()  # "7 jaar": the template reads it from the rule too
    answer_templates_of_a_fresh_install()
    assert deleted_on.year > timezone.localdate().year + 5  # inside the tax period for years

    dsr = services.request_submit(
        type=DataSubjectRequest.Type.ERASURE,
        name="Pieter Claes",
        email=email,
        phone="",
        details="Wis al mijn gegevens.",
        language="nl",
        id_copy=None,
    )
    dsr = services.request_verify(token=verification_token(dsr))

    log_in(page, device, shot)
    page.get_by_role("link", name=dsr.reference).click()
    page.wait_for_url(f"**/{dsr.pk}/change/")
    shot(page, "erasure request")
    confirm_step(page, dsr, "Start work")

    step(page, "Search the records")
    page.get_by_role("button", name=t("nl", "Search")).click()
    page.wait_for_url(re.compile(r".*/search/\?.*"))  # the results page, not the form
    hits = page.locator("input[name='hit']")
    values = [hits.nth(i).get_attribute("value") for i in range(hits.count())]
    assert f"records.contact:{contact.pk}" in values
    assert len([v for v in values if v.startswith("records.invoice:")]) == 2
    for i in range(hits.count()):
        hits.nth(i).check()
    shot(page, "contact and invoices found")
    page.get_by_role("button", name=t("nl", "Confirm the ticked records")).click()
    page.wait_for_url(f"**/{dsr.pk}/change/")

    step(page, "Erase confirmed records")
    shot(page, "erase")
    page.get_by_role("button", name=t("nl", "Erase confirmed records")).click()
    page.wait_for_url(f"**/{dsr.pk}/change/")
    shot(page, "erased")

    # Minimised at once: every field the invoices do not need is gone; what they need stays.
    contact.refresh_from_db()
    for name in Contact.NOT_FOR_INVOICE_FIELDS:
        assert getattr(contact, name) == "", name
    assert (contact.last_name, contact.street, contact.vat_number) == (
        "Claes",
        "Dorpsstraat 5",
        "BE0403170701",
    )
    assert contact.marketing_opt_out and contact.erasure_requested_at is not None
    assert Invoice.objects.filter(contact=contact).count() == 2

    step(page, "Complete and answer")
    page.locator("#id_template_decision").select_option("partly_granted")
    page.get_by_role("button", name=t("nl", "Load the template")).click()
    page.wait_for_url("**/step/complete/?decision=partly_granted")
    page.get_by_role("button", name=t("nl", "Show the e-mail")).click()
    preview = page.locator(".dsr-preview").inner_text()
    assert nl_date(deleted_on) in preview, preview  # the erase step's paragraph
    assert "- niets" not in preview  # no "erased: nothing" before what was deleted at once
    assert f"boekhoudwetgeving {period} moeten bewaren" in preview  # the officer's template
    shot(page, "answer states the end date")
    page.get_by_role("button", name=t("nl", "Complete and answer")).click()
    page.wait_for_url(f"**/{dsr.pk}/change/")
    shot(page, "completed")
    dsr.refresh_from_db()
    assert dsr.status == DataSubjectRequest.Status.COMPLETED
    assert dsr.decision == DataSubjectRequest.Decision.PARTLY_GRANTED

    def answer():
        return [m for m in sent_mail() if m["to"] == email and nl_date(deleted_on) in m["body"]]

    wait_until(answer, what="the answer e-mail with the date the invoice rule ends")
    body = answer()[-1]["body"]
    assert "2 facturen" in body and "art. 17, lid 3, b) AVG" in body
