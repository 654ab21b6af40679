"""Drafts and published versions of the public privacy statement (GDPR Art. 12–14).

A register change renders a *draft* (not public). A privacy officer reviews its diff and
publishes it, or it publishes itself once the review delay the register sets has passed
(``Organisation.statement_review_days``). A published version is immutable: its bodies,
announcement, footer and PDFs never change afterwards, and it records who approved it. See
``statement.services``. Its PDFs are stored just after it is published (``statement.pdfs``):
NULL until then.
"""

from datetime import datetime, timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The seed promises to announce changes on the website; we show the announcement this long.
ANNOUNCEMENT_DAYS = 30

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)

# What a version says about who approved or published it once the name has ended (rules
# `statement-approver` and `staff-notice-publisher`, Art. 5(1)(e)): the role, not the person.
# The staff role's group name (cdot_privacy.roles.PRIVACY_OFFICER); shown translated.
ROLE_INSTEAD_OF_NAME = "Privacy officer"


NAME_ENDED = _("name removed after its retention period")


def staff_name_display(name: str) -> str:
    """A stored approver/publisher name as staff read it: the role in their language once
    the name has given way to it."""
    if name == ROLE_INSTEAD_OF_NAME:
        return str(_("a privacy officer (name removed after its retention period)"))
    return name


class StatementVersionQuerySet(models.QuerySet):
    def published(self) -> "StatementVersionQuerySet":
        return self.filter(status=StatementVersion.Status.PUBLISHED)

    def drafts(self) -> "StatementVersionQuerySet":
        return self.filter(status=StatementVersion.Status.DRAFT)

    def newest_first(self) -> "StatementVersionQuerySet":
        """Published versions, the newest first (drafts are never public)."""
        return self.published().order_by("-number")

    def pending_draft(self) -> "StatementVersion | None":
        return self.drafts().order_by("-drafted_at").first()

    def due(self, now: datetime) -> "StatementVersionQuerySet":
        """Drafts whose review delay has passed: they publish themselves."""
        return self.drafts().filter(publish_after__lte=now)

    def latest_for_page(self, language: str) -> "StatementVersion | None":
        """The newest version with only what the public page needs: one query."""
        return (
            self.newest_first()
            .only(
                "number",
                "content_hash",
                "published_at",
                "is_first",
                "facts",
                f"body_{language}",
                f"announcement_{language}",
                f"footer_{language}",
            )
            .first()
        )


class StatementVersion(models.Model):
    """One state of the privacy statement, in every language: a draft or a published version."""

    class Trigger(models.TextChoices):
        COMMAND = "command", _("management command")
        SCHEDULE = "schedule", _("daily schedule")
        STAFF = "staff", _("staff action")
        REGISTER_CHANGE = "register_change", _("register change")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft, awaiting review")
        PUBLISHED = "published", _("published")

    class Approval(models.TextChoices):
        OFFICER = "officer", _("approved by a privacy officer")
        AUTOMATIC = "automatic", _("published itself after the review delay")
        COMMAND = "command", _("published by the operator's command")

    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.PUBLISHED,
        editable=False,
        db_index=True,
    )
    # Drafts have no number: the public archive counts published versions only.
    number = models.PositiveIntegerField(_("version"), unique=True, null=True, editable=False)
    drafted_at = models.DateTimeField(_("drafted at"), null=True, editable=False)
    publish_after = models.DateTimeField(
        _("publishes itself after"),
        null=True,
        editable=False,
        help_text=_("End of the review delay the register sets; a newer draft restarts it."),
    )
    approval = models.CharField(
        _("approval"), max_length=10, choices=Approval.choices, blank=True, editable=False
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    # The approver's name as it was, kept if the account is later removed (until its rule).
    approved_by_name = models.CharField(
        _("approved by (name)"), max_length=150, blank=True, editable=False
    )
    content_hash = models.CharField(
        max_length=64, db_index=True, editable=False, help_text="sha256 of the rendered bodies."
    )
    published_at = models.DateTimeField(_("published at"), null=True, db_index=True, editable=False)
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices, editable=False)
    is_first = models.BooleanField(default=False, editable=False)
    # {language: [line, ...]}: what changed against the previous version, per language.
    change_summary = models.JSONField(default=dict, editable=False)
    # {language: facts}: the register facts the version was rendered from (for summaries).
    facts = models.JSONField(default=dict, editable=False)
    render_seconds = models.FloatField(default=0, editable=False)

    # Per language: the body (table of contents and sections), the change announcement, the
    # page footer (the controller's identity as it was) and the PDF. The page template puts
    # them together (statement/page.html); nothing is spliced. A PDF is NULL until it is
    # rendered, after the publish commits (statement.pdfs), and never changes once stored.
    announcement_nl = models.TextField(blank=True, editable=False)
    announcement_fr = models.TextField(blank=True, editable=False)
    announcement_en = models.TextField(blank=True, editable=False)
    body_nl = models.TextField(editable=False)
    body_fr = models.TextField(editable=False)
    body_en = models.TextField(editable=False)
    footer_nl = models.TextField(blank=True, editable=False)
    footer_fr = models.TextField(blank=True, editable=False)
    footer_en = models.TextField(blank=True, editable=False)
    pdf_nl = models.BinaryField(null=True, editable=False)
    pdf_fr = models.BinaryField(null=True, editable=False)
    pdf_en = models.BinaryField(null=True, editable=False)

    # Personal-data inventory (issue 13): who approved a version is the accountability record
    # (Art. 5(2)), kept while it is current and for the `statement-approver` rule's period after
    # a newer version replaced it; then the role stands in for the name
    # (retention.targets.StaffNameTarget). The public pages show neither.
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("approved_by", "approved_by_name")
    retention_rule_code: ClassVar[str] = "statement-approver"
    NAME_AFTER_RETENTION: ClassVar[dict[str, str]] = {"approved_by_name": ROLE_INSTEAD_OF_NAME}

    objects = StatementVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        verbose_name = _("privacy statement version")
        verbose_name_plural = _("privacy statement versions")
        permissions = [
            ("publish_statementversion", _("Can approve and publish a statement draft")),
        ]
        constraints = [
            models.CheckConstraint(
                name="statement_published_has_number_and_date",
                condition=Q(status="draft")
                | (Q(number__isnull=False) & Q(published_at__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        if self.status == self.Status.DRAFT:
            return str(_("draft of %(date)s") % {"date": f"{self.drafted_at:%Y-%m-%d %H:%M}"})
        return f"v{self.number} ({self.published_at:%Y-%m-%d %H:%M})"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def body(self, language: str) -> str:
        return getattr(self, f"body_{language}")

    def legal_name(self, language: str) -> str:
        """The controller's name as the version states it (title of the page and the PDF)."""
        return self.facts.get(language, {}).get("controller", {}).get("legal_name", "")

    def footer(self, language: str) -> str:
        return getattr(self, f"footer_{language}")

    def announcement(self, language: str) -> str:
        return getattr(self, f"announcement_{language}")

    def pdf(self, language: str) -> bytes | None:
        """The stored PDF, or None before it is rendered (``statement.pdfs.version_pdf``
        renders a missing one: readers go through it)."""
        stored = getattr(self, f"pdf_{language}")
        return None if stored is None else bytes(stored)

    def summary(self, language: str) -> list[str]:
        return list(self.change_summary.get(language, []))

    @property
    def announcement_until(self) -> datetime:
        return self.published_at + timedelta(days=ANNOUNCEMENT_DAYS)

    def page_last_modified(self, now: datetime) -> datetime:
        """The page changes again when the announcement ends; Last-Modified follows it."""
        if self.is_first or self.announces(now):
            return self.published_at
        return self.announcement_until

    def announces(self, now: datetime | None = None) -> bool:
        """A change is announced on the page for 30 days after it was published."""
        if self.is_first:
            return False
        return (now or timezone.now()) < self.announcement_until


class StaffNoticeVersionQuerySet(models.QuerySet):
    def newest_first(self) -> "StaffNoticeVersionQuerySet":
        return self.order_by("-number")


class StaffNoticeVersion(models.Model):
    """One published version of the staff privacy notice (issue 16, purpose G; Art. 13 GDPR).

    Rendered from the activities whose data subjects are employees; staff-only (the admin), never
    on the public site. Immutable once stored; a new version only when the rendered text changed.
    Its PDFs are NULL until rendered after the publish commits (``statement.pdfs``).
    """

    number = models.PositiveIntegerField(_("version"), unique=True, editable=False)
    content_hash = models.CharField(max_length=64, editable=False)
    published_at = models.DateTimeField(_("published at"), editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    # The publisher's name as it was, kept if the account is later removed (until its rule).
    published_by_name = models.CharField(
        _("published by (name)"), max_length=150, blank=True, editable=False
    )
    # {language: facts}: what the register said when this version was rendered.
    facts = models.JSONField(default=dict, editable=False)
    body_nl = models.TextField(editable=False)
    body_fr = models.TextField(editable=False)
    body_en = models.TextField(editable=False)
    pdf_nl = models.BinaryField(null=True, editable=False)
    pdf_fr = models.BinaryField(null=True, editable=False)
    pdf_en = models.BinaryField(null=True, editable=False)

    # Like the statement's approver (above): rule `staff-notice-publisher`.
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("published_by", "published_by_name")
    retention_rule_code: ClassVar[str] = "staff-notice-publisher"
    NAME_AFTER_RETENTION: ClassVar[dict[str, str]] = {"published_by_name": ROLE_INSTEAD_OF_NAME}

    objects = StaffNoticeVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        verbose_name = _("staff privacy notice version")
        verbose_name_plural = _("staff privacy notice versions")
        permissions = [
            ("publish_staffnoticeversion", _("Can publish a new staff privacy notice version")),
        ]

    def __str__(self) -> str:
        return f"v{self.number} ({self.published_at:%Y-%m-%d %H:%M})"

    def body(self, language: str) -> str:
        return getattr(self, f"body_{language}")

    def pdf(self, language: str) -> bytes | None:
        """The stored PDF, or None before it is rendered (``statement.pdfs.version_pdf``
        renders a missing one: readers go through it)."""
        stored = getattr(self, f"pdf_{language}")
        return None if stored is None else bytes(stored)

    def legal_name(self, language: str) -> str:
        return self.facts.get(language, {}).get("controller", {}).get("legal_name", "")
