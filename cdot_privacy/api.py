"""The integration API, `/api/v1/`: each app's router under one OpenAPI schema.

Docs (Swagger UI, served from our own static files) are for staff; the schema itself
(`/api/v1/openapi.json`) is public. Every rejection is a 4xx JSON body
`{"detail": ..., "errors": [{"field": ..., "message": ...}]}` naming the field at fault.
"""

from functools import wraps

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.openapi.views import openapi_view

from consent.api import router as consent_router
from records.api import PATTERN_MESSAGES, ApiProblem
from records.api import router as records_router
from statement.api import router as statement_router


def _staff_only_docs(view):
    """Interactive docs for staff who passed the second factor; openapi.json stays public."""
    if getattr(view, "func", None) is not openapi_view:
        return view

    @wraps(view)
    def verified_staff_only(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        from .two_factor import next_step_url, second_factor_missing

        if second_factor_missing(request):
            return redirect_to_login(request.get_full_path(), next_step_url(request.user))
        return view(request, *args, **kwargs)

    return staff_member_required(verified_staff_only)


api = NinjaAPI(
    title="C-DOT privacy API",
    version="1",
    description=(
        "How C-DOT's website and webshop hand in contact-form messages and newsletter "
        "consents, and the public register summary. See docs/API.md."
    ),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs_decorator=lambda view: _staff_only_docs(view),
)
api.add_router("/", records_router)
api.add_router("/", statement_router)
api.add_router("/", consent_router)


def _field(loc: list) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "header", "path"}:
        parts = parts[1:]
        if parts and parts[0] == "payload":
            parts = parts[1:]
    return ".".join(parts) or "body"


def _message(error: dict) -> str:
    if error.get("type") == "extra_forbidden":
        return "Unknown field."
    if error.get("type") == "missing":
        return "This field is required."
    if error.get("type") == "string_pattern_mismatch":
        pattern = (error.get("ctx") or {}).get("pattern")
        return PATTERN_MESSAGES.get(pattern, "This text has a form the schema does not allow.")
    return str(error.get("msg", "Invalid value.")).removeprefix("Value error, ")


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [{"field": _field(e.get("loc", [])), "message": _message(e)} for e in exc.errors]
    return api.create_response(
        request, {"detail": "The request is not valid.", "errors": errors}, status=422
    )


@api.exception_handler(ApiProblem)
def api_problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
    errors = [{"field": exc.field, "message": exc.message}] if exc.field else []
    response = api.create_response(
        request, {"detail": exc.message, "errors": errors}, status=exc.status
    )
    for name, value in exc.headers.items():
        response[name] = value
    return response
