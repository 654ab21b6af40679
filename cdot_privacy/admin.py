"""Second-factor devices in the admin: no secret is ever shown (issue 19, finding 2).

django-otp's own TOTP admin shows the key on the add form and offers config/QR pages; with
``OTP_ADMIN_HIDE_SENSITIVE_DATA`` those pages answer 403 for every device, and before that
setting looked a device up unguarded (a 500 for an unknown id). Here they do not exist (404),
devices are never added by someone else (the owner enrols, cdot_privacy/two_factor.py), and the
backup codes (static tokens) have no admin page at all. Deleting a lost phone's device stays
possible for the privacy officer.
"""

from django.contrib import admin
from django.http import Http404
from django_otp.plugins.otp_static import admin as _static_admin  # noqa: F401 - registers first
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp import admin as totp_admin
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import TwoFactorAudit


class TOTPDeviceAdmin(totp_admin.TOTPDeviceAdmin):
    def config_view(self, request, pk):
        raise Http404

    def qrcode_view(self, request, pk):
        raise Http404

    def has_add_permission(self, request) -> bool:
        return False


for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
admin.site.register(TOTPDevice, TOTPDeviceAdmin)


@admin.register(TwoFactorAudit)
class TwoFactorAuditAdmin(admin.ModelAdmin):
    list_display = ("at", "action", "subject", "actor")
    list_filter = ("action",)
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
