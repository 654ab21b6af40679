"""The banner as a website embeds it: one script tag, cached for a year under a versioned URL.

    <script src="https://<this app>/consent/banner.js" defer></script>

`/consent/banner.js` answers with a short-lived redirect (5 minutes) to the current version,
`/consent/<version>/<build>/banner.js`, which never changes and is cached for a year. When this
app does not answer, no banner code runs and every tagged script stays inert (fail closed).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from . import banner
from .services import banner_version_ensure

YEAR = 365 * 24 * 3600
LOADER_SECONDS = 300


def _current() -> tuple[str, dict]:
    content = banner.banner_content()
    version = banner.content_version(content)
    banner_version_ensure(version=version, content=content)
    return version, content


def _redirect_to_current(version: str) -> HttpResponse:
    url = reverse("consent:script", args=[version, banner.build()])
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = f"public, max-age={LOADER_SECONDS}"
    return response


def _immutable(body: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"  # other sites embed it
    response["Access-Control-Allow-Origin"] = "*"  # public code; lets checkers read the CSS
    return response


@require_GET
def loader(request: HttpRequest) -> HttpResponse:
    version, _content = _current()
    return _redirect_to_current(version)


@require_GET
@gzip_page
def script(request: HttpRequest, version: str, build: str) -> HttpResponse:
    current, content = _current()
    if version != current or build != banner.build():
        return _redirect_to_current(current)
    return _immutable(banner.script(current, content), "text/javascript; charset=utf-8")


@require_GET
@gzip_page
def stylesheet(request: HttpRequest, build: str) -> HttpResponse:
    if build != banner.build():
        response = HttpResponseRedirect(reverse("consent:stylesheet", args=[banner.build()]))
        response["Cache-Control"] = f"public, max-age={LOADER_SECONDS}"
        return response
    return _immutable(banner.code()[1], "text/css; charset=utf-8")
