"""The staff list and the record steps as a Dutch privacy officer sees them (issue #14 points 5, 6).

- The list shows open requests first, the nearest deadline on top, whatever the filter: newest
  submitted first (the model's own order) would bury the request that is due first.
- A record step tried while the request does not allow it is refused with the workflow's one
  translated message, not an English one of its own.
"""

from datetime import UTC, date, datetime

import pytest

from records.models import Contact
from requests_app.models import DataSubjectRequest
from tests.requests.support import submit_and_verify

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_in_process")]
Status = DataSubjectRequest.Status
ADMIN = "/admin/requests_app/datasubjectrequest/"


def _request(name: str, status: str, due: date, submitted: datetime) -> DataSubjectRequest:
    return DataSubjectRequest.objects.create(
        type=DataSubjectRequest.Type.ACCESS,
        name=name,
        email=f"{name}@example.be",
        status=status,
        due_on=due,
        submitted_at=submitted,
        received_at=submitted,
    )


def test_open_requests_first_nearest_deadline_on_top(client, officer):
    _request("later", Status.RECEIVED, date(2027, 3, 1), datetime(2027, 1, 30, tzinfo=UTC))
    _request("sooner", Status.RECEIVED, date(2027, 1, 10), datetime(2026, 12, 10, tzinfo=UTC))
    _request("closed", Status.COMPLETED, date(2027, 1, 5), datetime(2027, 2, 5, tzinfo=UTC))
    client.force_login(officer)

    shown = client.get(ADMIN).context["cl"].result_list
    assert [r.name for r in shown] == ["sooner", "later"]
    shown = client.get(ADMIN + "?state=all").context["cl"].result_list
    assert [r.name for r in shown] == ["sooner", "later", "closed"]
    # A column the officer sorts by still wins over the default order.
    shown = client.get(ADMIN + "?state=all&o=-2").context["cl"].result_list
    assert len(shown) == 3


def test_record_step_refused_in_the_officers_language(
    client, officer, django_capture_on_commit_callbacks
):
    dsr = submit_and_verify(client, django_capture_on_commit_callbacks, type="rectification")
    assert dsr.status == Status.RECEIVED  # not started: rectifying is not allowed yet
    contact = Contact(
        kind=Contact.Kind.PROSPECT, first_name="Jan", last_name="Peeters", email="jan@example.be"
    )
    contact.full_clean()
    contact.save()
    client.force_login(officer)

    response = client.post(
        f"{ADMIN}{dsr.pk}/rectify/contact/{contact.pk}/",
        {"first_name": "Jan", "last_name": "Peters"},
        HTTP_ACCEPT_LANGUAGE="nl",
        follow=True,
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "is niet mogelijk zolang het verzoek" in page
    assert "start the request first" not in page
    contact.refresh_from_db()
    assert contact.last_name == "Peeters"  # nothing changed
