"""Write operations on the records: delete (used by retention and requests), suppression,
legal holds, the camera footage index and its orphan sweep."""

import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext, override

from registry import periods
from registry.models import RetentionRule

from .deletion import (  # noqa: F401  (re-exported)
    RecordsDeleteRefused,
    newsletter_consent_proofs_keep,
    records_delete,
    records_delete_refusal,
)
from .ledger import ledger_opted_out, ledger_suppressed
from .models import (
    CameraRecording,
    Contact,
    IdempotencyRecord,
    Invoice,
    LegalHold,
    NewsletterSubscription,
    RestrictionLiftReason,
    RestrictionReason,
    SuppressionEntry,
    WebInquiry,
    fiscal_year_end_settings,
)
from .normalise import email_hash, normalise_email

logger = logging.getLogger(__name__)


def footage_path(relative: str) -> Path | None:
    """The absolute path of a footage file, or None if `relative` escapes the footage dir."""
    root = Path(settings.CAMERA_FOOTAGE_DIR).resolve()
    path = (root / relative).resolve()
    return path if path.is_relative_to(root) and path != root else None


def footage_files_unlink(*, paths: Iterable[str]) -> int:
    """Remove footage files (relative paths); a missing file is fine. Returns files removed."""
    removed = 0
    for relative in paths:
        path = footage_path(relative)
        if path is None:
            logger.warning("footage path outside CAMERA_FOOTAGE_DIR ignored")
            continue
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            continue
    return removed


# --- Suppression and legal holds --------------------------------------------------------------


def suppression_add(*, email: str, reason: str) -> SuppressionEntry:
    """Put an address on the suppression list (idempotent); only its keyed hash is stored.

    An entry written under a fallback key (before a key rotation) is found and re-keyed.
    """
    ledger_suppressed(emails=[email], reason=reason)  # survives a restore (records/ledger.py)
    digest = email_hash(email)
    existing = SuppressionEntry.objects.matching(email).order_by("pk").first()
    if existing is not None:
        if existing.email_hash != digest:
            existing.email_hash = digest
            existing.save(update_fields=["email_hash"])
        return existing
    entry, _ = SuppressionEntry.objects.get_or_create(
        email_hash=digest, defaults={"reason": reason}
    )
    return entry


# --- Restriction (Art. 18), objection (Art. 21), erasure with kept invoices (Art. 17(3)(b)) --


class ContactStateRefused(ValueError):
    """Bad input for a restriction / objection / erasure: nothing was changed."""


def _brussels_today(now: datetime) -> date:
    return timezone.localdate(now)  # TIME_ZONE is Europe/Brussels


@transaction.atomic
def contact_restrict(
    *, pks: Iterable[int], reason: str, until: date, now: datetime | None = None
) -> int:
    """Art. 18(1): restrict processing of these contacts to storage, for `reason`, until
    `until` (the expected end: verification done, claim decided). No marketing meanwhile.
    The purge leaves them alone; past `until` they show on the dashboard for a decision.
    A contact already restricted keeps the date its restriction began (a new end or reason).
    Raises ContactStateRefused (nothing changed) for an unknown reason or an end not after
    today."""
    now = now or timezone.now()
    if reason not in RestrictionReason.values:
        raise ContactStateRefused(f"unknown restriction reason {reason!r}")
    if until is None or until <= _brussels_today(now):
        raise ContactStateRefused("a restriction needs an end after today")
    return Contact.objects.filter(pk__in=list(pks)).update(
        restricted=True,
        restriction_reason=reason,
        restricted_at=Coalesce("restricted_at", Value(now)),
        restricted_until=until,
        marketing_opt_out=True,
    )


def contact_restriction_lift(
    *, pks: Iterable[int], reason: str, now: datetime | None = None
) -> int:
    """End a restriction (Art. 18): staff decided, and told the person beforehand (Art.
    18(3)). Records when and why (RestrictionLiftReason) on the contact, which then follows
    its retention rule again. Returns the contacts lifted (those not restricted are left
    alone). Raises ContactStateRefused (nothing changed) for an unknown reason."""
    if reason not in RestrictionLiftReason.values:
        raise ContactStateRefused(f"unknown reason for lifting a restriction {reason!r}")
    return Contact.objects.filter(pk__in=list(pks), restricted=True).update(
        restricted=False,
        restriction_reason="",
        restricted_at=None,
        restricted_until=None,
        restriction_lifted_at=now or timezone.now(),
        restriction_lift_reason=reason,
    )


@transaction.atomic
def contact_object(*, pks: Iterable[int], emails: Iterable[str] = ()) -> dict[str, int]:
    """Art. 21(2)-(3): an objection to direct marketing ends marketing use (opt-out, and the
    addresses on the suppression list); the contact is NOT exempted from its retention rule
    (Art. 5(1)(e)): it is purged when its period ends, like any other."""
    contacts = Contact.objects.filter(pk__in=list(pks))
    addresses = set(
        contacts.exclude(email_normalised="").values_list("email_normalised", flat=True)
    )
    addresses |= {normalise_email(e) for e in emails if normalise_email(e)}
    ledger_opted_out(model=Contact, pks=contacts.values_list("pk", flat=True))
    count = contacts.update(marketing_opt_out=True)
    for address in sorted(addresses):
        suppression_add(email=address, reason=SuppressionEntry.Reason.OBJECTION)
    return {"contacts": count, "suppressed": len(addresses)}


@transaction.atomic
def contact_erase_keeping_invoices(*, pks: Iterable[int], now: datetime | None = None) -> int:
    """Art. 17(1) limited by 17(3)(b): blank at once every field the tax law does not need
    (Contact.NOT_FOR_INVOICE_FIELDS: e-mail, phones, website, source, ...), keep what the
    invoices need, stop marketing, suppress the address; the row then goes with the
    customer's last invoice (records_delete of the `invoice` rule), on
    `contact_erasure_date`."""
    now = now or timezone.now()
    contacts = Contact.objects.filter(pk__in=list(pks))
    for address in contacts.exclude(email_normalised="").values_list("email_normalised", flat=True):
        suppression_add(email=address, reason=SuppressionEntry.Reason.ERASURE)
    return contacts.update(
        **dict.fromkeys(Contact.NOT_FOR_INVOICE_FIELDS, ""),
        marketing_opt_out=True,
        erasure_requested_at=now,
    )


def contact_erasure_date(*, contact: Contact) -> date | None:
    """The Brussels date from which the purge deletes a contact erased while its invoices
    must be kept: the day after the `invoice` rule's period, counted from the end of the
    fiscal year of the customer's last invoice, ends. None when no active `invoice` rule or
    no invoice keeps it (it can go at once)."""
    rule = RetentionRule.objects.filter(code=Invoice.retention_rule_code, is_active=True).first()
    last = contact.invoices.order_by("-issue_date").values_list("issue_date", flat=True).first()
    if rule is None or last is None:
        return None
    end_month, end_day = fiscal_year_end_settings()
    year_end = periods.fiscal_year_end(last, end_month=end_month, end_day=end_day)
    expires = rule.expires_at(periods.end_of_day(year_end))
    return expires.astimezone(periods.BRUSSELS).date() + timedelta(days=1)


def contact_erasure_notice(*, pks: Iterable[int], language: str) -> str:
    """The sentence the person reads about contacts kept for their invoices: what was
    deleted at once, what is kept, why, and the date it goes — from the register's rule."""
    contacts = list(Contact.objects.filter(pk__in=list(pks)))
    invoices = Invoice.objects.filter(contact__in=contacts).count()
    dates = [d for d in (contact_erasure_date(contact=c) for c in contacts) if d is not None]
    with override(language):
        text = ngettext(
            "Kept: %(count)s invoice and the billing details on it (name, address, VAT "
            "number), because Belgian accounting and tax law obliges us to keep invoices "
            "(Art. 17(3)(b) GDPR). Your e-mail address, phone numbers and website were "
            "deleted at once; what is kept is used for nothing else.",
            "Kept: %(count)s invoices and the billing details on them (name, address, VAT "
            "number), because Belgian accounting and tax law obliges us to keep invoices "
            "(Art. 17(3)(b) GDPR). Your e-mail address, phone numbers and website were "
            "deleted at once; what is kept is used for nothing else.",
            invoices,
        ) % {"count": invoices}
        if dates:
            text += " " + gettext("They will be deleted on %(date)s.") % {
                "date": date_format(max(dates), "DATE_FORMAT")
            }
    return text


def legal_hold_set(
    *,
    record: models.Model,
    reason: str,
    set_by=None,
    until: datetime | None = None,
) -> LegalHold:
    """Keep `record` out of every purge and erasure until released or `until` passes."""
    return LegalHold.objects.create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        reason=reason,
        set_by=set_by,
        until=until,
    )


def legal_hold_release(*, hold: LegalHold, now: datetime | None = None) -> LegalHold:
    """End a hold; the record follows its retention rule again from the next purge."""
    if hold.released_at is None:
        hold.released_at = now or timezone.now()
        hold.save(update_fields=["released_at"])
    return hold


# --- Camera footage index ---------------------------------------------------------------------

# cam1_20261128T101500.mp4 or cam1_20261128T101500_20261128T103000.mp4 (Brussels local time,
# as the recorder writes it; a trailing Z means UTC).
FOOTAGE_NAME = re.compile(
    r"^(?P<camera>[A-Za-z0-9-]+)_(?P<start>\d{8}T\d{6}Z?)(?:_(?P<end>\d{8}T\d{6}Z?))?\.[A-Za-z0-9]+$"
)
FOOTAGE_SETTLE = timedelta(seconds=60)  # a file younger than this may still be written


def _parse_stamp(stamp: str) -> datetime:
    """'20261128T101500' (Brussels wall clock) or '...Z' (UTC); ValueError if not a date.

    Sliced by hand: strptime was the scan's largest cost per new file.
    """
    tz = UTC if stamp.endswith("Z") else periods.BRUSSELS
    return datetime(
        int(stamp[0:4]),
        int(stamp[4:6]),
        int(stamp[6:8]),
        int(stamp[9:11]),
        int(stamp[11:13]),
        int(stamp[13:15]),
        tzinfo=tz,
    )


@dataclass
class FootageFile:
    relative: str
    camera: str
    recorded_from: datetime
    recorded_to: datetime | None
    size_bytes: int
    mtime: datetime


def footage_file_read(entry: os.DirEntry, relative: str) -> FootageFile:
    """What the index knows of one file: camera and time from its name, else mtime."""
    stat = entry.stat(follow_symlinks=False)
    mtime = datetime.fromtimestamp(stat.st_mtime, tz=UTC)
    match = FOOTAGE_NAME.match(entry.name)
    recorded_from, recorded_to, camera = mtime, None, ""
    if match:
        try:
            recorded_from = _parse_stamp(match["start"])
            recorded_to = _parse_stamp(match["end"]) if match["end"] else None
            camera = match["camera"]
        except ValueError:  # digits in the right shape but not a date (e.g. month 13)
            recorded_from, recorded_to = mtime, None
    if not camera:
        parent = relative.rpartition("/")[0]
        camera = parent or "unknown"
    return FootageFile(relative, camera[:50], recorded_from, recorded_to, stat.st_size, mtime)


def footage_entries(root: Path | None = None) -> Iterable[tuple[str, os.DirEntry]]:
    """(path relative to the footage dir, entry) of every regular file under it.

    Recursive, symlinks not followed, dot-files skipped. Cheap: no stat, no parsing, so a
    rescan pays only for the files it has not indexed yet.
    """
    root = Path(root or settings.CAMERA_FOOTAGE_DIR)
    if not root.is_dir():
        return
    stack = [("", str(root))]
    while stack:
        prefix, folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append((f"{prefix}{entry.name}/", entry.path))
                elif entry.is_file(follow_symlinks=False):
                    yield prefix + entry.name, entry


def footage_files(root: Path | None = None) -> Iterable[FootageFile]:
    """Every regular file under CAMERA_FOOTAGE_DIR with its camera, time and size."""
    for relative, entry in footage_entries(root):
        yield footage_file_read(entry, relative)


@dataclass
class FootageScanResult:
    seen: int = 0
    indexed: int = 0
    settling: int = 0
    missing: int = 0
    extra: dict = field(default_factory=dict)


def camera_footage_scan(
    *, now: datetime | None = None, batch_size: int = 1000
) -> FootageScanResult:
    """Index new footage files under settings.CAMERA_FOOTAGE_DIR as CameraRecording rows.

    Idempotent (unique file_path, conflicts ignored); a file modified in the last minute is
    left for the next scan; rows whose file disappeared are counted, not deleted (the
    purge owns deletion).
    """
    now = now or timezone.now()
    result = FootageScanResult()
    known = set(CameraRecording.objects.values_list("file_path", flat=True))
    on_disk: set[str] = set()
    batch: list[CameraRecording] = []
    for relative, entry in footage_entries():
        result.seen += 1
        on_disk.add(relative)
        if relative in known:
            continue
        found = footage_file_read(entry, relative)
        if now - found.mtime < FOOTAGE_SETTLE:
            result.settling += 1
            continue
        batch.append(
            CameraRecording(
                camera=found.camera,
                file_path=found.relative,
                recorded_from=found.recorded_from,
                recorded_to=found.recorded_to,
                size_bytes=found.size_bytes,
            )
        )
        if len(batch) >= batch_size:
            result.indexed += len(CameraRecording.objects.bulk_create(batch, ignore_conflicts=True))
            batch = []
    if batch:
        result.indexed += len(CameraRecording.objects.bulk_create(batch, ignore_conflicts=True))
    result.missing = len(known - on_disk)
    logger.info(
        "camera_footage_scan seen=%s indexed=%s settling=%s missing=%s",
        result.seen,
        result.indexed,
        result.settling,
        result.missing,
    )
    return result


def camera_footage_orphans_sweep(
    *, now: datetime | None = None, min_age: timedelta = timedelta(days=14), dry_run: bool = False
) -> int:
    """Remove footage files that are on disk, not in the index, and older than `min_age`.

    Age comes from the file name's timestamp, else mtime (like the scan). A file the index
    knows is never touched here: indexed files follow the retention rule and legal holds.
    Returns the number of files removed (or that would be, with dry_run).
    """
    now = now or timezone.now()
    known = set(CameraRecording.objects.values_list("file_path", flat=True))
    orphans = [
        relative
        for relative, entry in footage_entries()
        if relative not in known
        and now - footage_file_read(entry, relative).recorded_from > min_age
    ]
    if dry_run:
        return len(orphans)
    removed = footage_files_unlink(paths=orphans)
    logger.info("camera_footage_orphans_sweep removed=%s", removed)
    return removed


# --- Website / webshop intake (the integration API) -------------------------------------------


class ConsentNotFresh(Exception):
    """A subscription for a suppressed address whose consent predates the suppression."""


def web_inquiry_create(
    *,
    name: str,
    email: str,
    message: str,
    source: str,
    phone: str = "",
    company: str = "",
    received_at: datetime | None = None,
) -> WebInquiry:
    """Store a contact-form message; link it to the contact with the same e-mail, if any.

    Retention starts now (`web-inquiry`, 1 year) unless that contact is or becomes a customer.
    """
    inquiry = WebInquiry(
        name=name,
        email=email,
        phone=phone,
        company=company,
        message=message,
        source=source,
        received_at=received_at or timezone.now(),
    )
    inquiry.full_clean(exclude=["contact"])
    inquiry.contact = (
        Contact.objects.filter(email_normalised=inquiry.email_normalised).order_by("-pk").first()
    )
    inquiry.save()
    return inquiry


def newsletter_subscribe(
    *,
    email: str,
    consent_given_at: datetime,
    source: str,
    consent_text: str = "",
    statement_version: str = "",
) -> tuple[NewsletterSubscription, bool]:
    """Record a consent (Art. 7(1): what was shown, when, where); (subscription, created).

    An address already subscribed keeps its subscription. A suppressed address is subscribed
    again only with a consent given after it was suppressed (a fresh consent, which then
    lifts the suppression); otherwise ConsentNotFresh.
    """
    existing = (
        NewsletterSubscription.objects.active()
        .filter(email_normalised=normalise_email(email))
        .first()
    )
    if existing is not None:
        return existing, False
    suppression = SuppressionEntry.objects.matching(email).first()
    if suppression is not None:
        if consent_given_at <= suppression.created_at:
            raise ConsentNotFresh
        records_delete(model=SuppressionEntry, pks=[suppression.pk])
    subscription = NewsletterSubscription(
        email=email,
        consent_given_at=consent_given_at,
        consent_text=consent_text,
        statement_version=statement_version,
        source=source,
    )
    subscription.full_clean()
    subscription.save()
    return subscription, True


def newsletter_withdraw(
    *, email: str, withdrawn_at: datetime | None = None
) -> tuple[list[int], SuppressionEntry]:
    """Withdraw consent (Art. 7(3): as easy as giving it) and suppress the address.

    Returns the ids of the subscriptions withdrawn (none is fine: the address is suppressed
    all the same) and the suppression entry. The rows go at the next `newsletter` purge.
    """
    withdrawn_at = withdrawn_at or timezone.now()
    active = NewsletterSubscription.objects.active().filter(email_normalised=normalise_email(email))
    ids = list(active.values_list("pk", flat=True))
    NewsletterSubscription.objects.filter(pk__in=ids).update(withdrawn_at=withdrawn_at)
    entry = suppression_add(email=email, reason=SuppressionEntry.Reason.WITHDRAWN)
    return ids, entry


def idempotency_records_prune(*, now: datetime | None = None) -> int:
    """Forget stored API answers older than 24 hours (a retry after that is a new call)."""
    moment = (now or timezone.now()) - timedelta(hours=24)
    deleted, _ = IdempotencyRecord.objects.older_than(moment).delete()
    return deleted
