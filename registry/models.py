"""The register of processing activities (GDPR Art. 30): the single source of truth.

Everything public or automatic (statement, purge, data-subject requests) reads these models.
Texts shown to the public are translated with django-modeltranslation (see translation.py).
History: every register model is tracked by django-simple-history. The registration lives in
translation.py, right after the modeltranslation registration, so that the historical tables
also hold the nl/fr/en columns (the documented way to combine the two libraries); the ROPA can
thus be reproduced as of any past date (`Model.history.as_of(when)`).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import periods
from .identifiers import KBO_RE, format_kbo, normalise_kbo, normalise_vat  # noqa: F401
from .periods import PeriodUnit

# --- validators -----------------------------------------------------------------------------


def validate_kbo_number(value: str) -> None:
    """A Belgian company number: 10 digits, starting with 0 or 1, mod-97 check
    (registry.identifiers, the one normaliser). Accepts '0123.456.749', 'BE 0123 456 749'."""
    normalise_kbo(value)


def validate_vat_number(value: str) -> None:
    """A Belgian VAT number: BE + the company number (registry.identifiers)."""
    normalise_vat(value)


COUNTRY_NAMES = {
    "BE": _("Belgium"),
    "NL": _("Netherlands"),
    "LU": _("Luxembourg"),
    "FR": _("France"),
    "DE": _("Germany"),
}


class TrackedModel(models.Model):
    """Timestamps shared by every register model."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        abstract = True


# --- controller and authority ---------------------------------------------------------------


class OrganisationQuerySet(models.QuerySet):
    def current(self) -> Organisation | None:
        """The controller: the register holds one organisation."""
        return self.order_by("pk").first()


class Organisation(TrackedModel):
    """The controller (Art. 30(1)(a), Art. 13(1)(a)). One row."""

    legal_name = models.CharField(
        _("legal name"),
        max_length=200,
        help_text=_("Art. 30(1)(a): the name of the controller, as registered in the KBO/BCE."),
    )
    legal_form = models.CharField(_("legal form"), max_length=40, blank=True)
    kbo_number = models.CharField(
        _("company number (KBO/BCE)"),
        max_length=10,
        blank=True,
        validators=[validate_kbo_number],
        help_text=_("10 digits, starting with 0 or 1 (e.g. 0123456749 or 0123.456.749)."),
    )
    vat_number = models.CharField(
        _("VAT number"),
        max_length=12,
        blank=True,
        validators=[validate_vat_number],
        help_text=_("BE followed by the company number (e.g. BE0123456749)."),
    )
    street = models.CharField(_("street and number"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(
        _("country"), max_length=2, default="BE", help_text=_("ISO 3166 code, e.g. BE.")
    )
    email = models.EmailField(
        _("e-mail"), help_text=_("Art. 30(1)(a) and 13(1)(a): how people reach the controller.")
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    privacy_contact_name = models.CharField(
        _("privacy contact"),
        max_length=200,
        blank=True,
        help_text=_("The person who answers privacy questions (no DPO is required for C-DOT)."),
    )
    privacy_contact_email = models.EmailField(_("privacy contact e-mail"), blank=True)
    dpo_name = models.CharField(
        _("data protection officer"),
        max_length=200,
        blank=True,
        help_text=_("Art. 37-39, 30(1)(a), 13(1)(b): only when a DPO is designated."),
    )
    dpo_email = models.EmailField(_("DPO e-mail"), blank=True)
    representative = models.TextField(
        _("representative in the EU"),
        blank=True,
        help_text=_("Art. 27, 30(1)(a): only for controllers established outside the EU."),
    )
    joint_controllers = models.TextField(
        _("joint controllers"),
        blank=True,
        help_text=_("Art. 26, 30(1)(a): name and contact of any joint controller."),
    )
    fiscal_year_end_month = models.PositiveSmallIntegerField(
        _("fiscal year ends (month)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Used by the invoice retention rule (end of the fiscal year)."),
    )
    fiscal_year_end_day = models.PositiveSmallIntegerField(
        _("fiscal year ends (day)"),
        default=31,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    statement_review_days = models.PositiveSmallIntegerField(
        _("statement review delay (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_(
            "A register change makes a draft of the privacy statement. A privacy officer "
            "reviews and publishes it; if nobody does, it publishes itself after this many days."
        ),
    )
    note = models.TextField(_("internal note"), blank=True)

    # Personal-data inventory (issue 13): the live row is the register, its contacts kept while
    # listed (Art. 30(1)(a)); the earlier values of these fields that its history table keeps
    # end by rule `register-history-contact`, 5 years after staff replaced them
    # (retention.targets.HistoryContactTarget). The internal note is free text staff may
    # write a person into: its earlier texts end the same way.
    HISTORY_PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = (
        "privacy_contact_name",
        "privacy_contact_email",
        "dpo_name",
        "dpo_email",
        "representative",
        "note",
    )
    history_retention_rule_code: ClassVar[str] = "register-history-contact"

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation (controller)")
        verbose_name_plural = _("organisation (controller)")

    def __str__(self) -> str:
        return self.legal_name

    def clean(self) -> None:
        try:  # an invalid number is reported by the field's own validator
            self.kbo_number = normalise_kbo(self.kbo_number)
            self.vat_number = normalise_vat(self.vat_number)
        except ValidationError:
            return
        if self.kbo_number and self.vat_number and self.vat_number != f"BE{self.kbo_number}":
            raise ValidationError(
                {"vat_number": _("The VAT number must be BE followed by the company number.")}
            )
        try:
            periods.fiscal_year_end(
                datetime(2001, 1, 1).date(),
                end_month=self.fiscal_year_end_month,
                end_day=self.fiscal_year_end_day,
            )
        except ValueError as exc:
            raise ValidationError({"fiscal_year_end_day": str(exc)}) from exc

    @property
    def kbo_display(self) -> str:
        return format_kbo(self.kbo_number)

    @property
    def country_name(self) -> str:
        return str(COUNTRY_NAMES.get(self.country, self.country))

    @property
    def phone_uri(self) -> str:
        """'015 51 35 31' -> '+3215513531' for a tel: link (Belgian numbers)."""
        digits = "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")
        if digits.startswith("0") and not digits.startswith("00") and self.country == "BE":
            return "+32" + digits[1:]
        return digits

    def address_lines(self) -> list[str]:
        return [self.street, f"{self.postal_code} {self.city}".strip()]

    def fiscal_year_end(self, day):
        """The end of the fiscal year containing `day` (for invoice retention)."""
        return periods.fiscal_year_end(
            day, end_month=self.fiscal_year_end_month, end_day=self.fiscal_year_end_day
        )


class SupervisoryAuthorityQuerySet(models.QuerySet):
    def current(self) -> SupervisoryAuthority | None:
        return self.order_by("pk").first()


class SupervisoryAuthority(TrackedModel):
    """The lead supervisory authority (Art. 13(2)(d), 77): the GBA/APD. One row."""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    address = models.TextField(_("address"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)

    objects = SupervisoryAuthorityQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervisory authority")
        verbose_name_plural = _("supervisory authority")

    def __str__(self) -> str:
        return self.name


# --- catalogues -----------------------------------------------------------------------------


class DataSubjectCategory(TrackedModel):
    """Categories of data subjects (Art. 30(1)(c))."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("category of data subjects")
        verbose_name_plural = _("categories of data subjects")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class DataCategory(TrackedModel):
    """Categories of personal data (Art. 30(1)(c)); special categories under Art. 9/10."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_special_category = models.BooleanField(
        _("special category (Art. 9)"),
        default=False,
        help_text=_(
            "Art. 9(1): racial or ethnic origin, political opinions, religious or philosophical "
            "beliefs, trade union membership, genetic or biometric data used to identify, health, "
            "sex life or sexual orientation. Processing needs an Art. 9(2) condition."
        ),
    )
    is_criminal_data = models.BooleanField(_("criminal convictions (Art. 10)"), default=False)

    class Meta:
        verbose_name = _("category of personal data")
        verbose_name_plural = _("categories of personal data")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Recipient(TrackedModel):
    """Categories of recipients (Art. 30(1)(d), 13(1)(e)) and processors (Art. 28)."""

    class Kind(models.TextChoices):
        PROCESSOR = "processor", _("processor")
        SUB_PROCESSOR = "sub_processor", _("sub-processor")
        CONTROLLER = "controller", _("independent controller")
        PUBLIC_AUTHORITY = "public_authority", _("public authority")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(
        _("name"),
        max_length=200,
        help_text=_("The company, or a category such as 'our accountant' when not yet named."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    service = models.CharField(
        _("service"),
        max_length=200,
        help_text=_("What they do for us, shown in the statement (e.g. webhosting)."),
    )
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        help_text=_(
            "Where the recipient processes the data (ISO code, e.g. BE). Left empty, the "
            "statement names no country and a register hint asks for it."
        ),
    )
    inside_eea = models.BooleanField(
        _("inside the EEA"),
        default=True,
        help_text=_("Art. 44-49: a recipient outside the EEA needs a Transfer with a safeguard."),
    )
    agreement_signed_on = models.DateField(
        _("processing agreement signed on"),
        null=True,
        blank=True,
        help_text=_("Art. 28(3): a processor works under a written agreement."),
    )
    agreement_document = models.FileField(
        _("agreement document"), upload_to="registry/agreements/", blank=True
    )
    agreement_reference = models.CharField(_("agreement reference"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def needs_agreement(self) -> bool:
        return self.kind in {self.Kind.PROCESSOR, self.Kind.SUB_PROCESSOR}

    @property
    def has_agreement(self) -> bool:
        return bool(self.agreement_signed_on or self.agreement_document or self.agreement_reference)


class SecurityMeasure(TrackedModel):
    """Technical and organisational security measures (Art. 30(1)(g), 32)."""

    class Kind(models.TextChoices):
        TECHNICAL = "technical", _("technical")
        ORGANISATIONAL = "organisational", _("organisational")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    last_reviewed_on = models.DateField(
        _("last reviewed on"),
        null=True,
        blank=True,
        help_text=_("Art. 32(1)(d): test and evaluate the measures regularly."),
    )

    class Meta:
        verbose_name = _("security measure")
        verbose_name_plural = _("security measures")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


# --- activities -----------------------------------------------------------------------------


class ProcessingActivityQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=ProcessingActivity.Status.ACTIVE)


class ProcessingActivity(TrackedModel):
    """One purpose of processing (Art. 30(1)(b)), with everything Art. 13/14 asks about it."""

    class Role(models.TextChoices):
        CONTROLLER = "controller", _("controller (Art. 30(1))")
        PROCESSOR = "processor", _("processor for clients (Art. 30(2))")

    class LegalBasis(models.TextChoices):
        # Art. 6(1)(a)-(f)
        CONSENT = "consent", _("consent - Art. 6(1)(a)")
        CONTRACT = "contract", _("contract - Art. 6(1)(b)")
        LEGAL_OBLIGATION = "legal_obligation", _("legal obligation - Art. 6(1)(c)")
        VITAL_INTERESTS = "vital_interests", _("vital interests - Art. 6(1)(d)")
        PUBLIC_TASK = "public_task", _("public task - Art. 6(1)(e)")
        LEGITIMATE_INTEREST = "legitimate_interest", _("legitimate interest - Art. 6(1)(f)")

    class SpecialCategoryCondition(models.TextChoices):
        # Art. 9(2)(a)-(j)
        NONE = "", _("no special categories")
        EXPLICIT_CONSENT = "9.2.a", _("explicit consent - Art. 9(2)(a)")
        EMPLOYMENT = "9.2.b", _("employment and social security law - Art. 9(2)(b)")
        VITAL = "9.2.c", _("vital interests - Art. 9(2)(c)")
        FOUNDATION = "9.2.d", _("not-for-profit body - Art. 9(2)(d)")
        MADE_PUBLIC = "9.2.e", _("made public by the data subject - Art. 9(2)(e)")
        LEGAL_CLAIMS = "9.2.f", _("legal claims - Art. 9(2)(f)")
        PUBLIC_INTEREST = "9.2.g", _("substantial public interest - Art. 9(2)(g)")
        HEALTH_CARE = "9.2.h", _("health or social care, occupational medicine - Art. 9(2)(h)")
        PUBLIC_HEALTH = "9.2.i", _("public health - Art. 9(2)(i)")
        ARCHIVING = "9.2.j", _("archiving, research, statistics - Art. 9(2)(j)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("active")
        RETIRED = "retired", _("retired")

    class Requirement(models.TextChoices):
        # Art. 13(2)(e)
        NOT_ASSESSED = "", _("not yet assessed")
        STATUTORY = "statutory", _("statutory requirement")
        CONTRACTUAL = "contractual", _("contractual requirement")
        PRE_CONTRACT = "pre_contract", _("requirement to enter into a contract")
        VOLUNTARY = "voluntary", _("voluntary")

    class AutomatedDecisions(models.TextChoices):
        # Art. 13(2)(f), 22
        NOT_ASSESSED = "", _("not yet assessed")
        NONE = "none", _("no automated decision-making")
        YES = "yes", _("automated decision-making or profiling")

    class Dpia(models.TextChoices):
        # Art. 35
        NOT_ASSESSED = "", _("not yet assessed")
        NOT_REQUIRED = "not_required", _("not required")
        REQUIRED = "required", _("required")

    code = models.CharField(
        _("code"),
        max_length=10,
        unique=True,
        help_text=_("Short stable key, e.g. A-G as in the privacy statement."),
    )
    name = models.CharField(_("name"), max_length=200)
    purpose = models.TextField(
        _("purpose"),
        help_text=_("Art. 30(1)(b), 13(1)(c): why the data are processed, in plain words."),
    )
    role = models.CharField(
        _("our role"), max_length=20, choices=Role.choices, default=Role.CONTROLLER
    )
    legal_basis = models.CharField(
        _("legal basis"),
        max_length=30,
        choices=LegalBasis.choices,
        help_text=_("Art. 6(1) and 13(1)(c): one lawful basis for this purpose."),
    )
    additional_legal_basis = models.CharField(
        _("additional legal basis"),
        max_length=30,
        choices=LegalBasis.choices,
        blank=True,
        help_text=_("Only when part of the processing rests on a second basis (explain below)."),
    )
    legal_basis_explanation = models.TextField(
        _("explanation of the legal basis"),
        blank=True,
        help_text=_("Shown in the statement: which basis covers which part, and why."),
    )
    legitimate_interest = models.TextField(
        _("legitimate interest pursued"),
        blank=True,
        help_text=_(
            "Art. 6(1)(f) and 13(1)(d): required when the basis is legitimate interest: "
            "the interest pursued and why it is not overridden by the data subject's rights."
        ),
    )
    special_category_condition = models.CharField(
        _("condition for special categories"),
        max_length=10,
        choices=SpecialCategoryCondition.choices,
        blank=True,
        help_text=_("Art. 9(2): required when a special category of data is processed."),
    )
    consent_record_mechanism = models.TextField(
        _("how consent is recorded"),
        blank=True,
        help_text=_(
            "Art. 7(1): for a consent basis, how we can show who consented, when, to what text, "
            "and how withdrawing works (Art. 7(3))."
        ),
    )
    data_subject_categories = models.ManyToManyField(
        DataSubjectCategory,
        blank=True,
        related_name="activities",
        verbose_name=_("categories of data subjects"),
        help_text=_("Art. 30(1)(c)."),
    )
    data_categories = models.ManyToManyField(
        DataCategory,
        blank=True,
        related_name="activities",
        verbose_name=_("categories of personal data"),
        help_text=_("Art. 30(1)(c)."),
    )
    data_source = models.TextField(
        _("source of the data"),
        blank=True,
        help_text=_("Art. 14(2)(f): where the data come from when not from the person."),
    )
    provision_requirement = models.CharField(
        _("is providing the data required?"),
        max_length=20,
        choices=Requirement.choices,
        blank=True,
        help_text=_("Art. 13(2)(e)."),
    )
    consequence_of_not_providing = models.TextField(
        _("consequence of not providing the data"),
        blank=True,
        help_text=_("Art. 13(2)(e): what happens when the person does not provide the data."),
    )
    automated_decision_making = models.CharField(
        _("automated decision-making"),
        max_length=10,
        choices=AutomatedDecisions.choices,
        blank=True,
        help_text=_("Art. 13(2)(f), 22: 'none' is an answer; leave empty only while unknown."),
    )
    automated_decision_logic = models.TextField(
        _("logic and consequences of automated decisions"), blank=True
    )
    # Issue 16: the staff privacy notice speaks of collective agreement no. 81 (monitoring of
    # e-mail and internet use) only when the register says this activity does it.
    monitors_staff_communications = models.BooleanField(
        _("monitors staff e-mail and internet use"),
        default=False,
        help_text=_(
            "Collective agreement no. 81: tick only when this activity monitors the e-mail or "
            "internet use of staff; the staff privacy notice then explains it."
        ),
    )
    recipients = models.ManyToManyField(
        Recipient,
        blank=True,
        related_name="activities",
        verbose_name=_("recipients"),
        help_text=_("Art. 30(1)(d), 13(1)(e): who receives the data."),
    )
    transfers_outside_eea = models.BooleanField(
        _("transfers outside the EEA"),
        null=True,
        blank=True,
        help_text=_(
            "Art. 30(1)(e): answer 'No' when there are none; 'Yes' needs at least one transfer "
            "with its safeguard (Art. 44-49). Empty means not yet assessed."
        ),
    )
    security_measures = models.ManyToManyField(
        SecurityMeasure,
        blank=True,
        related_name="activities",
        verbose_name=_("security measures"),
        help_text=_("Art. 30(1)(g), 32."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    dpia = models.CharField(
        _("DPIA"),
        max_length=20,
        choices=Dpia.choices,
        blank=True,
        help_text=_("Art. 35: data protection impact assessment needed for high-risk processing."),
    )
    dpia_reference = models.CharField(_("DPIA reference"), max_length=200, blank=True)
    owner = models.CharField(
        _("owner"), max_length=200, blank=True, help_text=_("Who answers for this activity.")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    notes = models.TextField(_("internal notes"), blank=True)

    objects = ProcessingActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("processing activity")
        verbose_name_plural = _("processing activities")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"

    def clean(self) -> None:
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("The end date lies before the start date.")})
        if self.status == self.Status.RETIRED and not self.ended_on:
            raise ValidationError({"ended_on": _("A retired activity needs its end date.")})

    @property
    def legal_bases(self) -> list[str]:
        return [b for b in (self.legal_basis, self.additional_legal_basis) if b]

    @property
    def uses_legitimate_interest(self) -> bool:
        return self.LegalBasis.LEGITIMATE_INTEREST in self.legal_bases

    @property
    def uses_consent(self) -> bool:
        return self.LegalBasis.CONSENT in self.legal_bases


class Transfer(TrackedModel):
    """A transfer of personal data outside the EEA (Art. 30(1)(e), 30(2)(c), 44-49)."""

    class Safeguard(models.TextChoices):
        NONE = "", _("no safeguard yet")
        ADEQUACY = "adequacy", _("adequacy decision - Art. 45")
        SCC = "scc", _("standard contractual clauses - Art. 46(2)(c)")
        BCR = "bcr", _("binding corporate rules - Art. 47")
        CODE_OR_CERTIFICATION = "code", _("code of conduct or certification - Art. 46(2)(e)-(f)")
        DEROGATION = "derogation", _("derogation for a specific situation - Art. 49")

    activity = models.ForeignKey(
        ProcessingActivity,
        on_delete=models.CASCADE,
        related_name="transfers",
        null=True,
        blank=True,
        verbose_name=_("processing activity"),
    )
    processor_client = models.ForeignKey(
        "ProcessorClient",
        on_delete=models.CASCADE,
        related_name="transfers",
        null=True,
        blank=True,
        verbose_name=_("processor client"),
        help_text=_("Art. 30(2)(c): a transfer made for a client we process for."),
    )
    recipient = models.ForeignKey(
        Recipient, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("recipient")
    )
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 code, e.g. US."))
    safeguard = models.CharField(
        _("safeguard"),
        max_length=20,
        choices=Safeguard.choices,
        blank=True,
        help_text=_("Art. 46: the appropriate safeguard (or the Art. 45 adequacy decision)."),
    )
    safeguard_details = models.TextField(_("safeguard details"), blank=True)
    document = models.FileField(_("document"), upload_to="registry/transfers/", blank=True)
    document_reference = models.CharField(_("document reference"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("transfer outside the EEA")
        verbose_name_plural = _("transfers outside the EEA")

    def __str__(self) -> str:
        return f"{self.recipient} ({self.country})"

    def clean(self) -> None:
        if not self.activity_id and not self.processor_client_id:
            raise ValidationError(_("Link the transfer to an activity or to a processor client."))


# --- processor register (Art. 30(2)) --------------------------------------------------------


class ProcessingCategory(TrackedModel):
    """Categories of processing C-DOT carries out for clients (Art. 30(2)(b))."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("category of processing (for clients)")
        verbose_name_plural = _("categories of processing (for clients)")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ProcessorClientQuerySet(models.QuerySet):
    def running(self, on):
        return self.filter(models.Q(contract_end__isnull=True) | models.Q(contract_end__gte=on))


class ProcessorClient(TrackedModel):
    """A controller C-DOT processes personal data for (Art. 30(2)(a))."""

    name = models.CharField(_("client (controller)"), max_length=200)
    kbo_number = models.CharField(
        _("company number (KBO/BCE)"),
        max_length=10,
        blank=True,
        validators=[validate_kbo_number],
        help_text=_("10 digits, starting with 0 or 1."),
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(
        _("contact e-mail"), help_text=_("Art. 30(2)(a): contact details of the controller.")
    )
    representative = models.TextField(_("representative / DPO of the client"), blank=True)
    services = models.TextField(
        _("services"), blank=True, help_text=_("What we do for this client, in plain words.")
    )
    processing_categories = models.ManyToManyField(
        ProcessingCategory,
        blank=True,
        related_name="clients",
        verbose_name=_("categories of processing"),
        help_text=_("Art. 30(2)(b)."),
    )
    sub_processors = models.ManyToManyField(
        Recipient,
        blank=True,
        related_name="processor_clients",
        verbose_name=_("sub-processors"),
        help_text=_("Art. 28(2)/(4): sub-processors engaged with the client's authorisation."),
    )
    security_measures = models.ManyToManyField(
        SecurityMeasure,
        blank=True,
        related_name="processor_clients",
        verbose_name=_("security measures"),
        help_text=_("Art. 30(2)(d)."),
    )
    transfers_outside_eea = models.BooleanField(
        _("transfers outside the EEA"),
        null=True,
        blank=True,
        help_text=_("Art. 30(2)(c): 'No' when none; empty means not yet assessed."),
    )
    agreement_signed_on = models.DateField(
        _("processing agreement signed on"),
        null=True,
        blank=True,
        help_text=_("Art. 28(3): we process only under a written agreement with the client."),
    )
    agreement_document = models.FileField(
        _("agreement document"), upload_to="registry/agreements/", blank=True
    )
    agreement_reference = models.CharField(_("agreement reference"), max_length=200, blank=True)
    contract_start = models.DateField(_("contract start"), null=True, blank=True)
    contract_end = models.DateField(
        _("contract end"),
        null=True,
        blank=True,
        help_text=_("Empty while the contract runs. The client's data are deleted from this date."),
    )
    language = models.CharField(
        _("language of the client"),
        max_length=2,
        choices=settings.LANGUAGES,
        default="nl",
        help_text=_("Notices to the client (sub-processor changes, breaches) use this language."),
    )
    breach_notice_hours = models.PositiveSmallIntegerField(
        _("breach notice within (hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(72)],
        help_text=_(
            "Art. 33(2): we tell the client of a breach without undue delay; the agreement "
            "may fix the hours (Art. 28(3)(f))."
        ),
    )
    objection_window_days = models.PositiveSmallIntegerField(
        _("objection window for a new sub-processor (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(180)],
        help_text=_(
            "Art. 28(2): the client is told of a sub-processor change and may object within "
            "this many days."
        ),
    )
    notes = models.TextField(_("notes"), blank=True)

    # Like the controller's contact and note (Organisation, above): Art. 30(2)(a) while listed,
    # earlier values in the history until rule `register-history-client-contact` ends them.
    HISTORY_PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = (
        "contact_name",
        "contact_email",
        "representative",
        "notes",
    )
    history_retention_rule_code: ClassVar[str] = "register-history-client-contact"

    objects = ProcessorClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("client we process for")
        verbose_name_plural = _("clients we process for (Art. 30(2))")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_agreement(self) -> bool:
        return bool(self.agreement_signed_on or self.agreement_document or self.agreement_reference)


# --- retention ------------------------------------------------------------------------------


class RetentionRuleQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def get_by_code(self, code: str) -> RetentionRule:
        """The rule with this stable code (raises RetentionRule.DoesNotExist)."""
        return self.get(code=code)


class RetentionRule(TrackedModel):
    """How long data are kept (Art. 5(1)(e), 30(1)(f), 13(2)(a)). Read by the purge."""

    class Anchor(models.TextChoices):
        FIRST_CONTACT = "first_contact", _("first contact")
        LAST_ACTIVITY = "last_activity", _("last activity")
        RECEIVED = "received_at", _("receipt")
        RECORDED = "recorded_at", _("recording time")
        LAST_INVOICE_FISCAL_YEAR_END = (
            "last_invoice_fiscal_year_end",
            _("end of the fiscal year of the last invoice"),
        )
        CONTRACT_END = "contract_end", _("end of the contract")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("withdrawal of consent")
        END_OF_RELATIONSHIP = "end_of_relationship", _("end of the customer relationship")
        END_OF_EMPLOYMENT = "end_of_employment", _("end of employment")
        CLOSED = "closed_at", _("closure of the file")
        LOGGED = "logged_at", _("the time it was logged")
        SESSION_END = "session_end", _("the end of the session")
        # A published version (statement, staff notice) replaced by a newer one.
        SUPERSEDED = "superseded", _("replacement by a newer version")

    class Action(models.TextChoices):
        DELETE = "delete", _("delete")
        ANONYMISE = "anonymise", _("anonymise")
        REVIEW = "review", _("review by staff")

    code = models.SlugField(
        _("code"),
        max_length=50,
        unique=True,
        help_text=_("Stable key the purge uses; do not change it."),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    activity = models.ForeignKey(
        ProcessingActivity,
        on_delete=models.PROTECT,
        related_name="retention_rules",
        verbose_name=_("processing activity"),
    )
    data_category = models.ForeignKey(
        DataCategory,
        on_delete=models.PROTECT,
        related_name="retention_rules",
        null=True,
        blank=True,
        verbose_name=_("category of personal data"),
    )
    period_value = models.PositiveIntegerField(
        _("period"), help_text=_("Art. 30(1)(f), 13(2)(a): how long, counted from the anchor.")
    )
    period_unit = models.CharField(
        _("unit"), max_length=10, choices=PeriodUnit.choices, default=PeriodUnit.YEARS
    )
    anchor = models.CharField(_("counted from"), max_length=40, choices=Anchor.choices)
    criterion = models.TextField(
        _("criterion"),
        blank=True,
        help_text=_("Art. 13(2)(a): when no fixed period applies, the criterion that decides."),
    )
    action = models.CharField(
        _("then"), max_length=20, choices=Action.choices, default=Action.DELETE
    )
    legal_reference = models.CharField(
        _("legal reference"),
        max_length=300,
        blank=True,
        help_text=_("The law that imposes or allows the period, if any."),
    )
    statement_text = models.TextField(
        _("text in the privacy statement"),
        blank=True,
        help_text=_("Art. 13(2)(a): the sentence the public statement shows for this rule."),
    )
    review_every_months = models.PositiveSmallIntegerField(
        _("reviewed every (months)"),
        null=True,
        blank=True,
        help_text=_(
            "For a rule whose action is review: how often staff review the data; the "
            "statement says so, with the criterion as how they decide."
        ),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive rules are not applied by the purge.")
    )

    objects = RetentionRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["activity__position", "activity__code", "code"]

    def __str__(self) -> str:
        # The staff read the rule's name in their language, not its code (issue 17).
        return f"{self.name or self.code}: {self.summary()}"

    def cutoff(self, now: datetime) -> datetime:
        """Anchors at or before this instant have expired at `now` (registry.periods)."""
        return periods.cutoff(now, self.period_value, self.period_unit)

    def expires_at(self, anchor: datetime) -> datetime:
        """The first instant at which data anchored at `anchor` have expired."""
        return periods.expires_at(anchor, self.period_value, self.period_unit)

    def period_display(self) -> str:
        """'1 jaar', '14 dagen', '7 years' in the active language."""
        return period_text(self.period_value, self.period_unit)

    def clean(self) -> None:
        """The camera law caps the footage rule at one month (a register error)."""
        from .models_cameras import FOOTAGE_RULE_CODE, FOOTAGE_TOO_LONG, footage_period_too_long

        is_footage = self.code == FOOTAGE_RULE_CODE or (self.pk and self.cameras.exists())
        if is_footage and footage_period_too_long(self.period_value, self.period_unit):
            raise ValidationError({"period_value": FOOTAGE_TOO_LONG})

    def summary(self) -> str:
        """'1 year after first contact', or 'at withdrawal of consent' for a zero period."""
        anchor = self.get_anchor_display()
        if self.period_value == 0:
            return _("at %(anchor)s") % {"anchor": anchor}
        return _("%(period)s after %(anchor)s") % {
            "period": self.period_display(),
            "anchor": anchor,
        }


def period_text(value: int, unit: str) -> str:
    if unit == PeriodUnit.DAYS:
        return ngettext("%(n)d day", "%(n)d days", value) % {"n": value}
    if unit == PeriodUnit.MONTHS:
        return ngettext("%(n)d month", "%(n)d months", value) % {"n": value}
    return ngettext("%(n)d year", "%(n)d years", value) % {"n": value}


# The website's cookie inventory and banner settings (issue 15) live in their own module.
from .models_cameras import Camera  # noqa: E402, F401
from .models_cookies import (  # noqa: E402, F401
    CONSENT_COOKIE_NAME,
    ConsentSettings,
    Cookie,
    CookieCategory,
)
from .models_dpia import DpiaScreening, dpia_state  # noqa: E402, F401
