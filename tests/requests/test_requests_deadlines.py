"""Art. 12(3) deadlines with frozen time: 31 January + 1 month, extension limits, reminders,
days left and overdue on the staff list (unconfirmed requests:
tests/requests/test_requests_intake.py)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from requests_app.deadlines import due_on_for
from requests_app.models import AuditEntry, DataSubjectRequest
from requests_app.tasks import send_deadline_reminders
from tests.requests.support import form_data, step, submit_and_verify

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_in_process")]
BRUSSELS = ZoneInfo("Europe/Brussels")


def brussels(*args) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (brussels(2026, 1, 31, 10, 0), date(2026, 2, 28)),  # month end clamps
        (brussels(2028, 1, 31, 10, 0), date(2028, 2, 29)),  # leap year
        (brussels(2026, 3, 31, 9, 0), date(2026, 4, 30)),
        (brussels(2026, 1, 15, 9, 0), date(2026, 2, 15)),
        # 23:30 UTC on 31 January is already 1 February in Brussels: the Brussels day counts.
        (datetime(2026, 1, 31, 23, 30, tzinfo=ZoneInfo("UTC")), date(2026, 3, 1)),
    ],
)
def test_due_date_is_one_calendar_month_after_the_brussels_day_of_receipt(received, due):
    assert due_on_for(received) == due


def test_received_on_31_january_is_due_28_february_and_the_page_says_so(
    client, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(brussels(2026, 1, 31, 11, 0))  # submitted: received (Art. 12(3))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/privacy/request/", form_data())
    time_machine.move_to(brussels(2026, 2, 1, 9, 0))  # confirmed the next day: no change
    dsr = _verify(client, django_capture_on_commit_callbacks)
    assert abs(dsr.received_at - brussels(2026, 1, 31, 11, 0)) < timedelta(seconds=30)
    assert dsr.due_on == date(2026, 2, 28)
    assert "28 February 2026" in mail.outbox[-1].body  # acknowledgement


def _verify(client, django_capture_on_commit_callbacks):
    from tests.requests.support import link_path

    path = link_path(mail.outbox[-1], "/verify/")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path)
    assert response.status_code == 200
    assert "28 February 2026" in response.content.decode()
    return DataSubjectRequest.objects.get()


@pytest.fixture
def january_request(client, officer, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(brussels(2026, 1, 31, 11, 0))
    dsr = submit_and_verify(client, django_capture_on_commit_callbacks, language="fr")
    client.force_login(officer)
    step(client, dsr, "start")
    return dsr


def _extend(client, dsr, until: date, reason="Demande complexe: 14 systèmes", capture=None):
    return step(
        client,
        dsr,
        "extend",
        {"extended_until": until.isoformat(), "reason": reason},
        capture,
    )


def test_extension_by_at_most_two_months_is_told_to_the_subject_with_the_reason(
    client, january_request, django_capture_on_commit_callbacks
):
    dsr = january_request
    assert _extend(client, dsr, date(2026, 4, 29)).status_code == 400  # 28 Feb + 2 months
    assert _extend(client, dsr, date(2026, 4, 28), reason=" ").status_code == 400
    response = _extend(client, dsr, date(2026, 4, 28), capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    dsr.refresh_from_db()
    assert dsr.status == DataSubjectRequest.Status.EXTENDED
    assert dsr.extended_until == date(2026, 4, 28) and dsr.due_on == date(2026, 2, 28)
    notice = mail.outbox[-1]
    assert "prolongation" in notice.body and "Demande complexe: 14 systèmes" in notice.body
    assert "28 avril 2026" in notice.body
    assert _extend(client, dsr, date(2026, 4, 1)).status_code == 400  # only once


def test_extension_after_the_first_month_is_refused(client, january_request, time_machine, officer):
    time_machine.move_to(brussels(2026, 3, 1, 9, 0))  # the day after the due date
    client.force_login(officer)  # the staff session expired meanwhile
    response = _extend(client, january_request, date(2026, 4, 15))
    assert response.status_code == 400
    assert "eerste maand" in response.content.decode()  # in the staff's language
    january_request.refresh_from_db()
    assert january_request.extended_until is None


def test_extension_on_the_last_day_of_the_first_month_is_allowed(
    client, january_request, time_machine, officer
):
    time_machine.move_to(brussels(2026, 2, 28, 17, 0))
    client.force_login(officer)
    assert _extend(client, january_request, date(2026, 4, 28)).status_code == 302


def test_staff_list_shows_days_left_and_overdue_in_red(
    client, january_request, time_machine, officer
):
    time_machine.move_to(brussels(2026, 2, 21, 9, 0))
    client.force_login(officer)
    html = client.get("/admin/requests_app/datasubjectrequest/").content.decode()
    assert '<span class="dsr-days dsr-soon">7</span>' in html
    time_machine.move_to(brussels(2026, 3, 3, 9, 0))
    client.force_login(officer)
    html = client.get("/admin/requests_app/datasubjectrequest/").content.decode()
    assert '<span class="dsr-days dsr-overdue">3 en retard</span>' in html or (
        '<span class="dsr-days dsr-overdue">3 te laat</span>' in html
    )


def test_assignee_is_reminded_7_and_2_days_before_the_due_date_once_each(
    client, officer, january_request, time_machine, django_capture_on_commit_callbacks
):
    step(client, january_request, "assign", {"assignee": officer.pk})
    mail.outbox.clear()
    for day, expected in [(20, 0), (21, 1), (21, 1), (22, 1), (26, 2), (27, 2), (28, 2)]:
        time_machine.move_to(brussels(2026, 2, day, 7, 0))
        with django_capture_on_commit_callbacks(execute=True):  # sent through the outbox
            send_deadline_reminders.delay()
        assert len(mail.outbox) == expected, f"on {day} Feb"
    assert [m.to for m in mail.outbox] == [["officer@c-dot.be"], ["officer@c-dot.be"]]
    assert "7" in mail.outbox[0].subject and "2" in mail.outbox[1].subject
    reminders = AuditEntry.objects.filter(action=AuditEntry.Action.REMINDER_SENT)
    assert [entry.details["days"] for entry in reminders] == [7, 2]


def test_an_extension_gets_its_own_reminders(
    client, january_request, time_machine, officer, django_capture_on_commit_callbacks
):
    step(client, january_request, "assign", {"assignee": officer.pk})
    time_machine.move_to(brussels(2026, 2, 21, 7, 0))
    send_deadline_reminders.delay()
    client.force_login(officer)
    assert _extend(client, january_request, date(2026, 3, 31)).status_code == 302
    mail.outbox.clear()
    time_machine.move_to(brussels(2026, 3, 24, 7, 0))
    with django_capture_on_commit_callbacks(execute=True):  # sent through the outbox
        send_deadline_reminders.delay()
        send_deadline_reminders.delay()
    assert len(mail.outbox) == 1 and "31" in mail.outbox[0].body


def test_reminders_declared_as_periodic_task():
    from requests_app.schedule import PERIODIC_TASKS

    assert "requests_app.send_deadline_reminders" in {spec.task for spec in PERIODIC_TASKS}


def test_days_left_counts_calendar_days_to_the_effective_due_date():
    dsr = DataSubjectRequest(status="in_progress", due_on=date(2026, 2, 28))
    assert dsr.days_left(date(2026, 2, 21)) == 7
    assert dsr.is_overdue(date(2026, 3, 1))
    dsr.extended_until = date(2026, 4, 28)
    assert not dsr.is_overdue(date(2026, 3, 1))
    assert dsr.days_left(date(2026, 4, 28) - timedelta(days=2)) == 2
