"""The cookie banner in a real browser, embedded in a static demo page of another origin.

The demo page (served by this test on http://localhost:<port>, the privacy app on
http://127.0.0.1:<port>) embeds the banner with one script tag under a strict
Content-Security-Policy (no 'unsafe-inline'; the inline test script carries a nonce) and holds
two tagged test scripts: statistics (inline) and marketing (external file). Each sets a cookie
named after the register's inventory patterns (_stats_*, _followup_*) and a counter on window.
With Redis a first choice waits in a queue until the next flush: the test reads the records as
staff do, the queue flushed first.
"""

import io
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import call_command

from consent.api import forget_register
from consent.models import ConsentRecord
from consent.services import consent_queue_flush
from registry.models import ConsentSettings
from tests.consent_support import own_cache
from tests.loopback import serving

from .conftest import AXE_JS, vnu_errors

NONCE = "demo-nonce-4f7a"
DEMO_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>C-DOT demo page</title>
<script src="{app}/consent/banner.js" defer></script>
<script type="text/plain" data-consent="statistics" nonce="{nonce}">
window.statsRan = (window.statsRan || 0) + 1;
document.cookie = "_stats_demo=1; Path=/; Max-Age=3600";
</script>
<script type="text/plain" data-consent="marketing" data-src="/marketing.js"></script>
</head>
<body>
<main>
<h1>C-DOT</h1>
<p>Demo page of the website. <a href="/next.html">Next page</a></p>
</main>
<footer><button type="button" data-consent-open></button></footer>
</body>
</html>
"""
MARKETING_JS = """window.marketingRan = (window.marketingRan || 0) + 1;
document.cookie = "_followup_demo=1; Path=/; Max-Age=3600";
"""


class DemoHandler(SimpleHTTPRequestHandler):
    csp = ""

    def end_headers(self):
        self.send_header("Content-Security-Policy", self.csp)
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture(autouse=True)
def _own_cache(settings, tmp_path):
    yield from own_cache(settings, tmp_path)


@pytest.fixture
def demo(live_server, transactional_db, tmp_path):
    """The register seeded, the demo origin listed in it, and the demo site running."""
    call_command("seed_cdot", stdout=io.StringIO())
    root = tmp_path / "demo"
    root.mkdir()
    handler = type("Handler", (DemoHandler,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(root)))
    origin = f"http://localhost:{server.server_address[1]}"
    handler.csp = (
        f"default-src 'self'; script-src 'self' 'nonce-{NONCE}' {live_server.url}; "
        f"style-src 'self' {live_server.url}; connect-src 'self' {live_server.url}; "
        "object-src 'none'; base-uri 'self'"
    )
    for name, lang in (("index.html", "nl"), ("next.html", "nl"), ("en.html", "en")):
        html = DEMO_PAGE.format(lang=lang, app=live_server.url, nonce=NONCE)
        (root / name).write_text(html, encoding="utf-8")
    (root / "marketing.js").write_text(MARKETING_JS, encoding="utf-8")
    ConsentSettings.objects.update(allowed_origins=origin)
    forget_register()  # the live server reads the register again (it shares this process)
    with serving(server):
        yield origin


def axe_violations(page) -> list[dict]:
    """axe-core as tests/e2e/conftest.py runs it, without preloading the CSSOM: axe would parse
    the banner's cross-origin stylesheet into an inline <style>, which the demo page's CSP
    blocks (the banner itself adds no inline style)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                            'best-practice']},
            resultTypes: ['violations'], preload: false,
        })"""
    )
    return [
        {"rule": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def ran(page) -> dict:
    return page.evaluate(
        "() => ({statistics: window.statsRan || 0, marketing: window.marketingRan || 0})"
    )


def cookies(page) -> set[str]:
    return {c["name"] for c in page.context.cookies()}


def banner(page):
    return page.get_by_role("dialog")


def wait_for_records(count: int, timeout: float = 10) -> list[ConsentRecord]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        consent_queue_flush()
        records = list(ConsentRecord.objects.order_by("recorded_at", "pk"))
        if len(records) >= count:
            return records
        time.sleep(0.1)
    pytest.fail(f"expected {count} consent record(s), found {ConsentRecord.objects.count()}")


def test_reject_all_runs_no_optional_script_and_sets_no_marketing_cookie(demo, page, shot):
    page.goto(f"{demo}/index.html")
    dialog = banner(page)
    dialog.wait_for()
    shot(page, "banner first layer")
    assert ran(page) == {"statistics": 0, "marketing": 0}
    reject = dialog.get_by_role("button", name="Alles weigeren")
    accept = dialog.get_by_role("button", name="Alles aanvaarden")
    # equally prominent: same size and colours
    assert reject.evaluate("b => getComputedStyle(b).backgroundColor") == accept.evaluate(
        "b => getComputedStyle(b).backgroundColor"
    )
    assert reject.bounding_box()["height"] == accept.bounding_box()["height"]
    reject.click()
    record = wait_for_records(1)[0]
    assert record.choices() == {"preferences": False, "statistics": False, "marketing": False}
    assert record.origin == demo and record.language == "nl"
    page.wait_for_function("() => document.cookie.includes('cdot_consent=')")
    page.goto(f"{demo}/next.html")
    page.wait_for_function("() => window.cdotConsent !== undefined")
    assert banner(page).is_hidden()
    assert ran(page) == {"statistics": 0, "marketing": 0}
    assert not {"_followup_demo", "_stats_demo"} & cookies(page)
    assert "marketing.js" not in [
        r.split("/")[-1]
        for r in page.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")
    ]


def test_accepting_statistics_only_runs_only_that_category_on_every_page(demo, page, shot):
    page.goto(f"{demo}/index.html")
    dialog = banner(page)
    dialog.get_by_role("button", name="Zelf kiezen").click()
    statistics = dialog.get_by_role("checkbox", name="Statistieken")
    marketing = dialog.get_by_role("checkbox", name="Marketing")
    assert not statistics.is_checked() and not marketing.is_checked()  # nothing pre-ticked
    shot(page, "second layer")
    statistics.check()
    dialog.get_by_role("button", name="Mijn keuze bewaren").click()
    page.wait_for_function("() => window.statsRan === 1")
    assert wait_for_records(1)[0].granted() == ["statistics"]
    assert ran(page) == {"statistics": 1, "marketing": 0}
    page.goto(f"{demo}/next.html")
    page.wait_for_function("() => window.statsRan === 1")
    assert ran(page) == {"statistics": 1, "marketing": 0}
    assert "_stats_demo" in cookies(page)
    assert "_followup_demo" not in cookies(page)


def test_reopening_and_withdrawing_stops_the_category_on_the_next_page(demo, page, shot):
    page.goto(f"{demo}/index.html")
    banner(page).get_by_role("button", name="Alles aanvaarden").click()
    page.wait_for_function("() => window.statsRan === 1 && window.marketingRan === 1")
    first = wait_for_records(1)[0]
    footer_link = page.get_by_role("button", name="Cookie-instellingen")
    footer_link.click()
    dialog = banner(page)
    statistics = dialog.get_by_role("checkbox", name="Statistieken")
    assert statistics.is_checked()  # the visitor's own earlier choice, not a default
    statistics.uncheck()
    shot(page, "withdrawing statistics")
    dialog.get_by_role("button", name="Mijn keuze bewaren").click()
    records = wait_for_records(2)
    assert records[1].kind == ConsentRecord.Kind.WITHDRAWAL
    assert records[1].consent_id == first.consent_id
    assert records[1].granted() == ["marketing"]
    page.wait_for_function("() => !document.cookie.includes('_stats_demo')")
    # the choice (and its cookie) changes when the app's answer arrives, not before
    page.wait_for_function("() => window.cdotConsent.granted().join() === 'marketing'")
    page.goto(f"{demo}/next.html")
    page.wait_for_function("() => window.marketingRan === 1")
    assert ran(page) == {"statistics": 0, "marketing": 1}
    # the window API withdraws everything, as easily as it was given
    page.evaluate("() => window.cdotConsent.withdraw()")
    records = wait_for_records(3)
    assert records[2].kind == ConsentRecord.Kind.WITHDRAWAL and records[2].granted() == []
    page.wait_for_function("() => !document.cookie.includes('_followup_demo')")
    page.wait_for_function("() => window.cdotConsent.granted().length === 0")
    page.goto(f"{demo}/index.html")
    page.wait_for_function("() => window.cdotConsent !== undefined")
    assert ran(page) == {"statistics": 0, "marketing": 0}


def test_without_an_answer_from_the_app_nothing_optional_runs(demo, page, live_server):
    # The privacy app does not answer at all: no banner code, tagged scripts stay inert.
    page.route(f"{live_server.url}/**", lambda route: route.abort())
    page.goto(f"{demo}/index.html")
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    assert ran(page) == {"statistics": 0, "marketing": 0}
    assert page.evaluate("() => window.cdotConsent") is None
    page.unroute(f"{live_server.url}/**")
    # The banner loads but the consent endpoint does not answer: accepting enables nothing.
    page.route("**/api/v1/consent", lambda route: route.abort())
    page.goto(f"{demo}/next.html")
    banner(page).get_by_role("button", name="Alles aanvaarden").click()
    status = page.get_by_role("status")
    status.filter(has_text="kon niet worden vastgelegd").wait_for()
    assert ran(page) == {"statistics": 0, "marketing": 0}
    assert "cdot_consent" not in cookies(page)
    consent_queue_flush()
    assert not ConsentRecord.objects.exists()
    page.goto(f"{demo}/index.html")
    banner(page).wait_for()  # asked again
    assert ran(page) == {"statistics": 0, "marketing": 0}


def test_a_change_the_app_could_not_record_stops_everything_and_asks_again(demo, page):
    """Reopened settings, consent endpoint down: fail closed (nothing optional runs, the earlier
    consent is not used any more) and the visitor is asked again on the next page, so the
    withdrawal gets recorded under the same consent ID once the app answers (Art. 7(1), 7(3))."""
    page.goto(f"{demo}/index.html")
    banner(page).get_by_role("button", name="Alles aanvaarden").click()
    page.wait_for_function("() => window.statsRan === 1 && window.marketingRan === 1")
    first = wait_for_records(1)[0]
    page.route("**/api/v1/consent", lambda route: route.abort())
    page.get_by_role("button", name="Cookie-instellingen").click()
    dialog = banner(page)
    dialog.get_by_role("checkbox", name="Statistieken").uncheck()
    dialog.get_by_role("button", name="Mijn keuze bewaren").click()
    page.get_by_role("status").filter(has_text="kon niet worden vastgelegd").wait_for()
    assert page.evaluate("() => window.cdotConsent.granted()") == []
    page.wait_for_function("() => !document.cookie.includes('_followup_demo')")
    page.unroute("**/api/v1/consent")
    page.goto(f"{demo}/next.html")
    banner(page).wait_for()  # asked again
    assert ran(page) == {"statistics": 0, "marketing": 0}
    banner(page).get_by_role("button", name="Alles weigeren").click()
    records = wait_for_records(2)
    assert records[1].consent_id == first.consent_id
    assert records[1].kind == ConsentRecord.Kind.WITHDRAWAL and records[1].granted() == []


def test_the_banner_is_keyboard_operable_traps_focus_and_closing_refuses(demo, page):
    page.goto(f"{demo}/en.html")
    dialog = banner(page)
    dialog.wait_for()
    assert dialog.get_attribute("aria-modal") == "true"
    assert page.evaluate("() => document.activeElement.closest('[role=dialog]') !== null")
    for _ in range(12):  # Tab never leaves the dialog
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.closest('[role=dialog]') !== null")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("() => document.activeElement.closest('[role=dialog]') !== null")
    page.keyboard.press("Escape")
    record = wait_for_records(1)[0]
    assert record.granted() == [] and record.language == "en"
    assert dialog.is_hidden()
    assert ran(page) == {"statistics": 0, "marketing": 0}


def test_the_open_banner_passes_axe_and_the_nu_checker(demo, page, shot, tmp_path):
    page.goto(f"{demo}/index.html")
    dialog = banner(page)
    dialog.wait_for()
    found = {"first layer": axe_violations(page)}
    dialog.get_by_role("button", name="Zelf kiezen").click()
    for summary in dialog.locator("summary").all():
        summary.click()
    shot(page, "second layer with cookie lists")
    found["second layer"] = axe_violations(page)
    assert not any(found.values()), found
    dom = page.evaluate("() => '<!DOCTYPE html>\\n' + document.documentElement.outerHTML")
    errors = vnu_errors({"demo page with the banner open": dom}, tmp_path / "html")
    assert not errors, errors
    assert Path(tmp_path / "html").exists()
