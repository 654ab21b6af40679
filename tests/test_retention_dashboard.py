"""Issue 13: a restriction past its end shows on the staff dashboard for a decision."""

from datetime import UTC, date, datetime

import pytest

from records.services import contact_restrict, contact_restriction_lift
from tests.records_factories import ContactFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock_at_now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def officer(clock_at_now, officer):
    """The officer, created and logged in with the clock already at NOW."""
    return officer


def test_a_restriction_past_its_end_shows_on_the_dashboard_until_staff_decide(
    client, officer, time_machine
):
    ended, running = ContactFactory(last_name="Verstraeten"), ContactFactory()
    time_machine.move_to(datetime(2026, 5, 1, tzinfo=UTC), tick=False)
    contact_restrict(pks=[ended.pk], reason="accuracy", until=date(2026, 6, 1))
    contact_restrict(pks=[running.pk], reason="legal_claims", until=date(2026, 7, 1))
    time_machine.move_to(NOW, tick=False)

    response = client.get("/admin/")
    section = response.context["dashboard"]["restrictions"]
    page = response.content.decode()
    assert [row["label"] for row in section.rows] == [f"#{ended.pk}"]
    assert f"/admin/records/contact/{ended.pk}/change/" in page
    assert "Verstraeten" not in page  # no personal data on the dashboard
    tile = next(t for t in response.context["today_tiles"] if t["key"] == "restrictions")
    assert (tile["count"], tile["severity"]) == (1, "warn")

    contact_restriction_lift(pks=[ended.pk], reason="reason_ended")
    section = client.get("/admin/").context["dashboard"]["restrictions"]
    assert section.rows == [] and section.data["total"] == 0
