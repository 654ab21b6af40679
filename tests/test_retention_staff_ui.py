"""The purge from the staff pages (issue 17, point 4): per rule a masked, paginated preview of
the rows that would go, a dry run and "run now" behind a confirmation page (privacy officer
only, recorded as a PurgeRun with the user), anchors for rules without a fixed period, rules
whose data live elsewhere, and the review queue of review rules (keep with reason and date,
or delete through records_delete), every decision recorded."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from cdot_privacy.roles import AUDITOR, PRIVACY_OFFICER, roles_setup
from records.models import Contact, SuppressionEntry
from retention.models import PurgeRun, ReviewDecision
from tests.records_factories import ContactFactory

pytestmark = pytest.mark.django_db

OLD = timezone.now() - timedelta(days=800)


@pytest.fixture
def people(register_seeded_once, db, settings):
    """An officer and an auditor, on C-DOT's register (seeded once for the module)."""
    settings.STAFF_2FA = False
    roles_setup()
    made = {}
    for role in (PRIVACY_OFFICER, AUDITOR):
        user = get_user_model().objects.create_user(
            role.split()[0].lower(), f"{role[:3]}@c-dot.be", "x" * 20, is_staff=True
        )
        user.groups.add(Group.objects.get(name=role))
        made[role] = user
    return made


@pytest.fixture
def officer_client(client, people):
    client.force_login(people[PRIVACY_OFFICER])
    client.cookies["django_language"] = "nl"
    return client


def _expired_prospects(count: int) -> list[Contact]:
    return [
        ContactFactory(first_name="Hieronymus", last_name=f"Vandersteen{n}", first_contact_at=OLD)
        for n in range(count)
    ]


def test_rules_page_shows_anchors_and_the_rule_kept_elsewhere(officer_client):
    page = officer_client.get(reverse("admin:retention_purgerun_preview")).content.decode()
    assert "tot intrekking van de toestemming" in page  # newsletter: no fixed period
    assert ">0 dagen" not in page and " 0 dagen" not in page
    assert "Personeelsdossiers" in page or "personeelsdossier" in page.lower()  # employment rule
    assert "Kept outside this system" not in page  # in Dutch
    assert "Buiten dit systeem bewaard" in page


def test_preview_lists_the_expired_rows_masked_and_paginated(officer_client):
    _expired_prospects(30)
    ContactFactory(last_name="Recent")  # not expired: never listed
    url = reverse("admin:retention_purgerun_rows", args=["prospect"])
    first = officer_client.get(url).content.decode()
    second = officer_client.get(url + "?p=2").content.decode()
    assert first.count("<td>H… V…</td>") == 25
    assert second.count("<td>H… V…</td>") == 5
    assert "Vandersteen" not in first + second and "Hieronymus" not in first + second
    assert "R…" not in first + second


def test_dry_run_confirms_then_counts_and_records_the_officer(officer_client, people):
    _expired_prospects(3)
    url = reverse("admin:retention_purgerun_run", args=["prospect"])
    confirm = officer_client.get(url + "?dry_run=1")
    assert confirm.status_code == 200 and not PurgeRun.objects.exists()  # GET changes nothing
    response = officer_client.post(url, {"dry_run": "1"})
    run = PurgeRun.objects.get()
    assert response.status_code == 302
    assert (run.dry_run, run.selected, run.trigger) == (True, 3, PurgeRun.Trigger.STAFF)
    assert run.started_by == people[PRIVACY_OFFICER]
    assert Contact.objects.count() == 3
    listing = officer_client.get(reverse("admin:retention_purgerun_changelist")).content.decode()
    assert "proefdraaiing (niets gewijzigd)" in listing and "icon-no.svg" not in listing


def test_run_now_purges_and_records_the_officer(officer_client, people):
    _expired_prospects(3)
    kept = ContactFactory(last_name="Recent")
    officer_client.post(reverse("admin:retention_purgerun_run", args=["prospect"]), {})
    run = PurgeRun.objects.get()
    assert (run.dry_run, run.deleted, run.status) == (False, 3, PurgeRun.Status.SUCCEEDED)
    assert run.started_by == people[PRIVACY_OFFICER]
    assert list(Contact.objects.all()) == [kept]


def test_an_auditor_sees_the_rows_but_cannot_purge(client, people):
    _expired_prospects(2)
    client.force_login(people[AUDITOR])
    url = reverse("admin:retention_purgerun_run", args=["prospect"])
    assert (
        client.get(reverse("admin:retention_purgerun_rows", args=["prospect"])).status_code == 200
    )
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403
    assert Contact.objects.count() == 2 and not PurgeRun.objects.exists()


def _due_suppression_entries(count: int) -> list[SuppressionEntry]:
    entries = [
        SuppressionEntry.objects.create(email_hash=f"{n:064x}", reason="objection")
        for n in range(count)
    ]
    SuppressionEntry.objects.update(created_at=timezone.now() - timedelta(days=6 * 366))
    return entries


def test_review_queue_keeps_a_row_with_reason_and_date_until_its_next_review(officer_client):
    kept, other = _due_suppression_entries(2)
    url = reverse("admin:retention_purgerun_review", args=["suppression"])
    assert officer_client.get(url).content.decode().count('name="decision" value="keep"') == 2
    next_review = (timezone.localdate() + timedelta(days=365)).isoformat()
    officer_client.post(
        url, {"pk": kept.pk, "decision": "keep", "reason": "", "next_review_on": next_review}
    )
    assert not ReviewDecision.objects.exists()  # no reason: nothing recorded
    officer_client.post(
        url,
        {
            "pk": kept.pk,
            "decision": "keep",
            "reason": "Bezwaar loopt",
            "next_review_on": next_review,
        },
    )
    decision = ReviewDecision.objects.get()
    assert (decision.decision, decision.reason, str(decision.next_review_on)) == (
        "keep",
        "Bezwaar loopt",
        next_review,
    )
    page = officer_client.get(url).content.decode()
    assert page.count('name="decision" value="keep"') == 1  # the kept row left the queue
    assert SuppressionEntry.objects.count() == 2


def test_review_queue_deletes_a_row_through_the_records_service(officer_client, people):
    gone, stays = _due_suppression_entries(2)
    url = reverse("admin:retention_purgerun_review", args=["suppression"])
    officer_client.post(url, {"pk": gone.pk, "decision": "delete", "reason": "niet meer nodig"})
    assert list(SuppressionEntry.objects.all()) == [stays]
    decision = ReviewDecision.objects.get()
    assert decision.decision == "delete" and decision.decided_by == people[PRIVACY_OFFICER]


def test_an_auditor_cannot_decide_on_the_review_queue(client, people):
    (entry,) = _due_suppression_entries(1)
    client.force_login(people[AUDITOR])
    url = reverse("admin:retention_purgerun_review", args=["suppression"])
    assert client.post(url, {"pk": entry.pk, "decision": "delete"}).status_code == 403
    assert SuppressionEntry.objects.count() == 1 and not ReviewDecision.objects.exists()


def test_the_erasure_ledger_rule_is_not_called_kept_outside_this_system(officer_client):
    """The ledger is a file this system prunes daily (records.erasure_ledger_prune), not data
    kept elsewhere: its row says so (issue 13)."""
    page = officer_client.get(reverse("admin:retention_purgerun_preview")).content.decode()
    row = page[page.index("Register van wissingen") :]
    row = row[: row.index("</tr>")]
    assert "Buiten dit systeem bewaard" not in row
    assert "dagelijks" in row
