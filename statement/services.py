"""Publishing the public privacy statement from the register (GDPR Art. 12–14).

Three steps:

1. **gather** (``statement.facts``): ``statement_facts(language=...)`` reads the register into
   plain, JSON-ready facts (Art. 13(1)–(2) and 14(1)–(2): controller, purposes and bases,
   interests, categories, sources, recipients, transfers, retention, rights, authority,
   requirement, automated decisions);
2. **render** (``statement.rendering``): the facts become an HTML body per language
   (``statement/body.html``); their sha256 is the content hash;
3. **publish**: ``statement_publish(...)`` stores a new immutable ``StatementVersion`` (body,
   announcement, footer, PDF per language) only when the hash differs from the newest version.

Public requests never come here: the views serve what was stored (see ``statement.views``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from .facts import statement_facts
from .models import LANGUAGE_CODES, StatementVersion
from .rendering import (
    content_hash,
    statement_announcement,
    statement_body,
    statement_change_summary,
    statement_footer,
    statement_pdf,
)
from .serving import forget

logger = logging.getLogger(__name__)

DEBOUNCE_KEY = "statement:publish-pending"
DEBOUNCE_SECONDS = 30  # settings.STATEMENT_PUBLISH_DEBOUNCE_SECONDS overrides it

Progress = Callable[[str], None]


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


def statement_publish(
    *,
    trigger: str = StatementVersion.Trigger.COMMAND,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> PublishResult:
    """Render every language from the register; store a new version only if content changed.

    Idempotent: publishing an unchanged register returns the newest version and creates
    nothing. A register without controller, active activity or authority raises
    ``StatementIncomplete`` and publishes nothing. Two publishers racing are settled by the
    unique version number.
    """
    started = time.perf_counter()
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
    latest = (
        StatementVersion.objects.newest_first()
        .only("number", "content_hash", "published_at", "facts")
        .first()
    )
    if latest is not None and latest.content_hash == digest:
        return PublishResult(latest, False, time.perf_counter() - started)
    version = _version_build(
        latest=latest,
        facts=facts,
        bodies=bodies,
        footers=footers,
        digest=digest,
        trigger=trigger,
        now=now,
        step=step,
    )
    version.render_seconds = round(time.perf_counter() - started, 3)
    try:
        with transaction.atomic():
            version.save(force_insert=True)
    except IntegrityError:
        # Another publisher stored the same number first; its content is as fresh as ours.
        winner = StatementVersion.objects.newest_first().first()
        return PublishResult(winner, False, time.perf_counter() - started)
    transaction.on_commit(forget)  # this process serves the new version at once
    logger.info("statement published version=%s trigger=%s", version.number, trigger)
    return PublishResult(version, True, time.perf_counter() - started)


def _version_build(
    *, latest, facts, bodies, footers, digest, trigger, now, step
) -> StatementVersion:
    version = StatementVersion(
        number=(latest.number + 1) if latest else 1,
        content_hash=digest,
        published_at=(now or timezone.now()).replace(microsecond=0),  # HTTP dates are seconds
        trigger=trigger,
        is_first=latest is None,
        facts=facts,
    )
    for language in LANGUAGE_CODES:
        old = latest.facts.get(language) if latest else None
        summary = statement_change_summary(old=old, new=facts[language], language=language)
        version.change_summary[language] = summary
        setattr(version, f"body_{language}", bodies[language])
        setattr(version, f"footer_{language}", footers[language])
        setattr(
            version,
            f"announcement_{language}",
            statement_announcement(
                summary=summary, published_at=version.published_at, language=language
            ),
        )
        setattr(
            version,
            f"pdf_{language}",
            statement_pdf(version=version, body=bodies[language], language=language),
        )
        step(f"pdf {language}")
    return version


# --- publishing soon after a register change (debounced) --------------------------------------


def statement_publish_soon() -> None:
    """Ask for a publish once the current transaction commits; bursts of changes make one.

    The first change takes a cache key and enqueues the task with a countdown; changes while
    the key is held ride along (the task clears the key before it reads the register).
    """
    transaction.on_commit(_enqueue_debounced)


def _enqueue_debounced() -> None:
    from .tasks import statement_publish_task

    delay = getattr(settings, "STATEMENT_PUBLISH_DEBOUNCE_SECONDS", DEBOUNCE_SECONDS)
    try:
        if not cache.add(DEBOUNCE_KEY, "1", timeout=delay * 10):
            return
        statement_publish_task.apply_async(
            kwargs={"trigger": StatementVersion.Trigger.REGISTER_CHANGE}, countdown=delay
        )
    except Exception:  # cache or broker down: the change is committed; the daily run publishes
        logger.exception("statement publish could not be queued; the daily run will catch up")
        try:
            cache.delete(DEBOUNCE_KEY)
        except Exception:  # noqa: BLE001 - the cache may be the part that is down
            logger.warning("statement publish debounce key not cleared (cache down)")


def statement_publish_pending_clear() -> None:
    """Called by the task before it reads the register: later changes queue a new run."""
    cache.delete(DEBOUNCE_KEY)
