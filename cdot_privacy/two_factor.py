"""TOTP second factor for staff (django-otp): enrolment with a QR code, verification per session.

Required for every staff member when ``settings.STAFF_2FA`` is on (the production default), and
for anyone who enrolled a device even when it is off: a device once set up is always asked for.
Art. 32 GDPR: access to the register, requests and ID copies needs appropriate security.
"""

import hashlib
import logging
import secrets
from base64 import b32encode, urlsafe_b64encode
from datetime import datetime, timedelta

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import EnrolmentCode, TwoFactorAudit

logger = logging.getLogger(__name__)

DEVICE_NAME = "authenticator app"
BACKUP_DEVICE_NAME = "backup codes"
BACKUP_CODE_COUNT = 10
# No 0/o, 1/l/i: codes are read off paper and typed.
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
ENROLMENT_SESSION_KEY = "otp_enrolment_opened_for"
ISSUE_PERMISSION = "cdot_privacy.add_enrolmentcode"
BACKUP_CODE_KEY_SALT = "cdot_privacy.two_factor.backup_code"
BACKUP_DIGEST_LENGTH = 16  # django-otp's StaticToken.token max_length


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


def _normalise_code(value: str) -> str:
    """A typed code without spaces or hyphens, lower case."""
    return "".join(value.split()).replace("-", "").lower()


def _random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


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


class VerifyForm(forms.Form):
    """The app's 6 digits, or one of the backup codes (10 characters, hyphen optional)."""

    token = forms.CharField(
        label=_("Code from your authenticator app, or a backup code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    def clean_token(self) -> str:
        token = _normalise_code(self.cleaned_data["token"])
        if token.isdigit() and len(token) == 6:
            return token
        if len(token) == 10 and all(c in CODE_ALPHABET for c in token):
            return token
        raise forms.ValidationError(
            _("Enter the 6 digits your app shows, or one of your backup codes.")
        )


class EnrolmentCodeForm(forms.Form):
    enrolment_code = forms.CharField(
        label=_("Enrolment code"),
        max_length=20,
        help_text=_("A privacy officer gives you this one-time code; it is valid for 24 hours."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


# --- services ---------------------------------------------------------------------------------


def _code_hash(code: str) -> str:
    return hashlib.sha256(_normalise_code(code).encode()).hexdigest()


def audit(*, actor, subject, action: str) -> None:
    TwoFactorAudit.objects.create(actor=actor, subject=subject, action=action)
    logger.info(
        "event=otp_%s actor_id=%s user_id=%s",
        action,
        getattr(actor, "pk", None) or "command-line",
        subject.pk,
    )


def may_issue_codes(user) -> bool:
    """Privacy officers (the role's permission) and superusers issue enrolment codes."""
    if not (user.is_active and user.is_staff):
        return False
    return bool(user.is_superuser or user.has_perm(ISSUE_PERMISSION))


@transaction.atomic
def enrolment_code_issue(*, user, issued_by, now: datetime | None = None) -> str:
    """A new one-time enrolment code for ``user`` (earlier unused ones stop working).

    ``issued_by`` None: the operator on the command line. Returns the code; only its hash is
    kept. Nobody issues a code for their own account.
    """
    now = now or timezone.now()
    if issued_by is not None and issued_by.pk == user.pk:
        raise PermissionDenied("no enrolment code for one's own account")
    EnrolmentCode.objects.usable(now).filter(user=user).update(expires_at=now)
    raw = _random_code(12)
    EnrolmentCode.objects.create(
        user=user,
        code_hash=_code_hash(raw),
        issued_by=issued_by,
        issued_at=now,
        expires_at=now + timedelta(hours=settings.OTP_ENROLMENT_CODE_HOURS),
    )
    audit(actor=issued_by, subject=user, action=TwoFactorAudit.Action.CODE_ISSUED)
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4)).upper()


@transaction.atomic
def enrolment_code_redeem(*, user, code: str, now: datetime | None = None) -> bool:
    """Use ``code`` for ``user``: True once, for an unexpired code issued for this user."""
    now = now or timezone.now()
    row = (
        EnrolmentCode.objects.usable(now)
        .select_for_update()
        .filter(user=user, code_hash=_code_hash(code))
        .first()
    )
    if row is None:
        logger.warning("event=otp_enrolment_code_refused user_id=%s", user.pk)
        return False
    row.used_at = now
    row.save(update_fields=["used_at"])
    audit(actor=user, subject=user, action=TwoFactorAudit.Action.CODE_USED)
    return True


def backup_code_digest(code: str, secret: str | None = None) -> str:
    """What is stored of a backup code: a keyed hash, never the code (Art. 32 GDPR).

    HMAC-SHA256 under a key derived from SECRET_KEY, base64url, cut to the 16 characters
    django-otp's StaticToken holds (96 bits). Without the key a database copy reveals nothing;
    the codes are random (49 bits), so no salt per code is needed. The data migration
    0006_backup_codes_hashed keeps its own copy of this function: change both together.
    """
    mac = salted_hmac(
        BACKUP_CODE_KEY_SALT,
        _normalise_code(code),
        secret=secret or settings.SECRET_KEY,
        algorithm="sha256",
    )
    return urlsafe_b64encode(mac.digest()).decode()[:BACKUP_DIGEST_LENGTH]


def backup_code_verify(*, device: StaticDevice, code: str) -> bool:
    """Use ``code`` once: its hash (under SECRET_KEY or a fallback key) is found and deleted.

    django-otp's throttling (a growing wait after each failure) applies as to its own tokens.
    """
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        return False
    secrets_in_use = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    digests = [backup_code_digest(code, secret) for secret in secrets_in_use]
    match = device.token_set.filter(token__in=digests).first()
    # Used once: the DELETE decides, so of two logins racing with one code only one wins.
    if match is None or not device.token_set.filter(pk=match.pk).delete()[0]:
        device.throttle_increment()
        return False
    device.throttle_reset(commit=False)
    device.set_last_used_timestamp(commit=False)
    device.save()
    return True


@transaction.atomic
def backup_codes_issue(*, user, actor, action: str) -> list[str]:
    """Replace ``user``'s backup codes with new ones; returns them (shown once, usable once).

    Only their hashes are stored (backup_code_digest).
    """
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [_random_code(10) for _ in range(BACKUP_CODE_COUNT)]
    device.token_set.bulk_create(
        [device.token_set.model(device=device, token=backup_code_digest(c)) for c in codes]
    )
    audit(actor=actor, subject=user, action=action)
    return [f"{c[:5]}-{c[5:]}" for c in codes]


@transaction.atomic
def devices_remove(*, user, actor) -> int:
    """Delete ``user``'s authenticator apps and backup codes (a lost phone); audited."""
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        devices = model.objects.filter(user=user)
        removed += devices.count()
        devices.delete()
    audit(actor=actor, subject=user, action=TwoFactorAudit.Action.DEVICES_REMOVED)
    return removed


def bootstrap_enrolment(user) -> bool:
    """The very first superuser enrols without a code: nobody else could issue one."""
    return bool(user.is_superuser) and not TOTPDevice.objects.filter(confirmed=True).exists()


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
    backups = list(StaticDevice.objects.devices_for_user(request.user, confirmed=True))
    if not devices and not backups:
        return HttpResponseRedirect(reverse("admin:otp_setup"))
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        for device in devices if token.isdigit() else backups:
            if (
                backup_code_verify(device=device, code=token)
                if isinstance(device, StaticDevice)
                else device.verify_token(token)
            ):
                otp_login(request, device)
                # A new session key once the second factor is proven (session fixation).
                request.session.cycle_key()
                logger.info(
                    "event=otp_verified user_id=%s device_id=%s", request.user.pk, device.pk
                )
                if isinstance(device, StaticDevice):
                    audit(
                        actor=request.user,
                        subject=request.user,
                        action=TwoFactorAudit.Action.BACKUP_CODE_USED,
                    )
                    left = device.token_set.count()
                    messages.warning(
                        request,
                        ngettext(
                            "You used a backup code; %(count)d is left. Set up your "
                            "authenticator app again under Two-factor authentication.",
                            "You used a backup code; %(count)d are left. Set up your "
                            "authenticator app again under Two-factor authentication.",
                            left,
                        )
                        % {"count": left},
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
            # Only backup codes left (the phone's device was deleted): a code can open enrolment.
            "enrolment_link": not devices,
            **_page_context(request, _("Two-factor verification")),
        },
    )


@_staff_only
def setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code, confirm with one code.

    Someone who already has a confirmed device (or backup codes) must verify with it first;
    someone without one needs an enrolment code another privacy officer or a superuser issued
    (except the very first superuser). So a stolen password alone never binds a new phone.
    """
    user = request.user
    has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    if has_device and not user.is_verified():
        return HttpResponseRedirect(reverse("admin:otp_verify"))
    # Verified (by the app or a backup code), the very first superuser, or a redeemed code.
    opened = user.is_verified() or bootstrap_enrolment(user)
    opened = opened or request.session.get(ENROLMENT_SESSION_KEY) == user.pk
    if not opened:
        code_form = EnrolmentCodeForm(request.POST or None)
        if request.method == "POST" and code_form.is_valid():
            if enrolment_code_redeem(user=user, code=code_form.cleaned_data["enrolment_code"]):
                request.session[ENROLMENT_SESSION_KEY] = user.pk
                opened = True
            else:
                code_form.add_error(
                    "enrolment_code",
                    _(
                        "That enrolment code is not valid, already used or expired. "
                        "Ask for a new one."
                    ),
                )
    if not opened:
        return render(
            request,
            "cdot_privacy/otp_enrolment_code.html",
            {
                "form": code_form,
                "next": _safe_next(request),
                **_page_context(request, _("Set up two-factor authentication")),
            },
        )
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=DEVICE_NAME).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, confirmed=False, name=DEVICE_NAME)
    form = TokenForm(request.POST if "token" in request.POST else None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit(actor=user, subject=user, action=TwoFactorAudit.Action.ENROLLED)
                has_backups = StaticDevice.objects.filter(
                    user=user, token_set__isnull=False
                ).exists()
                codes = (
                    []
                    if has_backups
                    else backup_codes_issue(
                        user=user, actor=user, action=TwoFactorAudit.Action.BACKUP_CODES_ISSUED
                    )
                )
            otp_login(request, device)
            request.session.cycle_key()
            request.session.pop(ENROLMENT_SESSION_KEY, None)
            logger.info("event=otp_enrolled user_id=%s device_id=%s", user.pk, device.pk)
            messages.success(request, _("Two-factor authentication is set up."))
            if not codes:
                return HttpResponseRedirect(_safe_next(request))
            return _backup_codes_page(request, subject=user, codes=codes)
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


def _backup_codes_page(request: HttpRequest, *, subject, codes: list[str]) -> HttpResponse:
    """The codes, shown this once (never cached). Only their keyed hashes are stored
    (backup_code_digest) and the admin has no page for them (cdot_privacy/admin.py), so this
    response is the only place anyone sees them."""
    return render(
        request,
        "cdot_privacy/otp_backup_codes.html",
        {
            "backup_codes": codes,
            "subject": subject,
            "own": subject.pk == request.user.pk,
            "next": _safe_next(request),
            **admin.site.each_context(request),
            "title": _("Your backup codes")
            if subject.pk == request.user.pk
            else _("New backup codes"),
        },
    )


# --- staff pages: who has a second factor; issue codes; reset backup codes --------------------


def _staff_member(pk: int):
    return get_object_or_404(get_user_model(), pk=pk, is_staff=True)


@never_cache
def staff_overview(request: HttpRequest) -> HttpResponse:
    """Every staff account with its second factor; officers issue codes, superusers reset."""
    if not (may_issue_codes(request.user) or request.user.is_superuser):
        raise PermissionDenied
    users = get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username")
    totp = set(
        TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True).distinct()
    )
    backups = dict(
        StaticDevice.objects.filter(confirmed=True)
        .values_list("user_id")
        .annotate(n=models.Count("token_set"))
        .values_list("user_id", "n")
    )
    rows = [
        {"user": u, "has_app": u.pk in totp, "backup_codes": backups.get(u.pk, 0)} for u in users
    ]
    return render(
        request,
        "cdot_privacy/otp_staff.html",
        {
            "rows": rows,
            "can_issue": may_issue_codes(request.user),
            "can_reset": request.user.is_superuser,
            **admin.site.each_context(request),
            "title": _("Second factor of staff"),
        },
    )


@never_cache
def enrolment_code_view(request: HttpRequest, user_id: int) -> HttpResponse:
    """POST: issue a one-time enrolment code for a colleague and show it this once."""
    subject = _staff_member(user_id)
    if not may_issue_codes(request.user) or subject.pk == request.user.pk:
        raise PermissionDenied
    code = None
    if request.method == "POST":
        code = enrolment_code_issue(user=subject, issued_by=request.user)
    return render(
        request,
        "cdot_privacy/otp_enrolment_code_issued.html",
        {
            "subject": subject,
            "enrolment_code": code,
            "hours": settings.OTP_ENROLMENT_CODE_HOURS,
            **admin.site.each_context(request),
            "title": _("Enrolment code"),
        },
    )


@never_cache
def backup_codes_reset_view(request: HttpRequest, user_id: int) -> HttpResponse:
    """POST, superusers only: new backup codes for someone (their old ones stop working)."""
    subject = _staff_member(user_id)
    if not request.user.is_superuser:
        raise PermissionDenied
    if request.method != "POST":
        return HttpResponseRedirect(reverse("admin:otp_staff"))
    codes = backup_codes_issue(
        user=subject, actor=request.user, action=TwoFactorAudit.Action.BACKUP_CODES_RESET
    )
    return _backup_codes_page(request, subject=subject, codes=codes)
