"""Deleting records with their dependants and files, suppression, the footage index."""

import os
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from cdot_privacy.periodic import declared_periodic_tasks
from records.models import (
    CameraRecording,
    Contact,
    Invoice,
    LegalHold,
    NewsletterSubscription,
    SuppressionEntry,
    WebInquiry,
)
from records.normalise import email_hash, normalise_email, normalise_phone
from records.services import (
    RecordsDeleteRefused,
    camera_footage_orphans_sweep,
    camera_footage_scan,
    legal_hold_set,
    records_delete,
    suppression_add,
)
from records.tasks import camera_footage_scan_task
from registry.periods import BRUSSELS
from tests.records_factories import (
    ContactFactory,
    InvoiceFactory,
    RecordingFactory,
    SubscriptionFactory,
    WebInquiryFactory,
    rule,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def footage_dir(settings, tmp_path):
    settings.CAMERA_FOOTAGE_DIR = tmp_path / "footage"
    settings.CAMERA_FOOTAGE_DIR.mkdir()
    return settings.CAMERA_FOOTAGE_DIR


def write_file(root, relative, *, age=timedelta(hours=1), size=10):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    stamp = (timezone.now() - age).timestamp()
    os.utime(path, (stamp, stamp))
    return path


# --- normalise --------------------------------------------------------------------------------


def test_email_and_phone_normalise_to_one_search_key():
    assert normalise_email("  Jan.Peeters@Example.BE ") == "jan.peeters@example.be"
    assert email_hash("JAN@example.be") == email_hash(" jan@example.be")
    assert normalise_phone("015 51 23 45") == "+3215512345"
    assert normalise_phone("0470 12 34 56") == "+32470123456"
    assert normalise_phone("+31 20 123 4567") == "+31201234567"
    assert normalise_phone("12") is None


def test_contact_clean_validates_vat_and_kbo_with_stdnum():
    contact = ContactFactory.build(vat_number="BE 0403.170.701", kbo_number="")
    contact.full_clean()
    assert contact.vat_number == "BE0403170701"
    assert contact.kbo_number == "0403170701"
    bad = ContactFactory.build(vat_number="BE0403170702")
    with pytest.raises(ValidationError) as bad_vat:
        bad.full_clean()
    assert set(bad_vat.value.message_dict) == {"vat_number"}
    starts_with_two = ContactFactory.build(kbo_number="2403170701")
    with pytest.raises(ValidationError) as bad_kbo:
        starts_with_two.full_clean()
    assert set(bad_kbo.value.message_dict) == {"kbo_number"}
    since_2023 = ContactFactory.build(kbo_number="1000.000.021")  # 1xxx numbers since 2023
    since_2023.full_clean()
    assert since_2023.kbo_number == "1000000021"


# --- records_delete ---------------------------------------------------------------------------


def test_deleting_a_contact_takes_its_inquiries_and_expired_invoices():
    rule("invoice", 7, "years", "last_invoice_fiscal_year_end")
    customer = ContactFactory(kind=Contact.Kind.CUSTOMER)
    InvoiceFactory(contact=customer, issue_date=date(2010, 3, 1))
    WebInquiryFactory(contact=customer)
    bystander = WebInquiryFactory()
    assert records_delete(model=Contact, pks=[customer.pk]) == 1
    assert not Contact.objects.filter(pk=customer.pk).exists()
    assert Invoice.objects.count() == 0
    assert list(WebInquiry.objects.values_list("pk", flat=True)) == [bystander.pk]


def test_deleting_a_contact_whose_invoice_must_be_kept_is_refused_and_changes_nothing():
    rule("invoice", 7, "years", "last_invoice_fiscal_year_end")
    customer = ContactFactory(kind=Contact.Kind.CUSTOMER)
    InvoiceFactory(contact=customer, issue_date=timezone.now().date())
    WebInquiryFactory(contact=customer)
    with pytest.raises(RecordsDeleteRefused):
        records_delete(model=Contact, pks=[customer.pk])
    assert Contact.objects.filter(pk=customer.pk).exists()
    assert Invoice.objects.count() == 1 and WebInquiry.objects.count() == 1


def test_deleting_a_held_record_is_refused():
    contact = ContactFactory()
    legal_hold_set(record=contact, reason="geschil")
    with pytest.raises(RecordsDeleteRefused):
        records_delete(model=Contact, pks=[contact.pk])
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_deleting_removes_released_holds_of_the_deleted_rows():
    contact = ContactFactory()
    hold = legal_hold_set(record=contact, reason="oud geschil", until=timezone.now())
    records_delete(model=Contact, pks=[contact.pk])
    assert not LegalHold.objects.filter(pk=hold.pk).exists()


def test_deleting_a_subscription_leaves_only_a_suppression_hash():
    subscription = SubscriptionFactory(email="Lies@Example.be", withdrawn_at=timezone.now())
    records_delete(model=NewsletterSubscription, pks=[subscription.pk])
    assert NewsletterSubscription.objects.count() == 0
    entry = SuppressionEntry.objects.get()
    assert entry.email_hash == email_hash("lies@example.be")
    assert entry.reason == SuppressionEntry.Reason.WITHDRAWN


def test_suppression_add_is_idempotent():
    suppression_add(email="a@example.be", reason=SuppressionEntry.Reason.OBJECTION)
    suppression_add(email=" A@example.be", reason=SuppressionEntry.Reason.WITHDRAWN)
    assert SuppressionEntry.objects.count() == 1


def test_footage_files_are_unlinked_only_after_commit(
    footage_dir, django_capture_on_commit_callbacks
):
    path = write_file(footage_dir, "cam1/cam1_20261101T101500.mp4")
    recording = RecordingFactory(file_path="cam1/cam1_20261101T101500.mp4")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        records_delete(model=CameraRecording, pks=[recording.pk])
    assert path.exists() and len(callbacks) == 1
    callbacks[0]()
    assert not path.exists()
    assert not CameraRecording.objects.exists()


def test_footage_path_escaping_the_footage_dir_is_never_unlinked(
    footage_dir, tmp_path, django_capture_on_commit_callbacks
):
    outside = tmp_path / "secret.txt"
    outside.write_text("keep")
    recording = RecordingFactory(file_path="../secret.txt")
    with django_capture_on_commit_callbacks(execute=True):
        records_delete(model=CameraRecording, pks=[recording.pk])
    assert outside.exists()


# --- footage scan and orphan sweep ------------------------------------------------------------


def test_scan_indexes_files_with_time_from_name_or_mtime(footage_dir):
    write_file(footage_dir, "cam1/cam1_20261128T101500.mp4", size=1234)
    write_file(footage_dir, "cam2/cam2_20261128T101500Z_20261128T103000Z.mkv")
    write_file(footage_dir, "garage/clip-unnamed.mp4", age=timedelta(hours=3))
    write_file(footage_dir, "cam1/cam1_20261399T101500.mp4", age=timedelta(hours=2))
    result = camera_footage_scan()
    assert (result.seen, result.indexed) == (4, 4)
    by_path = {r.file_path: r for r in CameraRecording.objects.all()}
    named = by_path["cam1/cam1_20261128T101500.mp4"]
    assert named.camera == "cam1" and named.size_bytes == 1234
    assert named.recorded_from == datetime(2026, 11, 28, 10, 15, tzinfo=BRUSSELS)
    utc = by_path["cam2/cam2_20261128T101500Z_20261128T103000Z.mkv"]
    assert utc.recorded_from == datetime(2026, 11, 28, 10, 15, tzinfo=UTC)
    assert utc.recorded_to == datetime(2026, 11, 28, 10, 30, tzinfo=UTC)
    unnamed = by_path["garage/clip-unnamed.mp4"]
    assert unnamed.camera == "garage"
    assert abs(unnamed.recorded_from - (timezone.now() - timedelta(hours=3))) < timedelta(seconds=5)
    bad_date = by_path["cam1/cam1_20261399T101500.mp4"]
    assert abs(bad_date.recorded_from - (timezone.now() - timedelta(hours=2))) < timedelta(
        seconds=5
    )


def test_scan_twice_indexes_nothing_twice_and_waits_for_files_being_written(footage_dir):
    write_file(footage_dir, "cam1/cam1_20261128T101500.mp4")
    write_file(footage_dir, "cam1/cam1_20261128T103000.mp4", age=timedelta(seconds=5))
    first = camera_footage_scan()
    second = camera_footage_scan()
    assert (first.indexed, first.settling) == (1, 1)
    assert (second.indexed, second.settling) == (0, 1)
    assert CameraRecording.objects.count() == 1


def test_scan_task_runs_the_scan(footage_dir):
    write_file(footage_dir, "cam1/cam1_20261128T101500.mp4")
    assert camera_footage_scan_task.apply().get()["indexed"] == 1


def test_footage_scan_is_scheduled_every_ten_minutes():
    specs = {spec.task: spec for spec in declared_periodic_tasks()}
    assert specs["records.camera_footage_scan"].seconds == 600


def test_orphan_sweep_removes_only_old_unindexed_files(footage_dir):
    now = datetime(2026, 11, 28, 12, 0, tzinfo=BRUSSELS)
    old_orphan = write_file(footage_dir, "cam1/cam1_20261113T115959.mp4")
    young_orphan = write_file(footage_dir, "cam1/cam1_20261114T120001.mp4")
    old_indexed = write_file(footage_dir, "cam1/cam1_20261101T080000.mp4")
    RecordingFactory(file_path="cam1/cam1_20261101T080000.mp4")
    with time_machine.travel(now, tick=False):
        assert camera_footage_orphans_sweep(dry_run=True) == 1
        assert old_orphan.exists()
        assert camera_footage_orphans_sweep() == 1
    assert not old_orphan.exists()
    assert young_orphan.exists() and old_indexed.exists()
