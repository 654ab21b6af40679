"""Staff workflow in the admin: one button per step, each step a service call, each audited.

The audit trail is read-only here (no add, change or delete permission for anyone) and the
model refuses writes as well (models.AuditEntry, and a trigger on PostgreSQL).
"""

import csv
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Case, F, IntegerField, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import packages, services, services_records
from .deadlines import latest_extension, local_date
from .errors import WorkflowError
from .forms import (
    AssignForm,
    CompleteForm,
    EnterRequestForm,
    ExtendForm,
    IdentityCheckForm,
    IdentityDoubtForm,
    RejectForm,
    SearchForm,
    rectify_form_class,
)
from .models import (
    AccessPackage,
    AnswerTemplate,
    AuditEntry,
    DataSubjectRequest,
    IdCopy,
    PackageDownload,
    ProcessorWebhook,
    SubjectMatch,
    WebhookDelivery,
)
from .selectors import SEARCHED_MODELS, search_keys, subject_search

Status = DataSubjectRequest.Status
Type = DataSubjectRequest.Type


@dataclass(frozen=True)
class StepView:
    """How the admin runs one step of DataSubjectRequest.TRANSITIONS: a service call, with
    an optional form. Whether it is offered comes from the model's map, not from here."""

    run: Callable
    form: type[forms.Form] | None = None
    types: tuple = ()  # request types the step is offered for; () = all


def _assign(dsr, user, data):
    services.request_assign(dsr=dsr, assignee=data["assignee"], actor=user)


def _identity(dsr, user, data):
    services.identity_check_record(
        dsr=dsr, actor=user, method=data["method"], outcome=data["outcome"], note=data["note"]
    )


def _doubt(dsr, user, data):
    services.request_start_identity_check(
        dsr=dsr, actor=user, doubt=data["doubt"], information=data["information"]
    )


def _extend(dsr, user, data):
    services.request_extend(
        dsr=dsr, actor=user, extended_until=data["extended_until"], reason=data["reason"]
    )


def _complete(dsr, user, data):
    services.request_complete(dsr=dsr, actor=user, decision=data["decision"], answer=data["answer"])


def _package(kind):
    def run(dsr, user, data):
        packages.access_package_create(dsr=dsr, actor=user, kind=kind)

    return run


S = DataSubjectRequest.Step
STEPS: dict[str, StepView] = {
    S.ASSIGN: StepView(_assign, AssignForm),
    S.CLOSE_UNCONFIRMED: StepView(
        lambda dsr, user, data: services.request_close_unconfirmed(dsr=dsr, actor=user)
    ),
    S.START_IDENTITY_CHECK: StepView(_doubt, IdentityDoubtForm),
    S.INFORMATION_RECEIVED: StepView(
        lambda dsr, user, data: services.request_information_received(dsr=dsr, actor=user)
    ),
    S.IDENTITY_CHECK: StepView(_identity, IdentityCheckForm),
    S.START: StepView(lambda dsr, user, data: services.request_start(dsr=dsr, actor=user)),
    S.EXTEND: StepView(_extend, ExtendForm),
    S.ACCESS_REPORT: StepView(
        _package(AccessPackage.Kind.ACCESS_REPORT), types=(Type.ACCESS, Type.OTHER)
    ),
    S.PORTABILITY: StepView(
        _package(AccessPackage.Kind.PORTABILITY), types=(Type.PORTABILITY, Type.ACCESS)
    ),
    S.ERASE: StepView(
        lambda dsr, user, data: services_records.erasure_execute(dsr=dsr, actor=user),
        types=(Type.ERASURE,),
    ),
    S.RESTRICT: StepView(
        lambda dsr, user, data: services_records.restriction_apply(dsr=dsr, actor=user),
        types=(Type.RESTRICTION, Type.RECTIFICATION),
    ),
    S.OBJECT: StepView(
        lambda dsr, user, data: services_records.objection_apply(dsr=dsr, actor=user),
        types=(Type.OBJECTION,),
    ),
    S.WITHDRAW_CONSENT: StepView(
        lambda dsr, user, data: services_records.consent_withdraw(dsr=dsr, actor=user),
        types=(Type.CONSENT_WITHDRAWAL, Type.OBJECTION, Type.ERASURE),
    ),
    S.COMPLETE: StepView(_complete, CompleteForm),
    S.REJECT: StepView(
        lambda dsr, user, data: services.request_reject(dsr=dsr, actor=user, reason=data["reason"]),
        RejectForm,
    ),
    S.WITHDRAW: StepView(lambda dsr, user, data: services.request_withdraw(dsr=dsr, actor=user)),
}


def steps_for(dsr: DataSubjectRequest) -> list[tuple[str, str]]:
    """(slug, label) of the steps the model's TRANSITIONS allow now, for this request type."""
    return [
        (slug, DataSubjectRequest.Step(slug).label)
        for slug, view in STEPS.items()
        if dsr.allows(slug) and (not view.types or dsr.type in view.types)
    ]


A = AuditEntry.Action
# The workflow's milestones as the request page lists them (from the audit trail).
MILESTONES = (
    A.RECEIVED, A.CONFIRMED, A.ASSIGNED, A.IDENTITY_CHECK_STARTED, A.CLOCK_RESUMED,
    A.IDENTITY_CHECKED, A.STARTED, A.EXTENDED, A.MATCHES_CONFIRMED, A.ACCESS_PACKAGE_CREATED,
    A.RECORDS_ERASED, A.RECORDS_RESTRICTED, A.OBJECTION_RECORDED, A.CONSENT_WITHDRAWN,
    A.RECORD_RECTIFIED, A.COMPLETED, A.REJECTED, A.WITHDRAWN, A.CLOSED_NOT_CONFIRMED,
)  # fmt: skip


def progress_for(dsr: DataSubjectRequest) -> list[dict]:
    """Each step done: what, who, when (from the append-only audit trail)."""
    entries = AuditEntry.objects.filter(request=dsr, action__in=MILESTONES).order_by("at", "pk")
    return [
        {
            "action": entry.action,
            "label": entry.get_action_display(),
            "actor": entry.actor_label,
            "at": entry.at,
            "done": True,
        }
        for entry in entries
    ]


class StateFilter(admin.SimpleListFilter):
    """To handle (open and unconfirmed) by default; closed ones a click away."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("closed", _("Closed")),
            ("unconfirmed", _("Not yet confirmed")),
            ("overdue", _("Overdue")),
            ("all", _("All")),
        ]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("To handle"),
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value()
        if value == "all":
            return queryset
        if value == "closed":
            return queryset.closed()
        if value == "unconfirmed":
            return queryset.filter(status=Status.UNVERIFIED)
        if value == "overdue":
            today = local_date(timezone.now())
            return queryset.open().filter(clock_paused_at__isnull=True, due_effective__lt=today)
        return queryset.to_handle()


def _audit_actor(entry: AuditEntry) -> str:
    """Who did it, in the staff's words ("system" and "subject" are codes the trail stores)."""
    words = {"system": _("the system"), "subject": _("the data subject"), "": "—"}
    return str(words.get(entry.actor_label, entry.actor_label))


def _audit_details(entry: AuditEntry) -> str:
    """The entry's details as a readable line: the values, not the raw JSON."""
    details = entry.details if isinstance(entry.details, dict) else {}
    values = [str(v) for v in details.values() if isinstance(v, str | int | float) and v != ""]
    return " · ".join(values) or "—"


class AuditEntryInline(admin.TabularInline):
    model = AuditEntry
    extra = 0
    can_delete = False
    fields = ("when", "by", "what", "detail_line")
    readonly_fields = fields
    ordering = ("at", "pk")

    @admin.display(description=_("when"))
    def when(self, entry: AuditEntry):
        return entry.at

    @admin.display(description=_("by"))
    def by(self, entry: AuditEntry) -> str:
        return _audit_actor(entry)

    @admin.display(description=_("what"))
    def what(self, entry: AuditEntry) -> str:
        return entry.get_action_display()

    @admin.display(description=_("details"))
    def detail_line(self, entry: AuditEntry) -> str:
        return _audit_details(entry)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DataSubjectRequest)
class DataSubjectRequestAdmin(admin.ModelAdmin):
    list_display = (
        "reference_column",
        "type",
        "status",
        "channel",
        "received_at",
        "due_column",
        "days_left_column",
        "assignee",
    )
    list_filter = (StateFilter, "status", "type", "channel", "assignee")
    search_fields = ("reference",)
    date_hierarchy = "received_at"
    # Open requests first by due date (closed ones are a filter away).
    actions = ["export_csv"]
    inlines = [AuditEntryInline]
    change_form_template = "admin/requests_app/datasubjectrequest/change_form.html"
    fields = (
        "reference_column",
        "type",
        "status",
        "channel",
        "forwarded_by",
        "entered_by",
        "name",
        "email",
        "postal_address",
        "phone",
        "details",
        "language",
        "submitted_at",
        "received_at",
        "due_on",
        "extended_until",
        "extension_reason",
        "clock_paused_at",
        "identity_doubt",
        "information_requested",
        "assignee",
        "decision",
        "answer",
        "rejection_reason",
        "completed_at",
    )
    readonly_fields = fields

    class Media:
        css = {"all": ("requests_app/requests.css",)}

    @admin.display(description=_("reference"), ordering="reference")
    def reference_column(self, dsr: DataSubjectRequest) -> str:
        return dsr.reference

    def has_delete_permission(self, request, obj=None):
        return False  # the audit trail keeps every request, confirmed or not

    def get_queryset(self, request):
        # Every request, unconfirmed ones too (their month runs): nothing disappears unseen.
        # ModelAdmin.get_queryset orders before these annotations exist: built here instead.
        return (
            DataSubjectRequest._default_manager.get_queryset()
            .with_effective_due()
            .select_related("assignee")
            .annotate(
                closed_last=Case(
                    When(status__in=DataSubjectRequest.CLOSED_STATUSES, then=1),
                    default=0,
                    output_field=IntegerField(),
                )
            )
            .order_by(*self.get_ordering(request))
        )

    def get_ordering(self, request):
        # Open first, the nearest deadline on top (an empty answer here would fall back to the
        # model's newest-first Meta.ordering). Uses get_queryset's annotations.
        return ["closed_last", F("due_effective").asc(nulls_last=True), "pk"]

    @admin.display(description=_("due"), ordering="due_effective")
    def due_column(self, obj: DataSubjectRequest):
        return obj.effective_due

    @admin.display(description=_("days left"))
    def days_left_column(self, obj: DataSubjectRequest):
        days = obj.days_left()
        if obj.is_paused and obj.is_open:
            return format_html('<span class="dsr-days">{}</span>', _("clock paused"))
        if days is None or not obj.clock_running:
            return "—"
        css = "dsr-overdue" if days < 0 else ("dsr-soon" if days <= 7 else "")
        label = _("%(days)s overdue") % {"days": -days} if days < 0 else days
        return format_html('<span class="dsr-days {}">{}</span>', css, label)

    # --- extra pages ----------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("export.csv", wrap(self.export_all_view), name="requests_app_export"),
            path("<int:pk>/step/<slug:step>/", wrap(self.step_view), name="requests_app_step"),
            path("<int:pk>/search/", wrap(self.search_view), name="requests_app_search"),
            path(
                "<int:pk>/rectify/<slug:model_name>/<int:object_id>/",
                wrap(self.rectify_view),
                name="requests_app_rectify",
            ),
            path(
                "<int:pk>/package/<int:package_id>/",
                wrap(self.package_view),
                name="requests_app_package",
            ),
            path(
                "<int:pk>/id-copy/<int:copy_id>/",
                wrap(self.id_copy_view),
                name="requests_app_id_copy",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        dsr = self.get_object(request, object_id)
        context = extra_context or {}
        if dsr is not None:
            context.update(
                steps=steps_for(dsr) if self.has_change_permission(request, dsr) else [],
                matches=SubjectMatch.objects.filter(request=dsr).select_related("content_type"),
                packages=dsr.packages.all(),
                downloads=PackageDownload.objects.filter(package__request=dsr),
                # an unconfirmed request's ID copy is not served (issue #19)
                id_copies=dsr.id_copies.all() if dsr.status != Status.UNVERIFIED else [],
                can_search=dsr.allows(DataSubjectRequest.Step.SEARCH),
                progress=progress_for(dsr),
                # every field is read-only here: the steps change the request, not a Save
                show_save=False,
                show_save_and_continue=False,
                show_save_and_add_another=False,
                can_rectify=dsr.allows(DataSubjectRequest.Step.RECTIFY),
                rectifiable=[
                    model._meta.model_name
                    for model, fields in services_records.RECTIFIABLE_FIELDS.items()
                    if fields
                ],
            )
        return super().change_view(request, object_id, form_url, extra_context=context)

    def _get_for_change(self, request, pk) -> DataSubjectRequest:
        dsr = get_object_or_404(DataSubjectRequest, pk=pk)
        if not self.has_change_permission(request, dsr):
            raise PermissionDenied
        return dsr

    def _back(self, dsr) -> HttpResponseRedirect:
        return HttpResponseRedirect(
            reverse("admin:requests_app_datasubjectrequest_change", args=[dsr.pk])
        )

    def _page(self, request, dsr, title, form, status=200, **extra) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": dsr,
            "title": title,
            "form": form,
            **extra,
        }
        return TemplateResponse(
            request, "admin/requests_app/datasubjectrequest/step.html", context, status=status
        )

    def step_view(self, request: HttpRequest, pk: int, step: str) -> HttpResponse:
        dsr = self._get_for_change(request, pk)
        spec = STEPS.get(step)
        if spec is None or step not in dict(steps_for(dsr)):
            messages.error(request, _("This step is not available for this request now."))
            return self._back(dsr)
        if step == DataSubjectRequest.Step.CLOSE_UNCONFIRMED and not dsr.may_close_unconfirmed(
            timezone.now()
        ):
            try:  # the service says from when; nothing changes
                services.request_close_unconfirmed(dsr=dsr, actor=request.user)
            except WorkflowError as exc:
                messages.error(request, str(exc))
            return self._back(dsr)
        label = DataSubjectRequest.Step(step).label
        form_kwargs = {}
        if spec.form is ExtendForm:
            form_kwargs["latest"] = latest_extension(dsr.due_on)
        if spec.form is CompleteForm:
            form_kwargs["initial"] = self._answer_initial(request, dsr)
        if request.method != "POST":
            form = spec.form(**form_kwargs) if spec.form else None
            return self._page(request, dsr, label, form, complete=spec.form is CompleteForm)
        form = spec.form(request.POST, **form_kwargs) if spec.form else None
        if form is not None and not form.is_valid():
            return self._page(
                request, dsr, label, form, status=400, complete=spec.form is CompleteForm
            )
        if spec.form is CompleteForm and "preview" in request.POST:
            preview = services.request_completion_preview(
                dsr=dsr,
                decision=form.cleaned_data["decision"],
                answer=form.cleaned_data["answer"],
            )
            return self._page(request, dsr, label, form, complete=True, preview=preview)
        try:
            spec.run(dsr, request.user, form.cleaned_data if form else {})
        except (WorkflowError, ValidationError) as exc:
            error = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
            return self._page(request, dsr, label, form, status=400, error=error)
        messages.success(request, _("Done: %(step)s.") % {"step": label})
        return self._back(dsr)

    def add_view(self, request, form_url="", extra_context=None):
        """Staff enter a request received by e-mail, post, phone, in person or from a client
        controller; the service stores it with its moment of receipt (Art. 12(3))."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = EnterRequestForm(request.POST or None, initial={"language": "nl"})
        title = _("Enter a request received by e-mail, post, phone or in person")
        if request.method == "POST" and form.is_valid():
            try:
                dsr = services.request_enter(actor=request.user, **form.cleaned_data)
            except WorkflowError as exc:
                return self._add_page(request, form, title, status=400, error=str(exc))
            messages.success(request, _("Request %(ref)s entered.") % {"ref": dsr.reference})
            return self._back(dsr)
        return self._add_page(request, form, title, status=400 if request.method == "POST" else 200)

    def _add_page(self, request, form, title, status=200, error=None) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "form": form,
            "error": error,
        }
        return TemplateResponse(
            request, "admin/requests_app/datasubjectrequest/enter.html", context, status=status
        )

    @staticmethod
    def _answer_initial(request: HttpRequest, dsr: DataSubjectRequest) -> dict:
        """The complete step starts from the officer's template for this type and outcome."""
        decision = request.GET.get("decision", DataSubjectRequest.Decision.GRANTED)
        if decision not in DataSubjectRequest.Decision.values:
            decision = DataSubjectRequest.Decision.GRANTED
        template = AnswerTemplate.objects.for_answer(dsr.type, decision, dsr.language)
        return {"decision": decision, "answer": template.render(dsr) if template else ""}

    def search_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Search every record by e-mail, phone, name, VAT/KBO; staff tick the subject's."""
        dsr = self._get_for_change(request, pk)
        if request.method == "POST" and "confirm" in request.POST:
            return self._confirm_hits(request, dsr)
        initial = {"email": dsr.email, "phone": dsr.phone, "name": dsr.name}
        form = SearchForm(request.GET or None, initial=initial)
        hits = []
        problems = []
        if form.is_bound and form.is_valid():
            keys = search_keys(**form.cleaned_data)
            hits = subject_search(keys)
            problems = keys.problems
            services.audit_record(
                action=AuditEntry.Action.SEARCHED,
                dsr=dsr,
                actor=request.user,
                details={
                    "keys": sorted(k for k, v in form.cleaned_data.items() if v),
                    "hits": len(hits),
                },
            )
        elif not form.is_bound:
            form = SearchForm(initial=initial)
        return self._page(
            request, dsr, _("Search the records"), form, search=True, hits=hits, problems=problems
        )

    def _confirm_hits(self, request: HttpRequest, dsr: DataSubjectRequest) -> HttpResponse:
        """The ticked hits, checked against the search the page showed (its keys are in the
        query string the form posts back to): a record id typed by hand is refused."""
        selected: dict[str, list[int]] = {}
        for value in request.POST.getlist("hit"):
            label, _sep, record_pk = value.rpartition(":")
            if record_pk.isdigit():
                selected.setdefault(label, []).append(int(record_pk))
        form = SearchForm(request.GET)
        shown: set[tuple[str, int]] = set()
        if form.is_valid():
            shown = {
                (hit.label, hit.pk) for hit in subject_search(search_keys(**form.cleaned_data))
            }
        try:
            services_records.matches_confirm(
                dsr=dsr, actor=request.user, selected=selected, shown=shown
            )
        except WorkflowError as exc:
            return self._page(request, dsr, _("Search the records"), None, 400, error=str(exc))
        messages.success(request, _("Matches confirmed."))
        return self._back(dsr)

    def rectify_view(
        self, request: HttpRequest, pk: int, model_name: str, object_id: int
    ) -> HttpResponse:
        """Art. 16: staff correct a confirmed record; the audit names the fields changed."""
        dsr = self._get_for_change(request, pk)
        models_by_name = {model._meta.model_name: model for model in SEARCHED_MODELS}
        model = models_by_name.get(model_name)
        if model is None:
            raise Http404
        fields = services_records.RECTIFIABLE_FIELDS.get(model, ())
        form = rectify_form_class(model, fields)(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                changed = services_records.record_rectify(
                    dsr=dsr,
                    actor=request.user,
                    model=model,
                    object_id=object_id,
                    changes=form.cleaned_data,
                )
            except (WorkflowError, ValidationError) as exc:
                error = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
                return self._page(request, dsr, _("Rectify"), form, 400, error=error)
            messages.success(request, _("Fields changed: %(n)s.") % {"n": len(changed)})
            return self._back(dsr)
        status = 400 if request.method == "POST" else 200
        return self._page(request, dsr, _("Rectify"), form, status)

    def package_view(self, request: HttpRequest, pk: int, package_id: int) -> HttpResponse:
        """Staff preview the access report or the zip before the subject gets the link;
        every download is audited (who, which package)."""
        dsr = get_object_or_404(DataSubjectRequest, pk=pk)
        if not self.has_view_permission(request, dsr):
            raise PermissionDenied
        package = get_object_or_404(
            AccessPackage.objects.filter(file_deleted_at__isnull=True), pk=package_id, request=dsr
        )
        if not package.path.exists():
            raise Http404
        with transaction.atomic():
            services.audit_record(
                action=AuditEntry.Action.STAFF_DOWNLOADED,
                dsr=dsr,
                actor=request.user,
                details={"package_id": package.pk, "kind": package.kind},
            )
        response = FileResponse(
            package.path.open("rb"),
            as_attachment=True,
            filename=package.filename,
            content_type=package.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    def id_copy_view(self, request: HttpRequest, pk: int, copy_id: int) -> HttpResponse:
        """The ID copy, to staff with permission only, as an attachment, never rendered inline."""
        if not request.user.has_perm("requests_app.view_idcopy"):
            raise PermissionDenied
        # Only a request in the workflow (confirmed or entered by staff): the ID copy of an
        # unconfirmed request may have been sent by anyone who typed the address (issue #19).
        copy = get_object_or_404(
            IdCopy.objects.select_related("request").filter(
                request__in=DataSubjectRequest.objects.verified()
            ),
            pk=copy_id,
            request_id=pk,
        )
        with transaction.atomic():
            services.audit_record(
                action=AuditEntry.Action.ID_COPY_VIEWED,
                dsr=copy.request,
                actor=request.user,
                details={"id_copy_id": copy.pk},
            )
        response = FileResponse(
            copy.path.open("rb"),
            as_attachment=True,
            filename=f"{copy.request.reference}-id.{copy.stored_name.rsplit('.', 1)[-1]}",
            content_type=copy.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    # --- CSV export for audits ------------------------------------------------------------

    CSV_COLUMNS = (
        "reference",
        "received_at",
        "type",
        "status",
        "due_on",
        "extended_until",
        "completed_at",
        "decision",
        "reviewer",
    )

    def _csv(self, request, queryset) -> HttpResponse:
        if not request.user.has_perm("requests_app.export_datasubjectrequest"):
            raise PermissionDenied
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="requests-{stamp}.csv"'
        writer = csv.writer(response)
        writer.writerow(self.CSV_COLUMNS)
        rows = queryset.verified().select_related("assignee").order_by("received_at")
        count = 0
        for dsr in rows:
            writer.writerow(
                [
                    dsr.reference,
                    dsr.received_at.isoformat() if dsr.received_at else "",
                    dsr.type,
                    dsr.status,
                    dsr.due_on or "",
                    dsr.extended_until or "",
                    dsr.completed_at.isoformat() if dsr.completed_at else "",
                    dsr.decision,
                    dsr.assignee.get_username() if dsr.assignee else "",
                ]
            )
            count += 1
        services.audit_record(
            action=AuditEntry.Action.EXPORTED, actor=request.user, details={"rows": count}
        )
        return response

    @admin.action(description=_("Export selected requests as CSV (audit)"))
    def export_csv(self, request, queryset):
        return self._csv(request, queryset)

    def export_all_view(self, request: HttpRequest) -> HttpResponse:
        return self._csv(request, DataSubjectRequest.objects.all())


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "action", "request", "actor_label")
    list_filter = ("action",)
    search_fields = ("request__reference",)
    date_hierarchy = "at"
    readonly_fields = ("at", "actor", "actor_label", "action", "request", "details")
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AnswerTemplate)
class AnswerTemplateAdmin(admin.ModelAdmin):
    """The privacy officer's answer texts (body only; the e-mail adds greeting and signature)."""

    list_display = ("request_type", "decision", "language")
    list_filter = ("request_type", "decision", "language")
    search_fields = ("body",)


@admin.register(ProcessorWebhook)
class ProcessorWebhookAdmin(admin.ModelAdmin):
    """Processors told of withdrawals, objections and erasures; failing deliveries counted."""

    list_display = ("name", "url", "active", "failing_column")
    # An endpoint typed without a scheme is read as https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("failing deliveries"))
    def failing_column(self, obj: ProcessorWebhook):
        count = WebhookDelivery.objects.failing().filter(webhook=obj).count()
        return format_html('<span class="{}">{}</span>', "dsr-overdue" if count else "", count)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "webhook", "event", "status", "attempts", "last_error")
    list_filter = ("status", "event", "webhook")
    readonly_fields = (
        "webhook", "request", "event", "status", "attempts", "last_error", "created_at",
        "next_attempt_at", "delivered_at",
    )  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
