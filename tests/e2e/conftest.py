"""Browser end-to-end fixtures: Debian's Chromium driven by Playwright against the live server.

Never downloads a browser (no `playwright install`): Chromium comes from Debian (its headless
shell, `/usr/bin/chromium-headless-shell`, installed by .ci/run; else `/usr/bin/chromium`).
Missing Chromium skips locally and fails with REQUIRE_SERVICES=1. Screenshots of every step go
to test-artefacts/e2e/<test>/ (the window; the whole page when the test fails).
"""

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import ROOT, service_missing

# Debian's build of Chromium's headless shell (package chromium-headless-shell, the binary
# Playwright itself runs headless): the same Blink and V8 as the browser without its windowing
# layer. Four of the browser test modules took 59 CPU-seconds with it against 80 with the full
# browser in new headless mode (docs/BENCHMARKS.md). Without it, Debian's chromium.
HEADLESS_SHELL = Path("/usr/bin/chromium-headless-shell")
CHROMIUM = Path(
    os.environ.get("CHROMIUM")
    or (HEADLESS_SHELL if HEADLESS_SHELL.exists() else Path("/usr/bin/chromium"))
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTEFACTS = ROOT / "test-artefacts" / "e2e"
AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
# Installed by bin/test (npm, pinned there); VNU_JAR overrides the location.
VNU_JAR = Path(
    os.environ.get("VNU_JAR", ROOT / ".cache/npm/node_modules/vnu-jar/build/dist/vnu.jar")
)
LANGUAGES = ("nl", "fr", "en")
# The Java options of a Nu checker run. One run checks a few to a dozen pages and ends: the
# quick compiler alone (TieredStopAtLevel=1) instead of also compiling the hot code again
# for speed cut a run of ten staff pages from 5.8 to 2.7 CPU-seconds, with the same messages
# (docs/BENCHMARKS.md). Its frames are larger: the schema's recursion needs a 4 MB thread
# stack where 1 MB served before (with 1 MB: "StackOverflowError while evaluating HTML schema").
# One thread collects the garbage (serial GC): a short run has no use for a parallel collector.
VNU_JAVA_OPTIONS = ["-Xss4m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]


# --- Browser ---------------------------------------------------------------------------------
@pytest.fixture(scope="package")
def browser() -> Iterator:
    """One headless Chromium for the whole e2e package.

    Playwright's sync API keeps an asyncio loop running in this thread, which trips Django's
    async-safety check on every ORM call of the test (and the live server's shared SQLite
    connection). DJANGO_ALLOW_ASYNC_UNSAFE is set only while the browser lives, i.e. for the
    e2e package alone, and restored afterwards.
    """
    if not CHROMIUM.exists():
        service_missing(
            f"Chromium at {CHROMIUM}",
            "apt-get install chromium-headless-shell (or chromium); .ci/run installs it",
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        service_missing("Playwright for Python", "bin/test installs requirements-dev.lock")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Shots:
    """Numbered screenshots of each step, per test: what the browser window shows (the page's
    viewport, 1280 x 900 for the `page` fixture). A full-page capture makes Chromium lay out and
    paint the whole page again: three of the browser test modules took 85 CPU-seconds with
    them, 68 without (docs/BENCHMARKS.md). When a test using `page` fails, the whole page is
    saved (failure-full-page.png)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, page, step: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{re.sub(r'[^a-z0-9]+', '-', step.lower())}.png"
        page.screenshot(path=str(path))
        return path


def _artefacts(node) -> Path:
    return ARTEFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", node.name)


@pytest.fixture
def shot(request) -> Shots:
    return Shots(_artefacts(request.node))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Each phase's report on the test item, so the `page` fixture knows the test failed."""
    report = yield
    setattr(item, f"_report_{report.when}", report)
    return report


class BrowserErrors(list):
    """Console errors, page errors (uncaught JS, CSP violations), any 5xx, and 4xx on a page's
    resources (a missing stylesheet or image). A 4xx *document* can be the expected answer
    (an expired link), so the scenario asserts those itself. Chromium asks for /favicon.ico
    on its own; the site has none, which is not the page's fault."""

    def attach(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.append(f"page error: {e}"))
        page.on("response", self._response)

    def _console(self, message) -> None:
        # "Failed to load resource" repeats a response that _response judges with its URL.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.append(f"console: {message.text}")

    def _response(self, response) -> None:
        if response.url.endswith("/favicon.ico"):
            return
        document = response.request.resource_type == "document"
        if response.status >= 500 or (response.status >= 400 and not document):
            self.append(f"HTTP {response.status} {response.request.method} {response.url}")


@pytest.fixture
def browser_errors() -> BrowserErrors:
    return BrowserErrors()


@pytest.fixture
def page(request, browser, live_server, browser_errors, settings) -> Iterator:
    """A fresh browser context (no cookies) on the live server, Content-Security-Policy enforced.

    Links in e-mails point at the live server (SITE_URL). When the test fails, the page it
    ended on is saved whole (test-artefacts/e2e/<test>/failure-full-page.png), as far as the
    browser still answers: otherwise a warning says why there is none.
    """
    settings.SITE_URL = live_server.url
    context = browser.new_context(
        base_url=live_server.url,
        locale="nl-BE",
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    browser_errors.attach(page)
    page.on("response", lambda r: _remember_document(page, r))
    failure_shot = _artefacts(request.node) / "failure-full-page.png"
    failure_shot.unlink(missing_ok=True)  # an earlier run's
    yield page
    report = getattr(request.node, "_report_call", None)
    try:
        if report is not None and report.failed:
            failure_shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(failure_shot), full_page=True, timeout=5_000)
    except Exception as exc:  # noqa: BLE001 - a crashed page: the test's own failure is reported
        request.node.warn(pytest.PytestWarning(f"no failure screenshot: {exc}"))
    finally:
        context.close()
    assert not browser_errors, "the browser reported errors:\n" + "\n".join(browser_errors)


def _remember_document(page, response) -> None:
    if response.request.resource_type == "document" and response.frame == page.main_frame:
        page.last_document = response


def document_source(page) -> str:
    """The HTML of the current page as the server sent it (what the Nu checker must see; the
    DOM of page.content() is already repaired by the browser's parser)."""
    return page.last_document.text()


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path) -> Path:
    """ID copies and access packages go to this test's folder (a worker's VAR_DIR is tmp_path,
    so its private folder is the same one)."""
    settings.PRIVATE_STORAGE_DIR = tmp_path / "private"
    return settings.PRIVATE_STORAGE_DIR


@pytest.fixture(autouse=True)
def mail_to_files(settings, tmp_path):
    """E-mail goes to a file backend folder, so mail sent by the live server thread and by a
    Celery worker process ends up in one place (see `sent_mail`)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")


@pytest.fixture
def sent_mail(settings):
    """Every e-mail sent so far, as {"to", "subject", "body"} (plain-text part)."""
    from email import message_from_bytes, policy

    def read() -> list[dict]:
        messages = []
        # In sending order: file names only have one-second resolution, then a random id.
        files = Path(settings.EMAIL_FILE_PATH).glob("*.log")
        for file in sorted(files, key=lambda f: (f.stat().st_mtime_ns, f.name)):
            for chunk in file.read_bytes().split(b"-" * 79):
                if not chunk.strip():
                    continue
                message = message_from_bytes(chunk.strip(), policy=policy.default)
                body = message.get_body(preferencelist=("plain", "html"))
                messages.append(
                    {
                        "to": str(message["To"]),
                        "subject": str(message["Subject"]),
                        "body": body.get_content() if body else "",
                    }
                )
        return messages

    return read


# --- Gates: axe-core and the Nu HTML checker -------------------------------------------------
def axe_violations(page, *, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core in the page (injected from the vendored copy) and return the violations of
    the given impacts, each reduced to what a reader needs to fix it."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # evaluate() is not subject to the page's Content-Security-Policy; a <script> tag is.
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                            'best-practice']},
            resultTypes: ['violations'],
        })"""
    )
    return [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def assert_accessible(page, what: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe-core: serious/critical violations on {what}:\n" + json.dumps(
        violations, indent=1, ensure_ascii=False
    )


def vnu_available() -> Path:
    java = shutil.which("java")
    if not java:
        service_missing("Java for the Nu HTML checker", "apt-get install default-jre-headless")
    if not VNU_JAR.exists():
        service_missing(f"the Nu HTML checker at {VNU_JAR}", "bin/test installs it with npm")
    return VNU_JAR


def vnu_errors(documents: dict[str, str], folder: Path) -> dict[str, list[str]]:
    """Validate HTML documents (name -> source) in one Nu checker run; errors per name."""
    jar = vnu_available()
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for index, (name, html) in enumerate(documents.items()):
        path = folder / f"{index:02d}.html"
        path.write_text(html, encoding="utf-8")
        files[str(path.resolve())] = name
    run = subprocess.run(
        ["java", *VNU_JAVA_OPTIONS, "-jar", str(jar), "--errors-only", "--format", "json"]
        + ["--stdout", *files],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        pytest.fail(
            f"the Nu checker did not answer JSON:\n{run.stdout[-2000:]}{run.stderr[-2000:]}"
        )
    errors: dict[str, list[str]] = {}
    for message in report["messages"]:
        if message.get("type") != "error" and message.get("subType") != "fatal":
            continue
        url = message.get("url", "")
        path = url.removeprefix("file:")
        name = files.get(path) or files.get(str(Path(path).resolve()), url)
        where = f"line {message.get('lastLine', '?')}"
        errors.setdefault(name, []).append(
            f"{where}: {message['message']} [{message.get('extract', '').strip()[:120]}]"
        )
    return errors


# --- Data ------------------------------------------------------------------------------------
@pytest.fixture
def cdot_site(transactional_db):
    """C-DOT's register, the staff roles and the published statement, as `bin/run` sets up."""
    from .data import load_cdot_site

    load_cdot_site()


# --- Celery ----------------------------------------------------------------------------------
def _services_up() -> bool:
    return connection.vendor == "postgresql" and bool(os.environ.get("REDIS_URL"))


@pytest.fixture(autouse=True)
def celery_isolated(settings):
    """Tasks enqueued by the live server never land in the shared embedded broker (var/).

    With PostgreSQL + Redis (CI, REQUIRE_SERVICES=1) they go to this run's Redis database and
    the `celery_worker` fixture runs them in a real worker process. On the SQLite default they
    run eagerly, in the live server's thread, with a private in-memory cache.
    """
    if _services_up():
        from django.core.cache import cache

        cache.clear()  # this run's Redis database: rate limits and debounce keys start afresh
        yield
        return
    from cdot_privacy.celery import app as celery_app

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "e2e"}
    }
    from django.core.cache import cache

    cache.clear()
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture
def celery_worker(request, live_server, settings, monkeypatch):
    """A real Celery worker process for the steps that go through the queue (PostgreSQL +
    Redis); on the SQLite default the tasks already run eagerly (see `celery_isolated`).

    The worker sends e-mail into the same folder as the live server (file backend).
    """
    if not _services_up():
        if settings.REQUIRE_SERVICES:
            service_missing("PostgreSQL + Redis for the Celery worker")
        return None
    from cdot_privacy.celery import app as celery_app

    celery_app.control.purge()  # messages left by earlier tests refer to flushed rows
    # django-environ drops one leading slash of a file path: four slashes keep it absolute.
    monkeypatch.setenv("EMAIL_URL", f"filemail:///{settings.EMAIL_FILE_PATH}")
    monkeypatch.setenv("SITE_URL", live_server.url)
    # Links the worker signs are checked by the live server: one key, as in a deployment
    # (without it the worker would generate its own key in its VAR_DIR).
    monkeypatch.setenv("SECRET_KEY", settings.SECRET_KEY)
    return request.getfixturevalue("celery_worker_process")


def wait_until(condition, *, what: str, timeout: float = 60) -> None:
    """Poll until `condition()` is truthy (e-mail from a worker, a publish after a change)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def t(lang: str, text: str) -> str:
    """What a reader sees for this UI text in this language (from the catalogues); fails when
    a Dutch or French translation is missing, so a test finds elements the way a reader does."""
    from django.utils import translation

    with translation.override(lang):
        translated = translation.gettext(text)
    assert lang == "en" or translated != text, f"no {lang} translation for {text!r}"
    return translated
