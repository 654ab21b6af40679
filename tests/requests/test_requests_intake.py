"""Intake and the Art. 12(3) clock (issue #14 point 1).

- The month runs from receipt: the moment the form was sent, not the click on the e-mail link
  (that link is a spam guard, not an identity check).
- Unconfirmed requests are listed for staff with their due date running; nothing is deleted
  unseen: after 7 days staff close them as "not confirmed" (recorded, audited).
- Requests that came by e-mail, post, phone, at the desk or forwarded by a client controller are
  entered by staff with the moment of receipt.
- Art. 12(6): the clock pauses only on a reasoned identity doubt with the request for
  information sent, and resumes when the information arrives; the due date follows.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from requests_app.models import AuditEntry, DataSubjectRequest
from requests_app.schedule import PERIODIC_TASKS
from tests.requests.support import form_data, link_path, pdf_bytes, step

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_in_process")]
BRUSSELS = ZoneInfo("Europe/Brussels")
Status = DataSubjectRequest.Status
Action = AuditEntry.Action
ADMIN = "/admin/requests_app/datasubjectrequest/"


def brussels(*args) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


def _submit(client, django_capture_on_commit_callbacks, language="nl", **overrides):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/{language}/privacy/request/", form_data(**overrides))
    assert response.status_code == 200
    return DataSubjectRequest.objects.order_by("-pk").first()


def test_submitted_30_march_and_confirmed_1_april_is_due_30_april(
    client, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(brussels(2026, 3, 30, 16, 0), tick=False)
    dsr = _submit(client, django_capture_on_commit_callbacks, language="en")
    assert dsr.received_at == brussels(2026, 3, 30, 16, 0)
    assert dsr.due_on == date(2026, 4, 30)
    time_machine.move_to(brussels(2026, 4, 1, 9, 0), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link_path(mail.outbox[-1], "/verify/"))
    assert response.status_code == 200
    dsr.refresh_from_db()
    assert dsr.status == Status.RECEIVED
    assert dsr.received_at == brussels(2026, 3, 30, 16, 0)
    assert dsr.due_on == date(2026, 4, 30)
    assert "30 April 2026" in response.content.decode()
    assert "30 April 2026" in mail.outbox[-1].body  # acknowledgement


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("nl", "binnen een maand na ontvangst"),
        ("fr", "dans un délai d’un mois à compter de sa réception"),
        ("en", "within one month of receipt"),
    ],
)
def test_the_form_promises_an_answer_within_one_month_of_receipt(client, language, text):
    html = client.get(f"/{language}/privacy/request/").content.decode()
    assert text in html
    assert "confirm" not in html.split(text)[0][-80:].lower()


def test_unconfirmed_requests_are_listed_for_staff_with_their_due_date(
    client, officer, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(brussels(2026, 5, 4, 10, 0), tick=False)
    client.force_login(officer)  # sessions expire across the days moved
    dsr = _submit(client, django_capture_on_commit_callbacks)
    client.force_login(officer)
    html = client.get(ADMIN).content.decode()
    assert dsr.reference in html
    assert "4 juni 2026" in html or "2026-06-04" in html
    assert "nog niet bevestigd" in html.lower()


def test_unconfirmed_requests_are_never_deleted_unseen_and_staff_close_them_after_7_days(
    client, officer, time_machine, private_storage, django_capture_on_commit_callbacks
):
    assert "requests_app.purge_unverified" not in {spec.task for spec in PERIODIC_TASKS}
    time_machine.move_to(brussels(2026, 5, 1, 10, 0), tick=False)
    client.force_login(officer)  # sessions expire across the days moved
    upload = SimpleUploadedFile("id.pdf", pdf_bytes(), content_type="application/pdf")
    dsr = _submit(client, django_capture_on_commit_callbacks, id_copy=upload)
    client.force_login(officer)

    time_machine.move_to(brussels(2026, 5, 8, 9, 0), tick=False)  # 6 days 23 h: too early
    client.force_login(officer)  # sessions expire across the days moved
    response = step(client, dsr, "close-unconfirmed")
    assert response.status_code == 302
    dsr.refresh_from_db()
    assert dsr.status == Status.UNVERIFIED
    assert dsr.id_copies.count() == 1

    time_machine.move_to(brussels(2026, 5, 8, 10, 1), tick=False)
    client.force_login(officer)  # sessions expire across the days moved
    with django_capture_on_commit_callbacks(execute=True):
        assert step(client, dsr, "close-unconfirmed").status_code == 302
    dsr.refresh_from_db()
    assert dsr.status == Status.NOT_CONFIRMED
    assert dsr.completed_at is not None
    assert list((private_storage / "id-copies").iterdir()) == []
    entry = AuditEntry.objects.get(request=dsr, action=Action.CLOSED_NOT_CONFIRMED)
    assert entry.actor == officer
    # still there, a filter away
    assert dsr.reference in client.get(ADMIN + "?state=closed").content.decode()


@pytest.mark.parametrize("channel", ["email", "post", "phone", "in_person", "client_controller"])
def test_staff_enter_a_request_received_by_another_channel(
    client, officer, time_machine, channel, django_capture_on_commit_callbacks
):
    time_machine.move_to(brussels(2026, 3, 2, 9, 0), tick=False)
    client.force_login(officer)  # sessions expire across the days moved
    client.force_login(officer)
    assert client.get(ADMIN + "add/").status_code == 200
    data = {
        "channel": channel,
        "received_at_0": "2026-02-27",
        "received_at_1": "14:30",
        "type": "access",
        "name": "Marie Peeters",
        "email": "",
        "postal_address": "Stationsstraat 1, 3190 Boortmeerbeek",
        "phone": "",
        "language": "nl",
        "details": "Brief van 26 februari",
        "forwarded_by": "Klant BV" if channel == "client_controller" else "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ADMIN + "add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    dsr = DataSubjectRequest.objects.get()
    assert dsr.channel == channel
    assert dsr.status == Status.RECEIVED
    assert dsr.received_at == brussels(2026, 2, 27, 14, 30)
    assert dsr.due_on == date(2026, 3, 27)
    assert dsr.entered_by == officer
    entry = AuditEntry.objects.get(request=dsr, action=Action.RECEIVED)
    assert entry.actor == officer and entry.details["channel"] == channel


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"received_at_0": "2026-03-05"}, "received_at"),  # in the future
        ({"name": ""}, "name"),
        ({"channel": "pigeon"}, "channel"),
        ({"channel": "client_controller", "forwarded_by": ""}, "forwarded_by"),
        ({"email": "", "postal_address": "", "phone": ""}, "__all__"),  # no way to answer
    ],
)
def test_a_bad_staff_entry_is_refused_with_a_message_and_saves_nothing(
    client, officer, time_machine, change, field
):
    time_machine.move_to(brussels(2026, 3, 2, 9, 0), tick=False)
    client.force_login(officer)  # sessions expire across the days moved
    client.force_login(officer)
    data = {
        "channel": "post",
        "received_at_0": "2026-02-27",
        "received_at_1": "14:30",
        "type": "access",
        "name": "Marie Peeters",
        "email": "marie@example.be",
        "postal_address": "",
        "phone": "",
        "language": "nl",
        "details": "",
        "forwarded_by": "",
        **change,
    }
    response = client.post(ADMIN + "add/", data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert DataSubjectRequest.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def _entered(client, officer, time_machine) -> DataSubjectRequest:
    time_machine.move_to(brussels(2026, 3, 2, 9, 0), tick=False)
    client.force_login(officer)  # sessions expire across the days moved
    client.force_login(officer)
    data = {
        "channel": "email",
        "received_at_0": "2026-03-02",
        "received_at_1": "08:00",
        "type": "access",
        "name": "Marie Peeters",
        "email": "marie@example.be",
        "postal_address": "",
        "phone": "",
        "language": "nl",
        "details": "",
        "forwarded_by": "",
    }
    assert client.post(ADMIN + "add/", data).status_code == 302
    return DataSubjectRequest.objects.get()


def test_the_clock_pauses_only_with_a_reasoned_doubt_and_the_information_asked(
    client, officer, time_machine
):
    dsr = _entered(client, officer, time_machine)
    assert dsr.due_on == date(2026, 4, 2)
    response = step(client, dsr, "start-identity-check", {"doubt": "", "information": ""})
    assert response.status_code == 400
    dsr.refresh_from_db()
    assert dsr.status == Status.RECEIVED and dsr.clock_paused_at is None

    time_machine.move_to(brussels(2026, 3, 5, 10, 0), tick=False)
    client.force_login(officer)  # sessions expire across the days moved
    data = {
        "doubt": "Het adres in de brief verschilt van ons klantenbestand.",
        "information": "Kopie van de identiteitskaart gevraagd per brief van 5 maart.",
    }
    assert step(client, dsr, "start-identity-check", data).status_code == 302
    dsr.refresh_from_db()
    assert dsr.status == Status.IDENTITY_CHECK
    assert dsr.clock_paused_at == brussels(2026, 3, 5, 10, 0)
    page = client.get(f"{ADMIN}{dsr.pk}/change/").content.decode()
    assert "gepauzeerd" in page

    time_machine.move_to(
        brussels(2026, 3, 15, 11, 0), tick=False
    )  # the information arrives 10 days later
    client.force_login(officer)  # sessions expire across the days moved
    assert step(client, dsr, "information-received").status_code == 302
    dsr.refresh_from_db()
    assert dsr.clock_paused_at is None
    assert dsr.due_on == date(2026, 4, 12)
    assert dsr.status == Status.RECEIVED
    paused = AuditEntry.objects.get(request=dsr, action=Action.IDENTITY_CHECK_STARTED)
    resumed = AuditEntry.objects.get(request=dsr, action=Action.CLOCK_RESUMED)
    assert paused.details["paused_on"] == "2026-03-05"
    assert resumed.details == {
        "paused_on": "2026-03-05",
        "resumed_on": "2026-03-15",
        "due_from": "2026-04-02",
        "due_to": "2026-04-12",
    }
    assert "12 april 2026" in client.get(f"{ADMIN}{dsr.pk}/change/").content.decode()


def test_a_paused_request_gets_no_deadline_reminder(client, officer, time_machine):
    from requests_app.tasks import send_deadline_reminders

    dsr = _entered(client, officer, time_machine)
    data = {"doubt": "Naam wijkt af.", "information": "Kopie identiteitskaart gevraagd."}
    assert step(client, dsr, "start-identity-check", data).status_code == 302
    mail.outbox.clear()
    time_machine.move_to(brussels(2026, 3, 27, 7, 0), tick=False)
    client.force_login(officer)  # sessions expire across the days moved
    send_deadline_reminders.delay()
    assert mail.outbox == []


def test_closing_unconfirmed_too_early_is_explained(client, officer, time_machine):
    time_machine.move_to(brussels(2026, 5, 1, 10, 0), tick=False)
    client.force_login(officer)  # sessions expire across the days moved
    client.post("/nl/privacy/request/", form_data())
    dsr = DataSubjectRequest.objects.get()
    client.force_login(officer)
    time_machine.move_to(brussels(2026, 5, 3, 10, 0), tick=False)
    client.force_login(officer)  # sessions expire across the days moved
    response = client.post(f"{ADMIN}{dsr.pk}/step/close-unconfirmed/", follow=True)
    assert "7 dagen" in response.content.decode()
    dsr.refresh_from_db()
    assert dsr.status == Status.UNVERIFIED


def test_the_request_page_shows_each_step_done_with_who_and_when_and_no_save_button(
    client, officer, time_machine
):
    dsr = _entered(client, officer, time_machine)
    time_machine.move_to(brussels(2026, 3, 3, 10, 15), tick=False)
    client.force_login(officer)  # sessions expire across the days moved
    assert step(client, dsr, "start").status_code == 302
    page = client.get(f"{ADMIN}{dsr.pk}/change/")
    html = page.content.decode()
    progress = page.context["progress"]
    done = [row for row in progress if row["done"]]
    assert [row["action"] for row in done] == [Action.RECEIVED, Action.STARTED]
    assert all(row["actor"] == "officer" for row in done)
    assert "3 maart 2026" in html and "✓" in html
    assert 'name="_save"' not in html and 'name="_continue"' not in html
    assert "Volgende stap" in html
