"""Issue 16 on the dashboard and in the demo data: client notifications of a breach with their
clock, open DPIA screenings, the cameras' police declarations; the ROPA processor sheet."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook
from time_machine import travel

from breaches.models import Breach, BreachClientNotification
from registry.models import (
    Camera,
    DpiaScreening,
    Organisation,
    ProcessingActivity,
    ProcessorClient,
)
from registry.ropa import ropa_export
from tests.conftest import module_transaction

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_once(django_db_setup, django_db_blocker):
    """The demo data (C-DOT's register, the bakery client, the camera...) as seed_demo makes
    them at NOW, once for the module, in a transaction rolled back at its end."""
    with module_transaction(django_db_blocker):
        with travel(NOW, tick=False):
            call_command("seed_demo", requests=0, contacts=0, stdout=io.StringIO())
        yield


@pytest.fixture
def demo(demo_once, time_machine, settings):
    time_machine.move_to(NOW, tick=False)


def test_demo_data_fill_the_processor_sheet_naming_cdot_processor_and_the_client_controller(demo):
    client = ProcessorClient.objects.get(name="Bakkerij Demo BV")
    assert [r.name for r in client.sub_processors.all()] == ["Datacenter Demo NV"]
    assert client.datasets.count() == 2
    with translation.override("en"):
        wb = load_workbook(io.BytesIO(ropa_export(fmt="xlsx", language="en")))
    sheet = [[c for c in row if c] for row in wb["Processor"].iter_rows(values_only=True)]
    labels = {row[0]: row[1:] for row in sheet if row}
    assert labels["Processor (Art. 30(2)(a))"] == [Organisation.objects.current().legal_name]
    assert "Controller (Art. 30(1)(a))" not in labels
    header = next(row for row in sheet if "Controller we process for (Art. 30(2)(a))" in row)
    client_row = next(row for row in sheet if "Bakkerij Demo BV" in row)
    assert header.index("Controller we process for (Art. 30(2)(a))") == 0
    assert "Datacenter Demo NV" in " ".join(map(str, client_row))


def test_dashboard_shows_client_notices_screenings_and_the_camera_declaration(
    demo, client, officer
):
    bakery = ProcessorClient.objects.get(name="Bakkerij Demo BV")
    breach = Breach.objects.create(
        title="Mail server breach", discovered_at=NOW - timedelta(hours=5), facts="x"
    )
    BreachClientNotification.objects.create(breach=breach, client=bakery)
    with translation.override("en"):
        response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en")
    sections = response.context["dashboard"]
    notices = sections["client_notices"]
    assert [r["client"] for r in notices.rows] == ["Bakkerij Demo BV"]
    assert round(notices.rows[0]["hours_left"]) == 19  # 24 h agreed, 5 h gone
    screening_rows = {r["activity"]: r["state"] for r in sections["screenings"].rows}
    assert len(screening_rows) >= 10  # nothing was ever screened
    assert any(
        state.startswith("screening started") or "gestart" in state
        for state in screening_rows.values()
    )
    camera = Camera.objects.get()
    assert camera.next_validation() == date(2026, 6, 16)
    assert [r["level"] for r in sections["cameras"].rows] == ["warning"]
    tiles = {t["key"]: t for t in response.context["today_tiles"]}
    assert tiles["client_notices"]["count"] == 1 and tiles["client_notices"]["severity"] == "warn"
    assert tiles["cameras"]["count"] == 1
    assert tiles["screenings"]["count"] == len(screening_rows)
    html = response.content.decode()
    assert "Bakkerij Demo BV" in html and "DEMO-2025-001" in html


def test_a_decided_screening_leaves_the_dashboard_and_an_overdue_client_notice_turns_red(
    demo, client, officer
):
    bakery = ProcessorClient.objects.get(name="Bakkerij Demo BV")
    breach = Breach.objects.create(
        title="Backup exposed", discovered_at=NOW - timedelta(hours=30), facts="x"
    )
    BreachClientNotification.objects.create(breach=breach, client=bakery)
    screening = DpiaScreening.objects.get(activity__code="F2")
    screening.result = DpiaScreening.Result.REQUIRED
    screening.screened_by = officer
    screening.screened_on = date(2026, 5, 30)
    screening.review_on = date(2027, 5, 30)
    screening.dpia_reference = "DPIA-CAM-2026"
    screening.save()
    response = client.get("/admin/")
    sections = response.context["dashboard"]
    assert "F2" not in " ".join(r["activity"] for r in sections["screenings"].rows)
    assert sections["client_notices"].rows[0]["overdue"] is True
    tiles = {t["key"]: t for t in response.context["today_tiles"]}
    assert tiles["client_notices"]["severity"] == "bad"


def test_the_screenings_and_cameras_cost_the_same_queries_for_more_activities_and_cameras(
    demo, client, officer
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            response = client.get("/admin/")
        assert response.status_code == 200
        return len(context)

    queries()  # the session and caches settle
    few = queries()
    camera = Camera.objects.get()
    for i, declared in enumerate([None, date(2025, 6, 20), date(2025, 1, 5)]):
        Camera.objects.create(
            activity=camera.activity,
            location=f"Hall {i}",
            mobility=Camera.Mobility.FIXED,
            setting=Camera.Setting.INDOOR,
            place=Camera.Place.PRIVATE,
            purpose="Security",
            legal_basis="6(1)(f)",
            retention_rule=camera.retention_rule,
            viewers="The manager",
            police_declared_on=declared,
        )
    for i in range(3):
        ProcessingActivity.objects.create(
            code=f"X{i}", name=f"Extra {i}", purpose="p", legal_basis="contract", status="active"
        )
    response = client.get("/admin/")
    sections = response.context["dashboard"]
    assert len(sections["cameras"].rows) == 4
    assert {"Extra 0", "Extra 1", "Extra 2"} <= {
        r["activity"].split(". ", 1)[-1] for r in sections["screenings"].rows
    }
    assert queries() == few
