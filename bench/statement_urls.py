"""The URLconf bench/statement.py serves: the site's own URLs plus its baseline page.

`/nl/privacy/bench-trivial/` is an in-memory HTML page as large as the statement (size from
STATEMENT_BENCH_PAGE_BYTES): same gunicorn process, same middleware, no database. It exists only
in this URLconf (ROOT_URLCONF of bench/statement_settings.py), never in a deployment.
"""

import os

from django.http import HttpRequest, HttpResponse
from django.urls import path

from cdot_privacy.urls import urlpatterns as site_urlpatterns

_page: bytes | None = None


def bench_trivial(request: HttpRequest) -> HttpResponse:
    global _page
    if _page is None:
        size = int(os.environ["STATEMENT_BENCH_PAGE_BYTES"])
        shell = b'<!DOCTYPE html><html lang="nl"><head><title>bench</title></head><body><p>'
        tail = b"</p></body></html>"
        _page = shell + b"x" * max(0, size - len(shell) - len(tail)) + tail
    return HttpResponse(_page)


urlpatterns = [path("nl/privacy/bench-trivial/", bench_trivial), *site_urlpatterns]
