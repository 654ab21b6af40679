"""The dashboard on the admin index: its numbers are the database's, overdue first."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db.models import Sum

from breaches.models import Breach
from cdot_privacy.roles import AUDITOR, STAFF, roles_setup
from records.models import Contact
from registry.models import RetentionRule
from requests_app.models import DataSubjectRequest
from retention.models import PurgeRun
from retention.tasks import rule_backlogs_refresh_task
from tests.conftest import module_transaction, seed_cdot

NOW = datetime(2026, 6, 15, 8, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def clock_at_now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def officer(clock_at_now, officer):
    """The officer, created and logged in with the clock already at NOW."""
    return officer


def make_request(kind="access", status="in_progress", due=None, received=None, **extra):
    received = received or NOW - timedelta(days=10)
    return DataSubjectRequest.objects.create(
        type=kind,
        status=status,
        name="Jan Peeters",
        email="jan@example.be",
        received_at=received,
        submitted_at=received,
        due_on=due or (received + timedelta(days=30)).date(),
        **extra,
    )


def dashboard(client):
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.context["dashboard"], response.content.decode()


def test_open_requests_show_days_left_with_overdue_first(client, officer):
    later = make_request(due=date(2026, 7, 10))
    overdue = make_request(kind="erasure", due=date(2026, 6, 12))
    soon = make_request(kind="objection", due=date(2026, 6, 18))
    extended = make_request(
        due=date(2026, 6, 1), extended_until=date(2026, 8, 1), status="extended"
    )
    make_request(status="completed", due=date(2026, 6, 1))  # closed: not on the dashboard
    make_request(status="unverified", due=None)  # never verified: not a request yet
    sections, html = dashboard(client)
    rows = sections["requests"].rows
    assert [r["reference"] for r in rows] == [
        overdue.reference,
        soon.reference,
        later.reference,
        extended.reference,
    ]
    assert [r["days_left"] for r in rows] == [-3, 3, 25, 47]
    data = sections["requests"].data
    assert data["total"] == DataSubjectRequest.objects.open().count() == 4
    assert data["overdue"] == 1 and data["due_soon"] == 1
    assert overdue.reference in html
    assert "jan@example.be" not in html and "Jan Peeters" not in html  # no personal data


class TestOnTheSeededRegister:
    """The sections that list the register's rules, on C-DOT's register seeded once for the
    class at NOW (clock stopped) in a transaction rolled back at its end; each test's changes
    are rolled back. The other tests start from an empty register."""

    @pytest.fixture(scope="class")
    @classmethod
    def register(cls, django_db_setup, django_db_blocker):
        with module_transaction(django_db_blocker):
            seed_cdot(NOW)
            yield

    def test_last_purge_per_rule_is_the_latest_real_run(self, client, officer, register):
        def run(code, days_ago, **extra):
            return PurgeRun.objects.create(
                rule_code=code,
                now=NOW - timedelta(days=days_ago),
                started_at=NOW - timedelta(days=days_ago),
                finished_at=NOW - timedelta(days=days_ago) + timedelta(seconds=3),
                **extra,
            )

        run("prospect", 2, status="succeeded", deleted=40)
        latest = run(
            "prospect", 1, status="succeeded", deleted=7, skipped_held=2, remaining_after=0
        )
        run("prospect", 0, status="succeeded", deleted=999, dry_run=True)  # dry: not counted
        failed = run("camera-footage", 0, status="failed", error="disk full")
        sections, html = dashboard(client)
        rows = {r["code"]: r for r in sections["purges"].rows}
        assert rows["prospect"]["run"].pk == latest.pk
        assert (rows["prospect"]["run"].deleted, rows["prospect"]["run"].skipped_held) == (7, 2)
        assert rows["camera-footage"]["problem"] and rows["camera-footage"]["run"].pk == failed.pk
        assert sections["purges"].rows[0]["code"] == "camera-footage"  # problems first
        assert rows["invoice"]["never"]  # an active rule without any run is listed
        assert sections["purges"].data["failed"] == 1

    def test_records_expiring_in_30_days_match_the_records(self, client, officer, register):
        # prospect rule: 1 year after first contact.
        for days in (370, 366):  # expired already
            Contact.objects.create(kind="prospect", first_contact_at=NOW - timedelta(days=days))
        for days in (360, 340):  # expire within 30 days
            Contact.objects.create(kind="prospect", first_contact_at=NOW - timedelta(days=days))
        Contact.objects.create(kind="prospect", first_contact_at=NOW - timedelta(days=100))
        sections, _html = dashboard(client)
        assert not sections["expiry"].rows[0]["counted"]  # the dashboard does not count itself
        rule_backlogs_refresh_task()  # the hourly beat task
        sections, _html = dashboard(client)
        rows = {r["code"]: r for r in sections["expiry"].rows}
        assert rows["prospect"]["expired_now"] == 2
        assert rows["prospect"]["within_30_days"] == 2
        assert sections["expiry"].data["expired_now"] == sum(
            r["expired_now"] for r in sections["expiry"].rows
        )

    def test_charts_add_up_to_the_database(self, client, officer, register):
        for month_back, kind in [(0, "access"), (0, "erasure"), (1, "access"), (5, "objection")]:
            make_request(
                kind=kind, status="completed", received=NOW - timedelta(days=30 * month_back)
            )
        make_request(received=NOW - timedelta(days=500))  # older than 12 months
        for days, deleted in [(3, 10), (40, 5), (41, 7)]:
            PurgeRun.objects.create(
                rule_code="prospect",
                status="succeeded",
                now=NOW - timedelta(days=days),
                started_at=NOW - timedelta(days=days),
                deleted=deleted,
            )
        sections, html = dashboard(client)
        chart = sections["requests_chart"].data
        assert chart["total"] == 4
        assert sum(chart["series"][str(DataSubjectRequest.Type.ACCESS.label)]) == 2
        purged = sections["purge_chart"].data
        assert purged["total"] == PurgeRun.objects.aggregate(n=Sum("deleted"))["n"] == 22
        # the staff read names, not codes
        prospect = RetentionRule.objects.get(code="prospect").name
        assert purged["series"][prospect][-1] == 10
        assert html.count('<svg class="chart"') == 2

    def test_the_latest_run_of_each_rule_among_many_and_on_a_tie_the_later_row(
        self, client, officer, register
    ):
        def run(code, started, **extra):
            return PurgeRun.objects.create(
                rule_code=code, now=started, started_at=started, status="succeeded", **extra
            )

        for day in range(30, 0, -1):  # a month of daily runs of two rules, oldest first
            run("prospect", NOW - timedelta(days=day), deleted=day)
            run("invoice", NOW - timedelta(days=day, hours=3), deleted=day)
        run("prospect", NOW - timedelta(hours=1), dry_run=True)  # newer, but a dry run
        tied = NOW - timedelta(hours=5)
        first, second = run("invoice", tied, deleted=1), run("invoice", tied, deleted=2)
        run("retired-rule", NOW - timedelta(days=400))  # a rule no longer in the register
        sections, _html = dashboard(client)
        rows = {r["code"]: r for r in sections["purges"].rows}
        assert rows["prospect"]["run"].started_at == NOW - timedelta(days=1)
        assert rows["prospect"]["run"].deleted == 1 and not rows["prospect"]["run"].dry_run
        assert rows["invoice"]["run"].pk == second.pk != first.pk  # newest first: the later row
        assert rows["retired-rule"]["run"].started_at == NOW - timedelta(days=400)
        assert rows["web-inquiry"]["never"]

    def test_the_charts_count_each_month_from_midnight_in_brussels(self, client, officer, register):
        # Brussels is UTC+2 in summer: 22:30 UTC on the last day of a month is 00:30 the next
        # month there. The charts cover July 2025 (Brussels) to June 2026.
        runs = [
            (datetime(2025, 6, 30, 21, 30, tzinfo=UTC), 1),  # 30 June, 23:30: before the window
            (datetime(2025, 6, 30, 22, 30, tzinfo=UTC), 2),  # 1 July, 00:30: first month
            (datetime(2026, 5, 31, 21, 30, tzinfo=UTC), 4),  # 31 May, 23:30: May
            (datetime(2026, 5, 31, 22, 30, tzinfo=UTC), 8),  # 1 June, 00:30: June
            (datetime(2026, 6, 30, 22, 30, tzinfo=UTC), 16),  # 1 July 2026: after the window
        ]
        for started, deleted in runs:
            PurgeRun.objects.create(
                rule_code="prospect",
                status="succeeded",
                now=started,
                started_at=started,
                deleted=deleted,
            )
            make_request(kind="erasure", status="completed", received=started)
        sections, _html = dashboard(client)
        purged = sections["purge_chart"].data
        prospect = RetentionRule.objects.get(code="prospect").name
        assert purged["series"] == {prospect: [2] + [0] * 9 + [4, 8]}
        assert purged["total"] == 14
        requests = sections["requests_chart"].data
        erasure = str(DataSubjectRequest.Type.ERASURE.label)
        assert requests["series"] == {erasure: [1] + [0] * 9 + [1, 1]}

    def test_dashboard_queries_do_not_grow_with_the_number_of_requests(
        self, client, officer, register
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def queries() -> int:
            with CaptureQueriesContext(connection) as context:
                assert client.get("/admin/").status_code == 200
            return len(context)

        for i in range(3):
            make_request(due=date(2026, 6, 1) + timedelta(days=i), assignee=officer)
        few = queries()
        for i in range(40):
            make_request(due=date(2026, 6, 1) + timedelta(days=i), assignee=officer)
        assert queries() == few


def test_open_breaches_show_the_72_hour_clock(client, officer):
    running = Breach.objects.create(
        title="Phishing", discovered_at=NOW - timedelta(hours=30), facts="x"
    )
    late = Breach.objects.create(title="USB", discovered_at=NOW - timedelta(days=5), facts="x")
    Breach.objects.create(
        title="Closed one",
        discovered_at=NOW - timedelta(days=40),
        facts="x",
        closed_at=NOW - timedelta(days=30),
    )
    sections, html = dashboard(client)
    rows = sections["breaches"].rows
    assert [r["breach"].pk for r in rows] == [late.pk, running.pk]
    assert [r["status"] for r in rows] == ["overdue", "pending"]
    assert rows[1]["hours_left"] == 42
    assert "nog 42 u" in html  # "42 h left" in Dutch, the default language
    assert "Closed one" not in html
    tiles = [t for t in response_tiles(client) if t["key"] == "breaches"]
    assert [t["count"] for t in tiles] == [2]


def response_tiles(client):
    return client.get("/admin/").context["today_tiles"]


def test_each_role_sees_only_its_sections(client, db, time_machine):
    time_machine.move_to(NOW, tick=False)
    roles_setup()
    seen = {}
    for role in (STAFF, AUDITOR):
        user = get_user_model().objects.create_user(role, f"{role}@c-dot.be", "x" * 20)
        user.is_staff = True
        user.save()
        user.groups.add(Group.objects.get(name=role))
        client.force_login(user)
        seen[role] = set(client.get("/admin/").context["dashboard"])
    assert "purges" not in seen[STAFF] and "requests" in seen[STAFF]
    assert {"requests", "purges", "breaches", "schedule", "expiry"} <= seen[AUDITOR]


def test_seed_demo_fills_every_section_and_refuses_production(client, officer, settings):
    call_command("seed_demo", "--requests", "15", "--contacts", "60", stdout=io.StringIO())
    sections, html = dashboard(client)
    assert sections["requests"].data["overdue"] >= 1
    assert sections["breaches"].data["clock_running"] == 1
    assert sections["purges"].data["failed"] == 1
    assert all(row["counted"] for row in sections["expiry"].rows)  # counted as beat would
    window_start = datetime(2025, 6, 30, 22, 0, tzinfo=UTC)  # 1 July 2025, Brussels
    assert (
        sections["purge_chart"].data["total"]
        == PurgeRun.objects.filter(dry_run=False, started_at__gte=window_start).aggregate(
            n=Sum("deleted")
        )["n"]
    )
    settings.PRODUCTION = True
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=io.StringIO())


@pytest.mark.parametrize("active", ["en", "fr"])
def test_seed_demo_names_its_register_rows_in_every_language_whatever_is_active(officer, active):
    """A language left active by earlier code must not put the demo sub-processor's name in
    that language only: its Dutch label was empty, an unlabelled checkbox on the activity page."""
    from django.utils import translation

    from registry.models import Recipient

    with translation.override(active):
        call_command("seed_demo", "--requests", "2", "--contacts", "5", stdout=io.StringIO())
    recipient = Recipient.objects.get(code="demo-datacenter")
    assert (recipient.name_nl, recipient.name_fr, recipient.name_en) == ("Datacenter Demo NV",) * 3
    assert recipient.service_nl


@pytest.mark.django_db(transaction=True)
def test_a_section_whose_table_is_missing_says_not_available_yet(client):
    """Before an app's migration has run, its section says so instead of failing."""
    from django.db import connection

    user = get_user_model().objects.create_superuser("po2", "po2@c-dot.be", "x" * 20)
    client.force_login(user)
    with connection.schema_editor() as editor:
        editor.delete_model(PurgeRun)
    try:
        sections, html = dashboard(client)
        assert not sections["purges"].available
        assert not sections["purge_chart"].available
        assert sections["requests"].available
        assert "Nog niet beschikbaar" in html
    finally:
        with connection.schema_editor() as editor:
            editor.create_model(PurgeRun)


def test_next_scheduled_runs_follow_the_utc_crontabs(client, officer):
    from cdot_privacy.periodic import periodic_tasks_sync

    periodic_tasks_sync()
    sections, _html = dashboard(client)
    rows = {r["key"]: r["next_run"] for r in sections["schedule"].rows}
    assert rows["purge prospect"] == datetime(2026, 6, 16, 2, 20, tzinfo=UTC)
    assert rows["purge camera-footage"] == datetime(2026, 6, 15, 8, 7, tzinfo=UTC)
    assert "heartbeat" not in rows  # every minute: noise, shown as "beat is running" instead
    assert [r["next_run"] for r in sections["schedule"].rows] == sorted(rows.values())[
        : len(sections["schedule"].rows)
    ]
