"""What C-DOT does as processor for its clients (Art. 28, 33(2)): sub-processor change notices
with the client's objection window, requests that reach C-DOT but belong to the client, and the
return or deletion of the client's data at the end of the contract with its certificate.

The register (registry.ProcessorClient, Recipient) says who the clients and sub-processors are;
this app records what was done about them. It imports registry and records only.
"""

from datetime import date, timedelta
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SubProcessorChange(models.Model):
    """A sub-processor added or replaced (Art. 28(2)): every affected client is told first."""

    class Kind(models.TextChoices):
        ADDED = "added", _("new sub-processor")
        REPLACED = "replaced", _("sub-processor replaced")
        REMOVED = "removed", _("sub-processor no longer used")

    recipient = models.ForeignKey(
        "registry.Recipient",
        on_delete=models.PROTECT,
        related_name="sub_processor_changes",
        verbose_name=_("sub-processor"),
    )
    kind = models.CharField(_("change"), max_length=10, choices=Kind.choices)
    description = models.TextField(
        _("what changes for the clients"),
        help_text=_("Sent to each client: what the sub-processor does, where, from when."),
    )
    effective_on = models.DateField(_("takes effect on"))
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ()

    class Meta:
        verbose_name = _("sub-processor change")
        verbose_name_plural = _("sub-processor changes (Art. 28(2))")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.recipient} ({self.effective_on:%d-%m-%Y})"


class SubProcessorNoticeQuerySet(models.QuerySet):
    def objection_open(self, today: date) -> "SubProcessorNoticeQuerySet":
        return self.filter(objected_on__isnull=True, objection_deadline__gte=today)

    def objected(self) -> "SubProcessorNoticeQuerySet":
        return self.filter(objected_on__isnull=False)


class SubProcessorNotice(models.Model):
    """The notice of one change to one client, with its objection window (Art. 28(2))."""

    change = models.ForeignKey(SubProcessorChange, on_delete=models.CASCADE, related_name="notices")
    client = models.ForeignKey(
        "registry.ProcessorClient",
        on_delete=models.PROTECT,
        related_name="sub_processor_notices",
        verbose_name=_("client (controller)"),
    )
    language = models.CharField(_("language"), max_length=2)
    sent_at = models.DateTimeField(_("sent at"))
    objection_deadline = models.DateField(_("objection possible until"))
    objected_on = models.DateField(_("client objected on"), null=True, blank=True)
    objection_note = models.TextField(_("the client's objection"), blank=True)

    # Who received it is the client's contact in the register (and the e-mail outbox).
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ()

    objects = SubProcessorNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice to a client")
        verbose_name_plural = _("notices to clients")
        ordering = ["client__name"]
        constraints = [
            models.UniqueConstraint(fields=["change", "client"], name="notice_once_per_client")
        ]

    def __str__(self) -> str:
        return f"{self.client} · {self.change}"

    def clean(self) -> None:
        """An objection is kept with its content, within the window (Art. 28(2))."""
        if not self.objected_on:
            return
        if not self.objection_note.strip():
            raise ValidationError({"objection_note": _("Keep what the client objected.")})
        if self.sent_at and self.objected_on < timezone.localdate(self.sent_at):
            raise ValidationError({"objected_on": _("An objection cannot predate the notice.")})
        if self.objection_deadline and self.objected_on > self.objection_deadline:
            raise ValidationError(
                {
                    "objected_on": _("The objection window ended on %(date)s.")
                    % {"date": self.objection_deadline.strftime("%d-%m-%Y")}
                }
            )


class ForwardedRequest(models.Model):
    """A data-subject request that reached C-DOT about data it holds as processor: the client
    (controller) answers it; C-DOT records it and passes it on (Art. 28(3)(e))."""

    client = models.ForeignKey(
        "registry.ProcessorClient",
        on_delete=models.PROTECT,
        related_name="forwarded_requests",
        verbose_name=_("client (controller)"),
    )
    received_at = models.DateTimeField(_("received at"))
    requester = models.CharField(_("from (name or address)"), max_length=200)
    summary = models.TextField(_("what is asked"))
    forwarded_at = models.DateTimeField(_("forwarded to the client at"), null=True, blank=True)
    forwarded_to = models.EmailField(_("forwarded to"), blank=True)

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("requester", "summary", "forwarded_to")
    retention_rule_code: ClassVar[str] = "forwarded-request"

    class Meta:
        verbose_name = _("request forwarded to a client")
        verbose_name_plural = _("requests forwarded to clients (Art. 28(3)(e))")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.client} · {self.received_at:%d-%m-%Y}"


class DataEnd(models.Model):
    """At the end of the contract, or when the client asks, C-DOT returns or deletes the
    client's data at the client's choice, and deletes the copies (Art. 28(3)(g))."""

    class Choice(models.TextChoices):
        DELETE = "delete", _("delete")
        RETURN = "return", _("return, then delete the copies")

    class Occasion(models.TextChoices):
        CONTRACT_END = "contract_end", _("end of the contract")
        CLIENT_REQUEST = "client_request", _("the client's request")

    client = models.ForeignKey(
        "registry.ProcessorClient",
        on_delete=models.PROTECT,
        related_name="data_ends",
        verbose_name=_("client (controller)"),
    )
    occasion = models.CharField(_("occasion"), max_length=16, choices=Occasion.choices)
    choice = models.CharField(_("client's choice"), max_length=8, choices=Choice.choices)
    requested_on = models.DateField(_("decided on"))
    returned_on = models.DateField(_("data returned on"), null=True, blank=True)
    return_note = models.TextField(_("how the data were returned"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ()

    class Meta:
        verbose_name = _("return or deletion of a client's data")
        verbose_name_plural = _("return or deletion of clients' data (Art. 28(3)(g))")
        ordering = ["-requested_on"]

    def __str__(self) -> str:
        return f"{self.client} · {self.get_choice_display()} ({self.requested_on:%d-%m-%Y})"

    def clean(self) -> None:
        if self.choice == self.Choice.RETURN and self.returned_on and not self.return_note:
            raise ValidationError({"return_note": _("Say how the data were returned.")})
        if self.returned_on and self.requested_on and self.returned_on < self.requested_on:
            raise ValidationError(
                {"returned_on": _("The data cannot be returned before the decision.")}
            )
        if self.requested_on and self.requested_on > timezone.localdate() + timedelta(days=1):
            raise ValidationError({"requested_on": _("This date lies in the future.")})

    def datasets(self):
        from records.models import ProcessorDataset

        return ProcessorDataset.objects.filter(client_id=self.client_id).order_by("pk")

    @property
    def is_complete(self) -> bool:
        """Every dataset of the client confirmed deleted (and returned first if so chosen)."""
        if self.choice == self.Choice.RETURN and not self.returned_on:
            return False
        datasets = self.datasets()
        return (
            datasets.exists() and not datasets.filter(deletion_confirmed_on__isnull=True).exists()
        )
