"""Scenario: a visitor asks for access to their data in a real browser (no JavaScript needed):
the form with errors, "check your mailbox", the e-mail link, the confirmation with reference and
due date. Every page passes axe-core and the Nu HTML checker (issue 7)."""

import re

import pytest
from playwright.sync_api import expect

from requests_app.models import DataSubjectRequest

from .conftest import assert_accessible, vnu_errors


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_DIR = tmp_path / "private"


@pytest.fixture
def worker_signs_like_the_site(monkeypatch, settings):
    """The worker process must sign links with the site's key (its VAR_DIR is a temp folder,
    where the embedded run would generate a key of its own)."""
    monkeypatch.setenv("SECRET_KEY", settings.SECRET_KEY)


def test_visitor_sends_a_request_confirms_it_by_mail_and_sees_the_due_date(
    cdot_site, page, shot, sent_mail, worker_signs_like_the_site, celery_worker, wait_for, tmp_path
):
    pages = {}
    page.goto("/fr/privacy/request/")
    assert_accessible(page, "request form")
    pages["form"] = page.content()

    # Submitted without e-mail: the form comes back with a message, nothing is stored.
    page.get_by_label("Accès à mes données (art. 15)").check()
    page.get_by_label("Votre nom").fill("Marie Dubois")
    # The form comes back at the same address: wait for its message (a click does not wait for
    # the page it loads), then read what was stored.
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    assert DataSubjectRequest.objects.count() == 0
    shot(page, "form with errors")
    assert_accessible(page, "form with errors")
    pages["form with errors"] = page.content()

    page.get_by_label("Votre adresse e-mail").fill("marie.dubois@example.be")
    page.get_by_role("button", name="Envoyer la demande").click()
    # The form has an <h1> too: wait for the next page's own heading.
    page.get_by_role("heading", name="Consultez votre boîte mail").wait_for()
    shot(page, "check your mailbox")
    assert_accessible(page, "check your mailbox")
    pages["submitted"] = page.content()

    wait_for(lambda: sent_mail(), timeout=60, what="the verification e-mail")
    (message,) = sent_mail()
    assert message["to"] == "marie.dubois@example.be"
    link = re.search(r"https?://\S+(/fr/privacy/request/verify/\S+)", message["body"]).group(1)
    page.goto(link)
    page.get_by_role("button", name="Confirmer ma demande").click()
    page.get_by_role("heading", name="Demande reçue").wait_for()  # then the database is written
    dsr = DataSubjectRequest.objects.get()
    assert dsr.status == DataSubjectRequest.Status.RECEIVED
    main = page.locator("main").inner_text()
    assert dsr.reference in main
    assert "Nous répondons au plus tard le" in main
    shot(page, "confirmed")
    assert_accessible(page, "confirmation")
    pages["confirmed"] = page.content()

    page.goto(link)  # the link works once
    assert "déjà été utilisé" in page.locator("main").inner_text()
    pages["link used"] = page.content()

    errors = vnu_errors(pages, tmp_path / "html")
    assert not errors, errors
