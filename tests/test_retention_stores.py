"""Issue 13: the stores the system keeps about people besides the records — closed requests
(and their audit trail), staff access logs, sessions, the API log, the breach register —
each end by a rule in the register, through records_delete."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt, AccessLog
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import DatabaseError, connection, transaction

from records.models import ApiAuditEntry, ApiKey
from registry.models import RetentionRule
from requests_app.models import (
    AccessPackage,
    AuditEntry,
    DataSubjectRequest,
    IdCopy,
    IdentityCheck,
    PackageDownload,
)
from retention.services import purge_run_execute
from tests.records_factories import rule

pytestmark = pytest.mark.django_db
SECOND = timedelta(seconds=1)
CLOSED = datetime(2026, 2, 10, 9, 30, tzinfo=UTC)


def purge(code: str, now: datetime):
    with time_machine.travel(now, tick=False):
        return purge_run_execute(rule_code=code, now=now)


@pytest.fixture
def closed_request(settings, tmp_path):
    settings.PRIVATE_STORAGE_DIR = tmp_path / "private"
    staff = get_user_model().objects.create_user("officer", password="x" * 20)
    dsr = DataSubjectRequest.objects.create(
        type=DataSubjectRequest.Type.ACCESS,
        status=DataSubjectRequest.Status.COMPLETED,
        name="Jan Peeters",
        email="jan.peeters@example.be",
        phone="+32 15 51 35 31",
        details="Welke gegevens hebt u van mij?",
        answer="U vindt ze in de bijlage.",
        completed_at=CLOSED,
    )
    IdentityCheck.objects.create(
        request=dsr, checked_by=staff, method="email_match", outcome="confirmed", note="klopt"
    )
    files = []
    for model, name in ((IdCopy, "id-abc.png"), (AccessPackage, "pkg-abc.zip")):
        path = model.directory() / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
        files.append(path)
    IdCopy.objects.create(
        request=dsr, stored_name="id-abc.png", content_type="image/png", size_bytes=1
    )
    package = AccessPackage.objects.create(
        request=dsr,
        kind=AccessPackage.Kind.values[0],
        stored_name="pkg-abc.zip",
        filename="gegevens-jan.zip",
        content_type="application/zip",
        size_bytes=1,
        expires_at=CLOSED,
    )
    PackageDownload.objects.create(package=package, client_network="192.0.2.0/24")
    for action in (AuditEntry.Action.RECEIVED, AuditEntry.Action.COMPLETED):
        AuditEntry.objects.create(
            action=action, request=dsr, actor=staff, actor_label="officer", details={"contacts": 1}
        )
    return dsr, files


def test_a_closed_request_goes_after_its_period_and_its_audit_keeps_no_personal_field(
    closed_request, django_capture_on_commit_callbacks
):
    dsr, files = closed_request
    rule("data-subject-request", 5, "years", RetentionRule.Anchor.CLOSED)
    entries = list(AuditEntry.objects.filter(request=dsr).values("pk", "action", "at"))

    purge("data-subject-request", CLOSED + timedelta(days=5 * 365 + 1) - timedelta(days=2))
    assert DataSubjectRequest.objects.filter(pk=dsr.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        run = purge("data-subject-request", datetime(2031, 2, 10, 9, 30, 1, tzinfo=UTC))

    assert (run.status, run.deleted, run.remaining_after) == ("succeeded", 1, 0)
    assert not DataSubjectRequest.objects.exists()
    for model in (IdentityCheck, IdCopy, AccessPackage, PackageDownload):
        assert not model.objects.exists(), model
    assert not any(path.exists() for path in files)
    kept = list(
        AuditEntry.objects.order_by("pk").values(
            "pk", "action", "at", "request", "actor", "actor_label", "details"
        )
    )
    assert [{k: e[k] for k in ("pk", "action", "at")} for e in kept] == entries
    for entry in kept:
        assert (entry["request"], entry["actor"], entry["actor_label"]) == (None, None, "")
        assert entry["details"] == {"reference": dsr.reference}


@pytest.mark.postgres
def test_the_audit_trigger_allows_exactly_that_pseudonymisation(closed_request):
    dsr, _ = closed_request
    entry = AuditEntry.objects.filter(request=dsr).first()
    table = AuditEntry._meta.db_table
    refused = [
        (f"UPDATE {table} SET action = 'rejected' WHERE id = %s", [entry.pk]),  # noqa: S608
        (f"UPDATE {table} SET details = '{{}}' WHERE id = %s", [entry.pk]),  # noqa: S608
        (  # pseudonymised, but the time changed too
            f"UPDATE {table} SET request_id = NULL, actor_id = NULL, actor_label = '', "  # noqa: S608
            f"details = jsonb_build_object('reference', %s), at = now() WHERE id = %s",
            [dsr.reference, entry.pk],
        ),
        (f"DELETE FROM {table} WHERE id = %s", [entry.pk]),  # noqa: S608
    ]
    for sql, params in refused:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET request_id = NULL, actor_id = NULL, actor_label = '', "  # noqa: S608
            f"details = jsonb_build_object('reference', %s) WHERE id = %s",
            [dsr.reference, entry.pk],
        )
        assert cursor.rowcount == 1


def test_staff_access_logs_go_after_90_days():
    rule("staff-access-log", 90, "days", RetentionRule.Anchor.LOGGED)
    rule("staff-login-attempt", 90, "days", RetentionRule.Anchor.LOGGED)
    old, recent = CLOSED - timedelta(days=91), CLOSED - timedelta(days=89)
    for at in (old, recent):
        log = AccessLog.objects.create(username="glenn", ip_address="192.0.2.1", user_agent="x")
        AccessLog.objects.filter(pk=log.pk).update(attempt_time=at)  # auto_now_add
        attempt = AccessAttempt.objects.create(
            username=f"glenn-{at:%j}",
            ip_address="192.0.2.1",
            user_agent="x",
            failures_since_start=1,
            get_data="",
            post_data="",
        )
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=at)
    purge("staff-access-log", CLOSED)
    purge("staff-login-attempt", CLOSED)
    assert list(AccessLog.objects.values_list("attempt_time", flat=True)) == [recent]
    assert list(AccessAttempt.objects.values_list("attempt_time", flat=True)) == [recent]


def test_expired_sessions_and_old_api_log_entries_go():
    rule("staff-session", 0, "days", RetentionRule.Anchor.SESSION_END)
    rule("api-audit", 1, "years", RetentionRule.Anchor.LOGGED)
    Session.objects.create(session_key="a" * 32, session_data="x", expire_date=CLOSED - SECOND)
    Session.objects.create(session_key="b" * 32, session_data="x", expire_date=CLOSED + SECOND)
    key = ApiKey.objects.create(name="website", prefix="abc", key_hash="h" * 64)
    for at in (CLOSED - timedelta(days=400), CLOSED - timedelta(days=300)):
        ApiAuditEntry.objects.create(
            api_key=key, endpoint="inquiries", record_type="x", record_id=1, created_at=at
        )
    purge("staff-session", CLOSED)
    purge("api-audit", CLOSED)
    assert list(Session.objects.values_list("session_key", flat=True)) == ["b" * 32]
    assert ApiAuditEntry.objects.count() == 1


def test_a_closed_breach_goes_5_years_after_closure_with_its_history():
    Breach = apps.get_model("breaches", "Breach")
    rule("breach-register", 5, "years", RetentionRule.Anchor.CLOSED)
    with time_machine.travel(CLOSED - timedelta(days=30), tick=False):
        closed = Breach.objects.create(
            title="Laptop lost", facts="Laptop in trein", discovered_at=CLOSED - timedelta(days=30)
        )
        open_one = Breach.objects.create(
            title="Phishing", facts="Mail", discovered_at=CLOSED - timedelta(days=30)
        )
    Breach.objects.filter(pk=closed.pk).update(closed_at=CLOSED)
    assert Breach.history.filter(id=closed.pk).exists()
    purge("breach-register", datetime(2031, 2, 10, 9, 30, 1, tzinfo=UTC))
    assert list(Breach.objects.values_list("pk", flat=True)) == [open_one.pk]
    assert not Breach.history.filter(id=closed.pk).exists()
