"""The public privacy statement, rendered from the register (GDPR Art. 12–14).

Three steps:

1. **gather** (``registry.statement_facts``): ``statement_facts(language=...)`` reads the
   register into plain, JSON-ready facts (Art. 13(1)–(2) and 14(1)–(2): controller, purposes
   and bases, interests, categories, sources, recipients, transfers, retention, rights,
   authority, requirement, automated decisions);
2. **render**: the facts become an HTML body per language (``registry/statement_body.html``);
   their sha256 is the content hash;
3. **publish**: ``statement_publish(...)`` stores a new immutable ``StatementVersion`` (page
   content, announcement, PDF per language) only when the hash differs from the newest version.

Public requests never come here: the views serve what was stored (see ``registry.views``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import Organisation
from .models_statement import LANGUAGE_CODES, StatementVersion
from .statement_facts import SECTION_TITLES, statement_facts
from .statement_pages import ANNOUNCEMENT_MARKER, FOOTER_MARKER, forget

logger = logging.getLogger(__name__)
# WeasyPrint logs every layout step at INFO; the publish log line says what matters.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

DEBOUNCE_KEY = "registry:statement:publish-pending"
DEBOUNCE_SECONDS = 30  # settings.STATEMENT_PUBLISH_DEBOUNCE_SECONDS overrides it

Progress = Callable[[str], None]

# --- 2. render --------------------------------------------------------------------------------


def statement_links(*, language: str) -> dict:
    """URLs the statement points to, in one language (relative and absolute)."""
    with translation.override(language):
        form = reverse("requests:form")
        return {
            "form_url": form,
            "form_absolute_url": settings.SITE_URL + form,
            "statement_url": reverse("privacy:statement"),
            "statement_absolute_url": settings.SITE_URL + reverse("privacy:statement"),
            "versions_url": reverse("privacy:versions"),
            "pdf_url": reverse("privacy:pdf"),
        }


def statement_body(*, facts: dict, language: str) -> str:
    """The statement's table of contents and sections as an HTML fragment (no dates)."""
    with translation.override(language):
        return render_to_string(
            "registry/statement_body.html",
            {"facts": facts, **statement_links(language=language), "LANGUAGE_CODE": language},
        )


def statement_footer(*, language: str) -> str:
    """The page footer (the controller's identity), rendered now so serving needs no query."""
    with translation.override(language):
        return render_to_string(
            "registry/controller_identity.html", {"org": Organisation.objects.current()}
        )


def content_hash(bodies: dict[str, str]) -> str:
    payload = json.dumps(bodies, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(payload).hexdigest()


def statement_change_summary(*, old: dict | None, new: dict, language: str) -> list[str]:
    """What changed between two sets of facts, as short sentences in one language."""
    with translation.override(language):
        if old is None:
            return [_("First publication of this statement.")]
        lines: list[str] = []
        old_rules = {r["code"]: r for r in old.get("retention", [])}
        new_rules = {r["code"]: r for r in new.get("retention", [])}
        for code, rule in new_rules.items():
            before = old_rules.get(code)
            if before is None:
                lines.append(_("New retention period for “%(label)s”: %(period)s.") % rule)
            elif before["period"] != rule["period"]:
                lines.append(
                    _("Retention period for “%(label)s” changed from %(old)s to %(new)s.")
                    % {"label": rule["label"], "old": before["period"], "new": rule["period"]}
                )
            elif _shown(before) != _shown(rule):
                lines.append(_("Retention of “%(label)s” explained differently.") % rule)
        for code, rule in old_rules.items():
            if code not in new_rules:
                lines.append(_("Retention rule for “%(label)s” removed.") % rule)
        for key, section in _FACT_SECTIONS.items():
            if old.get(key) != new.get(key):
                lines.append(_("Updated section: %(title)s.") % {"title": SECTION_TITLES[section]})
        return lines or [_("Wording and layout improved; no change in what we do with your data.")]


def _shown(rule: dict) -> tuple:
    """What a reader sees of a retention rule (internal keys do not count as a change)."""
    return tuple(rule.get(key) for key in ("label", "purpose", "period", "anchor", "text"))


# Facts key -> the section that shows it (retention has its own, finer summary above).
_FACT_SECTIONS = {
    "controller": "controller",
    "activities": "purposes",
    "data_categories": "data",
    "recipients": "recipients",
    "transfers": "transfers",
    "security": "security",
    "authority": "complaints",
    "processor_activities": "processor",
    "processor_services": "processor",
    "automated": "automated",
}


def statement_announcement(*, summary: list[str], published_at: datetime, language: str) -> str:
    """The notice shown on the page for 30 days after a change (the seed promises it)."""
    with translation.override(language):
        return render_to_string(
            "registry/statement_announcement.html",
            {
                "summary": summary,
                "published_at": published_at,
                **statement_links(language=language),
            },
        )


def statement_main(*, version: StatementVersion, body: str, language: str) -> str:
    """Title, version line, announcement marker and body: what the page shows in <main>."""
    with translation.override(language):
        return render_to_string(
            "registry/statement_main.html",
            {
                "version": version,
                "legal_name": version.facts[language].get("controller", {}).get("legal_name"),
                "body": body,  # our own rendered template output, inserted with |safe
                "announcement_marker": ANNOUNCEMENT_MARKER,
                **statement_links(language=language),
            },
        )


def statement_pdf(*, version: StatementVersion, body: str, language: str) -> bytes:
    """The PDF of one language (WeasyPrint), with the same body as the page."""
    from weasyprint import HTML  # imported here: loading Pango costs ~0.3 s

    with translation.override(language):
        html = render_to_string(
            "registry/statement_pdf.html",
            {
                "version": version,
                "legal_name": version.facts[language].get("controller", {}).get("legal_name"),
                "body": body,  # our own rendered template output, inserted with |safe
                "published_on": date_format(
                    timezone.localtime(version.published_at), "DATE_FORMAT"
                ),
                "LANGUAGE_CODE": language,
                **statement_links(language=language),
            },
        )
    return HTML(string=html, base_url=settings.SITE_URL + "/").write_pdf()


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
        setattr(
            version,
            f"announcement_{language}",
            statement_announcement(
                summary=summary, published_at=version.published_at, language=language
            ),
        )
        setattr(
            version,
            f"html_{language}",
            statement_main(version=version, body=bodies[language], language=language)
            + FOOTER_MARKER
            + footers[language],
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
