"""Review before publishing (#17 point 3): a register change makes a draft, not a public
version; a privacy officer reads its side-by-side word diff per language and approves it, or
it publishes itself after the review delay the register sets; every version records who
approved it; only privacy officers may publish."""

import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from cdot_privacy.periodic import declared_periodic_tasks
from cdot_privacy.roles import AUDITOR, PRIVACY_OFFICER, STAFF, roles_setup
from registry.models import Organisation, RetentionRule
from statement.models import StatementVersion
from statement.services import statement_draft, statement_drafts_publish_due, statement_publish
from statement.tasks import statement_draft_task, statement_publish_due_task
from tests.statement_support import LANGUAGES, page_text, register_seed_cdot

pytestmark = pytest.mark.django_db

DAYS_14 = {"nl": "14 dagen", "fr": "14 jours", "en": "14 days"}
DAYS_30 = {"nl": "30 dagen", "fr": "30 jours", "en": "30 days"}


@pytest.fixture
def users(db):
    roles_setup()
    made = {}
    for role in (PRIVACY_OFFICER, STAFF, AUDITOR):
        user = get_user_model().objects.create_user(
            role.lower().replace(" ", "-"),
            f"{role[:3]}@c-dot.be",
            "x" * 20,
            is_staff=True,
            first_name=role.split()[0],
            last_name="Tester",
        )
        user.groups.add(Group.objects.get(name=role))
        made[role] = user
    return made


@pytest.fixture
def published():
    register_seed_cdot()
    return statement_publish().version


def camera_rule_set_to(days: int) -> None:
    rule = RetentionRule.objects.get_by_code("camera-footage")
    rule.period_value = days
    rule.save()


def retention_text(client, lang: str) -> str:
    """The camera footage row of the public retention table."""
    html = client.get(f"/{lang}/privacy/").content.decode()
    return page_text(re.search(r'<tr id="retention-camera-footage">.*?</tr>', html, re.S).group(0))


def review_url(draft) -> str:
    return f"/admin/statement/statementversion/{draft.pk}/review/"


def test_a_register_change_makes_a_draft_and_the_public_page_stays_as_it_was(client, published):
    camera_rule_set_to(30)
    draft = statement_draft()

    assert draft.is_draft and draft.number is None and draft.published_at is None
    assert StatementVersion.objects.published().count() == 1
    for lang in LANGUAGES:
        assert DAYS_14[lang] in retention_text(client, lang)
        assert DAYS_30[lang] not in retention_text(client, lang)
    versions = client.get("/en/privacy/versions/").content.decode()
    assert "/en/privacy/versions/2/" not in versions
    assert client.get("/en/privacy/versions/2/").status_code == 404
    register = client.get("/api/v1/register?lang=en").json()
    assert register["version"] == published.number  # the API serves no draft either


def test_the_draft_publishes_itself_after_the_delay_the_register_sets(published, time_machine):
    Organisation.objects.update(statement_review_days=3)
    time_machine.move_to(published.published_at + timedelta(hours=1), tick=False)
    camera_rule_set_to(30)
    draft = statement_draft()
    assert draft.publish_after == draft.drafted_at + timedelta(days=3)

    time_machine.move_to(draft.publish_after - timedelta(minutes=1), tick=False)
    assert statement_publish_due_task() == []
    assert StatementVersion.objects.drafts().count() == 1

    time_machine.move_to(draft.publish_after + timedelta(minutes=1), tick=False)
    assert statement_publish_due_task() == [2]
    version = StatementVersion.objects.published().get(number=2)
    assert version.approval == StatementVersion.Approval.AUTOMATIC
    assert version.approved_by is None
    assert not StatementVersion.objects.drafts().exists()
    assert "14 days to 30 days" in " ".join(version.summary("en"))


def test_the_review_delay_defaults_to_seven_days(published):
    assert Organisation.objects.current().statement_review_days == 7
    camera_rule_set_to(30)
    draft = statement_draft()
    assert draft.publish_after - draft.drafted_at == timedelta(days=7)


def test_a_later_change_replaces_the_draft_and_restarts_its_delay(published, time_machine):
    time_machine.move_to(published.published_at + timedelta(hours=1), tick=False)
    camera_rule_set_to(30)
    first = statement_draft()
    time_machine.shift(timedelta(days=5))
    camera_rule_set_to(21)
    second = statement_draft()
    assert second.pk == first.pk and StatementVersion.objects.drafts().count() == 1
    assert second.publish_after == second.drafted_at + timedelta(days=7)
    assert "21 days" in page_text(second.body("en"))
    time_machine.shift(timedelta(days=3))
    assert statement_drafts_publish_due() == []  # 8 days after the first, 3 after the second


def test_a_register_back_to_the_published_text_drops_the_draft(published):
    camera_rule_set_to(30)
    assert statement_draft() is not None
    camera_rule_set_to(14)
    assert statement_draft() is None
    assert not StatementVersion.objects.drafts().exists()


def test_the_officer_reviews_a_word_diff_per_language_and_publishes_as_approver(
    client, published, users
):
    camera_rule_set_to(30)
    draft = statement_draft()
    officer = users[PRIVACY_OFFICER]
    client.force_login(officer)

    for lang in LANGUAGES:
        response = client.get(review_url(draft) + f"?language={lang}")
        assert response.status_code == 200
        html = response.content.decode()
        assert '<table class="word-diff">' in html and "diff_sub" not in html  # not difflib's
        removed = " ".join(re.findall(r"<del>([^<]*)</del>", html))
        added = " ".join(re.findall(r"<ins>([^<]*)</ins>", html))
        assert "14" in removed and "30" in added, lang
        assert DAYS_14[lang] in page_text(html) and DAYS_30[lang] in page_text(html)
        assert "Approve and publish" in html or "Goedkeuren en publiceren" in html
    css = client.get("/static/statement/admin_diff.css")
    if css.status_code == 200:  # served by WhiteNoise/staticfiles in the test run
        assert b"monospace" not in b"".join(css.streaming_content)

    response = client.post(review_url(draft))
    assert response.status_code == 302
    version = StatementVersion.objects.published().get(number=2)
    assert version.pk == draft.pk
    assert version.approval == StatementVersion.Approval.OFFICER
    assert version.approved_by == officer and version.approved_by_name == "Privacy Tester"
    for lang in LANGUAGES:
        assert DAYS_30[lang] in retention_text(client, lang)
    listing = page_text(client.get("/admin/statement/statementversion/").content.decode())
    assert "Privacy Tester" in listing
    assert client.post(review_url(draft)).status_code == 404  # published: no longer a draft


@pytest.mark.parametrize("role", [AUDITOR, STAFF])
def test_auditors_and_staff_cannot_publish_or_make_a_draft(client, published, users, role):
    camera_rule_set_to(30)
    draft = statement_draft()
    client.force_login(users[role])
    assert client.post(review_url(draft)).status_code == 403
    assert client.post("/admin/statement/statementversion/draft/").status_code == 403
    assert StatementVersion.objects.drafts().get().pk == draft.pk
    assert StatementVersion.objects.published().count() == 1
    page = client.get(review_url(draft))
    if role == AUDITOR:  # reads the draft and its diff, without a publish button
        assert page.status_code == 200
        assert '<form method="post">' not in page.content.decode()
    else:
        assert page.status_code == 403


def test_only_the_officer_role_holds_the_publish_permission(users):
    assert users[PRIVACY_OFFICER].has_perm("statement.publish_statementversion")
    assert not users[AUDITOR].has_perm("statement.publish_statementversion")
    assert not users[STAFF].has_perm("statement.publish_statementversion")


def test_the_officer_asks_for_a_draft_now(
    client, published, users, django_capture_on_commit_callbacks
):
    camera_rule_set_to(30)
    client.force_login(users[PRIVACY_OFFICER])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/admin/statement/statementversion/draft/")
    assert response.status_code == 302
    assert len(callbacks) == 1  # the draft task, queued once the request commits
    assert statement_draft_task(trigger="staff") is not None  # what the worker then runs
    assert StatementVersion.objects.drafts().get().trigger == StatementVersion.Trigger.STAFF
    assert client.get("/admin/statement/statementversion/draft/").status_code == 405


def test_register_change_task_makes_a_draft_and_the_hourly_task_is_declared(published):
    camera_rule_set_to(30)
    assert statement_draft_task(trigger="register_change") is not None
    assert StatementVersion.objects.published().count() == 1
    declared = {spec.task: spec for spec in declared_periodic_tasks()}
    assert declared["statement.draft"].hour == "3"
    assert declared["statement.publish_due"].hour == "*"  # hourly


def test_the_dashboard_warns_while_a_draft_awaits_review(client, published, users):
    client.force_login(users[PRIVACY_OFFICER])
    quiet = client.get("/admin/").content.decode()
    assert 'id="dash-statement"' in quiet and "/review/" not in quiet

    camera_rule_set_to(30)
    draft = statement_draft()
    html = client.get("/admin/").content.decode()
    section = re.search(r'<section[^>]*id="dash-statement".*?</section>', html, re.S).group(0)
    assert review_url(draft) in section
    assert str(draft.publish_after.astimezone().year) in page_text(section)
    assert 'href="#dash-statement"' in html  # a tile counts it at the top


def test_a_restart_never_publishes_unreviewed_text(published):
    """bootstrap runs publish_statement at every start: after the first version, a changed
    register becomes a draft, not a public version; --now is the operator's explicit publish."""
    camera_rule_set_to(30)
    out = io.StringIO()
    call_command("publish_statement", stdout=out, stderr=io.StringIO())

    assert "waits for the privacy officer's review" in out.getvalue()
    assert list(StatementVersion.objects.published().values_list("number", flat=True)) == [1]
    draft = StatementVersion.objects.drafts().get()
    assert draft.trigger == StatementVersion.Trigger.COMMAND
    assert all(DAYS_30[lang] in page_text(draft.body(lang)) for lang in LANGUAGES)

    out = io.StringIO()
    call_command("publish_statement", "--now", stdout=out, stderr=io.StringIO())
    assert "statement version 2 published" in out.getvalue()
    assert not StatementVersion.objects.drafts().exists()
    out = io.StringIO()
    call_command("publish_statement", stdout=out, stderr=io.StringIO())
    assert "statement unchanged: version 2" in out.getvalue()
