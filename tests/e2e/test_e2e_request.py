"""Scenario 2: a visitor asks for access to their data with a copy of their ID card, receives
the confirmation e-mail, opens the link, confirms and sees the reference and the due date
(issue 7). Each page of the flow passes axe-core and the Nu HTML checker."""

import re
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.utils import dateformat, timezone, translation
from PIL import Image
from playwright.sync_api import expect

from requests_app.models import DataSubjectRequest, IdCopy

from .conftest import assert_accessible, document_source, t, vnu_errors, wait_until

NAME = "Els Vermeulen"
EMAIL = "els.vermeulen@example.be"


def id_copy_png(path) -> str:
    """An ID card scan as the statement advises: photo masked, marked "copy"."""
    image = Image.new("RGB", (320, 200), (230, 230, 240))
    image.save(path, format="PNG")
    return str(path)


def link_in(body: str, marker: str) -> str:
    match = re.search(r"https?://\S*" + re.escape(marker) + r"\S*", body)
    assert match, body
    return match.group(0)


def brussels_date_text(value, lang: str) -> str:
    with translation.override(lang):
        return dateformat.format(value, "j F Y")


def test_visitor_submits_a_request_with_id_copy_and_confirms_it_by_e_mail(
    cdot_site, celery_worker, page, shot, sent_mail, private_storage, tmp_path
):
    html = {}
    page.goto("/nl/privacy/")
    page.get_by_role("link", name=t("nl", "Exercise your rights")).first.click()
    page.wait_for_url("**/nl/privacy/request/")
    shot(page, "form")
    html["form"] = document_source(page)

    # Sending nothing shows what to fix, in Dutch, and stores nothing.
    # The form comes back at the same address: wait for its message (a click does not wait for
    # the page it loads, and the address does not change), then read what was stored.
    page.get_by_role("button", name=t("nl", "Send request")).click()
    expect(page.get_by_role("alert").first).to_be_visible()
    shot(page, "form errors")
    assert_accessible(page, "the form with errors")
    html["form with errors"] = document_source(page)
    assert DataSubjectRequest.objects.count() == 0

    page.get_by_label(t("nl", "Access to my data (Art. 15)")).check()
    page.get_by_label(t("nl", "Your name")).fill(NAME)
    page.get_by_label(t("nl", "Your e-mail address")).fill(EMAIL)
    page.get_by_label(t("nl", "Details"), exact=True).fill(
        "Welke gegevens hebt u over mij en van wie kreeg u ze?"
    )
    page.get_by_label(t("nl", "Copy of your identity card (optional)")).set_input_files(
        id_copy_png(tmp_path / "id-kopie.png")
    )
    shot(page, "form filled")
    page.get_by_role("button", name=t("nl", "Send request")).click()
    page.get_by_role("heading", name=t("nl", "Check your mailbox")).wait_for()
    shot(page, "check your mailbox")
    assert_accessible(page, "the 'check your mailbox' page")
    html["submitted"] = document_source(page)

    dsr = DataSubjectRequest.objects.get(email=EMAIL)
    assert dsr.status == DataSubjectRequest.Status.UNVERIFIED
    copy = IdCopy.objects.get(request=dsr)
    assert copy.path.is_relative_to(private_storage), "ID copies stay in private storage"
    assert copy.path.exists()

    # The e-mail (sent by the Celery task) carries the link, in the visitor's language.
    wait_until(lambda: sent_mail(), what="the confirmation e-mail")
    message = sent_mail()[-1]
    assert message["to"] == EMAIL
    verify_url = link_in(message["body"], "/verify/")
    assert t("nl", "Please confirm it by opening this link within 7 days:") in message["body"], (
        "the e-mail says how long the link works"
    )

    page.goto(verify_url)
    page.get_by_role("heading", name=t("nl", "Confirm your request")).wait_for()
    assert dsr.reference in page.locator("main").inner_text()
    shot(page, "confirm")
    assert_accessible(page, "the confirmation page")
    html["confirm"] = document_source(page)
    page.get_by_role("button", name=t("nl", "Confirm my request")).click()
    page.get_by_role("heading", name=t("nl", "Request received")).wait_for()
    shot(page, "request received")
    assert_accessible(page, "the 'request received' page")
    html["received"] = document_source(page)

    # Art. 12(3): due one calendar month after receipt, shown with the reference.
    dsr.refresh_from_db()
    assert dsr.status == DataSubjectRequest.Status.RECEIVED
    received = timezone.localdate(dsr.received_at)
    assert received == timezone.localdate()
    main = page.locator("main").inner_text()
    assert dsr.reference in main
    assert brussels_date_text(received, "nl") in main
    assert brussels_date_text(received + relativedelta(months=1), "nl") in main

    # The acknowledgement e-mail repeats the reference and the due date.
    wait_until(lambda: len(sent_mail()) >= 2, what="the acknowledgement e-mail")
    acknowledgement = sent_mail()[-1]["body"]
    assert dsr.reference in acknowledgement
    assert brussels_date_text(received + relativedelta(months=1), "nl") in acknowledgement

    # The link is single-use.
    page.goto(verify_url)
    assert t("nl", "This link has already been used.") in page.locator("main").inner_text()
    shot(page, "link used twice")
    assert_accessible(page, "the 'link already used' page")
    html["link used"] = document_source(page)

    errors = vnu_errors(html, tmp_path / "html")
    assert not errors, errors


def test_an_expired_confirmation_link_is_refused(
    cdot_site, celery_worker, page, shot, sent_mail, time_machine
):
    page.goto("/en/privacy/request/")
    page.get_by_label("Erasure of my data (Art. 17)").check()
    page.get_by_label("Your name").fill(NAME)
    page.get_by_label("Your e-mail address").fill(EMAIL)
    page.get_by_role("button", name="Send request").click()
    page.get_by_role("heading", name="Check your mailbox").wait_for()
    wait_until(lambda: sent_mail(), what="the confirmation e-mail")
    verify_url = link_in(sent_mail()[-1]["body"], "/verify/")

    # 7 days later the link no longer works (the live server runs in this process).
    time_machine.move_to(timezone.now() + timedelta(days=7, minutes=1))
    response = page.goto(verify_url)
    assert response.status == 410
    assert "expired" in page.locator("main").inner_text()
    shot(page, "expired link")
    dsr = DataSubjectRequest.objects.get(email=EMAIL)
    assert dsr.status == DataSubjectRequest.Status.UNVERIFIED


def test_request_form_works_without_javascript(browser, live_server, shot):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/fr/privacy/request/")
    page.get_by_label(t("fr", "Objection to processing (Art. 21)")).check()
    page.get_by_label(t("fr", "Your name")).fill(NAME)
    page.get_by_label(t("fr", "Your e-mail address")).fill(EMAIL)
    page.get_by_role("button", name=t("fr", "Send request")).click()
    page.get_by_role("heading", name=t("fr", "Check your mailbox")).wait_for()
    shot(page, "sent without javascript")
    context.close()
    assert DataSubjectRequest.objects.get(email=EMAIL).language == "fr"
