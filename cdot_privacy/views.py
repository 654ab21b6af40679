from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app
from .models import Heartbeat


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "down" on a health probe
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:  # noqa: BLE001
        return False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database, broker and beat status: 200 when all are healthy, 503 otherwise."""
    database_ok = _database_ok()
    beat_age = Heartbeat.age_seconds() if database_ok else None
    beat_ok = beat_age is not None and beat_age <= settings.HEARTBEAT_MAX_AGE_SECONDS
    checks = {
        "database": "ok" if database_ok else "down",
        "broker": "ok" if _broker_ok() else "down",
        "beat": "ok" if beat_ok else ("never" if beat_age is None else "stale"),
    }
    healthy = all(value == "ok" for value in checks.values())
    body = {
        "status": "ok" if healthy else "unhealthy",
        "checks": checks,
        "last_beat_seconds_ago": None if beat_age is None else round(beat_age, 1),
    }
    return JsonResponse(body, status=200 if healthy else 503)


@require_GET
def language_redirect(request: HttpRequest, target: str = "privacy:statement") -> HttpResponse:
    """`/` and `/privacy/` go to the visitor's language (Accept-Language), Dutch by default."""
    language = translation.get_language_from_request(request, check_path=False)
    with translation.override(language):
        response = HttpResponseRedirect(reverse(target))
    response["Vary"] = "Accept-Language, Cookie"
    return response
