"""The staff site: Django's admin with a second factor and the "what needs me today" dashboard."""

from functools import update_wrapper

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from . import two_factor


class StaffAdminSite(admin.AdminSite):
    site_header = _("C-DOT privacy · staff")
    site_title = _("C-DOT privacy")
    index_title = _("What needs you today")
    index_template = "admin/index.html"

    def has_permission(self, request: HttpRequest) -> bool:
        """Active staff, and — when a second factor is required — verified with it."""
        if not super().has_permission(request):
            return False
        return not two_factor.second_factor_missing(request)

    def admin_view(self, view, cacheable: bool = False):
        """Staff who passed the password but not yet the second factor go to verify/enrol."""
        inner = super().admin_view(view, cacheable)

        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            logout_path = reverse("admin:logout", current_app=self.name)
            if request.path != logout_path and two_factor.second_factor_missing(request):
                return redirect_to_login(
                    request.get_full_path(), two_factor.next_step_url(request.user)
                )
            return inner(request, *args, **kwargs)

        return update_wrapper(wrapper, view)

    def get_urls(self):
        return [
            path("2fa/", two_factor.verify, name="otp_verify"),
            path("2fa/setup/", two_factor.setup, name="otp_setup"),
            path("2fa/staff/", self.admin_view(two_factor.staff_overview), name="otp_staff"),
            path(
                "2fa/enrolment-code/<int:user_id>/",
                self.admin_view(two_factor.enrolment_code_view),
                name="otp_enrolment_code",
            ),
            path(
                "2fa/backup-codes/<int:user_id>/reset/",
                self.admin_view(two_factor.backup_codes_reset_view),
                name="otp_backup_codes_reset",
            ),
            *super().get_urls(),
        ]

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list:
        """Django's list of apps and models, built once per request: the index page asks for it
        twice (its content and the sidebar's ``each_context``), and the user's permissions
        behind it are read once per request anyway."""
        built = request.__dict__.setdefault("_staff_app_lists", {})
        if app_label not in built:
            built[app_label] = super().get_app_list(request, app_label)
        return built[app_label]

    def index(self, request: HttpRequest, extra_context: dict | None = None):
        from .dashboard import dashboard_context

        context = {**dashboard_context(request), **(extra_context or {})}
        return super().index(request, extra_context=context)

    def login(self, request: HttpRequest, extra_context: dict | None = None):
        if request.method == "GET" and two_factor.second_factor_missing(request):
            return HttpResponseRedirect(two_factor.next_step_url(request.user))
        return super().login(request, extra_context)
