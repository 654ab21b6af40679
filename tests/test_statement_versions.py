"""Versions of the statement: a new one only when the content changed, with what changed
announced for 30 days, an archive, a staff diff, and the triggers (command, daily task, staff
action, register change through a real worker)."""

import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import CommandError, call_command

from cdot_privacy.celery import app as celery_app
from cdot_privacy.periodic import declared_periodic_tasks
from registry.models import RetentionRule
from statement.models import StatementVersion
from statement.services import DEBOUNCE_KEY, statement_publish
from statement.tasks import statement_draft_task
from tests.statement_support import LANGUAGES, page_text, register_seed_cdot

CAMERA_30_DAYS = {"nl": "30 dagen", "fr": "30 jours", "en": "30 days"}
CAMERA_14_DAYS = {"nl": "14 dagen", "fr": "14 jours", "en": "14 days"}
ANNOUNCEMENT = {
    "nl": "Deze verklaring is gewijzigd op",
    "fr": "Cette déclaration a été modifiée le",
    "en": "This statement changed on",
}


def camera_rule_set_to(days: int) -> None:
    rule = RetentionRule.objects.get_by_code("camera-footage")
    rule.period_value = days
    rule.save()


def retention_table(html: str) -> str:
    return page_text(re.search(r'<table class="retention">.*?</table>', html, re.S).group(0))


def announcement(html: str) -> str:
    match = re.search(r'<section class="notice announcement".*?</section>', html, re.S)
    return page_text(match.group(0)) if match else ""


@pytest.mark.django_db
def test_publishing_an_unchanged_register_creates_no_version():
    register_seed_cdot()
    out = io.StringIO()
    call_command("publish_statement", stdout=out, stderr=io.StringIO())
    assert "statement version 1 published" in out.getvalue()
    out = io.StringIO()
    call_command("publish_statement", stdout=out, stderr=io.StringIO())
    assert "statement unchanged: version 1" in out.getvalue()
    assert statement_publish().created is False
    assert StatementVersion.objects.count() == 1


@pytest.mark.django_db
def test_changing_a_retention_rule_publishes_a_version_with_the_new_period_and_announcement(
    client,
):
    register_seed_cdot()
    first = statement_publish().version
    for lang in LANGUAGES:  # the first version announces nothing
        assert announcement(client.get(f"/{lang}/privacy/").content.decode()) == ""

    camera_rule_set_to(30)
    result = statement_publish()

    assert result.created
    assert result.version.number == first.number + 1
    for lang in LANGUAGES:
        html = client.get(f"/{lang}/privacy/").content.decode()
        assert CAMERA_30_DAYS[lang] in retention_table(html)
        notice = announcement(html)
        assert ANNOUNCEMENT[lang] in notice
        assert CAMERA_14_DAYS[lang] in notice and CAMERA_30_DAYS[lang] in notice, notice
        old = client.get(f"/{lang}/privacy/versions/{first.number}/").content.decode()
        assert CAMERA_14_DAYS[lang] in retention_table(old)  # the archive keeps what was said
    assert result.version.summary("en") == [
        "Retention period for “Camera footage” changed from 14 days to 30 days."
    ]


@pytest.mark.django_db
def test_announcement_shows_for_30_days_then_the_page_stays_without_it(client, time_machine):
    register_seed_cdot()
    statement_publish()
    camera_rule_set_to(30)
    changed = statement_publish().version
    day_29 = client.get("/en/privacy/")
    assert announcement(day_29.content.decode())

    time_machine.move_to(changed.published_at + timedelta(days=30, minutes=1))
    day_31 = client.get("/en/privacy/")
    html = day_31.content.decode()
    assert announcement(html) == ""
    assert "last changed on" in html
    assert day_31["ETag"] != day_29["ETag"]  # caches do not keep the announcement either
    assert statement_publish().created is False


@pytest.mark.django_db
def test_archive_lists_every_version_with_what_changed(client):
    register_seed_cdot()
    statement_publish()
    camera_rule_set_to(30)
    statement_publish()

    html = client.get("/nl/privacy/versions/").content.decode()
    text = page_text(html)
    assert 'href="/nl/privacy/versions/2/"' in html
    assert 'href="/nl/privacy/versions/1/"' in html
    assert 'href="/nl/privacy/versions/1/statement.pdf"' in html
    assert "Eerste publicatie van deze verklaring." in text
    assert "van 14 dagen naar 30 dagen" in text
    old = client.get("/nl/privacy/versions/1/").content.decode()
    assert "Dit is een eerdere versie van onze privacyverklaring." in old
    assert "eerdere versie" not in client.get("/nl/privacy/versions/2/").content.decode()
    assert client.get("/nl/privacy/versions/1/statement.pdf")["Content-Type"] == "application/pdf"
    assert client.get("/nl/privacy/versions/99/").status_code == 404


@pytest.mark.django_db
def test_staff_see_a_diff_between_two_versions(client):
    register_seed_cdot()
    statement_publish()
    camera_rule_set_to(30)
    statement_publish()
    url = "/admin/statement/statementversion/diff/?old=1&new=2&language=nl"
    assert client.get(url).status_code == 302  # not for the public

    staff = get_user_model().objects.create_superuser("officer", "o@example.com", "x" * 16)
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    removed = " ".join(re.findall(r"<del>([^<]*)</del>", html))
    added = " ".join(re.findall(r"<ins>([^<]*)</ins>", html))
    assert "14" in removed and "30" in added
    listing = client.get("/admin/statement/statementversion/").content.decode()
    assert "van 14 dagen naar 30 dagen" in page_text(listing)


@pytest.mark.django_db
def test_staff_draft_button_queues_the_draft_task_on_commit(
    client, django_capture_on_commit_callbacks
):
    staff = get_user_model().objects.create_superuser("officer", "o@example.com", "x" * 16)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/admin/statement/statementversion/draft/")
    assert response.status_code == 302
    assert len(callbacks) == 1
    assert client.get("/admin/statement/statementversion/draft/").status_code == 405


@pytest.mark.django_db
def test_a_register_change_asks_for_a_publish_once_committed(django_capture_on_commit_callbacks):
    register_seed_cdot()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        camera_rule_set_to(21)
    assert callbacks, "saving a retention rule must ask for a draft after commit"
    assert StatementVersion.objects.count() == 0  # nothing is rendered inside the request


@pytest.mark.django_db
def test_an_empty_register_is_never_published():
    with pytest.raises(CommandError, match="the register lacks the organisation"):
        call_command("publish_statement", stdout=io.StringIO(), stderr=io.StringIO())
    assert statement_draft_task(trigger="schedule") is None
    assert StatementVersion.objects.count() == 0


@pytest.mark.django_db
def test_daily_task_is_declared_and_drafts(settings):
    declared = {spec.name: spec for spec in declared_periodic_tasks()}
    daily = declared["statement draft"]
    assert daily.task == statement_draft_task.name == "statement.draft"
    assert (daily.hour, daily.minute) == ("3", "10")
    register_seed_cdot()
    assert statement_draft_task(trigger="schedule") is not None
    draft = StatementVersion.objects.get()
    assert draft.trigger == StatementVersion.Trigger.SCHEDULE and draft.is_draft


@pytest.mark.django_db
def test_before_the_first_publish_the_page_says_it_is_coming(client):
    response = client.get("/en/privacy/")
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert '<html lang="en">' in response.content.decode()
    assert client.get("/en/privacy/statement.pdf").status_code == 404
    assert (
        "No version has been published yet." in client.get("/en/privacy/versions/").content.decode()
    )


@pytest.mark.long(13)
@pytest.mark.postgres
def test_register_changes_make_one_draft_through_a_real_worker(
    celery_worker_process, wait_for, settings
):
    """Published register, then two changes in quick succession: the burst is one debounced
    task in the worker and one draft holding both changes; nothing goes public."""
    # Long enough that the two saves below fall in one window even on a loaded machine (with 2 s
    # a stall between them made two runs, and the test read the second's draft half made).
    settings.STATEMENT_PUBLISH_DEBOUNCE_SECONDS = 8
    celery_app.control.purge()  # nothing queued by an earlier run may publish here
    cache.delete(DEBOUNCE_KEY)

    # The seed's commits queue no draft (its key held, as tests/e2e/data.py loads the site): the
    # operator publishes it at once, and the burst below is the first register change the
    # worker drafts. (That a run on an unchanged register drafts nothing: test_statement_drafts.)
    cache.set(DEBOUNCE_KEY, "seed", timeout=600)
    try:
        register_seed_cdot()
    finally:
        cache.delete(DEBOUNCE_KEY)
    statement_publish()  # the operator publishes it (as bin/run does)
    assert not StatementVersion.objects.drafts().exists()

    camera_rule_set_to(30)  # each save commits (autocommit) and asks for a publish
    rule = RetentionRule.objects.get_by_code("web-inquiry")
    rule.period_value = 2
    rule.save()

    wait_for(lambda: StatementVersion.objects.drafts().exists(), timeout=120, what="a draft")
    # One run, 8 s after the first save, read both: its draft is the only one, and no later
    # change holds the key for another run.
    wait_for(lambda: cache.get(DEBOUNCE_KEY) is None, timeout=30, what="debounce released")
    draft = StatementVersion.objects.drafts().get()  # the burst made one draft, not two
    assert draft.trigger == StatementVersion.Trigger.REGISTER_CHANGE
    text = page_text(draft.body("en"))
    assert "30 days" in text and "2 years" in text, text
    assert StatementVersion.objects.published().count() == 1


@pytest.mark.django_db
def test_production_workers_serve_the_page_from_memory_until_a_new_version(
    client, settings, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """With the production page cache, a fresh page costs no query; publishing shows at once."""
    settings.STATEMENT_PAGE_CACHE_SECONDS = 60
    register_seed_cdot()
    with django_capture_on_commit_callbacks(execute=True):
        statement_publish()
    with django_assert_num_queries(1):
        first = client.get("/en/privacy/")
    with django_assert_num_queries(0):
        again = client.get("/en/privacy/")
    assert again.content == first.content
    camera_rule_set_to(30)
    with django_capture_on_commit_callbacks(execute=True):
        statement_publish()  # its commit clears this process's pages
    assert CAMERA_30_DAYS["en"] in retention_table(client.get("/en/privacy/").content.decode())


@pytest.mark.django_db
def test_a_register_change_stands_when_the_publish_cannot_be_queued(
    settings, django_capture_on_commit_callbacks, caplog
):
    """Cache (and so the debounce) unreachable: the change is kept, the failure is logged."""
    register_seed_cdot()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        camera_rule_set_to(21)
    assert callbacks
    assert RetentionRule.objects.get_by_code("camera-footage").period_value == 21
    assert "statement draft could not be queued" in caplog.text
