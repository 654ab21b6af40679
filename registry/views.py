"""Public pages of the privacy statement: served from the stored version, never rendered.

``/<lang>/privacy/`` costs at most one database query (none while the assembled page is fresh
in the worker's memory, see ``registry.statement_pages``) and no template rendering.
"""

from __future__ import annotations

import os
from datetime import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from .models_statement import StatementVersion
from .statement_pages import main_content, served_page

# Browsers and proxies may keep the page 5 minutes, then revalidate (a cheap 304).
CACHE_CONTROL = "public, max-age=300, must-revalidate"


def _conditional(request: HttpRequest, *, etag: str, last_modified: datetime):
    """A 304 when the client's copy is current (If-None-Match / If-Modified-Since)."""
    response = get_conditional_response(
        request, etag=etag, last_modified=int(last_modified.timestamp())
    )
    if response is not None:
        _cache_headers(response, etag=etag, last_modified=last_modified)
    return response


def _cache_headers(response: HttpResponse, *, etag: str, last_modified: datetime) -> None:
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Cache-Control"] = CACHE_CONTROL


@require_safe
def statement(request: HttpRequest) -> HttpResponse:
    """The current privacy statement in the URL's language (<= 1 query, nothing rendered)."""
    page = served_page(translation.get_language())
    if page is None:
        return _not_yet_published(request)
    now = timezone.now()
    announces = page.announces(now)
    etag, last_modified = page.etag(announces), page.last_modified(now)
    not_modified = _conditional(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        return not_modified
    response = HttpResponse(page.body(announces))
    _cache_headers(response, etag=etag, last_modified=last_modified)
    return response


def _not_yet_published(request: HttpRequest) -> HttpResponse:
    """Before the first publish (the run command publishes at once): a short notice."""
    response = render(request, "registry/statement_unpublished.html", status=503)
    response["Retry-After"] = "60"
    return response


@require_safe
def statement_pdf(request: HttpRequest) -> HttpResponse:
    """The current statement as PDF, stored at publish time."""
    language = translation.get_language()
    version = StatementVersion.objects.latest_for_pdf(language)
    if version is None:
        raise Http404("The privacy statement has not been published yet.")
    return _pdf_response(request, version, language)


def _pdf_response(request: HttpRequest, version: StatementVersion, language: str) -> HttpResponse:
    etag = f'"{version.content_hash[:20]}-{language}-pdf"'
    not_modified = _conditional(request, etag=etag, last_modified=version.published_at)
    if not_modified is not None:
        return not_modified
    response = HttpResponse(version.pdf(language), content_type="application/pdf")
    filename = f"c-dot-privacy-statement-{language}-v{version.number}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    _cache_headers(response, etag=etag, last_modified=version.published_at)
    return response


@require_safe
def versions(request: HttpRequest) -> HttpResponse:
    """The archive: every published version with its date and what changed."""
    language = translation.get_language()
    listed = StatementVersion.objects.newest_first().only(
        "number", "published_at", "change_summary", "is_first"
    )
    items = [(version, version.summary(language)) for version in listed]
    return render(request, "registry/statement_versions.html", {"versions": items})


@require_safe
def version_detail(request: HttpRequest, number: int) -> HttpResponse:
    """An earlier (or the current) version exactly as it was published."""
    language = translation.get_language()
    version = _version_or_404(number, f"html_{language}")
    newest = StatementVersion.objects.newest_first().values_list("number", flat=True).first()
    main = main_content(version.html(language))
    return render(
        request,
        "registry/statement_version.html",
        {"version": version, "main": main, "is_current": version.number == newest},
    )


@require_safe
def version_pdf(request: HttpRequest, number: int) -> HttpResponse:
    language = translation.get_language()
    return _pdf_response(request, _version_or_404(number, f"pdf_{language}"), language)


def _version_or_404(number: int, field: str) -> StatementVersion:
    version = (
        StatementVersion.objects.filter(number=number)
        .only("number", "content_hash", "published_at", "is_first", field)
        .first()
    )
    if version is None:
        raise Http404("No such version of the privacy statement.")
    return version


_bench_page: bytes | None = None


def bench_trivial(request: HttpRequest) -> HttpResponse:
    """Bench only (bench/statement.py): an in-memory HTML page as large as the statement.

    Routed only when STATEMENT_BENCH_PAGE_BYTES is set, so it never exists in a deployment.
    Same process, same middleware, no database: the baseline the statement page is held to.
    """
    global _bench_page
    if _bench_page is None:
        size = int(os.environ["STATEMENT_BENCH_PAGE_BYTES"])
        shell = b'<!DOCTYPE html><html lang="nl"><head><title>bench</title></head><body><p>'
        tail = b"</p></body></html>"
        _bench_page = shell + b"x" * max(0, size - len(shell) - len(tail)) + tail
    return HttpResponse(_bench_page)
