"""Scenario 4: a privacy officer changes a retention period in the admin; the change becomes a
draft of the statement (not public), the officer reviews its side-by-side word diff at 1366 px
and approves it, and the published statement shows the new period with the announcement of
the change (issues 4, 5 and 17).

The draft is not triggered by the test: the register change enqueues it (debounced) on
commit, and the Celery worker renders it."""

import pytest
from django.utils import translation

from registry.models import PeriodUnit, RetentionRule, period_text
from statement.models import StatementVersion
from tests.pdf_text import pdf_text

from .conftest import t, wait_until
from .staff import log_in, officer_with_authenticator

RULE = "camera-footage"


def period_cell(page):
    return page.locator(f"#retention-{RULE} td.period")


@pytest.mark.long(14)
def test_officer_changes_a_retention_period_and_the_statement_shows_it(
    cdot_site, celery_worker, page, browser, live_server, shot, settings
):
    settings.STATEMENT_PUBLISH_DEBOUNCE_SECONDS = 1
    rule = RetentionRule.objects.get(code=RULE)
    assert (rule.period_value, rule.period_unit) == (14, PeriodUnit.DAYS)
    with translation.override("nl"):
        old_period, new_period = period_text(14, PeriodUnit.DAYS), period_text(21, PeriodUnit.DAYS)
    first = StatementVersion.objects.newest_first().first()

    visitor = browser.new_context(base_url=live_server.url)
    statement = visitor.new_page()
    statement.goto("/nl/privacy/")
    assert old_period in period_cell(statement).inner_text()
    shot(statement, "statement before")

    _user, device = officer_with_authenticator()
    log_in(page, device, then="/admin/registry/retentionrule/")
    # The list names the rule as staff read it (its Dutch name); the code is the purge's key.
    page.locator("#result_list").get_by_role("link", name=rule.name_nl, exact=True).click()
    page.locator("#id_period_value").fill("21")
    shot(page, "rule changed")
    page.locator("input[name='_save']").click()
    page.locator(".messagelist .success").wait_for()
    shot(page, "rule saved")
    rule.refresh_from_db()
    assert rule.period_value == 21

    # A draft appears without anyone pressing a button; the public page does not change.
    wait_until(
        lambda: StatementVersion.objects.drafts().exists(),
        what="the statement draft after the register change",
    )
    assert StatementVersion.objects.newest_first().first().number == first.number
    statement.reload()
    assert old_period in period_cell(statement).inner_text()

    # The officer reviews the word diff, at the width of a 1366 px screen, and approves it.
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto("/admin/statement/statementversion/")
    page.locator("a[href$='/review/']").first.click()
    page.wait_for_url("**/review/")
    diff = page.locator("table.word-diff")
    diff.wait_for()
    assert old_period.split()[0] in " ".join(diff.locator("del").all_inner_texts())
    assert new_period.split()[0] in " ".join(diff.locator("ins").all_inner_texts())
    fits = page.evaluate(
        """() => {
          const table = document.querySelector('table.word-diff');
          const font = getComputedStyle(table.querySelector('td')).fontFamily;
          return {page: document.documentElement.scrollWidth <= window.innerWidth,
                  table: table.scrollWidth <= table.parentElement.clientWidth,
                  right: table.getBoundingClientRect().right <= window.innerWidth,
                  mono: /mono|courier/i.test(font)};
        }"""
    )
    assert fits == {"page": True, "table": True, "right": True, "mono": False}, fits
    shot(page, "statement draft review")
    page.locator(".review-actions button[type=submit]").click()
    page.locator(".messagelist .success").wait_for()
    published = StatementVersion.objects.newest_first().first()
    assert published.number == first.number + 1
    assert published.approval == StatementVersion.Approval.OFFICER
    assert published.approved_by_id == _user.pk

    # The page may be cached for 5 minutes (Cache-Control); a reload revalidates it.
    statement.reload()
    cell = period_cell(statement).inner_text()
    assert new_period in cell
    assert old_period not in cell
    announcement = statement.locator("section.announcement")
    assert announcement.count() == 1, "a change is announced on the page for 30 days"
    assert t("nl", "This statement changed on") in announcement.inner_text()
    shot(statement, "statement after")
    # The PDF follows as well.
    pdf = statement.request.get("/nl/privacy/statement.pdf")
    assert pdf.status == 200
    assert " ".join(new_period.split()) in pdf_text(pdf.body())
    visitor.close()
