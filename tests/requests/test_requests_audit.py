"""The audit trail is append-only (model, queryset, admin, PostgreSQL) and the CSV export."""

import csv
import io

import pytest
from django.db import DatabaseError, connection, transaction

from requests_app.models import AuditEntry, AuditTrailIsAppendOnly, DataSubjectRequest
from requests_app.services import audit_record
from tests.requests.support import step, submit_and_verify

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_in_process")]


@pytest.fixture
def entry(officer) -> AuditEntry:
    return audit_record(action=AuditEntry.Action.SEARCHED, actor=officer, details={"hits": 2})


def test_an_audit_entry_cannot_be_saved_again(entry):
    entry.details = {"hits": 0}
    with pytest.raises(AuditTrailIsAppendOnly):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).details == {"hits": 2}


def test_an_audit_entry_cannot_be_deleted_one_by_one_or_in_bulk(entry):
    with pytest.raises(AuditTrailIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEntry.objects.all().delete()
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(action="completed")
    assert AuditEntry.objects.filter(pk=entry.pk, action="searched").exists()


@pytest.mark.postgres
def test_postgresql_refuses_update_and_delete_of_the_audit_table_even_in_raw_sql(entry):
    for sql in (
        "UPDATE requests_app_auditentry SET action = 'x'",
        "DELETE FROM requests_app_auditentry",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)
    assert AuditEntry.objects.filter(pk=entry.pk, action="searched").exists()


def test_the_admin_offers_no_add_change_or_delete_of_audit_entries(client, officer, entry):
    client.force_login(officer)
    base = "/admin/requests_app/auditentry/"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(f"{base}{entry.pk}/change/", {"action": "completed"})
    assert response.status_code == 403
    changelist = client.post(
        base, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )
    assert changelist.status_code in (200, 302)
    assert AuditEntry.objects.filter(pk=entry.pk, action="searched").exists()


def test_requests_cannot_be_deleted_in_the_admin_and_are_added_only_through_the_intake_form(
    client, officer, django_capture_on_commit_callbacks
):
    dsr = submit_and_verify(client, django_capture_on_commit_callbacks)
    client.force_login(officer)
    base = "/admin/requests_app/datasubjectrequest/"
    assert client.post(f"{base}{dsr.pk}/delete/", {"post": "yes"}).status_code == 403
    add = client.get(f"{base}add/")  # staff enter post/phone/e-mail requests (intake)
    assert add.status_code == 200 and "channel" in add.context["form"].fields
    assert DataSubjectRequest.objects.filter(pk=dsr.pk).exists()


def test_every_step_is_audited_without_the_subjects_personal_data(
    client, officer, django_capture_on_commit_callbacks
):
    dsr = submit_and_verify(client, django_capture_on_commit_callbacks, phone="0470 12 34 56")
    client.force_login(officer)
    step(client, dsr, "assign", {"assignee": officer.pk})
    step(client, dsr, "identity-check", {"method": "email_match", "outcome": "confirmed"})
    step(client, dsr, "reject", {"reason": "Geen gegevens"}, django_capture_on_commit_callbacks)
    entries = list(AuditEntry.objects.filter(request=dsr))
    assert [e.action for e in entries] == [
        "received",
        "confirmed",
        "assigned",
        "identity_checked",
        "rejected",
    ]
    assert entries[2].actor == officer and entries[0].actor_label == "subject"
    dump = repr([(e.details, e.actor_label) for e in entries]).lower()
    for personal in ("peeters", "jan.", "example.be", "0470", "geen gegevens"):
        assert personal not in dump


def test_csv_export_for_audits_lists_verified_requests_and_is_itself_audited(
    client, officer, django_capture_on_commit_callbacks
):
    dsr = submit_and_verify(client, django_capture_on_commit_callbacks)
    client.post("/nl/privacy/request/", {"type": "access", "name": "X", "email": "x@example.be"})
    client.force_login(officer)
    step(client, dsr, "assign", {"assignee": officer.pk})
    response = client.get("/admin/requests_app/datasubjectrequest/export.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1  # the unverified one is not a request yet
    row = rows[0]
    assert row["reference"] == dsr.reference and row["reviewer"] == "officer"
    assert row["due_on"] == dsr.due_on.isoformat() and row["type"] == "access"
    assert set(row) == {
        "reference", "received_at", "type", "status", "due_on", "extended_until",
        "completed_at", "decision", "reviewer",
    }  # fmt: skip
    assert AuditEntry.objects.filter(action="exported", details={"rows": 1}).exists()
