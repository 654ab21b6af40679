"""The cookie inventory and the banner settings in the staff admin (issue 15)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .admin import HintsMixin, RegisterAdmin, SingletonMixin
from .models_cookies import ConsentSettings, Cookie


@admin.register(Cookie)
class CookieAdmin(RegisterAdmin):
    list_display = ["name", "category", "party", "recipient", "lifetime", "activity"]
    list_filter = ["category", "party"]
    search_fields = ["name", "purpose_nl", "purpose_fr", "purpose_en"]
    list_select_related = ["recipient", "activity"]
    readonly_fields = ["register_hints"]
    fieldsets = [
        (None, {"fields": ["register_hints", "name", "category", "purpose", "activity"]}),
        (_("Who sets it (Art. 13(1)(e))"), {"fields": [("party", "recipient")]}),
        (_("Lifetime (Art. 13(2)(a))"), {"fields": [("lifetime_value", "lifetime_unit")]}),
        (None, {"fields": ["note"]}),
    ]

    @admin.display(description=_("lifetime"))
    def lifetime(self, obj: Cookie) -> str:
        return obj.lifetime_display() or "-"


@admin.register(ConsentSettings)
class ConsentSettingsAdmin(SingletonMixin, HintsMixin, SimpleHistoryAdmin):
    readonly_fields = ["register_hints"]
    fields = ["register_hints", "consent_months", "allowed_origins"]
