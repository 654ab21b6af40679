"""Issue #14 point 4: staff are told.

Privacy officers get an e-mail for every new confirmed or staff-entered request, and when any
open request (assigned or not) reaches 7 and 2 days left; overdue requests are red on the
dashboard and in the list. E-mails go through the records outbox (one row per e-mail).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail

from cdot_privacy.roles import PRIVACY_OFFICER, roles_setup
from records.models_outbox import OutboxEmail
from requests_app.tasks import send_deadline_reminders
from tests.requests.support import form_data, link_path, submit_and_verify

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_in_process")]
BRUSSELS = ZoneInfo("Europe/Brussels")
ADMIN = "/admin/requests_app/datasubjectrequest/"


def brussels(*args) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


@pytest.fixture
def officers(db):
    roles_setup()
    group = Group.objects.get(name=PRIVACY_OFFICER)
    users = []
    for name in ("greet", "glenn"):
        user = get_user_model().objects.create_user(
            name, f"{name}@c-dot.be", "a long staff password 123", is_staff=True
        )
        user.groups.add(group)
        users.append(user)
    return users


def _to_officers() -> list:
    return [m for m in mail.outbox if set(m.to) == {"greet@c-dot.be", "glenn@c-dot.be"}]


def test_privacy_officers_are_told_of_a_confirmed_request_not_of_an_unconfirmed_one(
    client, officers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/nl/privacy/request/", form_data())
    assert _to_officers() == []  # only the confirmation link went out, to the subject
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link_path(mail.outbox[-1], "/verify/"))
    (told,) = _to_officers()
    assert "Nieuw" in told.subject and "DSR-" in told.subject
    assert "/admin/requests_app/datasubjectrequest/" in told.body
    assert "Nog niemand is toegewezen." in told.body
    assert OutboxEmail.objects.filter(sent_at__isnull=False).count() == len(mail.outbox)


def test_privacy_officers_are_told_of_a_staff_entered_request(
    client, officer, officers, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(brussels(2026, 3, 2, 9, 0), tick=False)
    client.force_login(officer)
    data = {
        "channel": "post",
        "received_at_0": "2026-02-27",
        "received_at_1": "14:30",
        "type": "erasure",
        "name": "Marie Peeters",
        "email": "",
        "postal_address": "Stationsstraat 1, 3190 Boortmeerbeek",
        "phone": "",
        "language": "nl",
        "details": "",
        "forwarded_by": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(ADMIN + "add/", data).status_code == 302
    (told,) = _to_officers()
    assert "Post" in told.body and "27 maart 2026" in told.body
    assert len(mail.outbox) == 1  # no address: the subject is answered by post


def test_an_unassigned_request_reminds_the_officers_at_7_and_2_days_once_each(
    client, officers, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(brussels(2026, 1, 31, 11, 0), tick=False)
    dsr = submit_and_verify(client, django_capture_on_commit_callbacks)
    assert dsr.assignee is None and str(dsr.due_on) == "2026-02-28"
    mail.outbox.clear()
    time_machine.move_to(brussels(2026, 2, 21, 7, 0), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        send_deadline_reminders.delay()
        send_deadline_reminders.delay()
    (seven,) = _to_officers()
    assert "7" in seven.subject
    time_machine.move_to(brussels(2026, 2, 26, 7, 0), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        send_deadline_reminders.delay()
    assert len(_to_officers()) == 2 and "2" in _to_officers()[1].subject


def test_overdue_requests_are_red_in_the_list_and_on_the_dashboard(
    client, officer, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(brussels(2026, 1, 31, 11, 0), tick=False)
    dsr = submit_and_verify(client, django_capture_on_commit_callbacks)
    time_machine.move_to(brussels(2026, 3, 3, 9, 0), tick=False)  # 3 days after 28 February
    client.force_login(officer)
    listing = client.get(ADMIN).content.decode()
    row = listing[listing.index(dsr.reference) :]
    assert 'class="dsr-days dsr-overdue"' in row[:3000]
    dashboard = client.get("/admin/").content.decode()
    assert dsr.reference in dashboard
    row = dashboard[: dashboard.index(dsr.reference)]
    assert 'class="row-bad"' in row[row.rindex("<tr") :]
