"""The public statement page of each language, assembled once per version and process.

The layout around the statement (header, language switcher, footer: ``base.html``) is rendered
once per process and language ("chrome"), so a deploy that changes the layout or the static
files shows at once. The stored version supplies the rest. The assembled page — with and
without the change announcement — is kept in memory per language:

- with ``STATEMENT_PAGE_CACHE_SECONDS`` = 0 (embedded run, tests) every request asks the
  database which version is newest: one query;
- in production (default 10 s) a worker asks at most once per 10 s and language, so most
  requests make no query at all; a new version shows within 10 s (the HTTP caches may keep the
  page 5 minutes anyway, see ``CACHE_CONTROL``). Publishing clears the memory of its own process.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from .models_statement import ANNOUNCEMENT_DAYS, StatementVersion

# The views put the announcement (or nothing) where this marker stands.
ANNOUNCEMENT_MARKER = "<!--statement:announcement-->"
CONTENT_MARKER = "<!--statement:content-->"
# The footer shows the controller's identity from the register: it is rendered at publish time
# and stored after this marker in the version's page content, so serving needs no query for it.
FOOTER_MARKER = "<!--statement:footer-->"


@dataclass(frozen=True)
class Chrome:
    head: str
    middle: str
    tail: str
    fingerprint: str


@dataclass(frozen=True)
class ServedPage:
    """One language of one version, ready to send."""

    number: int
    content_hash: str
    published_at: datetime
    is_first: bool
    with_announcement: bytes
    without_announcement: bytes
    etag_stem: str

    def announces(self, now: datetime) -> bool:
        if self.is_first:
            return False
        return now < self.published_at + timedelta(days=ANNOUNCEMENT_DAYS)

    def last_modified(self, now: datetime) -> datetime:
        """The page changes again when the announcement ends; Last-Modified follows it."""
        if self.is_first or self.announces(now):
            return self.published_at
        return self.published_at + timedelta(days=ANNOUNCEMENT_DAYS)

    def etag(self, announces: bool) -> str:
        return f'"{self.etag_stem}-{int(announces)}"'

    def body(self, announces: bool) -> bytes:
        return self.with_announcement if announces else self.without_announcement


_chrome: dict[str, Chrome] = {}
_pages: dict[str, tuple[float, ServedPage]] = {}


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
            "registry/statement.html",
            {"content_marker": CONTENT_MARKER, "footer_marker": FOOTER_MARKER},
            request=request,
        )
    head, rest = html.split(CONTENT_MARKER)
    middle, tail = rest.split(FOOTER_MARKER)
    return Chrome(head, middle, tail, hashlib.sha256(html.encode()).hexdigest()[:12])


def cache_seconds() -> float:
    default = 10 if settings.PRODUCTION else 0
    return getattr(settings, "STATEMENT_PAGE_CACHE_SECONDS", default)


def served_page(language: str) -> ServedPage | None:
    """The newest version's page in one language: at most one query, none while fresh."""
    held = _pages.get(language)
    ttl = cache_seconds()
    if held is not None and ttl and time.monotonic() - held[0] < ttl:
        return held[1]
    version = StatementVersion.objects.latest_for_page(language)
    if version is None:
        _pages.pop(language, None)
        return None
    page = held[1] if held is not None and _same(held[1], version) else None
    if page is None:
        page = _assemble(version, language)
    _pages[language] = (time.monotonic(), page)
    return page


def _same(page: ServedPage, version: StatementVersion) -> bool:
    return (page.number, page.content_hash, page.published_at) == (
        version.number,
        version.content_hash,
        version.published_at,
    )


def _assemble(version: StatementVersion, language: str) -> ServedPage:
    chrome = page_chrome(language)
    main, _marker, footer = version.html(language).partition(FOOTER_MARKER)

    def full(announcement: str) -> bytes:
        content = main.replace(ANNOUNCEMENT_MARKER, announcement, 1)
        return (chrome.head + content + chrome.middle + footer + chrome.tail).encode()

    return ServedPage(
        number=version.number,
        content_hash=version.content_hash,
        published_at=version.published_at,
        is_first=version.is_first,
        with_announcement=full(version.announcement(language)),
        without_announcement=full(""),
        etag_stem=f"{version.content_hash[:20]}-{language}-{chrome.fingerprint}",
    )


def main_content(html: str) -> str:
    """The stored page content without the footer and the announcement marker."""
    return html.partition(FOOTER_MARKER)[0].replace(ANNOUNCEMENT_MARKER, "", 1)


def forget(*, layout: bool = False) -> None:
    """Drop the pages held by this process (after publishing a version); `layout` too."""
    _pages.clear()
    if layout:
        _chrome.clear()
