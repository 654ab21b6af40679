"""Issue 13, point 2: the erasure ledger is a store with a rule that ends it (Art. 5(1)(e)).

Lines older than the register's `erasure-ledger` period go (daily beat task), but never a line
that a kept backup may still lack: backups are kept 30 days (docs/OPERATIONS.md)."""

import stat
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from records.ledger import (
    BACKUPS_KEPT,
    ledger_expired_count,
    ledger_path,
    ledger_prune,
    ledger_read,
    ledger_suppressed,
)
from records.models import Contact
from records.tasks import erasure_ledger_prune_task
from registry import seed_data
from registry.models import RetentionRule
from tests.records_factories import rule

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def private_dir(settings, tmp_path):
    settings.PRIVATE_STORAGE_DIR = tmp_path / "private"
    settings.ERASURE_LEDGER_PATH = ""
    return settings.PRIVATE_STORAGE_DIR


def _write(at: datetime, address: str, capture) -> None:
    with time_machine.travel(at, tick=False), capture(execute=True):
        ledger_suppressed(emails=[address], reason="withdrawn")


def _facts() -> int:
    return len(list(ledger_read()))


def test_the_seeded_rule_outlives_the_kept_backups():
    spec = next(r for r in seed_data.RETENTION_RULES if r["code"] == "erasure-ledger")
    value, unit = spec["period"]
    assert unit == "days" and timedelta(days=value) > BACKUPS_KEPT
    assert spec["action"] == "delete"


def test_lines_older_than_the_rule_go_and_younger_ones_stay(django_capture_on_commit_callbacks):
    rule("erasure-ledger", 60, "days", "logged_at")
    _write(T0, "old@example.be", django_capture_on_commit_callbacks)
    _write(T0 + timedelta(days=40), "young@example.be", django_capture_on_commit_callbacks)
    now = T0 + timedelta(days=61)
    assert ledger_expired_count(now=now) == 1
    assert ledger_prune(now=now) == 1
    assert [fact["at"] for fact in ledger_read()] == [(T0 + timedelta(days=40)).isoformat()]
    assert stat.S_IMODE(ledger_path().stat().st_mode) == 0o600
    assert ledger_prune(now=now) == 0  # idempotent


def test_a_line_a_kept_backup_may_lack_stays_whatever_the_rule_says(
    django_capture_on_commit_callbacks,
):
    rule("erasure-ledger", 1, "days", "logged_at")
    _write(T0, "old@example.be", django_capture_on_commit_callbacks)
    _write(T0 + timedelta(days=20), "young@example.be", django_capture_on_commit_callbacks)
    assert ledger_prune(now=T0 + timedelta(days=30)) == 0  # both inside the backups' 30+ days
    assert ledger_prune(now=T0 + timedelta(days=33)) == 1
    assert _facts() == 1


def test_without_an_active_rule_nothing_is_pruned(django_capture_on_commit_callbacks):
    rule("erasure-ledger", 60, "days", "logged_at")
    RetentionRule.objects.filter(code="erasure-ledger").update(is_active=False)
    _write(T0, "old@example.be", django_capture_on_commit_callbacks)
    assert ledger_prune(now=T0 + timedelta(days=400)) == 0
    assert _facts() == 1


def test_lines_appended_after_a_prune_are_kept(django_capture_on_commit_callbacks):
    rule("erasure-ledger", 60, "days", "logged_at")
    _write(T0, "old@example.be", django_capture_on_commit_callbacks)
    later = T0 + timedelta(days=90)
    with time_machine.travel(later, tick=False):
        assert erasure_ledger_prune_task() == 1
    _write(later, "new@example.be", django_capture_on_commit_callbacks)
    assert [fact["at"] for fact in ledger_read()] == [later.isoformat()]


def test_an_unstamped_line_goes_with_the_older_lines_around_it(
    django_capture_on_commit_callbacks,
):
    rule("erasure-ledger", 60, "days", "logged_at")
    ledger_path().parent.mkdir(parents=True, exist_ok=True)
    ledger_path().write_text('{"fact": "opted_out", "model": "records.contact", "pk": 1}\n')
    _write(T0, "old@example.be", django_capture_on_commit_callbacks)
    _write(T0 + timedelta(days=80), "young@example.be", django_capture_on_commit_callbacks)
    assert ledger_prune(now=T0 + timedelta(days=100)) == 2
    assert _facts() == 1
    assert Contact.objects.count() == 0  # the prune touches the file only
