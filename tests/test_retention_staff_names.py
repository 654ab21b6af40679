"""Issue 13: staff names are not kept for ever either.

- The approver of a statement version and the publisher of a staff-notice version are the
  accountability record of who published it (Art. 5(2)): kept while the version is current and
  for the register's period after a newer version replaced it, then the version names the role
  ("privacy officer") instead (rules ``statement-approver`` / ``staff-notice-publisher``). The
  public archive never shows either.
- A staff member's review decisions (reason, who decided) go 5 years after the decision, not
  while a "keep" still holds (rule ``review-decision``).
- Deleting a staff account (rule ``staff-account``, through the review queue) leaves no link
  to it: the register history's ``history_user``, purge runs, decisions, holds and versions
  lose the link. An account that is still the record of how a data-subject request was
  handled is refused until that request goes with its own rule.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from cdot_privacy.roles import PRIVACY_OFFICER, roles_setup
from records.deletion import records_delete
from registry.models import DataCategory, RetentionRule
from requests_app.models import AuditEntry, DataSubjectRequest, IdentityCheck
from retention.models import PurgeRun, ReviewDecision
from retention.reviews import ReviewRefused, review_row_delete
from retention.services import purge_run_execute
from statement.models import StaffNoticeVersion, StatementVersion
from statement.services import statement_publish
from tests.conftest import renders_a_pdf
from tests.statement_support import page_text, register_complete

pytestmark = pytest.mark.django_db
SECOND = timedelta(seconds=1)
V1 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
V2 = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)  # v2 replaces v1: v1's 5 years run from here
FIVE_YEARS_AFTER_V2 = datetime(2032, 1, 15, 9, 0, tzinfo=UTC)


def purge(code: str, now: datetime) -> PurgeRun:
    with time_machine.travel(now, tick=False):
        return purge_run_execute(rule_code=code, now=now)


def _officer(username="verhaegen", first="An", last="Verhaegen"):
    return get_user_model().objects.create_user(
        username, f"{username}@c-dot.be", "x" * 20, first_name=first, last_name=last
    )


@pytest.fixture
def seeded(register_seeded_once):
    """C-DOT's register, seeded once for the module (each test's changes are rolled back)."""


def _seeded_rule(code: str) -> RetentionRule:
    return RetentionRule.objects.get_by_code(code)


def _staff_notice(number: int, published_at: datetime, user) -> StaffNoticeVersion:
    return StaffNoticeVersion.objects.create(
        number=number,
        content_hash=f"{number:064d}",
        published_at=published_at,
        published_by=user,
        published_by_name=user.get_full_name(),
        body_nl="",
        body_fr="",
        body_en="",
        pdf_nl=b"",
        pdf_fr=b"",
        pdf_en=b"",
    )


# --- the approver of a statement version -----------------------------------------------------


@pytest.fixture
def two_versions(seeded):
    """C-DOT's register published twice, each version approved by An Verhaegen."""
    register_complete()
    officer = _officer()
    statement_publish(now=V1)
    rule = RetentionRule.objects.get_by_code("camera-footage")
    rule.period_value = 30
    rule.save()
    statement_publish(now=V2)
    StatementVersion.objects.published().update(
        approval=StatementVersion.Approval.OFFICER,
        approved_by=officer,
        approved_by_name="An Verhaegen",
    )
    return officer


@renders_a_pdf
def test_the_approver_s_name_gives_way_to_the_role_five_years_after_the_version_was_replaced(
    client, two_versions, settings
):
    rule = _seeded_rule("statement-approver")
    assert (rule.period_value, rule.period_unit, rule.anchor, rule.action) == (
        5,
        "years",
        RetentionRule.Anchor.SUPERSEDED,
        RetentionRule.Action.ANONYMISE,
    )
    purge("statement-approver", FIVE_YEARS_AFTER_V2 - SECOND)
    assert set(StatementVersion.objects.values_list("approved_by_name", flat=True)) == {
        "An Verhaegen"
    }

    run = purge("statement-approver", FIVE_YEARS_AFTER_V2)
    assert run.status == PurgeRun.Status.SUCCEEDED and run.deleted == 1
    v1, v2 = StatementVersion.objects.published().order_by("number")
    assert (v1.approved_by_id, v1.approved_by_name) == (None, "Privacy officer")
    # The version in force keeps its approver, however old it is.
    assert (v2.approved_by, v2.approved_by_name) == (two_versions, "An Verhaegen")
    assert purge("statement-approver", FIVE_YEARS_AFTER_V2 + SECOND).deleted == 0

    # Staff read the role in their language; the public archive never names staff.
    settings.STAFF_2FA = False
    roles_setup()
    reader = _officer("reader", "Rita", "Lezer")
    reader.is_staff = True
    reader.save()
    reader.groups.add(Group.objects.get(name=PRIVACY_OFFICER))
    client.force_login(reader)
    client.cookies["django_language"] = "nl"
    listing = page_text(
        client.get(reverse("admin:statement_statementversion_changelist")).content.decode()
    )
    assert "privacyverantwoordelijke (naam verwijderd na de bewaartermijn)" in listing
    assert "Privacy officer" not in listing
    client.logout()
    for url in ("/nl/privacy/versions/", "/nl/privacy/versions/1/", "/nl/privacy/versions/2/"):
        response = client.get(url)
        assert response.status_code == 200 and "Verhaegen" not in response.content.decode()
    assert client.get("/nl/privacy/versions/1/statement.pdf").status_code == 200


# --- the publisher of a staff-notice version -------------------------------------------------


def test_the_publisher_of_a_staff_notice_version_gives_way_to_the_role(seeded, client, settings):
    officer = _officer()
    _staff_notice(1, V1, officer)
    _staff_notice(2, V2, officer)
    assert _seeded_rule("staff-notice-publisher").anchor == RetentionRule.Anchor.SUPERSEDED

    purge("staff-notice-publisher", FIVE_YEARS_AFTER_V2 - SECOND)
    assert StaffNoticeVersion.objects.filter(published_by_name="An Verhaegen").count() == 2
    purge("staff-notice-publisher", FIVE_YEARS_AFTER_V2)
    first, second = StaffNoticeVersion.objects.order_by("number")
    assert (first.published_by_id, first.published_by_name) == (None, "Privacy officer")
    assert (second.published_by, second.published_by_name) == (officer, "An Verhaegen")

    settings.STAFF_2FA = False
    roles_setup()
    officer.is_staff = True
    officer.save()
    officer.groups.add(Group.objects.get(name=PRIVACY_OFFICER))
    client.force_login(officer)
    client.cookies["django_language"] = "fr"
    url = reverse("admin:statement_staffnoticeversion_changelist")
    listing = page_text(client.get(url).content.decode())
    assert "un responsable de la vie privée (nom supprimé après son délai de conservation)" in (
        listing
    )
    assert "Privacy officer" not in listing


# --- review decisions ------------------------------------------------------------------------


def test_review_decisions_go_five_years_after_unless_a_keep_still_holds(seeded):
    rule = _seeded_rule("review-decision")
    assert (rule.period_value, rule.period_unit, rule.action) == (5, "years", "delete")
    officer = _officer()

    def decide(decision, next_review_on=None):
        return ReviewDecision.objects.create(
            rule_code="customer-contact",
            model_label="records.contact",
            object_id="7",
            decision=decision,
            reason="Lopend geschil met Jan Peeters",
            next_review_on=next_review_on,
            decided_by=officer,
            decided_at=V1,
        )

    deleted = decide(ReviewDecision.Decision.DELETE)
    kept_long = decide(ReviewDecision.Decision.KEEP, date(2033, 1, 1))
    kept_done = decide(ReviewDecision.Decision.KEEP, date(2027, 1, 1))

    purge("review-decision", V1 + timedelta(days=5 * 365))  # not yet 5 years
    assert ReviewDecision.objects.count() == 3
    purge("review-decision", datetime(2031, 3, 2, 9, 0, tzinfo=UTC))
    assert list(ReviewDecision.objects.all()) == [kept_long]
    assert not ReviewDecision.objects.filter(pk__in=[deleted.pk, kept_done.pk]).exists()


# --- deleting a staff account ----------------------------------------------------------------


@pytest.fixture
def departed(seeded):
    """A staff member who left: disabled, last signed in two years ago."""
    user = _officer("vertrokken", "Piet", "Vertrokken")
    get_user_model().objects.filter(pk=user.pk).update(
        is_active=False, last_login=datetime(2024, 5, 1, tzinfo=UTC)
    )
    return user


def _delete_account(user, officer):
    return review_row_delete(
        rule=_seeded_rule("staff-account"),
        pk=str(user.pk),
        reason="uit dienst",
        user=officer,
        now=datetime(2026, 6, 1, tzinfo=UTC),
    )


def test_deleting_a_staff_account_leaves_no_link_to_it(departed):
    category = DataCategory.objects.create(code="test-cat", name="Test")
    category._history_user = departed
    category.name = "Test, gewijzigd"
    category.save()
    assert DataCategory.history.filter(history_user=departed).count() == 1
    run = PurgeRun.objects.create(
        rule_code="prospect", action="delete", started_by=departed, now=V1
    )
    version = StatementVersion.objects.create(
        status=StatementVersion.Status.PUBLISHED,
        number=1,
        published_at=V1,
        approval=StatementVersion.Approval.OFFICER,
        approved_by=departed,
        approved_by_name="Piet Vertrokken",
        content_hash="0" * 64,
        trigger=StatementVersion.Trigger.STAFF,
        body_nl="",
        body_fr="",
        body_en="",
        pdf_nl=b"",
        pdf_fr=b"",
        pdf_en=b"",
    )
    history_rows = DataCategory.history.filter(code="test-cat").count()

    officer = _officer()
    _delete_account(departed, officer)

    assert not get_user_model().objects.filter(pk=departed.pk).exists()
    assert DataCategory.history.filter(code="test-cat").count() == history_rows  # kept
    assert not DataCategory.history.filter(history_user_id=departed.pk).exists()
    run.refresh_from_db()
    version.refresh_from_db()
    assert run.started_by_id is None
    # The name on the version ends by its own rule (statement-approver), not with the account.
    assert (version.approved_by_id, version.approved_by_name) == (None, "Piet Vertrokken")


def test_an_account_that_handled_a_request_is_kept_until_the_request_goes(departed):
    dsr = DataSubjectRequest.objects.create(
        type=DataSubjectRequest.Type.ACCESS,
        status=DataSubjectRequest.Status.COMPLETED,
        name="Jan Peeters",
        email="jan.peeters@example.be",
        completed_at=datetime(2025, 1, 10, tzinfo=UTC),
    )
    check = IdentityCheck.objects.create(
        request=dsr, checked_by=departed, method="email_match", outcome="confirmed"
    )
    entry = AuditEntry.objects.create(
        action=AuditEntry.Action.COMPLETED, request=dsr, actor=departed, actor_label="Piet"
    )
    officer = _officer()

    with pytest.raises(ReviewRefused):
        _delete_account(departed, officer)
    assert get_user_model().objects.filter(pk=departed.pk).exists()
    check.refresh_from_db()
    entry.refresh_from_db()
    assert check.checked_by == departed
    assert (entry.request, entry.actor, entry.actor_label) == (dsr, departed, "Piet")

    records_delete(model=DataSubjectRequest, pks=[dsr.pk])  # its rule ends (5 years)
    _delete_account(departed, officer)
    assert not get_user_model().objects.filter(pk=departed.pk).exists()


def test_records_delete_sees_every_link_to_a_staff_account():
    """Also the links declared with related_name="+" (history_user, a version's approver, a
    purge run's starter): records_delete missed them, leaving ids of a deleted account."""
    from django.apps import apps

    from records.deletion import foreign_keys_to

    user_model = get_user_model()
    declared = {
        (model._meta.label, field.name)
        for model in apps.get_models()
        for field in model._meta.fields
        if field.many_to_one and field.related_model is user_model
    }
    seen = {(fk.model._meta.label, fk.name) for fk in foreign_keys_to(user_model)}
    assert declared - seen == set()
