"""TOTP second factor for staff (django-otp): enrolment with a QR code, verification per session.

Required for every staff member when ``settings.STAFF_2FA`` is on (the production default), and
for anyone who enrolled a device even when it is off: a device once set up is always asked for.
Art. 32 GDPR: access to the register, requests and ID copies needs appropriate security.
"""

import logging
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

logger = logging.getLogger(__name__)

DEVICE_NAME = "authenticator app"


def second_factor_required(user) -> bool:
    """Whether this user must present a TOTP code in this session."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    return bool(settings.STAFF_2FA) or user_has_device(user, confirmed=True)


def second_factor_missing(request: HttpRequest) -> bool:
    """True when the session's user must verify a second factor and has not yet."""
    user = request.user
    if not second_factor_required(user):
        return False
    return not (hasattr(user, "is_verified") and user.is_verified())


def next_step_url(user) -> str:
    """Verify when a confirmed device exists, otherwise enrol one."""
    if user_has_device(user, confirmed=True):
        return reverse("admin:otp_verify")
    return reverse("admin:otp_setup")


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}
        ),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError(_("Enter the 6 digits your app shows."))
        return token


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


def _staff_only(view):
    """Logged-in active staff only; others go to the admin login."""

    @never_cache
    @sensitive_post_parameters("token")
    @login_required(login_url="admin:login")
    def wrapper(request: HttpRequest) -> HttpResponse:
        if not (request.user.is_active and request.user.is_staff):
            return HttpResponseRedirect(reverse("admin:login"))
        return view(request)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _page_context(request: HttpRequest, title) -> dict:
    """The admin chrome without the app list: the session is not verified yet."""
    return {**admin.site.each_context(request), "available_apps": [], "title": title}


def qr_code_svg(data: str) -> str:
    """The otpauth:// URI as an inline SVG QR code (no script, no inline style: CSP-safe)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg = image.to_string(encoding="unicode")
    # Sized by CSS; a role and label make it announced as an image.
    return svg.replace("<svg ", '<svg class="otp-qr" role="img" aria-label="QR code" ', 1)


@_staff_only
def verify(request: HttpRequest) -> HttpResponse:
    """Ask the code of a confirmed device; on success the session is verified."""
    devices = list(TOTPDevice.objects.devices_for_user(request.user, confirmed=True))
    if not devices:
        return HttpResponseRedirect(reverse("admin:otp_setup"))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in devices:
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                logger.info(
                    "event=otp_verified user_id=%s device_id=%s", request.user.pk, device.pk
                )
                return HttpResponseRedirect(_safe_next(request))
        logger.warning("event=otp_failed user_id=%s", request.user.pk)
        form.add_error("token", _("That code is not valid (or too many attempts; wait a little)."))
    return render(
        request,
        "cdot_privacy/otp_verify.html",
        {
            "form": form,
            "next": _safe_next(request),
            **_page_context(request, _("Two-factor verification")),
        },
    )


@_staff_only
def setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code, confirm with one code.

    Someone who already has a confirmed device must verify with it first, so a stolen password
    alone cannot enrol an attacker's phone.
    """
    user = request.user
    has_device = user_has_device(user, confirmed=True)
    if has_device and not user.is_verified():
        return HttpResponseRedirect(reverse("admin:otp_verify"))
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=DEVICE_NAME).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, confirmed=False, name=DEVICE_NAME)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            logger.info("event=otp_enrolled user_id=%s device_id=%s", user.pk, device.pk)
            return HttpResponseRedirect(_safe_next(request))
        form.add_error("token", _("That code does not match. Check the time on your phone."))
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "cdot_privacy/otp_setup.html",
        {
            "form": form,
            "next": _safe_next(request),
            # SVG generated by qrcode from our own otpauth URI: no user-supplied markup.
            "qr_svg": mark_safe(qr_code_svg(device.config_url)),  # noqa: S308  # nosec B308 B703
            "secret": secret,
            **_page_context(request, _("Set up two-factor authentication")),
            "has_device": has_device,
        },
    )
