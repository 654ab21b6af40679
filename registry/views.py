"""Public pages of the privacy statement: served from the stored version, never rendered.

``/<lang>/privacy/`` costs one database query: the newest ``StatementVersion`` with only this
language's content. The page around it (header, language switcher, footer) is rendered once per
process and language and kept in memory ("chrome"), so a deploy that changes ``base.html`` or
the static files shows at once, while a request does no template rendering at all.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from .models_statement import StatementVersion
from .statement import ANNOUNCEMENT_MARKER

# Browsers and proxies may keep the page 5 minutes, then revalidate (a cheap 304).
CACHE_CONTROL = "public, max-age=300, must-revalidate"
CONTENT_MARKER = "<!--statement:content-->"


@dataclass(frozen=True)
class Chrome:
    head: str
    tail: str
    fingerprint: str


_chrome: dict[str, Chrome] = {}


def page_chrome(language: str) -> Chrome:
    """The layout around the statement for one language, rendered once per process."""
    chrome = _chrome.get(language)
    if chrome is None:
        chrome = _chrome[language] = _chrome_render(language)
    return chrome


def _chrome_render(language: str) -> Chrome:
    with translation.override(language):
        request = RequestFactory().get(f"/{language}/privacy/")
        request.LANGUAGE_CODE = language
        html = render_to_string(
            "registry/statement.html", {"content_marker": CONTENT_MARKER}, request=request
        )
    head, tail = html.split(CONTENT_MARKER)
    return Chrome(head, tail, hashlib.sha256(html.encode()).hexdigest()[:12])


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
    """The current privacy statement in the URL's language (one query, nothing rendered)."""
    language = translation.get_language()
    version = StatementVersion.objects.latest_for_page(language)
    if version is None:
        return _not_yet_published(request)
    now = timezone.now()
    announces = version.announces(now)
    chrome = page_chrome(language)
    etag = f'"{version.content_hash[:20]}-{language}-{int(announces)}-{chrome.fingerprint}"'
    # The page changes again when the announcement ends; Last-Modified follows it.
    last_modified = (
        version.published_at
        if announces or version.is_first
        else min(version.announcement_until, now)
    )
    not_modified = _conditional(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        return not_modified
    main = version.html(language).replace(
        ANNOUNCEMENT_MARKER, version.announcement(language) if announces else "", 1
    )
    response = HttpResponse(chrome.head + main + chrome.tail)
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
    main = version.html(language).replace(ANNOUNCEMENT_MARKER, "", 1)
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
