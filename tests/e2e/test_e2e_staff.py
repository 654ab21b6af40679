"""Scenario 3: a privacy officer logs in with a password and a TOTP code, finds a received
access request, checks the identity with the ID copy, searches the records for the subject,
produces the access report and completes the request; the subject downloads the report through
the link in the answer e-mail, and the link fails once it has expired (issues 7 and 8)."""

import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image
from playwright.sync_api import Error as PlaywrightError

from records.models import Contact
from requests_app import services
from requests_app.models import AccessPackage, DataSubjectRequest, IdCopy
from requests_app.tokens import verification_token
from requests_app.uploads import inspect_id_copy
from tests.pdf_text import pdf_text

from .conftest import t, wait_until
from .staff import log_in, officer_with_authenticator

EMAIL = "els.vermeulen@example.be"


def received_access_request() -> DataSubjectRequest:
    """The public half (scenario 2): submitted with an ID copy and confirmed by e-mail."""
    scan = io.BytesIO()
    Image.new("RGB", (320, 200), (230, 230, 240)).save(scan, format="PNG")
    id_copy = inspect_id_copy(SimpleUploadedFile("id.png", scan.getvalue(), "image/png"))
    dsr = services.request_submit(
        type=DataSubjectRequest.Type.ACCESS,
        name="Els Vermeulen",
        email=EMAIL,
        phone="",
        details="Welke gegevens hebt u over mij?",
        language="nl",
        id_copy=id_copy,
    )
    return services.request_verify(token=verification_token(dsr))


def step(page, label: str) -> None:
    page.get_by_role("link", name=t("nl", label), exact=True).click()


@pytest.mark.long(11)
def test_privacy_officer_answers_an_access_request_and_the_subject_downloads_the_report(
    cdot_site, celery_worker, page, browser, live_server, shot, sent_mail, time_machine
):
    officer, device = officer_with_authenticator()
    contact = Contact.objects.create(
        kind=Contact.Kind.CUSTOMER,
        first_name="Els",
        last_name="Vermeulen",
        email="Els.Vermeulen@Example.be",
        city="Haacht",
    )
    dsr = received_access_request()
    assert dsr.status == DataSubjectRequest.Status.RECEIVED

    # Password, then the second factor: without the code the admin stays closed.
    log_in(page, device, shot)

    # The dashboard lists the open request with its days left; the officer opens it there.
    shot(page, "dashboard")
    page.get_by_role("link", name=dsr.reference).click()
    page.wait_for_url(f"**/admin/requests_app/datasubjectrequest/{dsr.pk}/change/")
    shot(page, "request")

    # Identity: look at the ID copy, record the check; the copy is deleted right after.
    with page.expect_download() as download:
        page.get_by_role("link", name=t("nl", "Download ID copy")).click()
    assert Image.open(download.value.path()).format == "PNG"
    copy_path = IdCopy.objects.get(request=dsr).path
    step(page, "Record identity check")
    page.get_by_label(t("nl", "How")).select_option("id_copy")
    page.get_by_label(t("nl", "Outcome")).select_option("confirmed")
    shot(page, "identity check")
    page.get_by_role("button", name=t("nl", "Record identity check")).click()
    page.wait_for_url(f"**/{dsr.pk}/change/")
    dsr.refresh_from_db()
    assert dsr.status == DataSubjectRequest.Status.IN_PROGRESS
    assert not IdCopy.objects.filter(request=dsr).exists()
    assert not copy_path.exists()

    # Subject search: the form starts from the request's e-mail; the officer ticks the match.
    step(page, "Search the records")
    page.get_by_role("button", name=t("nl", "Search")).click()
    page.wait_for_url(re.compile(r".*/search/\?.*"))  # the results page, not the form
    hit = page.locator(f"input[name='hit'][value$=':{contact.pk}']")
    assert hit.count() == 1, "the contact is found by its normalised e-mail"
    hit.check()
    shot(page, "search results")
    page.get_by_role("button", name=t("nl", "Confirm the ticked records")).click()
    page.wait_for_url(f"**/{dsr.pk}/change/")

    step(page, "Create access report (PDF)")
    page.get_by_role("button", name=t("nl", "Create access report (PDF)")).click()
    page.wait_for_url(f"**/{dsr.pk}/change/")
    assert AccessPackage.objects.filter(request=dsr).count() == 1

    step(page, "Complete and answer")
    page.get_by_label(t("nl", "Answer (sent to the subject)")).fill(
        "Hierbij vindt u een overzicht van alle gegevens die wij over u bewaren."
    )
    shot(page, "complete")
    page.get_by_role("button", name=t("nl", "Complete and answer")).click()
    page.wait_for_url(f"**/{dsr.pk}/change/")
    shot(page, "completed")
    dsr.refresh_from_db()
    assert dsr.status == DataSubjectRequest.Status.COMPLETED

    # The subject's answer e-mail carries a download link, not an attachment.
    def answer_mail():
        return [m for m in sent_mail() if "/download/" in m["body"]]

    wait_until(answer_mail, what="the answer e-mail with the download link")
    message = answer_mail()[-1]
    assert message["to"] == EMAIL
    link = re.search(r"https?://\S+/download/\S+", message["body"]).group(0)

    subject = browser.new_context(base_url=live_server.url, accept_downloads=True)
    subject_page = subject.new_page()
    with subject_page.expect_download() as download:
        try:
            subject_page.goto(link)
        except PlaywrightError as exc:  # an attachment ends the navigation in a download
            assert "Download is starting" in str(exc)
    assert download.value.suggested_filename.endswith(".pdf")
    text = pdf_text(download.value.path().read_bytes())
    assert "Els Vermeulen" in text
    assert "Haacht" in text, "the report holds the data found"
    assert "Gegevensbeschermingsautoriteit" in text, "Art. 15(1)(f): the right to complain"

    # The download is logged and shown to staff.
    assert AccessPackage.objects.get(request=dsr).downloads.count() == 1
    page.reload()
    with translation.override("nl"):
        shown = translation.ngettext("%(n)s download", "%(n)s downloads", 1) % {"n": 1}
    assert shown in page.locator("#content").inner_text()

    # After its lifetime the link no longer works (the live server runs in this process).
    time_machine.move_to(timezone.now() + AccessPackage.LIFETIME + timedelta(hours=1))
    response = subject_page.request.get(link)
    assert response.status == 410
    subject_page.goto("about:blank")
    subject.close()
