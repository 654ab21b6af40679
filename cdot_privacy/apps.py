from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CdotPrivacyConfig(AppConfig):
    name = "cdot_privacy"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from django.contrib.admin.templatetags import admin_list

        admin_list._boolean_icon = _boolean_icon


def _boolean_icon(field_val):
    """The admin's yes/no/unknown icon, its alt text in the staff's language.

    Django writes alt="True"/"False"/"None" in English; every list and read-only page shows it.
    """
    from django.templatetags.static import static
    from django.utils.html import format_html

    icon = {True: "yes", False: "no", None: "unknown"}[field_val]
    alt = {True: _("yes"), False: _("no"), None: _("unknown")}[field_val]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{icon}.svg"), alt)
