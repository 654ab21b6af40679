from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from . import views
from .api import api

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("", views.language_redirect, name="home"),
    path("privacy/", views.language_redirect, name="privacy-redirect"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("consent/", include("consent.urls")),  # the website's cookie banner (issue 15)
]

urlpatterns += i18n_patterns(
    path("privacy/request/", include("requests_app.urls")),
    path("privacy/", include("statement.urls")),
    prefix_default_language=True,
)

# Errors: JSON under /api/, the site's translated pages elsewhere (cdot_privacy/limits.py).
handler400 = "cdot_privacy.limits.bad_request"
handler403 = "cdot_privacy.limits.permission_denied"
handler404 = "cdot_privacy.limits.page_not_found"
handler500 = "cdot_privacy.limits.server_error"
