"""Public pages of the privacy statement: a plain template around the stored version.

``/<lang>/privacy/`` costs at most one database query (none while the version is fresh in the
worker's memory, see ``statement.serving``). Conditional requests are answered by Django's
``condition`` decorator (ETag = hash of the page's bytes, Last-Modified = when the page last
changed), so an unchanged page costs a 304 without a body.
"""

from __future__ import annotations

from datetime import datetime
from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition, require_safe

from . import pdfs
from .models import StatementVersion
from .serving import RenderedPage, current_version, rendered_page

# Browsers and proxies may keep the page 5 minutes, then revalidate (a cheap 304).
CACHE_CONTROL = {"public": True, "max_age": 300, "must_revalidate": True}


def _public_cache(view):
    """Cache-Control on the page and on its 304 (not on the 'not yet published' notice)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code in (200, 304):
            patch_cache_control(response, **CACHE_CONTROL)
        return response

    return wrapped


def _current(request: HttpRequest) -> tuple[StatementVersion, RenderedPage] | None:
    """The version and its rendered page for this request (looked up once per request)."""
    if not hasattr(request, "_statement_page"):
        language = translation.get_language()
        version = current_version(language)
        request._statement_page = None
        if version is not None:
            announces = version.announces()
            key = (version.number, version.content_hash, language, request.path, announces)
            page = rendered_page(key, lambda: _render_page(request, version, announces))
            request._statement_page = (version, page)
    return request._statement_page


def _render_page(request: HttpRequest, version: StatementVersion, announces: bool) -> str:
    language = translation.get_language()
    return render_to_string(
        "statement/page.html",
        {
            "version": version,
            "legal_name": version.legal_name(language),
            "body": version.body(language),
            "announcement": version.announcement(language) if announces else "",
            "footer": version.footer(language),
            "pdf_url": reverse("privacy:pdf"),
        },
        request=request,
    )


def _etag(request: HttpRequest) -> str | None:
    current = _current(request)
    return current[1].etag if current else None


def _last_modified(request: HttpRequest) -> datetime | None:
    current = _current(request)
    return current[0].page_last_modified(timezone.now()) if current else None


@require_safe
@_public_cache
@condition(etag_func=_etag, last_modified_func=_last_modified)
def statement(request: HttpRequest) -> HttpResponse:
    """The current privacy statement in the URL's language (<= 1 query)."""
    current = _current(request)
    if current is None:
        return _not_yet_published(request)
    return HttpResponse(current[1].content)


def _not_yet_published(request: HttpRequest) -> HttpResponse:
    """Before the first publish (the run command publishes at once): a short notice."""
    response = render(request, "statement/unpublished.html", status=503)
    response["Retry-After"] = "60"
    return response


def _pdf_etag(request: HttpRequest, number: int | None = None) -> str | None:
    version = _pdf_version(request, number)
    language = translation.get_language()
    return f'"{version.content_hash[:20]}-{language}-pdf"' if version else None


def _pdf_last_modified(request: HttpRequest, number: int | None = None) -> datetime | None:
    version = _pdf_version(request, number)
    return version.published_at if version else None


def _pdf_version(request: HttpRequest, number: int | None) -> StatementVersion | None:
    if not hasattr(request, "_statement_pdf"):
        language = translation.get_language()
        versions = StatementVersion.objects.all()
        if number is not None:
            versions = versions.filter(number=number)
        request._statement_pdf = (
            versions.newest_first()
            .only("number", "content_hash", "published_at", f"pdf_{language}")
            .first()
        )
    return request._statement_pdf


def _pdf_response(request: HttpRequest, number: int | None = None) -> HttpResponse:
    language = translation.get_language()
    version = _pdf_version(request, number)
    if version is None:
        raise Http404("The privacy statement has not been published yet.")
    pdf = pdfs.version_pdf(version=version, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"c-dot-privacy-statement-{language}-v{version.number}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_safe
@_public_cache
@condition(etag_func=_pdf_etag, last_modified_func=_pdf_last_modified)
def statement_pdf(request: HttpRequest) -> HttpResponse:
    """The current statement as PDF: stored just after publishing, or rendered now (and stored)
    when the worker has not got to it yet."""
    return _pdf_response(request)


@require_safe
def versions(request: HttpRequest) -> HttpResponse:
    """The archive: every published version with its date and what changed."""
    language = translation.get_language()
    listed = StatementVersion.objects.newest_first().only(
        "number", "published_at", "change_summary", "is_first"
    )
    items = [(version, version.summary(language)) for version in listed]
    return render(request, "statement/versions.html", {"versions": items})


@require_safe
def version_detail(request: HttpRequest, number: int) -> HttpResponse:
    """An earlier (or the current) version as it was published."""
    language = translation.get_language()
    version = (
        StatementVersion.objects.filter(number=number)
        .only("number", "published_at", "facts", f"body_{language}", f"footer_{language}")
        .first()
    )
    if version is None:
        raise Http404("No such version of the privacy statement.")
    newest = StatementVersion.objects.newest_first().values_list("number", flat=True).first()
    return render(
        request,
        "statement/version.html",
        {
            "version": version,
            "legal_name": version.legal_name(language),
            "body": version.body(language),
            "footer": version.footer(language),
            "pdf_url": reverse("privacy:version-pdf", args=[version.number]),
            "is_current": version.number == newest,
        },
    )


@require_safe
@_public_cache
@condition(etag_func=_pdf_etag, last_modified_func=_pdf_last_modified)
def version_pdf(request: HttpRequest, number: int) -> HttpResponse:
    return _pdf_response(request, number)


def _cookies_etag(request: HttpRequest) -> str | None:
    current = _current(request)
    if current is None:
        return None
    return f'"{current[0].content_hash[:20]}-{translation.get_language()}-cookies"'


def _cookies_last_modified(request: HttpRequest) -> datetime | None:
    current = _current(request)
    return current[0].published_at if current else None


@require_safe
@_public_cache
@condition(etag_func=_cookies_etag, last_modified_func=_cookies_last_modified)
def cookies(request: HttpRequest) -> HttpResponse:
    """The website's cookies as the published statement states them: the same version, so the
    same review and publishing (law of 30 July 2018, art. 10/2; Art. 13(2)(a) GDPR)."""
    current = _current(request)
    if current is None:
        return _not_yet_published(request)
    version = current[0]
    language = translation.get_language()
    return render(
        request,
        "statement/cookies.html",
        {
            "version": version,
            "cookies": version.facts.get(language, {}).get("cookies", []),
            "footer": version.footer(language),
        },
    )
