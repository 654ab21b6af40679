"""The admin app with C-DOT's staff site as the default site.

Every app keeps using ``@admin.register(...)`` on ``django.contrib.admin.site``: with
``default_site`` that object *is* the staff site, so 2FA and the dashboard cover all of them.
"""

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    default_site = "cdot_privacy.admin_site.StaffAdminSite"
