"""The staff privacy notice (issue 16, purpose G; Art. 13 GDPR): a notice for employees.

Gathered from the register like the public statement (``statement.facts``), but only from the
active activities whose data subjects include the employees category (``EMPLOYEES``). It names
the controller, purposes and legal bases, categories, recipients, retention (from the rules),
the rights and the GBA/APD. Two paragraphs appear only when the register holds their facts:

- collective agreement no. 81 (monitoring of e-mail and internet use) when an activity has
  ``monitors_staff_communications``;
- collective agreement no. 68 (filming staff) when a camera has ``films_staff``: it names those
  cameras' locations and the footage rule's period.

Staff-only: versions are stored and served in the admin (``statement.admin_staff_notice``),
never under the public ``/<lang>/privacy/`` URLs.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass

from django.db import IntegrityError, models, transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation

from registry.hints import shared_reads
from registry.models import (
    Organisation,
    ProcessingActivity,
    RetentionRule,
    SupervisoryAuthority,
)
from registry.models_cameras import Camera

from .facts import (
    _activity_facts,
    _authority_facts,
    _controller_facts,
    _recipient_facts,
    _retention_facts,
)
from .models import LANGUAGE_CODES, StaffNoticeVersion
from .pdfs import version_pdfs_render_soon
from .rendering import content_hash

# The data-subject category the seed gives employees (registry/seed_data.py).
EMPLOYEES = "employees"


class StaffNoticeIncomplete(Exception):
    """The register lacks what the notice must name (controller, authority, a staff activity)."""


@dataclass(frozen=True)
class StaffNoticeSources:
    """What the notice is made of, read from the register once for the three languages."""

    organisation: Organisation | None
    authority: SupervisoryAuthority | None
    activities: list[ProcessingActivity]
    cameras: list[Camera]


def _is_about_staff(activity: ProcessingActivity) -> bool:
    return activity.role == ProcessingActivity.Role.CONTROLLER and any(
        c.code == EMPLOYEES for c in activity.data_subject_categories.all()
    )


def staff_notice_sources(
    *, active_activities: list[ProcessingActivity] | None = None
) -> StaffNoticeSources:
    """Read the register for the notice. ``active_activities``: the active activities already
    loaded with their categories, recipients and rules (the register hints have them)."""
    if active_activities is None:
        active_activities = list(
            ProcessingActivity.objects.active()
            .filter(
                role=ProcessingActivity.Role.CONTROLLER,
                data_subject_categories__code=EMPLOYEES,
            )
            .distinct()
            .prefetch_related(
                "data_categories",
                "data_subject_categories",
                "recipients",
                Prefetch(
                    "retention_rules",
                    queryset=RetentionRule.objects.select_related("data_category"),
                ),
            )
        )
    activities = sorted(
        (a for a in active_activities if _is_about_staff(a)), key=lambda a: (a.position, a.code)
    )
    # Within the register hints, the controller, authority and cameras their checks read.
    reads = shared_reads()
    cameras = [c for c in reads.cameras if c.films_staff]  # by location
    return StaffNoticeSources(reads.organisation, reads.authority, activities, cameras)


def _staff_activity_facts(activity: ProcessingActivity) -> dict:
    # Recipients in the language's order, sorted here: the same whoever loaded them and in
    # which language (the database orders by the active language's name).
    recipients = sorted(activity.recipients.all(), key=lambda r: (r.kind, r.name.casefold()))
    return {**_activity_facts(activity), "recipients": [r.name for r in recipients]}


def staff_notice_facts(*, language: str, sources: StaffNoticeSources | None = None) -> dict:
    """What the staff notice says, read from the register in one language (JSON-ready)."""
    sources = sources or staff_notice_sources()
    activities = sources.activities
    with translation.override(language):
        return {
            "controller": _controller_facts(sources.organisation),
            "authority": _authority_facts(sources.authority),
            "activities": [_staff_activity_facts(a) for a in activities],
            "recipients": _recipient_facts(activities),
            "retention": _retention_facts(activities),
            "monitoring": [
                {"code": a.code, "name": a.name}
                for a in activities
                if a.monitors_staff_communications
            ],
            "cameras": [
                {
                    "location": c.location,
                    "period": c.retention_rule.period_display(),
                    "purpose": c.purpose,
                }
                for c in sources.cameras
            ],
        }


def staff_notice_body(*, facts: dict, language: str) -> str:
    with translation.override(language):
        return render_to_string(
            "statement/staff_notice_body.html", {"facts": facts, "LANGUAGE_CODE": language}
        )


def _require_complete(facts: dict) -> None:
    if not (facts["controller"] and facts["authority"] and facts["activities"]):
        raise StaffNoticeIncomplete


@dataclass(frozen=True)
class StaffNoticeRender:
    """The notice as the register says it now, in every language, with its content hash."""

    facts: dict[str, dict]
    bodies: dict[str, str]
    content_hash: str


def _complete_facts(sources: StaffNoticeSources | None) -> dict[str, dict]:
    sources = sources or staff_notice_sources()
    facts = {lang: staff_notice_facts(language=lang, sources=sources) for lang in LANGUAGE_CODES}
    for lang in LANGUAGE_CODES:
        _require_complete(facts[lang])
    return facts


def _render(facts: dict[str, dict]) -> StaffNoticeRender:
    bodies = {lang: staff_notice_body(facts=facts[lang], language=lang) for lang in LANGUAGE_CODES}
    digest = content_hash(bodies)
    _RENDERED.remember(facts, digest)
    return StaffNoticeRender(facts, bodies, digest)


def staff_notice_render(*, sources: StaffNoticeSources | None = None) -> StaffNoticeRender:
    """Render the notice from the register without storing it (``StaffNoticeIncomplete``
    when the register lacks the controller, the authority or an activity about employees)."""
    return _render(_complete_facts(sources))


class _RenderedHashes:
    """The content hash each recent set of facts (all languages) rendered to, in this process.

    The bodies are a function of the facts, the template and the translation catalogues, and
    the last two do not change while a process runs (the autoreloader's and the tests' changes
    clear this, ``forget``). The facts are read from the register on every call, so a register
    edit that changes what the notice says is a set of facts not seen before, rendered afresh;
    the state is the same as when every call rendered. It spares the three bodies to the
    register hints and the dashboard, which ask on each view.
    """

    KEPT = 8

    def __init__(self) -> None:
        self._hashes: dict[str, str] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(facts: dict[str, dict]) -> str:
        return hashlib.sha256(json.dumps(facts, ensure_ascii=False).encode()).hexdigest()

    def get(self, facts: dict[str, dict]) -> str | None:
        return self._hashes.get(self._key(facts))

    def remember(self, facts: dict[str, dict], digest: str) -> None:
        key = self._key(facts)
        with self._lock:
            self._hashes.pop(key, None)
            self._hashes[key] = digest
            while len(self._hashes) > self.KEPT:
                del self._hashes[next(iter(self._hashes))]

    def forget(self) -> None:
        with self._lock:
            self._hashes.clear()


_RENDERED = _RenderedHashes()
# What a render depends on besides the facts (templates, catalogues) changed in this process.
FORGET_RENDERED_ON = {"TEMPLATES", "LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS"}


def staff_notice_rendered_forget(*, setting: str | None = None, **_signal) -> None:
    """Forget the remembered renders (receiver of ``setting_changed`` and of the autoreloader's
    ``file_changed``, which reload templates and catalogues without a restart)."""
    if setting is None or setting in FORGET_RENDERED_ON:
        _RENDERED.forget()


class StaffNoticeState(models.TextChoices):
    CURRENT = "current"  # the latest version says what the register says
    STALE = "stale"  # the register changed what the notice says
    UNPUBLISHED = "unpublished"
    INCOMPLETE = "incomplete"  # the register cannot make a notice (publishing refuses)


def staff_notice_state(*, sources: StaffNoticeSources | None = None) -> StaffNoticeState:
    """Whether the latest published version still says what a fresh render says.

    A register change never publishes the notice by itself (an officer publishes it and gives
    it to the staff, Art. 13), so the register hints and the dashboard ask for it.
    """
    try:
        facts = _complete_facts(sources)
    except StaffNoticeIncomplete:
        return StaffNoticeState.INCOMPLETE
    digest = _RENDERED.get(facts) or _render(facts).content_hash
    latest = StaffNoticeVersion.objects.newest_first().values_list("content_hash", flat=True)
    published = latest.first()
    if published is None:
        return StaffNoticeState.UNPUBLISHED
    return StaffNoticeState.CURRENT if published == digest else StaffNoticeState.STALE


@dataclass(frozen=True)
class StaffNoticeResult:
    version: StaffNoticeVersion
    created: bool
    seconds: float


def staff_notice_publish(*, published_by=None) -> StaffNoticeResult:
    """Render the notice from the register; store a new version only when its text changed.

    Its PDFs are queued for the worker once this commits (``statement.pdfs``). Raises
    ``StaffNoticeIncomplete`` (nothing stored) when the register lacks the controller, the
    supervisory authority or an active activity about employees.
    """
    started = time.perf_counter()
    rendered = staff_notice_render()
    facts, bodies, digest = rendered.facts, rendered.bodies, rendered.content_hash
    latest = StaffNoticeVersion.objects.newest_first().only("number", "content_hash").first()
    if latest is not None and latest.content_hash == digest:
        return StaffNoticeResult(latest, False, time.perf_counter() - started)
    version = StaffNoticeVersion(
        number=(latest.number + 1) if latest else 1,
        content_hash=digest,
        facts=facts,
        published_at=timezone.now().replace(microsecond=0),
        published_by=published_by,
        published_by_name=(
            (published_by.get_full_name() or published_by.get_username()) if published_by else ""
        ),
    )
    for lang in LANGUAGE_CODES:
        setattr(version, f"body_{lang}", bodies[lang])
    try:
        with transaction.atomic():
            version.save(force_insert=True)
            version_pdfs_render_soon(version=version)
    except IntegrityError:  # another officer published the same number first
        winner = StaffNoticeVersion.objects.get(number=version.number)
        return StaffNoticeResult(winner, False, time.perf_counter() - started)
    return StaffNoticeResult(version, True, time.perf_counter() - started)
