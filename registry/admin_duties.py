"""DPIA screenings (Art. 35) and the camera register (camera law) in the staff admin."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .admin import HintsMixin
from .models_cameras import Camera
from .models_dpia import GBA_LIST, WP248_CRITERIA, DpiaScreening


class ScreeningForm(forms.ModelForm):
    criteria = forms.MultipleChoiceField(
        label=_("WP248 criteria met"),
        choices=WP248_CRITERIA,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    gba_items = forms.MultipleChoiceField(
        label=_("GBA/APD list items that apply"),
        choices=GBA_LIST,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Any item on this list makes a DPIA required (Art. 35(4))."),
    )

    class Meta:
        model = DpiaScreening
        fields = [
            "activity",
            "criteria",
            "gba_items",
            "criteria_notes",
            "result",
            "reason",
            "screened_on",
            "dpia_document",
            "dpia_reference",
            "review_on",
        ]


@admin.register(DpiaScreening)
class DpiaScreeningAdmin(HintsMixin, admin.ModelAdmin):
    form = ScreeningForm
    list_display = ["activity", "result_display", "criteria_count", "screened_on", "review_on"]
    list_filter = ["result"]
    readonly_fields = ["screened_by"]
    autocomplete_fields = ["activity"]

    @admin.display(description=_("result"))
    def result_display(self, obj: DpiaScreening) -> str:
        return obj.get_result_display() if obj.result else str(_("to decide"))

    @admin.display(description=_("criteria met"))
    def criteria_count(self, obj: DpiaScreening) -> int:
        return len(obj.criteria)

    def get_changeform_initial_data(self, request):
        return {"screened_on": timezone.localdate()}

    def save_model(self, request, obj, form, change):
        # Who decided (Art. 35, accountability Art. 5(2)): the staff member who records it.
        if obj.result and (not obj.screened_by_id or "result" in form.changed_data):
            obj.screened_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Camera)
class CameraAdmin(HintsMixin, admin.ModelAdmin):
    list_display = [
        "location",
        "place",
        "setting",
        "mobility",
        "police_declared_on",
        "next_validation_display",
        "pictogram_placed_on",
    ]
    list_filter = ["place", "setting", "mobility"]
    readonly_fields = ["next_validation_display"]
    fieldsets = [
        (
            _("Where and what (royal decree of 8 May 2018)"),
            {"fields": ["activity", "location", ("mobility", "setting"), "place", "films_staff"]},
        ),
        (
            _("Purpose, basis, retention, access"),
            {"fields": ["purpose", "legal_basis", "retention_rule", "viewers"]},
        ),
        (
            _("Pictogram and police declaration"),
            {
                "fields": [
                    "pictogram_placed_on",
                    ("police_declared_on", "police_reference"),
                    "last_validated_on",
                    "next_validation_display",
                ]
            },
        ),
    ]

    @admin.display(description=_("next validation due"))
    def next_validation_display(self, obj: Camera) -> str:
        due = obj.next_validation() if obj and obj.pk else None
        return due.strftime("%d-%m-%Y") if due else "—"
