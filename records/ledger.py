"""The erasure ledger: erasures, withdrawals and objections survive a restore (issue 19, finding 7).

A database restored from a backup brings back whatever was erased, withdrawn or objected to
after the backup was taken. The ledger is an append-only file outside the database
(``ERASURE_LEDGER_PATH``, by default ``PRIVATE_STORAGE_DIR/erasure-ledger/ledger.jsonl``, mode
0600) with one JSON line per fact, and no personal data:

- ``{"fact": "erased", "model": "records.contact", "pk": 12, "email": "<keyed hash>"}``: a row an
  erasure request deleted (Art. 17);
- ``{"fact": "minimised", "model": "records.contact", "pk": 12}``: a contact an erasure blanked
  while its invoices must still be kept (Art. 17(3)(b));
- ``{"fact": "opted_out", "model": "records.contact", "pk": 12}``: a contact that objected to
  direct marketing;
- ``{"fact": "suppressed", "reason": "withdrawn" | "objection" | "erasure", "email": "<keyed
  hash>"}``: an address that withdrew consent (Art. 7(3)), objected to marketing (Art. 21(3)) or
  was erased: its active subscriptions end, its contacts get no marketing.

The e-mail hash is ``records.normalise.email_hash`` (HMAC-SHA256 under ``SUPPRESSION_KEY``),
the suppression list's own key: the ledger cannot be read back into addresses without the key.
Lines are written after the transaction commits (an erasure that rolled back is not in it) and
flushed to disk at once.

The ledger is a store of its own (Art. 5(1)(e)): register rule ``erasure-ledger`` ends it.
``ledger_prune`` (beat task ``records.erasure_ledger_prune``, daily) drops the lines older than
the rule's period, and never a line a kept backup may still lack: backups are kept 30 days
(docs/OPERATIONS.md "Backups"), so a line goes only once it is older than ``BACKUPS_KEPT`` plus
``SNAPSHOT_MARGIN``, whatever period the register says.

``manage.py replay_erasures`` (``records.replay.erasures_replay``; run by ``manage.py restore``
and by the documented restore procedure) applies every fact again to whatever the restored
database brought back, and records what it did (``ErasureReplay``). ``manage.py restore`` keeps
the current ledger when it puts the backup's private files back (``ledger_kept``).
"""

import fcntl
import json
import logging
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from registry.models import RetentionRule

from .normalise import email_hash

logger = logging.getLogger(__name__)


def ledger_path() -> Path:
    configured = getattr(settings, "ERASURE_LEDGER_PATH", "")
    if configured:
        return Path(configured)
    return Path(settings.PRIVATE_STORAGE_DIR) / "erasure-ledger" / "ledger.jsonl"


@contextmanager
def _ledger_locked() -> Iterator[Path]:
    """An exclusive lock (a lock file beside the ledger, never replaced): an append waits while
    the prune rewrites the file, so no line is written into a file being replaced."""
    path = ledger_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield path
    finally:
        os.close(fd)  # releases the lock


def _write_synced(path: Path, data: bytes, mode: int) -> None:
    """Write ``data`` (``mode``: os.O_APPEND or os.O_TRUNC) owner-only, flushed to disk."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | mode, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def _append(lines: list[dict]) -> None:
    data = "".join(json.dumps(line, sort_keys=True) + "\n" for line in lines).encode()
    with _ledger_locked() as path:
        _write_synced(path, data, os.O_APPEND)


def _after_commit(lines: list[dict]) -> None:
    if not lines:
        return
    stamp = timezone.now().isoformat()
    lines = [{"at": stamp, **line} for line in lines]
    transaction.on_commit(lambda: _append(lines))


def ledger_erased(*, model: type[models.Model], pks: Iterable, emails: Iterable[str] = ()) -> None:
    """Rows an erasure request deletes (call inside its transaction, before the delete)."""
    label = model._meta.label_lower
    email_field = "email_normalised" if hasattr(model, "email_normalised") else None
    pks = list(pks)
    by_pk = {}
    if email_field:
        by_pk = dict(model._default_manager.filter(pk__in=pks).values_list("pk", email_field))
    lines = [
        {"fact": "erased", "model": label, "pk": pk, "email": email_hash(by_pk[pk])}
        if by_pk.get(pk)
        else {"fact": "erased", "model": label, "pk": pk}
        for pk in pks
    ]
    lines += [{"fact": "suppressed", "reason": "erasure", "email": email_hash(e)} for e in emails]
    _after_commit(lines)


def ledger_minimised(*, model: type[models.Model], pks: Iterable) -> None:
    """Contacts an erasure blanked while their invoices must be kept."""
    label = model._meta.label_lower
    _after_commit([{"fact": "minimised", "model": label, "pk": pk} for pk in pks])


def ledger_opted_out(*, model: type[models.Model], pks: Iterable) -> None:
    """Contacts that objected to direct marketing (Art. 21(3)), with or without an address."""
    label = model._meta.label_lower
    _after_commit([{"fact": "opted_out", "model": label, "pk": pk} for pk in pks])


def ledger_suppressed(*, emails: Iterable[str], reason: str) -> None:
    """Addresses that withdrew consent, objected or were erased (the suppression reasons)."""
    _after_commit(
        [{"fact": "suppressed", "reason": reason, "email": email_hash(e)} for e in emails if e]
    )


def ledger_read(path: Path | None = None) -> Iterator[dict]:
    """Every fact, oldest first; a torn last line (a crash mid-write) is skipped and logged."""
    path = path or ledger_path()
    if not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                logger.warning("erasure ledger line %s unreadable: skipped", number)


@contextmanager
def ledger_kept():
    """Keep the current ledger while a restore replaces the private files by a backup's."""
    path = ledger_path()
    saved = path.read_bytes() if path.exists() else None
    try:
        yield
    finally:
        if saved is not None:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            current = path.read_bytes() if path.exists() else b""
            if current != saved:
                _write_synced(path, saved, os.O_TRUNC)


# A fact stamped this long before the backup's start may still be missing from it: the stamp is
# taken when the erasure registers its ledger line, just before its transaction commits.
SNAPSHOT_MARGIN = timedelta(minutes=5)


def after_backup(fact: dict, since: datetime | None) -> bool:
    """Whether a fact names a row by primary key that the restored database may have brought back.

    Row ids are only meaningful against the backup they came from: a restore resets the id
    counters, so after it a new row can get the id of a row erased earlier. A fact about a row
    id is therefore replayed only against a backup taken before the fact (``since``: the
    backup's start); without ``since`` no row-id fact is replayed (only address facts are).
    """
    if since is None:
        return False
    try:
        at = datetime.fromisoformat(fact["at"])
    except (KeyError, TypeError, ValueError):
        return True  # unstamped: written by an early version, before any id could be reused
    return at >= since - SNAPSHOT_MARGIN


# --- Retention of the ledger itself (register rule `erasure-ledger`) -----------------------------

LEDGER_RULE_CODE = "erasure-ledger"
# docs/OPERATIONS.md "Backups": nightly backups are kept 30 days (`find -mtime +30` removes a
# folder once it is 31 whole days old, at the next nightly run): the oldest backup that can still
# be restored is at most 32 days old. A line younger than that (plus the snapshot margin) may be
# all that keeps a restore from bringing an erased row back, so it stays whatever the rule says.
BACKUPS_KEPT = timedelta(days=32)


def ledger_cutoff(*, now: datetime | None = None) -> datetime | None:
    """Lines stamped at or before this instant may go; None when the register has no active
    `erasure-ledger` rule (nothing is pruned without one, as the purge skips an inactive rule).
    The rule's cutoff, but never later than the oldest kept backup minus SNAPSHOT_MARGIN."""
    now = now or timezone.now()
    rule = RetentionRule.objects.filter(code=LEDGER_RULE_CODE, is_active=True).first()
    if rule is None:
        return None
    return min(rule.cutoff(now), now - BACKUPS_KEPT - SNAPSHOT_MARGIN)


def _stamp(line: str) -> datetime | None:
    try:
        return datetime.fromisoformat(json.loads(line)["at"])
    except (KeyError, TypeError, ValueError):
        return None  # unstamped (an early version) or torn: as old as the lines around it


def _expired_prefix(lines: list[str], cutoff: datetime) -> int:
    """How many lines from the start have expired: the file is in time order, so every line up
    to the last one stamped at or before the cutoff (unstamped ones among them) is older."""
    end = 0
    for number, line in enumerate(lines, start=1):
        stamp = _stamp(line)
        if stamp is None:
            continue
        if stamp > cutoff:
            break
        end = number
    return end


def ledger_expired_count(*, now: datetime | None = None) -> int:
    """How many lines ``ledger_prune`` would remove at ``now`` (reads only)."""
    cutoff = ledger_cutoff(now=now)
    path = ledger_path()
    if cutoff is None or not path.exists():
        return 0
    return _expired_prefix(path.read_text(encoding="utf-8").splitlines(True), cutoff)


def ledger_prune(*, now: datetime | None = None) -> int:
    """Storage limitation of the ledger (Art. 5(1)(e)): remove the lines older than the
    `erasure-ledger` rule's period and than every kept backup (``ledger_cutoff``). The file is
    rewritten beside the old one and swapped in under the ledger's lock (owner-only, flushed);
    appends wait meanwhile. Idempotent; returns the number of lines removed."""
    cutoff = ledger_cutoff(now=now)
    if cutoff is None:
        return 0
    with _ledger_locked() as path:
        if not path.exists():
            return 0
        lines = path.read_text(encoding="utf-8").splitlines(True)
        removed = _expired_prefix(lines, cutoff)
        if removed:
            _replace(path, "".join(lines[removed:]).encode())
    logger.info("event=erasure_ledger_pruned removed=%s kept=%s", removed, len(lines) - removed)
    return removed


def _replace(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".new")
    _write_synced(temporary, data, os.O_TRUNC)
    os.replace(temporary, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
