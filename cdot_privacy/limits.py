"""Request bodies and error answers at the edge (issue 19, finding 5).

``RequestBodyLimitMiddleware`` runs first: a request whose declared ``Content-Length`` is over
the limit gets 413 before anything reads the body, so a 500 MB upload is never spooled to the
temporary directory (Django's upload handlers would write it there before any form check).
The API (``/api/``) has its own, smaller limit: its JSON bodies are small. A body sent without
a length (chunked) is not read by Django at all. The reverse proxy limits bodies too
(docs/OPERATIONS.md); this is the second fence.

The error handlers answer JSON under ``/api/`` (every API error body is JSON) and the site's
translated pages elsewhere; the 500 page needs no database (the footer's controller identity,
read from the register, is left out).
"""

from http import HTTPStatus

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _json(detail: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": detail, "errors": []}, status=status)


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.API_BODY_MAX_BYTES if _is_api(request) else settings.REQUEST_BODY_MAX_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            if _is_api(request):
                return _json(f"The request body is too large (at most {limit} bytes).", status=413)
            return render(
                request,
                "cdot_privacy/error.html",
                {
                    "status": 413,
                    "title": _("This file is too large"),
                    "message": _(
                        "What you sent is larger than we accept (%(size)d MB at most). "
                        "Go back and choose a smaller file."
                    )
                    % {"size": limit // (1024 * 1024)},
                },
                status=413,
            )
        response = self.get_response(request)
        if _is_api(request) and response.status_code >= 400 and not _is_json(response):
            # e.g. django-ninja's plain-text 405: every API error body is JSON.
            json_response = _json(
                str(HTTPStatus(response.status_code).phrase) + ".", response.status_code
            )
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if response.has_header(header):
                    json_response[header] = response[header]
            return json_response
        return response


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return _json("The request is not valid.", status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return _json("Not allowed.", status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return _json("Not found.", status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """JSON for the API; elsewhere the site's page in the visitor's language, without the
    database (it may be what failed)."""
    if _is_api(request):
        return _json("Server error. Please try again later.", status=500)
    return render(
        request,
        "cdot_privacy/error.html",
        {
            "status": 500,
            "title": _("Something went wrong on our side"),
            "message": _(
                "Please try again in a few minutes. If it keeps failing, write to %(email)s."
            )
            % {"email": settings.DEFAULT_FROM_EMAIL},
        },
        status=500,
    )
