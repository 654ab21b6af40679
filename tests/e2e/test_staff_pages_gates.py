"""The staff side in a real browser, as a Dutch or French privacy officer on a 1366 px screen
(issue 17, points 2 and 7):

- the dashboard, an activity, the retention rules, a request and the breach register pass
  axe-core (no serious or critical violation) and the Nu HTML checker, in nl and fr, with a
  screenshot of each at 1366 px in test-artefacts/staff/;
- no changelist table runs off the right edge at 1366 px;
- an activity's change page, with its translated fields as language tabs, is at most half
  as tall as the same page showing every language one under the other (how it was before);
  both heights go to test-artefacts/staff/heights.json.
"""

import json
from io import StringIO

import pytest
from django.contrib import admin
from django.core.management import call_command

from breaches.models import Breach
from registry.models import ProcessingActivity
from requests_app.models import DataSubjectRequest

from .conftest import ARTEFACTS, axe_violations, document_source, vnu_errors
from .staff import current_code, officer_with_authenticator

STAFF_ARTEFACTS = ARTEFACTS.parent / "staff"
WIDTH = 1366


@pytest.fixture
def demo(cdot_site, settings):
    settings.STAFF_2FA = True
    call_command("sync_periodic_tasks", stdout=StringIO())
    call_command("seed_demo", requests=12, contacts=60, stdout=StringIO())
    return officer_with_authenticator()


def _officer_page(browser, live_server, browser_errors, device, language: str, **options):
    context = browser.new_context(
        base_url=live_server.url,
        locale={"nl": "nl-BE", "fr": "fr-BE"}[language],
        viewport={"width": WIDTH, "height": 900},
        **options,
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    context.set_default_timeout(20_000)
    page = context.new_page()
    browser_errors.attach(page)
    page.on("response", lambda r: _remember(page, r))
    page.goto("/admin/")
    page.locator("#id_username").fill("officer")
    from .staff import PASSWORD

    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url("**/admin/2fa/**")
    page.locator("#id_token").fill(current_code(device))
    page.locator("#id_token").press("Enter")
    page.wait_for_url("**/admin/")
    return context, page


def _remember(page, response) -> None:
    if response.request.resource_type == "document" and response.frame == page.main_frame:
        page.last_document = response


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


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_staff_pages_pass_axe_and_the_nu_checker(
    demo, browser, live_server, browser_errors, tmp_path, language
):
    _officer, device = demo
    assert Breach.objects.exists()
    context, page = _officer_page(browser, live_server, browser_errors, device, language)
    found, sources, load_errors = {}, {}, []
    STAFF_ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for name, url in _gate_pages().items():
        response = page.goto(url)
        assert response.status == 200, url
        assert page.locator("html").get_attribute("lang") == language
        page.screenshot(path=str(STAFF_ARTEFACTS / f"{language}-{name}.png"), full_page=True)
        sources[url] = document_source(page)
        load_errors.extend(f"{url}: {error}" for error in browser_errors)
        violations = axe_violations(page)
        if violations:
            found[url] = violations
        # axe-core itself sets inline styles while it measures, which the page's CSP blocks:
        # those console lines are the checker's, not the page's.
        browser_errors.clear()
    context.close()
    errors = vnu_errors(sources, tmp_path / "html")
    assert not load_errors, "the browser reported errors:\n" + "\n".join(load_errors)
    assert not found, "axe-core: serious/critical violations:\n" + json.dumps(
        found, indent=1, ensure_ascii=False
    )
    assert not errors, "Nu HTML checker errors:\n" + "\n".join(
        f"{url}\n  " + "\n  ".join(messages) for url, messages in errors.items()
    )


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


@pytest.mark.parametrize("language", ["nl", "fr"])  # French labels run longer
def test_no_list_runs_off_the_right_edge_at_1366_px(
    demo, browser, live_server, browser_errors, language
):
    _officer, device = demo
    context, page = _officer_page(browser, live_server, browser_errors, device, language)
    overflowing = {}
    for url in _changelists():
        page.goto(url)
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
            overflowing[url] = sizes
            shot = STAFF_ARTEFACTS / f"overflow-{language}-{len(overflowing)}.png"
            page.screenshot(path=str(shot))
    context.close()
    assert not overflowing, f"lists wider than {WIDTH} px: {overflowing}"


def test_an_activity_page_is_at_most_half_as_tall_with_language_tabs(
    demo, browser, live_server, browser_errors
):
    _officer, device = demo
    context, page = _officer_page(browser, live_server, browser_errors, device, "nl")
    page.goto(_gate_pages()["activity"])
    STAFF_ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(STAFF_ARTEFACTS / "activity-tabs.png"), full_page=True)
    now = page.evaluate("() => document.documentElement.scrollHeight")
    # The same page as it was: every language one under the other, every section open, without
    # the tab stylesheet (checkbox columns, shorter text areas).
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
    context.close()
    heights = {"every language (before)": before, "language tabs (now)": now}
    (STAFF_ARTEFACTS / "heights.json").write_text(json.dumps(heights, indent=1))
    assert page.url.endswith("/change/")
    assert now <= before / 2, heights
