"""Publishing the public privacy statement from the register (GDPR Art. 12–14).

Three steps:

1. **gather** (``statement.facts``): ``statement_facts(language=...)`` reads the register into
   plain, JSON-ready facts (Art. 13(1)–(2) and 14(1)–(2): controller, purposes and bases,
   interests, categories, sources, recipients, transfers, retention, rights, authority,
   requirement, automated decisions);
2. **render** (``statement.rendering``): the facts become an HTML body per language
   (``statement/body.html``); their sha256 is the content hash;
3. **publish**: ``statement_publish(...)`` stores a new immutable ``StatementVersion`` (body,
   announcement and footer per language) only when the hash differs from the newest version;
   its PDFs are rendered after the commit by the worker, or by their first reader
   (``statement.pdfs``).

Public requests never come here: the views serve what was stored (see ``statement.views``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from registry.models import Organisation

from .facts import statement_facts
from .models import LANGUAGE_CODES, StatementVersion
from .pdfs import version_pdfs_render_soon
from .rendering import (
    content_hash,
    statement_announcement,
    statement_body,
    statement_change_summary,
    statement_footer,
)
from .serving import forget

logger = logging.getLogger(__name__)

DEBOUNCE_KEY = "statement:draft-pending"
DEBOUNCE_SECONDS = 30  # settings.STATEMENT_PUBLISH_DEBOUNCE_SECONDS overrides it

Progress = Callable[[str], None]
REVIEW_DAYS_DEFAULT = 7


# --- 3. publish -------------------------------------------------------------------------------


class StatementIncomplete(Exception):
    """The register lacks what every statement must name (Art. 13(1)(a),(c), 13(2)(d))."""


def _require_complete(facts: dict) -> None:
    missing = [
        label
        for key, label in (
            ("controller", "the organisation (controller)"),
            ("activities", "an active processing activity"),
            ("authority", "the supervisory authority"),
        )
        if not facts.get(key)
    ]
    if missing:
        raise StatementIncomplete("nothing published: the register lacks " + ", ".join(missing))


@dataclass(frozen=True)
class PublishResult:
    version: StatementVersion
    created: bool
    seconds: float


@dataclass(frozen=True)
class Rendered:
    """Every language rendered from the register, and the hash of what a reader sees."""

    facts: dict[str, dict]
    bodies: dict[str, str]
    footers: dict[str, str]
    digest: str


def statement_render(*, progress: Progress | None = None) -> Rendered:
    """Read the register and render every language's body and footer (no dates, no PDF).

    Raises ``StatementIncomplete`` when the register lacks what every statement must name.
    """
    step = progress or (lambda _label: None)
    facts: dict[str, dict] = {}
    bodies: dict[str, str] = {}
    footers: dict[str, str] = {}
    for language in LANGUAGE_CODES:
        facts[language] = statement_facts(language=language)
        _require_complete(facts[language])
        bodies[language] = statement_body(facts=facts[language], language=language)
        footers[language] = statement_footer(language=language)
        step(f"rendered {language}")
    digest = content_hash({lang: bodies[lang] + footers[lang] for lang in LANGUAGE_CODES})
    return Rendered(facts, bodies, footers, digest)


def _latest_published() -> StatementVersion | None:
    return (
        StatementVersion.objects.newest_first()
        .only("number", "content_hash", "published_at", "facts")
        .first()
    )


def review_days() -> int:
    """The review delay the register sets (Organisation.statement_review_days, default 7)."""
    org = Organisation.objects.current()
    return org.statement_review_days if org is not None else REVIEW_DAYS_DEFAULT


def statement_draft(
    *,
    trigger: str = StatementVersion.Trigger.REGISTER_CHANGE,
    now: datetime | None = None,
) -> StatementVersion | None:
    """Render the register into the pending draft; returns it, or None when nothing differs.

    One draft at a time: a later change replaces the pending draft's content and restarts its
    review delay (the officer always gets the full delay to read what will go public). When the
    register is back to what is published, the pending draft is dropped. Nothing is public
    until ``statement_draft_publish``.
    """
    now = now or timezone.now()
    rendered = statement_render()
    latest = _latest_published()
    with transaction.atomic():
        pending = StatementVersion.objects.drafts().select_for_update().order_by("-drafted_at")
        drafts = list(pending)
        if latest is not None and latest.content_hash == rendered.digest:
            for draft in drafts:
                draft.delete()
            return None
        draft = drafts[0] if drafts else StatementVersion(status=StatementVersion.Status.DRAFT)
        for extra in drafts[1:]:
            extra.delete()
        if draft.pk and draft.content_hash == rendered.digest:
            return draft
        draft.content_hash = rendered.digest
        draft.facts = rendered.facts
        draft.trigger = trigger
        draft.drafted_at = now.replace(microsecond=0)
        draft.publish_after = draft.drafted_at + timedelta(days=review_days())
        for language in LANGUAGE_CODES:
            setattr(draft, f"body_{language}", rendered.bodies[language])
            setattr(draft, f"footer_{language}", rendered.footers[language])
        draft.save()
    logger.info("statement draft rendered trigger=%s until=%s", trigger, draft.publish_after)
    return draft


def statement_draft_publish(
    *,
    draft: StatementVersion,
    approval: str,
    approved_by=None,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> StatementVersion:
    """Publish a pending draft as the next version (announcement rendered now; its PDFs are
    queued for the worker once this commits).

    ``approval`` says how (a privacy officer, the review delay ending); ``approved_by`` is the
    officer. A draft already published or dropped meanwhile raises ``DraftGone``.
    """
    started = time.perf_counter()
    step = progress or (lambda _label: None)
    with transaction.atomic():
        locked = StatementVersion.objects.drafts().select_for_update().filter(pk=draft.pk).first()
        if locked is None:
            raise DraftGone("this draft was published or replaced meanwhile")
        latest = _latest_published()
        _publish_into(locked, latest=latest, now=now, step=step)
        locked.approval = approval
        locked.approved_by = approved_by
        locked.approved_by_name = _name(approved_by)
        locked.render_seconds = round(time.perf_counter() - started, 3)
        locked.save()
        version_pdfs_render_soon(version=locked)
    transaction.on_commit(forget)  # this process serves the new version at once
    logger.info("statement published version=%s approval=%s", locked.number, approval)
    return locked


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


class DraftGone(Exception):
    """The draft asked for was published or replaced by another request meanwhile."""


def statement_drafts_publish_due(*, now: datetime | None = None) -> list[int]:
    """Publish every draft whose review delay has passed; returns the new version numbers."""
    now = now or timezone.now()
    published: list[int] = []
    for draft in StatementVersion.objects.due(now).only("pk"):
        try:
            version = statement_draft_publish(
                draft=draft, approval=StatementVersion.Approval.AUTOMATIC, now=now
            )
        except DraftGone:
            continue
        if version.number is not None:
            published.append(version.number)
    return published


def statement_publish(
    *,
    trigger: str = StatementVersion.Trigger.COMMAND,
    now: datetime | None = None,
    progress: Progress | None = None,
    queue_pdfs: bool = True,
) -> PublishResult:
    """The operator's direct publish (first run, ``publish_statement``): no review delay.

    The PDFs are queued for the worker once this commits; with ``queue_pdfs=False`` nothing is
    queued and each PDF is rendered by its first reader (``statement.pdfs.version_pdf``).
    Idempotent: publishing an unchanged register returns the newest version and creates
    nothing. A register without controller, active activity or authority raises
    ``StatementIncomplete`` and publishes nothing. A pending draft is superseded (dropped):
    what it said is now published or outdated. Two publishers racing are settled by the
    unique version number.
    """
    started = time.perf_counter()
    step = progress or (lambda _label: None)
    rendered = statement_render(progress=step)
    latest = _latest_published()
    if latest is not None and latest.content_hash == rendered.digest:
        return PublishResult(latest, False, time.perf_counter() - started)
    version = StatementVersion(content_hash=rendered.digest, facts=rendered.facts, trigger=trigger)
    for language in LANGUAGE_CODES:
        setattr(version, f"body_{language}", rendered.bodies[language])
        setattr(version, f"footer_{language}", rendered.footers[language])
    _publish_into(version, latest=latest, now=now, step=step)
    version.approval = StatementVersion.Approval.COMMAND
    version.render_seconds = round(time.perf_counter() - started, 3)
    try:
        with transaction.atomic():
            version.save(force_insert=True)
            StatementVersion.objects.drafts().delete()
            if queue_pdfs:
                version_pdfs_render_soon(version=version)
    except IntegrityError:
        # Another publisher stored the same number first; its content is as fresh as ours.
        winner = StatementVersion.objects.newest_first().get(number=version.number)
        return PublishResult(winner, False, time.perf_counter() - started)
    transaction.on_commit(forget)  # this process serves the new version at once
    logger.info("statement published version=%s trigger=%s", version.number, trigger)
    return PublishResult(version, True, time.perf_counter() - started)


def _publish_into(version: StatementVersion, *, latest, now, step) -> None:
    """Number, date, change summary and announcement of a version about to go public (its
    PDFs come after the commit: ``statement.pdfs``)."""
    version.status = StatementVersion.Status.PUBLISHED
    version.number = (latest.number + 1) if latest else 1
    # HTTP dates are whole seconds
    version.published_at = (now or timezone.now()).replace(microsecond=0)
    version.is_first = latest is None
    version.publish_after = None
    for language in LANGUAGE_CODES:
        old = latest.facts.get(language) if latest else None
        summary = statement_change_summary(old=old, new=version.facts[language], language=language)
        version.change_summary[language] = summary
        setattr(
            version,
            f"announcement_{language}",
            statement_announcement(
                summary=summary, published_at=version.published_at, language=language
            ),
        )
        step(f"announced {language}")


# --- a draft soon after a register change (debounced) ------------------------------------------


def statement_draft_soon() -> None:
    """Ask for a new draft once the current transaction commits; bursts of changes make one.

    The first change takes a cache key and enqueues the task with a countdown; changes while
    the key is held ride along (the task clears the key before it reads the register).
    """
    transaction.on_commit(_enqueue_debounced)


def _enqueue_debounced() -> None:
    from .tasks import statement_draft_task

    delay = getattr(settings, "STATEMENT_PUBLISH_DEBOUNCE_SECONDS", DEBOUNCE_SECONDS)
    try:
        if not cache.add(DEBOUNCE_KEY, "1", timeout=delay * 10):
            return
        statement_draft_task.apply_async(
            kwargs={"trigger": StatementVersion.Trigger.REGISTER_CHANGE}, countdown=delay
        )
    except Exception:  # cache or broker down: the change is committed; the daily run drafts
        logger.exception("statement draft could not be queued; the daily run will catch up")
        try:
            cache.delete(DEBOUNCE_KEY)
        except Exception:  # noqa: BLE001 - the cache may be the part that is down
            logger.warning("statement draft debounce key not cleared (cache down)")


def statement_draft_pending_clear() -> None:
    """Called by the task before it reads the register: later changes queue a new run."""
    cache.delete(DEBOUNCE_KEY)
