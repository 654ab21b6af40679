"""Rendering a statement from register facts: body, announcement, footer, PDF, summary.

Reusable by every document this app publishes: ``document_body`` renders any body template
with the facts and the links in one language, ``document_pdf`` turns a body into a PDF. The
public statement uses ``statement/body.html`` and ``statement/pdf.html``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from registry.models import Organisation

from .facts import SECTION_TITLES
from .models import StatementVersion

# WeasyPrint logs every layout step at INFO; the publish log line says what matters.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


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
            "cookies_url": reverse("privacy:cookies"),
        }


def document_body(*, template: str, facts: dict, language: str) -> str:
    """Any document's body as an HTML fragment (no dates): the template sees facts and links."""
    with translation.override(language):
        return render_to_string(
            template,
            {"facts": facts, **statement_links(language=language), "LANGUAGE_CODE": language},
        )


def statement_body(*, facts: dict, language: str) -> str:
    """The statement's table of contents and sections as an HTML fragment (no dates)."""
    return document_body(template="statement/body.html", facts=facts, language=language)


def statement_footer(*, language: str) -> str:
    """The page footer (the controller's identity), stored so serving needs no query for it."""
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
    "sources": "data",
    "recipients": "recipients",
    "transfers": "transfers",
    "security": "security",
    "authority": "complaints",
    "processor_activities": "processor",
    "processor_services": "processor",
    "automated": "automated",
    "cookies": "cookies",
}


def statement_announcement(*, summary: list[str], published_at: datetime, language: str) -> str:
    """The notice shown on the page for 30 days after a change (the seed promises it)."""
    with translation.override(language):
        return render_to_string(
            "statement/announcement.html",
            {
                "summary": summary,
                "published_at": published_at,
                **statement_links(language=language),
            },
        )


def document_pdf(*, template: str, version: StatementVersion, body: str, language: str) -> bytes:
    """The PDF of one language (WeasyPrint), with the same body as the page."""
    from weasyprint import HTML  # imported here: loading Pango costs ~0.3 s

    with translation.override(language):
        html = render_to_string(
            template,
            {
                "version": version,
                "legal_name": version.legal_name(language),
                "body": body,  # our own rendered template output, inserted with |safe
                "published_on": date_format(
                    timezone.localtime(version.published_at), "DATE_FORMAT"
                ),
                "LANGUAGE_CODE": language,
                **statement_links(language=language),
            },
        )
    return HTML(string=html, base_url=settings.SITE_URL + "/").write_pdf()
