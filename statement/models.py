"""Published versions of the public privacy statement (GDPR Art. 12–14).

A version is immutable: publishing renders every language from the register once, stores the
HTML and the PDF, and never changes them afterwards. A new version is written only when the
rendered content differs from the latest one (see ``statement.services``).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

# The seed promises to announce changes on the website; we show the announcement this long.
ANNOUNCEMENT_DAYS = 30

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)


class StatementVersionQuerySet(models.QuerySet):
    def newest_first(self) -> "StatementVersionQuerySet":
        return self.order_by("-number")

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

    def latest_for_pdf(self, language: str) -> "StatementVersion | None":
        return (
            self.newest_first()
            .only("number", "content_hash", "published_at", f"pdf_{language}")
            .first()
        )


class StatementVersion(models.Model):
    """One published state of the privacy statement, in every language, HTML and PDF."""

    class Trigger(models.TextChoices):
        COMMAND = "command", "management command"
        SCHEDULE = "schedule", "daily schedule"
        STAFF = "staff", "staff action"
        REGISTER_CHANGE = "register_change", "register change"

    number = models.PositiveIntegerField(unique=True, editable=False)
    content_hash = models.CharField(
        max_length=64, db_index=True, editable=False, help_text="sha256 of the rendered bodies."
    )
    published_at = models.DateTimeField(db_index=True, editable=False)
    trigger = models.CharField(max_length=20, choices=Trigger.choices, editable=False)
    is_first = models.BooleanField(default=False, editable=False)
    # {language: [line, ...]}: what changed against the previous version, per language.
    change_summary = models.JSONField(default=dict, editable=False)
    # {language: facts}: the register facts the version was rendered from (for summaries).
    facts = models.JSONField(default=dict, editable=False)
    render_seconds = models.FloatField(default=0, editable=False)

    # Per language: the body (table of contents and sections), the change announcement, the
    # page footer (the controller's identity as it was) and the PDF. The page template puts
    # them together (statement/page.html); nothing is spliced.
    announcement_nl = models.TextField(blank=True, editable=False)
    announcement_fr = models.TextField(blank=True, editable=False)
    announcement_en = models.TextField(blank=True, editable=False)
    body_nl = models.TextField(editable=False)
    body_fr = models.TextField(editable=False)
    body_en = models.TextField(editable=False)
    footer_nl = models.TextField(blank=True, editable=False)
    footer_fr = models.TextField(blank=True, editable=False)
    footer_en = models.TextField(blank=True, editable=False)
    pdf_nl = models.BinaryField(editable=False)
    pdf_fr = models.BinaryField(editable=False)
    pdf_en = models.BinaryField(editable=False)

    objects = StatementVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        verbose_name = "privacy statement version"

    def __str__(self) -> str:
        return f"v{self.number} ({self.published_at:%Y-%m-%d %H:%M})"

    def body(self, language: str) -> str:
        return getattr(self, f"body_{language}")

    def legal_name(self, language: str) -> str:
        """The controller's name as the version states it (title of the page and the PDF)."""
        return self.facts.get(language, {}).get("controller", {}).get("legal_name", "")

    def footer(self, language: str) -> str:
        return getattr(self, f"footer_{language}")

    def announcement(self, language: str) -> str:
        return getattr(self, f"announcement_{language}")

    def pdf(self, language: str) -> bytes:
        return bytes(getattr(self, f"pdf_{language}"))

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
