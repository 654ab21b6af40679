"""The PDFs of published versions: rendered after the publish commits, stored once (issue 18).

Publishing stores a version without its PDFs (``pdf_<language>`` NULL: not rendered yet) and
queues ``version_pdfs_render`` for the Celery worker once the transaction commits
(``version_pdfs_render_soon``): nobody waits for WeasyPrint (~1 s CPU a language) to publish.
Every reader of a PDF goes through ``version_pdf``, which serves the stored PDF or renders the
missing one now and stores it, so a PDF asked for before the worker got to it (or with the
broker down) is still served.

Each PDF is stored with a conditional UPDATE (only while its column is still NULL): two
renderers never overwrite each other, and a stored PDF never changes, as the version it belongs
to never does (its ETag and Last-Modified come from the version's hash and publish date).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q

from .models import LANGUAGE_CODES, StaffNoticeVersion, StatementVersion
from .rendering import document_pdf

logger = logging.getLogger(__name__)

Version = StatementVersion | StaffNoticeVersion

# The PDF template of each kind of version (both get the same context, see document_pdf).
PDF_TEMPLATES: dict[type[Version], str] = {
    StatementVersion: "statement/pdf.html",
    StaffNoticeVersion: "statement/staff_notice_pdf.html",
}
# The task names the model by its label ("statement.statementversion"): tasks take ids.
MODELS: dict[str, type[Version]] = {model._meta.label_lower: model for model in PDF_TEMPLATES}


def version_pdf(*, version: Version, language: str) -> bytes:
    """The version's PDF in one language: the stored one, or rendered now and stored.

    ``version`` needs only its primary key and ``pdf_<language>`` loaded.
    """
    stored = version.pdf(language)
    if stored is not None:
        return stored
    model = type(version)
    ours = _render_and_store(_for_rendering(model).get(pk=version.pk), language)
    if ours is not None:
        return ours
    # Another renderer stored it first: everyone is served that one.
    first = model.objects.filter(pk=version.pk).values_list(f"pdf_{language}", flat=True).get()
    return bytes(first)


def version_pdfs_render(*, model: str, version_id: int) -> list[str]:
    """Render and store the version's missing PDFs; returns the languages this call stored.

    Idempotent: PDFs already stored are neither rendered again nor written; a version that no
    longer exists (a message left in a broker) is nothing to do.
    """
    version_model = MODELS[model]
    missing = _missing_languages(version_model, version_id)
    if not missing:
        return []
    version = _for_rendering(version_model).get(pk=version_id)
    stored = [lang for lang in missing if _render_and_store(version, lang) is not None]
    logger.info("PDFs of %s %s rendered: %s", model, version_id, ", ".join(stored) or "none")
    return stored


def version_pdfs_render_soon(*, version: Version) -> None:
    """Queue the version's PDFs for the worker once the current transaction commits."""
    model, pk = version._meta.label_lower, version.pk
    transaction.on_commit(lambda: _queue_render(model, pk))


def _queue_render(model: str, version_id: int) -> None:
    from .tasks import version_pdfs_render_task  # tasks import this module

    try:
        version_pdfs_render_task.delay(model, version_id)
    except Exception:  # the broker is down: the version is published; a reader renders them
        logger.warning(
            "PDFs of %s %s not queued (broker unreachable); each is rendered when first read",
            model,
            version_id,
        )


def _missing_languages(model: type[Version], version_id: int) -> list[str]:
    """The languages whose PDF is not stored yet, asked without reading any stored PDF."""
    flags = {
        f"missing_{language}": ExpressionWrapper(
            Q(**{f"pdf_{language}__isnull": True}), output_field=BooleanField()
        )
        for language in LANGUAGE_CODES
    }
    row = model.objects.filter(pk=version_id).annotate(**flags).values(*flags).first()
    if row is None:
        return []
    return [language for language in LANGUAGE_CODES if row[f"missing_{language}"]]


def _for_rendering(model: type[Version]):
    """What a PDF is rendered from: number, date, facts (the controller's name), bodies."""
    bodies = [f"body_{language}" for language in LANGUAGE_CODES]
    return model.objects.only("number", "published_at", "facts", *bodies)


def _render(version: Version, language: str) -> bytes:
    return document_pdf(
        template=PDF_TEMPLATES[type(version)],
        version=version,  # type: ignore[arg-type]  # a staff notice has the attributes it reads
        body=version.body(language),
        language=language,
    )


def _render_and_store(version: Version, language: str) -> bytes | None:
    """Render one PDF and store it unless another renderer stored one first: returns the PDF
    this call stored, or None when the one stored first stays."""
    pdf = _render(version, language)
    field = f"pdf_{language}"
    rows = type(version).objects.filter(pk=version.pk, **{f"{field}__isnull": True})
    return pdf if rows.update(**{field: pdf}) else None
