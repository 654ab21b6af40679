"""Which version the public page serves, and the page rendered from it, held per process.

The page itself is a plain template (``statement/page.html``) around the stored body; this
module only spares the database and the template engine work they already did:

- with ``STATEMENT_PAGE_CACHE_SECONDS`` = 0 (embedded run, tests) every request asks the
  database which version is newest: one query;
- in production (default 10 s) a worker asks at most once per 10 s and language, so most
  requests make no query at all; a new version shows within 10 s (the HTTP caches may keep the
  page 5 minutes anyway, see ``statement.views``). Publishing clears its own process's memory.

A rendered page is kept per version, language, path and announcement state: rendering it
again would give the same bytes, so the first request of a worker renders it and the rest
send it. Its ETag is a hash of exactly those bytes.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings

from .models import StatementVersion


@dataclass(frozen=True)
class RenderedPage:
    content: bytes
    etag: str


_versions: dict[str, tuple[float, StatementVersion | None]] = {}
_pages: dict[tuple, RenderedPage] = {}
_PAGES_KEPT = 64  # a few versions x languages x announcement states; old ones are dropped


def cache_seconds() -> float:
    return settings.STATEMENT_PAGE_CACHE_SECONDS


def current_version(language: str) -> StatementVersion | None:
    """The newest version with what the page needs in one language: <= 1 query."""
    held = _versions.get(language)
    ttl = cache_seconds()
    if held is not None and ttl and time.monotonic() - held[0] < ttl:
        return held[1]
    version = StatementVersion.objects.latest_for_page(language)
    _versions[language] = (time.monotonic(), version)
    return version


def rendered_page(key: tuple, render) -> RenderedPage:
    """The page for ``key``, rendered by ``render()`` the first time this process needs it."""
    page = _pages.get(key)
    if page is None:
        content = render().encode()
        page = RenderedPage(content, f'"{hashlib.sha256(content).hexdigest()[:32]}"')
        if len(_pages) >= _PAGES_KEPT:
            _pages.clear()
        _pages[key] = page
    return page


def forget() -> None:
    """Drop what this process holds (after publishing a version)."""
    _versions.clear()
    _pages.clear()
