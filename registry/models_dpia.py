"""DPIA screening per processing activity (Art. 35): the EDPB's nine criteria (WP248 rev.01,
endorsed by the EDPB) and the GBA/APD's list of processing that always needs a DPIA
(decision 01/2019 of its Knowledge Centre, Art. 35(4))."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# WP248: in most cases, processing meeting two criteria needs a DPIA.
CRITERIA_THRESHOLD = 2

WP248_CRITERIA: list[tuple[str, str]] = [
    ("evaluation", _("1. Evaluation or scoring, including profiling and predicting")),
    ("automated_decision", _("2. Automated decision-making with legal or similar effect")),
    ("systematic_monitoring", _("3. Systematic monitoring")),
    ("sensitive_data", _("4. Sensitive data or data of a highly personal nature")),
    ("large_scale", _("5. Data processed on a large scale")),
    ("matching", _("6. Matching or combining datasets")),
    ("vulnerable", _("7. Data concerning vulnerable data subjects (e.g. employees)")),
    ("innovative", _("8. Innovative use or new technological or organisational solutions")),
    ("prevents_rights", _("9. Prevents data subjects from exercising a right or using a service")),
]

GBA_LIST: list[tuple[str, str]] = [
    (
        "gba_biometric",
        _("Biometric identification in a public place or a private place open to the public"),
    ),
    (
        "gba_third_party_contract",
        _("Data from third parties used to refuse or end a service contract"),
    ),
    (
        "gba_implant",
        _("Health data collected automatically by an active implantable medical device"),
    ),
    (
        "gba_third_party_profiling",
        _(
            "Large-scale collection from third parties to analyse or predict a person's "
            "situation or behaviour"
        ),
    ),
    (
        "gba_sharing_sensitive",
        _("Sensitive or highly personal data shared systematically between controllers"),
    ),
    (
        "gba_iot",
        _("Large-scale processing of data from connected sensors (IoT) to analyse or predict"),
    ),
    (
        "gba_communications",
        _(
            "Large-scale or systematic processing of communication, metadata or location "
            "data not strictly needed for the service"
        ),
    ),
    (
        "gba_behaviour",
        _(
            "Large-scale systematic observation or influencing of behaviour by automated "
            "processing, advertising included"
        ),
    ),
]


class DpiaScreeningQuerySet(models.QuerySet):
    def review_due(self, today: date) -> DpiaScreeningQuerySet:
        return self.filter(review_on__lte=today)

    def undecided(self) -> DpiaScreeningQuerySet:
        return self.filter(result="")

    def dpia_missing(self) -> DpiaScreeningQuerySet:
        """Screenings that found a DPIA required while none is attached yet."""
        return self.filter(
            result=DpiaScreening.Result.REQUIRED, dpia_document="", dpia_reference=""
        )


class DpiaScreening(models.Model):
    """One activity's screening: the answers, the result, who decided and when (Art. 35)."""

    class Result(models.TextChoices):
        REQUIRED = "required", _("DPIA required")
        NOT_REQUIRED = "not_required", _("DPIA not required")

    activity = models.OneToOneField(
        "registry.ProcessingActivity",
        on_delete=models.CASCADE,
        related_name="dpia_screening",
        verbose_name=_("processing activity"),
    )
    criteria = models.JSONField(
        _("WP248 criteria met"), default=list, blank=True, help_text=_("Codes of the criteria.")
    )
    gba_items = models.JSONField(_("GBA/APD list items that apply"), default=list, blank=True)
    criteria_notes = models.TextField(_("how the criteria were assessed"), blank=True)
    # Empty while the screening is a draft: the criteria may be filled, nobody decided yet.
    result = models.CharField(_("result"), max_length=16, choices=Result.choices, blank=True)
    reason = models.TextField(
        _("reason"),
        blank=True,
        help_text=_("Why no DPIA is needed (required when the result is 'not required')."),
    )
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("screened by"),
    )
    screened_on = models.DateField(_("screened on"), null=True, blank=True)
    dpia_document = models.FileField(_("DPIA document"), upload_to="registry/dpia/", blank=True)
    dpia_reference = models.CharField(_("DPIA reference"), max_length=200, blank=True)
    review_on = models.DateField(_("review on"), null=True, blank=True)

    # Part of the register (Art. 30, 35): no personal data of its own (issue 13 inventory).
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ()

    objects = DpiaScreeningQuerySet.as_manager()

    class Meta:
        verbose_name = _("DPIA screening")
        verbose_name_plural = _("DPIA screenings (Art. 35)")
        ordering = ["activity__position", "activity__code"]

    def __str__(self) -> str:
        return f"{self.activity} · {self.get_result_display()}"

    @property
    def criteria_labels(self) -> list[str]:
        return [str(label) for code, label in WP248_CRITERIA if code in self.criteria]

    @property
    def gba_labels(self) -> list[str]:
        return [str(label) for code, label in GBA_LIST if code in self.gba_items]

    @property
    def suggests_dpia(self) -> bool:
        return bool(self.gba_items) or len(self.criteria) >= CRITERIA_THRESHOLD

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for name, known in (("criteria", WP248_CRITERIA), ("gba_items", GBA_LIST)):
            problem = _codes_problem(getattr(self, name), known)
            if problem:
                errors[name] = problem
        if self.result:
            for name in ("screened_on", "review_on"):
                if not getattr(self, name):
                    errors[name] = _(
                        "A decided screening says when it was made and when to review it."
                    )
        if self.result == self.Result.NOT_REQUIRED:
            if self.gba_items:
                errors["result"] = _(
                    "The processing is on the GBA/APD's list of processing that always needs a "
                    "DPIA (Art. 35(4)): the result must be 'DPIA required'."
                )
            elif not self.reason.strip():
                errors["reason"] = _("Say why no DPIA is needed.")
            elif len(self.criteria) >= CRITERIA_THRESHOLD and len(self.reason.strip()) < 40:
                errors["reason"] = _(
                    "Two or more WP248 criteria are met: a DPIA is normally required. Explain "
                    "in full why it is not (at least a few sentences)."
                )
        if self.screened_on and self.review_on and self.review_on <= self.screened_on:
            errors["review_on"] = _("The review date must come after the screening.")
        if errors:
            raise ValidationError(errors)


def _codes_problem(value: object, known: list[tuple[str, str]]) -> str:
    """Why a JSON list of criteria codes is refused ("" when it is fine): the admin offers
    only known codes, an import or the shell may not (a string would be read letter by letter)."""
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        return str(_("Give the criteria as a list of codes."))
    unknown = set(value) - {code for code, _label in known}
    if unknown:
        return str(_("Unknown criteria: %(codes)s.") % {"codes": ", ".join(sorted(unknown))})
    return ""


def dpia_state(activity_id: int) -> str:
    """The activity's Art. 35 state in one line, from its screening (none: not screened)."""
    return screening_state(DpiaScreening.objects.filter(activity_id=activity_id).first())


def screening_state(screening: DpiaScreening | None) -> str:
    """``dpia_state`` of a screening already read (None: the activity was never screened)."""
    if screening is None:
        return str(_("not screened yet (Art. 35)"))
    if not screening.result:
        return str(_("screening started, not decided yet (Art. 35)"))
    done = _("screened on %(date)s, review on %(review)s") % {
        "date": screening.screened_on.strftime("%d-%m-%Y"),
        "review": screening.review_on.strftime("%d-%m-%Y"),
    }
    if screening.result == DpiaScreening.Result.NOT_REQUIRED:
        return f"{_('DPIA not required')}: {screening.reason} ({done})"
    document = screening.dpia_reference or (
        screening.dpia_document.name if screening.dpia_document else ""
    )
    if document:
        return f"{_('DPIA required')}: {document} ({done})"
    return f"{_('DPIA required, not carried out yet')} ({done})"
