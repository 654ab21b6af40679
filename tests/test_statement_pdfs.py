"""A published version's PDFs are rendered after the publish commits, not inside it (issue 18).

Publishing stores the version without PDFs and queues their render for the worker once the
transaction commits; the task stores each missing PDF with a conditional UPDATE, so two
renderers never overwrite each other and a stored PDF never changes; every reader (the public
PDF views, the staff notice's admin download, the operator's command) renders a missing one on
demand and stores it. A broker that is down never fails a publish.
"""

import io
import logging

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from kombu.exceptions import OperationalError

from registry.models import RetentionRule
from statement import pdfs
from statement.models import StaffNoticeVersion, StatementVersion
from statement.pdfs import version_pdf, version_pdfs_render
from statement.services import statement_draft, statement_draft_publish, statement_publish
from statement.staff_notice import staff_notice_publish
from statement.tasks import version_pdfs_render_task
from tests.pdf_text import pdf_text
from tests.statement_support import LANGUAGES, register_complete

pytestmark = pytest.mark.django_db

STATEMENT = "statement.statementversion"
STAFF_NOTICE = "statement.staffnoticeversion"
TITLE = {
    "nl": "Privacyverklaring van C-DOT BV",
    "fr": "Déclaration de confidentialité de C-DOT BV",
    "en": "Privacy statement of C-DOT BV",
}


@pytest.fixture(scope="module")
def seeded(register_seeded_once, django_db_blocker):
    """C-DOT's register as register_seed_cdot leaves it, once for the module (each test's
    changes are rolled back)."""
    with django_db_blocker.unblock():
        register_complete()


@pytest.fixture
def sent(monkeypatch):
    """The render tasks handed to Celery (the broker itself is not needed to see them)."""
    calls: list[tuple] = []
    monkeypatch.setattr(version_pdfs_render_task, "delay", lambda *args: calls.append(args))
    return calls


def stored(model, pk: int) -> dict[str, bytes | None]:
    row = model.objects.filter(pk=pk).values(*(f"pdf_{lang}" for lang in LANGUAGES)).get()
    return {
        lang: None if row[f"pdf_{lang}"] is None else bytes(row[f"pdf_{lang}"])
        for lang in LANGUAGES
    }


def nothing_stored(model, pk: int) -> bool:
    return all(pdf is None for pdf in stored(model, pk).values())


def test_publishing_stores_no_pdf_and_queues_their_render_after_the_commit(
    seeded, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        version = statement_publish().version
    assert nothing_stored(StatementVersion, version.pk)
    assert sent == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()  # the commit
    assert sent == [(STATEMENT, version.pk)]


def test_the_officers_publish_of_a_draft_queues_its_pdfs_too(
    seeded, sent, django_capture_on_commit_callbacks
):
    statement_publish()
    RetentionRule.objects.filter(code="camera-footage").update(period_value=21)
    draft = statement_draft()
    with django_capture_on_commit_callbacks(execute=True):
        version = statement_draft_publish(draft=draft, approval=StatementVersion.Approval.OFFICER)
    assert version.number == 2
    assert nothing_stored(StatementVersion, version.pk)
    assert (STATEMENT, version.pk) in sent


def test_the_staff_notice_is_published_without_pdfs_and_queues_them(
    seeded, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        version = staff_notice_publish().version
    assert nothing_stored(StaffNoticeVersion, version.pk) and sent == []
    for callback in callbacks:
        callback()
    assert sent == [(STAFF_NOTICE, version.pk)]


def test_a_publish_succeeds_when_the_broker_is_down(
    seeded, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broker_down(*args):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(version_pdfs_render_task, "delay", broker_down)
    with caplog.at_level(logging.WARNING, logger="statement.pdfs"):
        with django_capture_on_commit_callbacks(execute=True):
            version = statement_publish().version
            notice = staff_notice_publish().version
    assert StatementVersion.objects.published().filter(pk=version.pk).exists()
    assert StaffNoticeVersion.objects.filter(pk=notice.pk).exists()
    assert nothing_stored(StatementVersion, version.pk)
    assert f"PDFs of {STATEMENT} {version.pk} not queued" in caplog.text
    assert f"PDFs of {STAFF_NOTICE} {notice.pk} not queued" in caplog.text


def test_two_renderers_never_overwrite_each_other(seeded, monkeypatch):
    """The PDF another renderer stored while this one was rendering is the one kept and
    served; the later render is dropped."""
    version = statement_publish().version

    def rendered_while_another_stored_first(version, language):
        StatementVersion.objects.filter(pk=version.pk).update(**{f"pdf_{language}": b"%PDF-first"})
        return b"%PDF-second"

    monkeypatch.setattr(pdfs, "_render", rendered_while_another_stored_first)
    assert version_pdf(version=version, language="nl") == b"%PDF-first"
    assert stored(StatementVersion, version.pk)["nl"] == b"%PDF-first"
    # The task stores none of its renders either: the other renderer's stay.
    assert version_pdfs_render(model=STATEMENT, version_id=version.pk) == []
    assert stored(StatementVersion, version.pk) == {lang: b"%PDF-first" for lang in LANGUAGES}


def test_a_task_for_a_version_that_is_gone_does_nothing(db):
    """A message left in a broker (a test database dropped, a restore) finds no row."""
    assert version_pdfs_render(model=STATEMENT, version_id=999_999) == []


def test_the_command_says_the_worker_renders_the_pdfs_or_that_a_download_does(
    seeded, sent, django_capture_on_commit_callbacks
):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("publish_statement", stdout=out, stderr=io.StringIO())
    version = StatementVersion.objects.newest_first().get()
    assert "statement version 1 published" in out.getvalue()
    assert "PDFs: queued for the Celery worker" in out.getvalue()
    assert sent == [(STATEMENT, version.pk)] and nothing_stored(StatementVersion, version.pk)
    RetentionRule.objects.filter(code="camera-footage").update(period_value=21)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("publish_statement", "--now", "--pdfs=on-demand", stdout=out)
    assert "statement version 2 published" in out.getvalue()
    assert "PDFs: each rendered when first downloaded" in out.getvalue()
    assert len(sent) == 1  # version 2's were not queued


@pytest.mark.slow  # renders three PDFs
def test_the_task_renders_and_stores_all_three_and_a_second_run_changes_nothing(seeded):
    version = statement_publish().version
    assert version_pdfs_render_task(STATEMENT, version.pk) == list(LANGUAGES)
    first = stored(StatementVersion, version.pk)
    for lang in LANGUAGES:
        assert first[lang].startswith(b"%PDF-")
        text = pdf_text(first[lang])
        assert TITLE[lang] in text
        assert all(TITLE[other] not in text for other in LANGUAGES if other != lang)
    with CaptureQueriesContext(connection) as queries:
        assert version_pdfs_render_task(STATEMENT, version.pk) == []
    assert not [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert stored(StatementVersion, version.pk) == first


@pytest.mark.slow  # renders one PDF
def test_the_pdf_view_of_a_version_without_pdfs_serves_one_and_stores_it(seeded, client):
    version = statement_publish().version
    response = client.get("/fr/privacy/statement.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    assert TITLE["fr"] in text and TITLE["nl"] not in text and TITLE["en"] not in text
    assert stored(StatementVersion, version.pk) == {"nl": None, "fr": response.content, "en": None}
    # ETag and Last-Modified come from the version: the next request revalidates with a 304.
    assert response["ETag"] and response["Last-Modified"]
    again = client.get("/fr/privacy/statement.pdf", headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304
    # The stored PDF is served as it is: same bytes, nothing rendered or written again.
    with CaptureQueriesContext(connection) as queries:
        archived = client.get(f"/fr/privacy/versions/{version.number}/statement.pdf")
    assert archived.content == response.content
    assert not [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]


@pytest.mark.slow  # renders three PDFs
def test_the_command_renders_the_pdfs_itself_when_asked(
    seeded, sent, django_capture_on_commit_callbacks
):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("publish_statement", "--pdfs=now", stdout=out, stderr=io.StringIO())
    version = StatementVersion.objects.newest_first().get()
    pdfs_now = stored(StatementVersion, version.pk)
    for lang in LANGUAGES:
        assert pdfs_now[lang].startswith(b"%PDF-")
        sizes = f"{lang}: {len(version.body(lang)) // 1024} KiB HTML / "
        assert sizes + f"{len(pdfs_now[lang]) // 1024} KiB PDF" in out.getvalue()
    assert sent == []  # rendered here: nothing for the worker


def _weasyprint_records(caplog) -> list[logging.LogRecord]:
    from weasyprint import HTML

    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        HTML(string="<p>Privacyverklaring — déclaration — notice</p>").write_pdf()
    return [r for r in caplog.records if r.name.split(".")[0] in {"weasyprint", "fontTools"}]


def test_pdf_fonts_are_subset_with_harfbuzz_not_the_fonttools_fallback(caplog, monkeypatch):
    """WeasyPrint embeds font subsets made by HarfBuzz when libharfbuzz-subset0 is installed
    (.ci/run and the Dockerfile install it): a statement PDF takes 0.7x the CPU of its fontTools
    fallback, which it warns about and will drop (bench/pdf_fonts.py)."""
    from weasyprint.pdf import fonts

    if not fonts.harfbuzz_subset:
        from tests.conftest import service_missing

        service_missing("libharfbuzz-subset0", hint="apt-get install libharfbuzz-subset0")
    subset_by_harfbuzz = []
    harfbuzz_subset = fonts.Font._harfbuzz_subset

    def spy(font, *args, **kwargs):
        subset_by_harfbuzz.append(font.family)
        return harfbuzz_subset(font, *args, **kwargs)

    monkeypatch.setattr(fonts.Font, "_harfbuzz_subset", spy)
    records = _weasyprint_records(caplog)
    assert subset_by_harfbuzz  # every embedded font went through HarfBuzz
    assert not [r for r in records if "HarfBuzz-Subset" in r.getMessage()]


def test_the_fonttools_fallback_warns_without_its_subsetting_chatter(caplog, monkeypatch):
    """Without the library the log gets WeasyPrint's warning, not fontTools' ~40 INFO lines
    per font (settings.LOGGING sets the fontTools logger to WARNING)."""
    from weasyprint.pdf import fonts

    monkeypatch.setattr(fonts, "harfbuzz_subset", None)
    records = _weasyprint_records(caplog)
    assert any("HarfBuzz-Subset" in r.getMessage() for r in records)  # the fallback did run
    assert not [r for r in records if r.name.startswith("fontTools")]
