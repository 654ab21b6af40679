"""The staff side in a real browser, as a Dutch or French privacy officer on a 1366 px screen
(issue 17, points 2 and 7):

- the dashboard, an activity, the retention rules, a request and the breach register pass
  axe-core (no serious or critical violation) and the Nu HTML checker, in nl and fr, with a
  screenshot of each at 1366 px in test-artefacts/staff/;
- no changelist table runs off the right edge at 1366 px, in nl and fr (French labels run
  longer); a screenshot of each that does: overflow-<language>-<n>.png;
- an activity's change page, with its translated fields as language tabs, is at most half
  as tall as the same page showing every language one under the other (how it was before);
  both heights go to test-artefacts/staff/heights.json;
- the browser reports no error on any of these pages.

One test walks all of it: the demo data is loaded once, one logged-in browser context per
language opens each page once for every check that applies to it, and the Nu checker (a JVM)
runs once for both languages. Every finding is named by language and page and collected; the
test fails at the end with all of them, so one failing check never hides another.
"""

import json
import shutil
from collections import defaultdict
from io import StringIO

import pytest
from django.contrib import admin
from django.core.management import call_command

from breaches.models import Breach
from registry.models import ProcessingActivity
from requests_app.models import DataSubjectRequest

from .conftest import (
    ARTEFACTS,
    _remember_document,
    axe_violations,
    document_source,
    vnu_errors,
)
from .staff import PASSWORD, current_code, officer_with_authenticator

STAFF_ARTEFACTS = ARTEFACTS.parent / "staff"
WIDTH = 1366
LANGUAGES = ("nl", "fr")


@pytest.fixture
def demo(cdot_site, settings):
    settings.STAFF_2FA = True
    call_command("sync_periodic_tasks", stdout=StringIO())
    call_command("seed_demo", requests=12, contacts=60, stdout=StringIO())
    return officer_with_authenticator()


@pytest.mark.long(40)
def test_staff_pages_pass_axe_and_the_nu_checker_and_fit_1366_px_in_nl_and_fr(
    demo, browser, live_server, browser_errors, tmp_path
):
    """Every check of the module docstring, the activity page's height included (in nl)."""
    _officer, device = demo
    assert Breach.objects.exists()
    STAFF_ARTEFACTS.mkdir(parents=True, exist_ok=True)
    findings: dict[str, dict[str, object]] = defaultdict(dict)  # check -> {where: what}
    sources: dict[str, str] = {}  # where -> HTML as served, for the Nu checker
    session = None  # cookies of the one login through the 2FA page: fr starts logged in
    for language in LANGUAGES:
        context, page = _officer_page(browser, live_server, browser_errors, language, session)
        if session is None:
            _log_in(page, device)
            _collect_errors(browser_errors, findings, f"{language} login")
            session = context.storage_state()
        _walk(page, language, findings, sources, browser_errors)
        context.close()
    for where, messages in vnu_errors(sources, tmp_path / "html").items():
        findings["Nu HTML checker errors"][where] = messages
    assert not findings, "\n\n".join(
        f"{check}:\n" + json.dumps(found, indent=1, ensure_ascii=False)
        for check, found in findings.items()
    )


def _officer_page(browser, live_server, browser_errors, language: str, session=None):
    context = browser.new_context(
        base_url=live_server.url,
        locale={"nl": "nl-BE", "fr": "fr-BE"}[language],
        viewport={"width": WIDTH, "height": 900},
        storage_state=session,
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    context.set_default_timeout(20_000)
    page = context.new_page()
    browser_errors.attach(page)
    page.on("response", lambda r: _remember_document(page, r))
    return context, page


def _log_in(page, device) -> None:
    page.goto("/admin/")
    page.locator("#id_username").fill("officer")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url("**/admin/2fa/**")
    page.locator("#id_token").fill(current_code(device))
    page.locator("#id_token").press("Enter")
    page.wait_for_url("**/admin/")


def _gate_pages() -> dict[str, str]:
    activity = ProcessingActivity.objects.order_by("position", "code").first()
    request = DataSubjectRequest.objects.order_by("-pk").first()
    return {
        "dashboard": "/admin/",
        "activity": f"/admin/registry/processingactivity/{activity.pk}/change/",
        "rules": "/admin/retention/purgerun/preview/",
        "request": f"/admin/requests_app/datasubjectrequest/{request.pk}/change/",
        "breaches": "/admin/breaches/breach/",
    }


def _changelists() -> list[str]:
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.get(username="officer")
    return [
        f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for model, model_admin in admin.site._registry.items()
        if model_admin.has_view_permission(request)
    ]


def _walk(page, language: str, findings, sources, browser_errors) -> None:
    """Every gate page, then every changelist the officer may view; a page that is both (the
    breach register) is opened once."""
    gates = {url: name for name, url in _gate_pages().items()}
    changelists = _changelists()
    for url in dict.fromkeys([*gates, *changelists]):
        where = f"{language} {gates[url]} {url}" if url in gates else f"{language} {url}"
        response = page.goto(url)
        # A singleton's changelist (the organisation) opens its one change page.
        if response.status != 200 or (url in gates and not page.url.endswith(url)):
            findings["pages that did not open"][where] = f"HTTP {response.status} at {page.url}"
        if url in changelists:
            _check_width(page, language, findings, where)
        if url in gates:
            _check_gate(page, language, gates[url], findings, sources, where, browser_errors)
        _collect_errors(browser_errors, findings, where)


def _check_width(page, language: str, findings, where: str) -> None:
    sizes = page.evaluate(
        """() => {
            const table = document.querySelector('#result_list');
            return {
                page: document.documentElement.scrollWidth,
                view: window.innerWidth,
                table: table ? Math.ceil(table.getBoundingClientRect().right) : 0,
            };
        }"""
    )
    if sizes["page"] > sizes["view"] or sizes["table"] > sizes["view"]:
        wide = findings[f"lists wider than {WIDTH} px"]
        wide[where] = sizes
        count = sum(key.startswith(f"{language} ") for key in wide)
        page.screenshot(path=str(STAFF_ARTEFACTS / f"overflow-{language}-{count}.png"))


def _check_gate(page, language: str, name: str, findings, sources, where, browser_errors) -> None:
    lang = page.locator("html").get_attribute("lang")
    if lang != language:
        findings["pages in another language"][where] = f'<html lang="{lang}">'
    page.screenshot(path=str(STAFF_ARTEFACTS / f"{language}-{name}.png"), full_page=True)
    sources[where] = document_source(page)
    _collect_errors(browser_errors, findings, where)
    violations = axe_violations(page)
    if violations:
        findings["axe-core: serious/critical violations"][where] = violations
    # axe-core itself sets inline styles while it measures, which the page's CSP blocks:
    # those console lines are the checker's, not the page's.
    browser_errors.clear()
    if name == "activity" and language == "nl":
        _check_activity_height(page, findings, where)


def _check_activity_height(page, findings, where: str) -> None:
    """The activity page as it is (language tabs) against the same page as it was: every
    language one under the other, every section open, without the tab stylesheet (checkbox
    columns, shorter text areas). Changes the page: the last check on it."""
    # The page as it is was just taken as nl-activity.png (axe-core changes nothing in view).
    shutil.copyfile(STAFF_ARTEFACTS / "nl-activity.png", STAFF_ARTEFACTS / "activity-tabs.png")
    now = page.evaluate("() => document.documentElement.scrollHeight")
    before = page.evaluate(
        """() => {
            document.querySelectorAll('[hidden]').forEach((e) => { e.hidden = false; });
            document.querySelectorAll('details').forEach((e) => { e.open = true; });
            document.querySelectorAll('.lang-tabs').forEach((e) => e.remove());
            document.querySelectorAll('link[href*="lang_tabs.css"]').forEach((e) => e.remove());
            return document.documentElement.scrollHeight;
        }"""
    )
    page.screenshot(path=str(STAFF_ARTEFACTS / "activity-every-language.png"), full_page=True)
    heights = {"every language (before)": before, "language tabs (now)": now}
    (STAFF_ARTEFACTS / "heights.json").write_text(json.dumps(heights, indent=1))
    if not now <= before / 2:
        findings["an activity page more than half as tall as before the language tabs"][where] = (
            heights
        )


def _collect_errors(browser_errors, findings, where: str) -> None:
    if browser_errors:
        findings["the browser reported errors"][where] = list(browser_errors)
        browser_errors.clear()
