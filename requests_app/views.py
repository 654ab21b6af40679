"""Public pages: the request form, the verification link, the download of an access package."""

import ipaddress
import logging

from django.conf import settings
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited

from cdot_privacy.client_ip import client_ip
from records.normalise import normalise_email

from . import services
from .forms import RequestForm
from .models import AuditEntry, PackageDownload
from .tokens import TokenExpired, TokenInvalid, TokenUsed, package_for_token, request_for_token

logger = logging.getLogger(__name__)

# Abuse limits (Art. 12(5) manifestly excessive requests aside, this is about bots).
RATE_PER_IP = settings.REQUESTS_RATE_PER_IP
RATE_PER_EMAIL = settings.REQUESTS_RATE_PER_EMAIL


def _email_key(group: str, request: HttpRequest) -> str:
    return normalise_email(request.POST.get("email", ""))[:254]


def _rate_limited(request: HttpRequest) -> bool:
    by_ip = is_ratelimited(
        request, group="requests:form:ip", key="ip", rate=RATE_PER_IP, increment=True
    )
    if by_ip:
        return True
    if not _email_key("", request):
        return False
    return is_ratelimited(
        request, group="requests:form:email", key=_email_key, rate=RATE_PER_EMAIL, increment=True
    )


@never_cache
@require_http_methods(["GET", "POST"])
def request_form(request: HttpRequest) -> HttpResponse:
    """The public form (nl/fr/en). Bad input: 400 with the messages, nothing stored."""
    if request.method == "GET":
        return render(request, "requests_app/form.html", {"form": RequestForm()})
    if _rate_limited(request):
        message = _("Too many requests were sent from here. Please try again later.")
        return render(
            request, "requests_app/form.html", {"form": RequestForm(), "error": message}, status=429
        )
    form = RequestForm(request.POST, request.FILES)
    if form.is_spam():
        return render(
            request,
            "requests_app/form.html",
            {"form": RequestForm(), "error": _("Your request could not be accepted.")},
            status=400,
        )
    if not form.is_valid():
        return render(request, "requests_app/form.html", {"form": form}, status=400)
    data = form.cleaned_data
    dsr = services.request_submit(
        type=data["type"],
        name=data["name"],
        email=data["email"],
        phone=data["phone"],
        details=data["details"],
        language=get_language() or settings.LANGUAGE_CODE,
        id_copy=data["id_copy"],
    )
    return render(request, "requests_app/submitted.html", {"dsr": dsr})


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirm button (mail scanners that open links do not verify); POST verifies."""
    try:
        if request.method == "GET":
            dsr = request_for_token(token)
            return render(request, "requests_app/verify.html", {"dsr": dsr})
        dsr = services.request_verify(token=token)
    except TokenExpired:
        return _link_problem(request, _("This link has expired. Please send your request again."))
    except TokenUsed:
        return _link_problem(request, _("This link has already been used."))
    except TokenInvalid:
        return _link_problem(request, _("This link is not valid."), status=400)
    return render(request, "requests_app/confirmed.html", {"dsr": dsr})


def _link_problem(request: HttpRequest, message: str, status: int = 410) -> HttpResponse:
    return render(request, "requests_app/link_problem.html", {"message": message}, status=status)


def client_network(request: HttpRequest) -> str:
    """IPv4 /24 or IPv6 /48 of the client: enough to spot abuse, not a full address."""
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return ""
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


@never_cache
@require_GET
def download(request: HttpRequest, token: str) -> HttpResponse:
    """The subject's access package, through the signed link from the answer e-mail; logged."""
    now = timezone.now()
    package = package_for_token(token, now)
    if package is None or not package.path.exists():
        return _link_problem(request, _("This download link is not valid or has expired."))
    with transaction.atomic():
        PackageDownload.objects.create(package=package, client_network=client_network(request))
        services.audit_record(
            action=AuditEntry.Action.PACKAGE_DOWNLOADED,
            dsr=package.request,
            actor_label="subject",
            details={"package_id": package.pk},
        )
    response = FileResponse(
        package.path.open("rb"),
        as_attachment=True,
        filename=package.filename,
        content_type=package.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
