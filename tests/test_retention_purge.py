"""The purge: what goes, what stays, what the PurgeRun says — at the boundaries of each rule."""

from datetime import date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from cdot_privacy.periodic import NAME_PREFIX, periodic_tasks_sync
from records.models import (
    CameraRecording,
    Contact,
    Invoice,
    NewsletterSubscription,
    ProcessorDataset,
    SuppressionEntry,
    WebInquiry,
)
from records.normalise import email_hash
from records.services import legal_hold_set
from registry.models import RetentionRule
from registry.periods import BRUSSELS
from retention.models import PurgeRun
from retention.services import processor_deletion_confirm, purge_preview, purge_run_execute
from retention.targets import UnknownRule, rule_codes
from tests.records_factories import (
    ContactFactory,
    DatasetFactory,
    InvoiceFactory,
    OrganisationFactory,
    RecordingFactory,
    SubscriptionFactory,
    WebInquiryFactory,
    rule,
)

pytestmark = pytest.mark.django_db
SECOND = timedelta(seconds=1)


def bxl(*args) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


def purge(code: str, now: datetime, **kwargs) -> PurgeRun:
    with time_machine.travel(now, tick=False):
        return purge_run_execute(rule_code=code, now=now, **kwargs)


def pks(model) -> set[int]:
    return set(model.objects.values_list("pk", flat=True))


# --- boundaries ---------------------------------------------------------------------------------


def test_prospect_is_kept_one_second_before_and_purged_one_second_after_one_year():
    rule("prospect", 1, "years", "first_contact")
    contact = ContactFactory(first_contact_at=bxl(2025, 3, 3, 10, 15))

    before = purge("prospect", bxl(2026, 3, 3, 10, 15) - SECOND)
    assert pks(Contact) == {contact.pk}
    assert (before.status, before.selected, before.deleted) == ("succeeded", 0, 0)

    after = purge("prospect", bxl(2026, 3, 3, 10, 15) + SECOND)
    assert pks(Contact) == set()
    assert (after.status, after.selected, after.deleted, after.remaining_after) == (
        "succeeded",
        1,
        1,
        0,
    )


def test_loose_contact_met_on_29_february_is_kept_on_28_february_and_purged_on_1_march():
    rule("loose-contact", 1, "years", "first_contact")
    contact = ContactFactory(kind=Contact.Kind.LOOSE, first_contact_at=bxl(2024, 2, 29, 9, 0))
    # 2025 has no 29 February: never early, so not on the 28th; the query "first contact <=
    # now - 1 year" lets it go as 1 March begins (now - 1 year = 1 March 2024 00:00).
    purge("loose-contact", bxl(2025, 2, 28, 23, 59, 59))
    assert pks(Contact) == {contact.pk}
    purge("loose-contact", bxl(2025, 3, 1, 0, 0, 1))
    assert pks(Contact) == set()


def test_invoice_is_kept_until_the_end_of_the_fiscal_year_seven_years_on():
    OrganisationFactory()  # fiscal year = calendar year
    rule("invoice", 7, "years", "last_invoice_fiscal_year_end")
    invoice = InvoiceFactory(issue_date=date(2019, 6, 12))
    purge("invoice", bxl(2026, 12, 31, 23, 59, 59))
    assert pks(Invoice) == {invoice.pk}
    purge("invoice", bxl(2027, 1, 1, 0, 0, 0))
    assert pks(Invoice) == set()


def test_invoice_with_a_fiscal_year_ending_30_june_follows_that_year_end():
    OrganisationFactory(fiscal_year_end_month=6, fiscal_year_end_day=30)
    rule("invoice", 7, "years", "last_invoice_fiscal_year_end")
    invoice = InvoiceFactory(issue_date=date(2019, 6, 12))  # fiscal year ends 30 June 2019
    purge("invoice", bxl(2026, 6, 30, 23, 59, 59))
    assert pks(Invoice) == {invoice.pk}
    purge("invoice", bxl(2026, 7, 1, 0, 0, 0))
    assert pks(Invoice) == set()


def test_footage_of_14_days_across_the_spring_dst_change_keeps_the_wall_clock_time():
    # 29 March 2026: Brussels goes from UTC+1 to UTC+2; 14 calendar days are 13 days 23 hours.
    rule("camera-footage", 14, "days", "recorded_at")
    recording = RecordingFactory(recorded_from=bxl(2026, 3, 20, 10, 0))
    purge("camera-footage", bxl(2026, 4, 3, 10, 0) - SECOND)
    assert pks(CameraRecording) == {recording.pk}
    purge("camera-footage", bxl(2026, 4, 3, 10, 0))
    assert pks(CameraRecording) == set()


def test_footage_of_14_days_across_the_autumn_dst_change_keeps_the_wall_clock_time():
    # 25 October 2026: back to UTC+1; 14 calendar days are 14 days 1 hour.
    rule("camera-footage", 14, "days", "recorded_at")
    recording = RecordingFactory(recorded_from=bxl(2026, 10, 20, 2, 30))
    purge("camera-footage", bxl(2026, 11, 3, 2, 30) - SECOND)
    assert pks(CameraRecording) == {recording.pk}
    purge("camera-footage", bxl(2026, 11, 3, 2, 30))
    assert pks(CameraRecording) == set()


# --- what stays --------------------------------------------------------------------------------


def test_held_and_restricted_prospects_are_kept_and_counted_as_skipped():
    rule("prospect", 1, "years", "first_contact")
    long_ago = bxl(2020, 1, 1)
    held = ContactFactory(first_contact_at=long_ago)
    restricted = ContactFactory(
        first_contact_at=long_ago,
        restricted=True,
        restriction_reason="accuracy",
        restricted_until=date(2026, 7, 1),
    )
    lapsed = ContactFactory(first_contact_at=long_ago)
    gone = ContactFactory(first_contact_at=long_ago)
    now = bxl(2026, 6, 1)
    with time_machine.travel(now - timedelta(days=1), tick=False):
        legal_hold_set(record=held, reason="dispute")
        legal_hold_set(record=lapsed, reason="claim", until=now - SECOND)

    run = purge("prospect", now)

    assert pks(Contact) == {held.pk, restricted.pk}
    assert gone.pk not in pks(Contact) and lapsed.pk not in pks(Contact)
    assert (run.status, run.deleted, run.skipped_held, run.remaining_after) == (
        "succeeded",
        2,
        2,
        0,
    )


def test_dry_run_counts_and_changes_nothing():
    rule("prospect", 1, "years", "first_contact")
    ContactFactory.create_batch(3, first_contact_at=bxl(2020, 1, 1))
    ContactFactory(first_contact_at=bxl(2026, 5, 1))
    run = purge("prospect", bxl(2026, 6, 1), dry_run=True)
    assert Contact.objects.count() == 4
    assert (run.dry_run, run.status, run.selected, run.deleted, run.batches) == (
        True,
        "succeeded",
        3,
        0,
        0,
    )


def test_a_rule_set_to_review_in_the_register_is_only_counted():
    rule("prospect", 1, "years", "first_contact", action=RetentionRule.Action.REVIEW)
    ContactFactory.create_batch(2, first_contact_at=bxl(2020, 1, 1))
    run = purge("prospect", bxl(2026, 6, 1))
    assert Contact.objects.count() == 2
    assert (run.dry_run, run.action, run.selected) == (True, "review", 2)


def test_an_inactive_rule_is_not_applied():
    rule("prospect", 1, "years", "first_contact")
    RetentionRule.objects.filter(code="prospect").update(is_active=False)
    ContactFactory(first_contact_at=bxl(2020, 1, 1))
    run = purge("prospect", bxl(2026, 6, 1))
    assert Contact.objects.count() == 1
    assert run.status == PurgeRun.Status.SKIPPED
    assert "inactive" in run.error


def test_web_inquiry_of_a_sender_who_became_customer_stays_with_the_customer():
    rule("web-inquiry", 1, "years", "received_at")
    customer = ContactFactory(kind=Contact.Kind.CUSTOMER)
    old = bxl(2024, 1, 1)
    alone = WebInquiryFactory(received_at=old)
    of_customer = WebInquiryFactory(received_at=old, contact=customer)
    recent = WebInquiryFactory(received_at=bxl(2026, 5, 1))
    purge("web-inquiry", bxl(2026, 6, 1))
    assert pks(WebInquiry) == {of_customer.pk, recent.pk}
    assert alone.pk not in pks(WebInquiry)


def test_withdrawn_newsletter_consent_is_deleted_and_only_a_suppression_hash_stays():
    rule("newsletter", 0, "days", "consent_withdrawn")
    withdrawn = SubscriptionFactory(withdrawn_at=bxl(2026, 5, 1))
    active = SubscriptionFactory()
    purge("newsletter", bxl(2026, 5, 2))
    assert pks(NewsletterSubscription) == {active.pk}
    assert SuppressionEntry.objects.filter(email_hash=email_hash(withdrawn.email)).exists()


@pytest.mark.django_db(transaction=True)
def test_camera_purge_removes_expired_files_after_commit_and_sweeps_orphans(tmp_path, settings):
    settings.CAMERA_FOOTAGE_DIR = tmp_path
    rule("camera-footage", 14, "days", "recorded_at")
    (tmp_path / "cam1").mkdir()
    old_file = tmp_path / "cam1" / "cam1_20260501T100000.mp4"
    new_file = tmp_path / "cam1" / "cam1_20260530T100000.mp4"
    orphan = tmp_path / "cam1" / "cam1_20260502T080000.mp4"  # never indexed
    for path in (old_file, new_file, orphan):
        path.write_bytes(b"\0" * 16)
    RecordingFactory(file_path="cam1/cam1_20260501T100000.mp4", recorded_from=bxl(2026, 5, 1, 10))
    RecordingFactory(file_path="cam1/cam1_20260530T100000.mp4", recorded_from=bxl(2026, 5, 30, 10))

    run = purge("camera-footage", bxl(2026, 6, 1))

    assert CameraRecording.objects.count() == 1
    assert not old_file.exists() and not orphan.exists()
    assert new_file.exists()
    # One file removed after its row's batch committed, one orphan swept.
    assert (run.deleted, run.files_removed) == (1, 2)


def test_processor_data_gets_a_deletion_task_once_and_stays_until_confirmed():
    rule("processor-data", 0, "days", "contract_end")
    ended = DatasetFactory(contract_end=date(2026, 5, 31))
    running = DatasetFactory(contract_end=None)
    first = purge("processor-data", bxl(2026, 6, 1, 9, 0))
    ended.refresh_from_db()
    assert ended.deletion_requested_on == date(2026, 6, 1)
    assert ProcessorDataset.objects.get(pk=running.pk).deletion_requested_on is None
    assert (first.deleted, first.remaining_after, first.status) == (1, 0, "succeeded")
    second = purge("processor-data", bxl(2026, 6, 2, 9, 0))
    ended.refresh_from_db()
    assert ended.deletion_requested_on == date(2026, 6, 1)  # not raised twice
    assert second.deleted == 0


def test_customer_with_an_invoice_still_kept_is_only_minimised():
    OrganisationFactory()
    rule("invoice", 7, "years", "last_invoice_fiscal_year_end")
    rule(
        "customer-contact",
        2,
        "years",
        "end_of_relationship",
        action=RetentionRule.Action.DELETE,
    )
    customer = ContactFactory(
        kind=Contact.Kind.CUSTOMER,
        phone="+32 15 12 34 56",
        last_activity_at=bxl(2022, 1, 10),
    )
    InvoiceFactory(contact=customer, issue_date=date(2022, 1, 10))
    gone = ContactFactory(kind=Contact.Kind.CUSTOMER, last_activity_at=bxl(2022, 1, 10))

    run = purge("customer-contact", bxl(2026, 6, 1))

    customer.refresh_from_db()
    assert (customer.email, customer.phone, customer.last_name != "") == ("", "", True)
    assert not Contact.objects.filter(pk=gone.pk).exists()
    assert (run.deleted, run.remaining_after, run.status) == (2, 0, "succeeded")


def test_customer_contact_set_to_anonymise_keeps_an_empty_row():
    rule("customer-contact", 2, "years", "end_of_relationship", action="anonymise")
    customer = ContactFactory(kind=Contact.Kind.CUSTOMER, last_activity_at=bxl(2022, 1, 10))
    run = purge("customer-contact", bxl(2026, 6, 1))
    customer.refresh_from_db()
    assert (customer.first_name, customer.last_name, customer.email) == ("", "", "")
    assert run.remaining_after == 0
    assert purge("customer-contact", bxl(2026, 6, 2)).deleted == 0


# --- the register drives the purge -------------------------------------------------------------


def test_a_period_shortened_in_the_register_is_followed_by_the_next_purge():
    rule("prospect", 1, "years", "first_contact")
    eight_months = ContactFactory(first_contact_at=bxl(2025, 10, 1))
    four_months = ContactFactory(first_contact_at=bxl(2026, 2, 1))
    now = bxl(2026, 6, 1)
    assert purge("prospect", now).deleted == 0

    prospect_rule = RetentionRule.objects.get(code="prospect")
    prospect_rule.period_value, prospect_rule.period_unit = 6, "months"
    prospect_rule.save()

    run = purge("prospect", now)
    assert pks(Contact) == {four_months.pk}
    assert eight_months.pk not in pks(Contact)
    assert run.cutoff == bxl(2025, 12, 1)


def test_purge_preview_counts_what_expires_in_the_next_7_and_30_days():
    rule("prospect", 1, "years", "first_contact")
    now = bxl(2026, 6, 1)
    ContactFactory(first_contact_at=bxl(2025, 5, 1))  # expired
    ContactFactory(first_contact_at=bxl(2025, 6, 5))  # in 4 days
    ContactFactory(first_contact_at=bxl(2025, 6, 20))  # in 19 days
    ContactFactory(first_contact_at=bxl(2025, 8, 1))  # later
    preview = purge_preview(rule_code="prospect", now=now)
    assert (preview.expired_now, preview.within_7_days, preview.within_30_days) == (1, 1, 2)


# --- run bookkeeping ---------------------------------------------------------------------------


def test_a_batch_size_of_one_makes_one_batch_per_row():
    rule("prospect", 1, "years", "first_contact")
    ContactFactory.create_batch(5, first_contact_at=bxl(2020, 1, 1))
    run = purge("prospect", bxl(2026, 6, 1), batch_size=1)
    assert (run.batches, run.selected, run.deleted) == (5, 5, 5)
    assert run.longest_batch_ms >= 0 and run.finished_at is not None


def test_rows_that_keep_expiring_during_the_run_fail_the_post_condition():
    rule("prospect", 1, "years", "first_contact")
    ContactFactory(first_contact_at=bxl(2020, 1, 1))

    def add_another_expired_row(_count: int) -> None:
        ContactFactory(first_contact_at=bxl(2020, 1, 1))

    run = purge("prospect", bxl(2026, 6, 1), progress=add_another_expired_row)
    assert run.status == PurgeRun.Status.FAILED
    assert run.remaining_after == 1
    assert "Post-condition" in run.error


def test_a_running_run_that_stopped_reporting_is_marked_failed_by_the_next_run():
    rule("prospect", 1, "years", "first_contact")
    now = timezone.now()
    dead = PurgeRun.objects.create(
        rule_code="prospect", now=now, progress_at=now - timedelta(hours=1)
    )
    run = purge_run_execute(rule_code="prospect")
    dead.refresh_from_db()
    assert run.status == PurgeRun.Status.SUCCEEDED
    assert dead.status == PurgeRun.Status.FAILED
    assert "Interrupted" in dead.error


def test_an_unknown_rule_or_bad_batch_size_writes_nothing():
    rule("prospect", 1, "years", "first_contact")
    with pytest.raises(UnknownRule):
        purge_run_execute(rule_code="no-such-rule")
    with pytest.raises(UnknownRule):
        purge_run_execute(rule_code="employment")  # in the register, but no records model
    with pytest.raises(ValueError, match="batch size"):
        purge_run_execute(rule_code="prospect", batch_size=0)
    assert not PurgeRun.objects.exists()


# --- command, schedule, admin ------------------------------------------------------------------


def test_purge_command_prints_a_summary_table_per_rule():
    rule("prospect", 1, "years", "first_contact")
    rule("loose-contact", 1, "years", "first_contact")
    ContactFactory.create_batch(3, first_contact_at=timezone.now() - timedelta(days=400))
    out, err = StringIO(), StringIO()
    call_command("purge", "--batch-size", "2", stdout=out, stderr=err)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == [
        "rule",
        "status",
        "selected",
        "deleted",
        "held",
        "files",
        "batches",
        "max",
        "ms",
        "left",
    ]
    prospect_row = next(line.split() for line in lines if line.startswith("prospect"))
    assert prospect_row[:4] == ["prospect", "succeeded", "3", "3"]
    assert "2 rule(s), 3 row(s) purged" in lines[-1]
    assert "3/3" in err.getvalue()  # the progress bar reached the end
    assert Contact.objects.count() == 0


def test_purge_command_dry_run_for_one_rule_changes_nothing():
    rule("prospect", 1, "years", "first_contact")
    ContactFactory.create_batch(2, first_contact_at=timezone.now() - timedelta(days=400))
    out = StringIO()
    call_command("purge", "--rule", "prospect", "--dry-run", stdout=out)
    assert "DRY RUN" in out.getvalue()
    assert Contact.objects.count() == 2
    assert PurgeRun.objects.get().dry_run


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rule", "nope"], "unknown retention rule 'nope'"),
        (["--batch-size", "0"], "--batch-size must be between"),
    ],
)
def test_purge_command_rejects_bad_input_with_a_clear_message(args, message):
    rule("prospect", 1, "years", "first_contact")
    with pytest.raises(CommandError, match=message):
        call_command("purge", *args, stdout=StringIO())
    assert not PurgeRun.objects.exists()


def test_each_rule_is_scheduled_daily_and_camera_footage_hourly_in_utc():
    periodic_tasks_sync()
    purges = {
        task.kwargs: task
        for task in PeriodicTask.objects.filter(
            name__startswith=NAME_PREFIX + "purge ", task="retention.purge_rule"
        ).select_related("crontab")
    }
    by_code = {
        code: purges[f'{{"rule_code": "{code}"}}'].crontab
        for code in ("prospect", "invoice", "camera-footage", "processor-data")
    }
    assert by_code["prospect"].hour == "2" and by_code["prospect"].minute.isdigit()
    assert by_code["camera-footage"].hour == "*"
    assert {str(c.timezone) for c in by_code.values()} == {"UTC"}
    assert len(purges) == len(rule_codes())


def test_staff_see_purge_runs_read_only_and_the_expiry_preview(admin_client):
    rule("prospect", 1, "years", "first_contact")
    ContactFactory(first_contact_at=timezone.now() - timedelta(days=362))  # in ~3 days
    run = purge_run_execute(rule_code="prospect")
    changelist = admin_client.get("/admin/retention/purgerun/")
    assert changelist.status_code == 200
    assert b"prospect" in changelist.content
    assert admin_client.get("/admin/retention/purgerun/add/").status_code == 403
    detail = admin_client.get(f"/admin/retention/purgerun/{run.pk}/change/")
    assert detail.status_code == 200 and b'name="_save"' not in detail.content
    preview = admin_client.get("/admin/retention/purgerun/preview/")
    assert preview.status_code == 200
    row = preview.content.decode().split('<th scope="row">prospect</th>')[1].split("</tr>")[0]
    cells = [cell.split("</td>")[0] for cell in row.split("<td>")[1:]]
    assert cells[2:5] == ["0", "0", "1"]  # expired now, held, next 7 days


def test_prospects_with_dependants_go_with_them_and_the_rest_in_one_bulk_delete():
    rule("prospect", 1, "years", "first_contact")
    long_ago = bxl(2020, 1, 1)
    plain = ContactFactory.create_batch(3, first_contact_at=long_ago)
    with_inquiry = ContactFactory(first_contact_at=long_ago)
    inquiry = WebInquiryFactory(contact=with_inquiry, received_at=bxl(2026, 5, 1))
    with_released_hold = ContactFactory(first_contact_at=long_ago)
    with time_machine.travel(bxl(2026, 1, 1), tick=False):
        hold = legal_hold_set(record=with_released_hold, reason="settled")
    hold.released_at = bxl(2026, 2, 1)
    hold.save()

    run = purge("prospect", bxl(2026, 6, 1))

    assert Contact.objects.count() == 0
    assert not WebInquiry.objects.filter(pk=inquiry.pk).exists()
    assert (run.deleted, run.selected) == (len(plain) + 2, len(plain) + 2)


def test_a_confirmed_processor_deletion_closes_the_task_and_bad_dates_change_nothing():
    rule("processor-data", 0, "days", "contract_end")
    dataset = DatasetFactory(contract_end=date(2026, 5, 31))
    with pytest.raises(ValueError, match="no deletion was requested"):
        processor_deletion_confirm(dataset=dataset, confirmed_on=date(2026, 6, 3))
    purge("processor-data", bxl(2026, 6, 1, 9, 0))
    dataset.refresh_from_db()
    with pytest.raises(ValueError, match="predate"):
        processor_deletion_confirm(dataset=dataset, confirmed_on=date(2026, 5, 1))
    assert ProcessorDataset.objects.get(pk=dataset.pk).deletion_confirmed_on is None

    processor_deletion_confirm(dataset=dataset, confirmed_on=date(2026, 6, 3))

    assert purge_preview(rule_code="processor-data", now=bxl(2026, 6, 4)).expired_now == 0
    assert ProcessorDataset.objects.get(pk=dataset.pk).deletion_confirmed_on == date(2026, 6, 3)
