"""ROPA exports: every Art. 30(1)(a)-(g) item in every format, and the register as of a past
date reproduced from history."""

import csv
import io
import json
import re
from datetime import date, datetime
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from registry.models import (
    Organisation,
    ProcessingActivity,
    ProcessingCategory,
    ProcessorClient,
    Recipient,
    RetentionRule,
    SecurityMeasure,
    Transfer,
)
from registry.periods import BRUSSELS
from registry.ropa import as_of_instant, ropa_data, ropa_export
from tests.pdf_text import pdf_pages

pytestmark = pytest.mark.django_db
FORMATS = ["pdf", "xlsx", "csv", "json"]


def text_of(fmt: str, content: bytes) -> str:
    """What a reader of the export sees, as one string."""
    if fmt == "pdf":
        return "\n".join(pdf_pages(content))
    if fmt == "xlsx":
        wb = load_workbook(io.BytesIO(content))
        return "\n".join(
            str(cell)
            for ws in wb.worksheets
            for row in ws.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    if fmt == "csv":
        rows = csv.reader(io.StringIO(content.decode("utf-8-sig")))
        return "\n".join(cell for row in rows for cell in row)
    return json.dumps(json.loads(content), ensure_ascii=False)


def squash(s: str) -> str:
    """Line breaks and wrapping differ per format: compare without any whitespace."""
    return re.sub(r"\s+", "", s)


@pytest.fixture
def register(register):
    """The seeded register (tests/conftest.py) with the extras below."""
    # One transfer and one client, so (e) and Art. 30(2) have content to show.
    newsletter = Recipient.objects.get(code="newsletter-ecommerce")
    activity = ProcessingActivity.objects.get(code="F")
    activity.transfers_outside_eea = True
    activity.save()
    Transfer.objects.create(
        activity=activity,
        recipient=newsletter,
        country="US",
        safeguard=Transfer.Safeguard.SCC,
        document_reference="SCC-2021-914",
    )
    client = ProcessorClient.objects.create(
        name="Bakkerij Peeters bv", contact_email="info@peeters.example", agreement_reference="VO-7"
    )
    client.processing_categories.add(ProcessingCategory.objects.get(code="mailhosting"))


def art30_items() -> dict[str, list[str]]:
    """The texts each Art. 30(1) item must show, in Dutch, read from the register itself."""
    with translation.override("nl"):
        org = Organisation.objects.current()
        activities = list(ProcessingActivity.objects.active())
        return {
            "a": [org.legal_name, org.email, org.street],
            "b": [a.purpose for a in activities],
            "c": sorted(
                {s.name for a in activities for s in a.data_subject_categories.all()}
                | {c.name for a in activities for c in a.data_categories.all()}
            ),
            "d": sorted({r.name for a in activities for r in a.recipients.all()}),
            "e": ["US", str(Transfer.Safeguard.SCC.label)],
            "f": [r.summary() for r in RetentionRule.objects.active()],
            "g": [s.name for s in SecurityMeasure.objects.all()],
            "30(2)": ["Bakkerij Peeters bv", "Mailhosting"],
        }


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_art_30_item_appears_in_the_export(register, fmt):
    text = squash(text_of(fmt, ropa_export(fmt=fmt, language="nl")))
    missing = {
        item: [t for t in texts if squash(t) not in text] for item, texts in art30_items().items()
    }
    assert {item: m for item, m in missing.items() if m} == {}


def test_pdf_is_a4_paginated_with_the_controller_on_every_page_and_one_section_per_activity(
    register,
):
    pdf = ropa_export(fmt="pdf", language="nl")
    reader = PdfReader(io.BytesIO(pdf))
    n_activities = ProcessingActivity.objects.active().count()
    assert len(reader.pages) >= n_activities + 1
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    pages = pdf_pages(pdf)
    assert len(pages) == len(reader.pages)
    for number, text in enumerate(pages, start=1):
        assert "C-DOT BV" in text
        assert f"{number} / {len(pages)}" in text
    # Each activity opens its own page, its code and name as the first line.
    first_lines = {text.split("\n", 1)[0] for text in pages}
    with translation.override("nl"):
        headings = {f"{a.code}. {a.name}" for a in ProcessingActivity.objects.active()}
    assert headings <= first_lines


def test_xlsx_has_one_sheet_per_register_with_the_gba_columns(register):
    wb = load_workbook(io.BytesIO(ropa_export(fmt="xlsx", language="en")))
    assert wb.sheetnames == ["Controller", "Processor"]
    headers = [c for row in wb["Controller"].iter_rows(values_only=True) for c in row if c]
    for column in (
        "Purposes (Art. 30(1)(b))",
        "Categories of data subjects (Art. 30(1)(c))",
        "Categories of recipients (Art. 30(1)(d))",
        "Transfers to third countries and safeguards (Art. 30(1)(e))",
        "Time limits for erasure (Art. 30(1)(f))",
        "Technical and organisational security measures (Art. 30(1)(g))",
    ):
        assert column in headers
    clients = [c for row in wb["Processor"].iter_rows(values_only=True) for c in row if c]
    assert "Bakkerij Peeters bv" in clients


def test_exports_in_french_use_the_french_register_texts(register):
    data = ropa_data(language="fr")
    names = [a["name"] for a in data["activities"]]
    assert "Vidéosurveillance" in names
    assert data["supervisory_authority"]["name"] == "Autorité de protection des données"


def _changed_register_later():
    """Seed in January 2025, change things in June 2025."""
    with time_machine.travel(datetime(2025, 1, 10, 12, 0, tzinfo=BRUSSELS), tick=False):
        call_command("seed_cdot", stdout=io.StringIO())
    with time_machine.travel(datetime(2025, 6, 1, 9, 0, tzinfo=BRUSSELS), tick=False):
        rule = RetentionRule.objects.get_by_code("prospect")
        rule.period_value = 2
        rule.save()
        b = ProcessingActivity.objects.get(code="B")
        b.name_nl = "Offertes (nieuwe naam)"
        b.save()
        ProcessingActivity.objects.get(code="A").recipients.add(
            Recipient.objects.get(code="accountant")
        )
        SecurityMeasure.objects.get(code="backups").delete()


def _activity(data: dict, code: str) -> dict:
    return next(a for a in data["activities"] if a["code"] == code)


def test_export_as_of_a_past_date_shows_the_register_as_it_was():
    _changed_register_later()
    then = ropa_data(as_of=as_of_instant(date(2025, 3, 1)), language="nl")
    now = ropa_data(language="nl")

    assert _activity(then, "B")["name"] == "Offertes en prospectie"
    assert _activity(now, "B")["name"] == "Offertes (nieuwe naam)"
    with translation.override("nl"):
        one_year = RetentionRule(period_value=1, period_unit="years").period_display()
        two_years = RetentionRule(period_value=2, period_unit="years").period_display()
    assert [r["period"] for r in _activity(then, "B")["retention"]] == [one_year]
    assert [r["period"] for r in _activity(now, "B")["retention"]] == [two_years]
    then_a = [r["name"] for r in _activity(then, "A")["recipients"]]
    now_a = [r["name"] for r in _activity(now, "A")["recipients"]]
    assert "Onze boekhouder" not in then_a
    assert "Onze boekhouder" in now_a
    assert "Back-ups" in [s["name"] for s in _activity(then, "C")["security_measures"]]
    assert "Back-ups" not in [s["name"] for s in _activity(now, "C")["security_measures"]]
    assert then["as_of"].startswith("2025-03-01T23:59:59")


def test_export_as_of_a_date_before_the_register_existed_is_empty():
    _changed_register_later()
    data = ropa_data(as_of=as_of_instant(date(2024, 12, 31)))
    assert data["activities"] == []
    assert data["controller"] == {}


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_ropa_command_writes_the_past_register_to_the_file(tmp_path, fmt):
    _changed_register_later()
    target = tmp_path / f"ropa.{fmt}"
    out = io.StringIO()
    call_command(
        "export_ropa", "--format", fmt, "--as-of", "2025-03-01", "--output", str(target), stdout=out
    )
    text = squash(text_of(fmt, target.read_bytes()))
    assert squash("Offertes en prospectie") in text
    assert squash("Offertes (nieuwe naam)") not in text
    assert f"written to {target}" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2025-02-30"], "is not a date"),
        (["--as-of", "2999-01-01"], "lies in the future"),
        (["--output", "/nonexistent-folder/ropa.pdf"], "does not exist"),
    ],
)
def test_export_ropa_command_refuses_bad_input_and_writes_nothing(tmp_path, args, message):
    call_command("seed_cdot", stdout=io.StringIO())
    before = set(Path(tmp_path).iterdir())
    with pytest.raises(CommandError, match=message):
        call_command("export_ropa", "--format", "json", *args, stdout=io.StringIO())
    assert set(Path(tmp_path).iterdir()) == before


@pytest.mark.parametrize(
    ("language", "signed"), [("nl", "3 maart 2025"), ("fr", "3 mars 2025"), ("en", "3 March 2025")]
)
def test_people_read_the_dates_in_their_language_machines_in_iso(register, language, signed):
    """#17: the PDF and the XLSX are read by staff (and the GBA/APD): dates in the export's
    language; JSON and CSV are data and keep ISO 8601."""
    client = ProcessorClient.objects.get(name="Bakkerij Peeters bv")
    client.agreement_signed_on = date(2025, 3, 3)
    client.save()
    for fmt in ("pdf", "xlsx"):
        text = squash(text_of(fmt, ropa_export(fmt=fmt, language=language)))
        assert squash(signed) in text, fmt
        assert "2025-03-03" not in text, fmt
    as_of = as_of_instant(date(2026, 12, 1))
    text = squash(text_of("pdf", ropa_export(fmt="pdf", language=language, as_of=as_of)))
    assert (
        squash({"nl": "1 december 2026", "fr": "1 décembre 2026"}.get(language, "1 December 2026"))
        in text
    )
    for fmt in ("json", "csv"):
        assert "2025-03-03" in text_of(fmt, ropa_export(fmt=fmt, language=language)), fmt
