"""Staff screens of the processor duties: notices, forwarded requests, return or deletion."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from records.admin import ErasingDeleteMixin
from retention.services import processor_deletion_confirm

from . import services
from .models import DataEnd, ForwardedRequest, SubProcessorChange, SubProcessorNotice


class NoticeInline(admin.TabularInline):
    model = SubProcessorNotice
    extra = 0
    can_delete = False
    fields = (
        "client",
        "language",
        "sent_at",
        "objection_deadline",
        "objected_on",
        "objection_note",
    )
    readonly_fields = ("client", "language", "sent_at", "objection_deadline")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ChangeForm(forms.ModelForm):
    class Meta:
        model = SubProcessorChange
        fields = ("recipient", "kind", "effective_on", "description")

    def clean(self):
        data = super().clean()
        recipient, kind = data.get("recipient"), data.get("kind")
        if recipient and kind:
            try:
                services.sub_processor_change_recipients(recipient=recipient, kind=kind)
            except services.ProcessorError as refused:
                raise ValidationError(str(refused)) from refused
        return data


@admin.register(SubProcessorChange)
class SubProcessorChangeAdmin(admin.ModelAdmin):
    form = ChangeForm
    list_display = ("recipient", "kind", "effective_on", "created_at", "clients_told", "objections")
    list_filter = ("kind",)

    def get_readonly_fields(self, request, obj=None):
        return ("recipient", "kind", "effective_on", "description") if obj else ()

    def get_inlines(self, request, obj=None):
        return (NoticeInline,) if obj else ()  # the notices are made when it is saved

    @admin.display(description=_("clients told"))
    def clients_told(self, obj: SubProcessorChange) -> int:
        return obj.notices.count()

    @admin.display(description=_("objections"))
    def objections(self, obj: SubProcessorChange) -> int:
        return obj.notices.objected().count()

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        created = services.sub_processor_change_announce(
            recipient=obj.recipient,
            kind=obj.kind,
            effective_on=obj.effective_on,
            description=obj.description,
            by=request.user,
        )
        obj.pk = created.pk
        obj.created_at = created.created_at

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)


class ForwardForm(forms.ModelForm):
    class Meta:
        model = ForwardedRequest
        fields = ("client", "received_at", "requester", "summary")

    def clean_client(self):
        client = self.cleaned_data["client"]
        if not client.contact_email:
            raise ValidationError(_("The client has no contact e-mail in the register."))
        return client


@admin.register(ForwardedRequest)
class ForwardedRequestAdmin(ErasingDeleteMixin, admin.ModelAdmin):  # deletes through records_delete
    form = ForwardForm
    list_display = ("client", "received_at", "forwarded_at", "forwarded_to")
    date_hierarchy = "received_at"

    def get_readonly_fields(self, request, obj=None):
        if obj:
            return ("client", "received_at", "requester", "summary", "forwarded_at", "forwarded_to")
        return ()

    def has_change_permission(self, request, obj=None) -> bool:
        return False if obj else super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        created = services.forwarded_request_record(
            client=obj.client,
            received_at=obj.received_at,
            requester=obj.requester,
            summary=obj.summary,
        )
        obj.pk = created.pk


class DataEndForm(forms.ModelForm):
    class Meta:
        model = DataEnd
        fields = ("client", "occasion", "choice", "requested_on", "returned_on", "return_note")

    def clean(self):
        data = super().clean()
        client = data.get("client")
        if self.instance.pk or not client:
            return data
        from records.models import ProcessorDataset

        if not ProcessorDataset.objects.filter(client=client).exists():
            raise ValidationError(
                _("No data of this client is recorded as held: nothing to delete.")
            )
        if data.get("occasion") == DataEnd.Occasion.CONTRACT_END and not client.contract_end:
            raise ValidationError(_("Enter the contract end in the register first."))
        return data


@admin.register(DataEnd)
class DataEndAdmin(admin.ModelAdmin):
    form = DataEndForm
    list_display = ("client", "occasion", "choice", "requested_on", "state", "certificate")
    actions = ("confirm_deletion",)

    def get_readonly_fields(self, request, obj=None):
        return (
            ("client", "occasion", "choice", "requested_on", "state", "certificate") if obj else ()
        )

    def get_fields(self, request, obj=None):
        fields = ["client", "occasion", "choice", "requested_on", "returned_on", "return_note"]
        return [*fields, "state", "certificate"] if obj else fields

    @admin.display(description=_("deletion"))
    def state(self, obj: DataEnd) -> str:
        datasets = obj.datasets()
        done = datasets.filter(deletion_confirmed_on__isnull=False).count()
        return _("%(done)s of %(total)s datasets confirmed deleted") % {
            "done": done,
            "total": datasets.count(),
        }

    @admin.display(description=_("certificate"))
    def certificate(self, obj: DataEnd) -> str:
        if not obj.pk or not obj.is_complete:
            return "—"
        url = reverse("admin:processor_dataend_certificate", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Deletion certificate (PDF)"))

    @admin.action(description=_("Confirm today that the client's systems deleted the data"))
    def confirm_deletion(self, request, queryset):
        today = timezone.localdate()
        count = 0
        for end in queryset:
            for dataset in end.datasets().filter(
                deletion_confirmed_on__isnull=True, deletion_requested_on__lte=today
            ):
                processor_deletion_confirm(dataset=dataset, confirmed_on=today)
                count += 1
        self.message_user(
            request, _("%(n)s datasets confirmed deleted.") % {"n": count}, messages.SUCCESS
        )

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        created = services.data_end_record(
            client=obj.client,
            occasion=obj.occasion,
            choice=obj.choice,
            requested_on=obj.requested_on,
            by=request.user,
        )
        obj.pk = created.pk

    def get_urls(self):
        return [
            path(
                "<int:pk>/certificate/",
                self.admin_site.admin_view(self.certificate_view),
                name="processor_dataend_certificate",
            ),
            *super().get_urls(),
        ]

    def certificate_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        end = get_object_or_404(DataEnd, pk=pk)
        if not self.has_view_permission(request, end):
            raise PermissionDenied
        try:
            pdf = services.data_end_certificate_pdf(end=end)
        except services.ProcessorError as error:
            self.message_user(request, str(error), messages.ERROR)
            from django.shortcuts import redirect

            return redirect("admin:processor_dataend_change", end.pk)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="deletion-certificate-{end.pk}.pdf"'
        )
        return response
