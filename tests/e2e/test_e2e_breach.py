"""Issue 16: a breach that affects a client controller, from awareness to telling the client
(Art. 33(2)) and the report for the GBA/APD, in a real browser (no JavaScript needed)."""

from datetime import timedelta

from django.utils import timezone

from breaches.models import Breach, BreachClientNotification
from registry.models import ProcessorClient
from tests.pdf_text import pdf_text

from .conftest import t
from .staff import log_in, officer_with_authenticator


def _local(moment):
    local = timezone.localtime(moment)
    return local.strftime("%d-%m-%Y"), local.strftime("%H:%M")


def test_a_breach_affecting_a_client_is_told_to_the_client_and_reported_to_the_gba(
    cdot_site, page, live_server, shot
):
    officer, device = officer_with_authenticator()
    bakery = ProcessorClient.objects.create(
        name="Bakkerij Peeters BV",
        contact_email="privacy@bakkerij-peeters.example",
        breach_notice_hours=24,
    )
    aware = timezone.now() - timedelta(hours=2)

    # Awareness: the officer registers the breach and the client whose mailboxes were exposed.
    log_in(page, device, shot, then="/admin/breaches/breach/add/")
    page.locator("#id_title").fill("Mail server: mailboxes readable after a misconfiguration")
    day, hour = _local(aware)
    page.locator("#id_discovered_at_0").fill(day)
    page.locator("#id_discovered_at_1").fill(hour)
    page.locator("#id_type_confidentiality").check()
    page.locator("#id_facts").fill("An IMAP proxy allowed reading other mailboxes for 3 hours.")
    page.locator("#id_risk").select_option("risk")
    page.locator("#id_client_notices-0-client").select_option(str(bakery.pk))
    shot(page, "breach registered")
    page.locator("input[name=_continue]").click()
    page.wait_for_url("**/admin/breaches/breach/*/change/")
    breach = Breach.objects.get()
    notice = BreachClientNotification.objects.get(breach=breach)
    assert notice.notified_at is None

    # The dashboard shows the client still to be told, with the agreed clock (24 h).
    page.goto("/admin/")
    card = page.locator("#dash-client-notices")
    assert "Bakkerij Peeters BV" in card.inner_text()
    assert t("nl", "Clients to tell of a breach (Art. 33(2))") in card.inner_text()
    shot(page, "dashboard client clock")

    # The client is told; the GBA/APD notified within 72 hours.
    page.goto(f"/admin/breaches/breach/{breach.pk}/change/")
    day, hour = _local(timezone.now() - timedelta(minutes=5))
    page.locator("#id_client_notices-0-notified_at_0").fill(day)
    page.locator("#id_client_notices-0-notified_at_1").fill(hour)
    page.locator("#id_client_notices-0-channel").select_option("email")
    page.locator("#id_client_notices-0-note").fill("Mailboxes of 3 staff readable for 3 hours.")
    page.locator("#id_authority_notified_at_0").fill(day)
    page.locator("#id_authority_notified_at_1").fill(hour)
    page.locator("#id_authority_reference").fill("DOS-2026-1234")
    page.locator("input[name=_continue]").click()
    page.wait_for_url("**/admin/breaches/breach/*/change/")
    assert page.locator(".errornote").count() == 0, page.locator(".errornote").inner_text()
    notice.refresh_from_db()
    assert notice.notified_at is not None and notice.channel == "email"
    page.goto("/admin/")
    assert "Bakkerij Peeters BV" not in page.locator("#dash-client-notices").inner_text()

    # The report for the GBA/APD: the kind of breach, the notification, the client told.
    page.goto(f"/admin/breaches/breach/{breach.pk}/change/")
    with page.expect_download() as download:
        page.get_by_role("link", name=t("nl", "Download PDF")).click()
    text = pdf_text(download.value.path().read_bytes())
    assert "DOS-2026-1234" in text
    assert t("nl", "confidentiality breach") in text
    assert "Bakkerij Peeters BV" in text and t("nl", "notified") in text
