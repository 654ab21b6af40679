"""Completeness hints on the register: what a supervisor would ask about first.

Each check returns structured findings (level, code, message, object, article) so the same
hints feed `manage.py check_register`, the register admin and the staff dashboard:

    from registry.hints import register_findings
    for finding in register_findings(): ...

Errors: an Art. 30(1)(a)-(e) item is missing, or the law is plainly not met (6(1)(f) without
the interest, consent without a way to prove it, a transfer without a safeguard).
Warnings: Art. 30(1)(f) retention and (g) security "where possible", processor agreements,
the 10-year tax period for invoices, and items the statement needs (Art. 13(2)(e)-(f)).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from .models import (
    Organisation,
    ProcessingActivity,
    ProcessorClient,
    Recipient,
    RetentionRule,
    SupervisoryAuthority,
    Transfer,
)
from .models_cameras import Camera

DEFAULT_LANGUAGE = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
LANGUAGES = [code for code, _name in settings.LANGUAGES]
# Texts the public statement shows, per model: a missing translation shows up in French or
# English as Dutch text (modeltranslation falls back), which is a gap in the statement.
PUBLIC_TEXTS = {
    "activity": [
        "name",
        "purpose",
        "legitimate_interest",
        "legal_basis_explanation",
        "consequence_of_not_providing",
        "data_source",
    ],
    "rule": ["name", "criterion", "statement_text"],
    "catalogue": ["name", "description"],
    "recipient": ["name", "service"],
}

# Belgian tax and VAT law keep documents from 2023 on for 10 years (law of 20 November 2022).
INVOICE_TAX_YEARS = 10


class Level(models.TextChoices):
    ERROR = "error", "error"
    WARNING = "warning", "warning"
    INFO = "info", "info"


LEVEL_ORDER = {Level.ERROR: 0, Level.WARNING: 1, Level.INFO: 2}


@dataclass(frozen=True)
class Finding:
    level: str
    code: str
    message: str
    obj: models.Model | None = None
    article: str = ""
    # for a finding about something absent: the model whose admin page adds it
    add_model: type[models.Model] | None = None
    # for a finding fixed elsewhere (e.g. a page that publishes a document): where, and the
    # link's text on the hints page
    url: str = ""
    link_text: str = ""

    @property
    def admin_url(self) -> str:
        """Where staff fix it: the object's change page, or the page that adds what is missing."""
        if self.url:
            return self.url
        try:
            if self.obj is not None and self.obj.pk is not None:
                meta = self.obj._meta
                return reverse(
                    f"admin:{meta.app_label}_{meta.model_name}_change", args=[self.obj.pk]
                )
            if self.add_model is not None:
                meta = self.add_model._meta
                return reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
        except NoReverseMatch:
            return ""
        return ""

    def as_dict(self) -> dict:
        return {
            "level": self.level,
            "code": self.code,
            "message": self.message,
            "article": self.article,
            "object": str(self.obj) if self.obj is not None else "",
        }


def _err(code, message, obj=None, article="", add_model=None):
    return Finding(Level.ERROR, code, message, obj, article, add_model)


def _warn(code, message, obj=None, article="", add_model=None):
    return Finding(Level.WARNING, code, message, obj, article, add_model)


def default_text(obj: models.Model, field: str) -> str:
    """A translated text in the default language (nl), whatever language the request uses.

    Hints must not depend on who looks: the English page falls back to Dutch, so checking the
    active language would hide a missing Dutch text from an English-speaking officer.
    """
    return getattr(obj, f"{field}_{DEFAULT_LANGUAGE}", None) or ""


def missing_languages(obj: models.Model, field: str) -> list[str]:
    """Languages without this text, when the default language has it."""
    if not default_text(obj, field):
        return []
    return [lang for lang in LANGUAGES if not getattr(obj, f"{field}_{lang}", None)]


def active_activities() -> list[ProcessingActivity]:
    return list(
        ProcessingActivity.objects.active().prefetch_related(
            "data_subject_categories",
            "data_categories",
            "recipients",
            "security_measures",
            "transfers",
            "retention_rules",
        )
    )


class SharedReads:
    """Rows several checks read (the controller, the authority, the cameras, the active
    rules), read once per ``register_findings`` call and never kept beyond it: every call reads
    the register afresh."""

    @cached_property
    def organisation(self) -> Organisation | None:
        return Organisation.objects.current()

    @cached_property
    def authority(self) -> SupervisoryAuthority | None:
        return SupervisoryAuthority.objects.current()

    @cached_property
    def cameras(self) -> list[Camera]:
        return list(Camera.objects.select_related("retention_rule"))  # by location

    @cached_property
    def active_rules(self) -> list[RetentionRule]:
        """Every active rule, the inactive activities' too, in the rules' own order."""
        return list(RetentionRule.objects.filter(is_active=True).select_related("data_category"))


_SHARED_READS: ContextVar[SharedReads | None] = ContextVar("register_reads", default=None)


def shared_reads() -> SharedReads:
    """The running ``register_findings`` call's reads; outside one, reads of its own."""
    return _SHARED_READS.get() or SharedReads()


# --- Art. 30(1)(a) ----------------------------------------------------------------------------


def check_controller(activities: list[ProcessingActivity]) -> list[Finding]:
    """Art. 30(1)(a): name and contact details of the controller; 13(2)(d): the authority."""
    org = shared_reads().organisation
    if org is None:
        return [
            _err("controller.missing", _("The controller is not registered."), None, "30(1)(a)")
        ]
    found = []
    for attr, label in [
        ("legal_name", _("name")),
        ("street", _("address")),
        ("postal_code", _("postal code")),
        ("city", _("city")),
        ("email", _("e-mail")),
    ]:
        if not getattr(org, attr):
            found.append(
                _err(
                    f"controller.{attr}",
                    _("The controller's %(what)s is missing.") % {"what": label},
                    org,
                    "30(1)(a)",
                )
            )
    if not org.kbo_number:
        found.append(
            _warn(
                "controller.kbo_number",
                _("The company number (KBO/BCE) is missing: add it, with the VAT number."),
                org,
                "30(1)(a)",
            )
        )
    if shared_reads().authority is None:
        found.append(
            _err(
                "authority.missing",
                _("The supervisory authority (GBA/APD) is not registered."),
                None,
                "13(2)(d)",
                SupervisoryAuthority,
            )
        )
    return found


# --- Art. 30(1)(b) and (c) --------------------------------------------------------------------


def check_purposes(activities: list[ProcessingActivity]) -> list[Finding]:
    """Art. 30(1)(b): the purposes; Art. 6(1): a legal basis for each."""
    if not activities:
        return [
            _err(
                "activity.none",
                _("No active processing activity."),
                None,
                "30(1)(b)",
                ProcessingActivity,
            )
        ]
    found = []
    for a in activities:
        if not default_text(a, "purpose"):
            found.append(_err("activity.purpose", _("The purpose is missing."), a, "30(1)(b)"))
        if not a.legal_basis:
            found.append(_err("activity.legal_basis", _("The legal basis is missing."), a, "6(1)"))
    return found


def check_categories(activities: list[ProcessingActivity]) -> list[Finding]:
    """Art. 30(1)(c): categories of data subjects and of personal data; Art. 9(2)."""
    found = []
    for a in activities:
        if not a.data_subject_categories.all():
            found.append(
                _err(
                    "activity.data_subjects",
                    _("No category of data subjects."),
                    a,
                    "30(1)(c)",
                )
            )
        if not a.data_categories.all():
            found.append(
                _err("activity.data_categories", _("No category of personal data."), a, "30(1)(c)")
            )
        special = [c for c in a.data_categories.all() if c.is_special_category]
        if special and not a.special_category_condition:
            found.append(
                _err(
                    "activity.special_category_condition",
                    _("Special categories (%(names)s) without an Art. 9(2) condition.")
                    % {"names": ", ".join(str(c) for c in special)},
                    a,
                    "9(2)",
                )
            )
    return found


# --- Art. 30(1)(d) and (e) --------------------------------------------------------------------


def check_recipients(activities: list[ProcessingActivity]) -> list[Finding]:
    """Art. 30(1)(d): the categories of recipients."""
    return [
        _err(
            "activity.recipients",
            _("No recipients: add the categories of recipients (processors included)."),
            a,
            "30(1)(d)",
        )
        for a in activities
        if not a.recipients.all()
    ]


def check_transfers(activities: list[ProcessingActivity]) -> list[Finding]:
    """Art. 30(1)(e), 44-49: transfers outside the EEA and their safeguards."""
    found = []
    for a in activities:
        outside = [r for r in a.recipients.all() if not r.inside_eea]
        if a.transfers_outside_eea is None:
            found.append(
                _err(
                    "activity.transfers_unanswered",
                    _("Transfers outside the EEA: not answered (say 'No' when there are none)."),
                    a,
                    "30(1)(e)",
                )
            )
        elif a.transfers_outside_eea and not a.transfers.all():
            found.append(
                _err(
                    "activity.transfers_missing",
                    _("Transfers outside the EEA are announced but none is described."),
                    a,
                    "30(1)(e)",
                )
            )
        elif outside and not a.transfers_outside_eea:
            found.append(
                _err(
                    "activity.recipient_outside_eea",
                    _("Recipients outside the EEA (%(names)s) but no transfer is registered.")
                    % {"names": ", ".join(str(r) for r in outside)},
                    a,
                    "30(1)(e)",
                )
            )
    for t in Transfer.objects.select_related("recipient").filter(safeguard=""):
        found.append(
            _err(
                "transfer.safeguard",
                _("Transfer without a safeguard (adequacy decision, SCCs, BCRs or derogation)."),
                t,
                "46",
            )
        )
    return found


# --- Art. 30(1)(f) and (g) --------------------------------------------------------------------


def check_retention(activities: list[ProcessingActivity]) -> list[Finding]:
    """Art. 30(1)(f), 13(2)(a): where possible, the time limits for erasure."""
    return [
        _warn(
            "activity.retention",
            _("No active retention rule: say how long the data are kept, or the criterion."),
            a,
            "30(1)(f)",
        )
        for a in activities
        if not [r for r in a.retention_rules.all() if r.is_active]
    ]


def check_security(activities: list[ProcessingActivity]) -> list[Finding]:
    """Art. 30(1)(g), 32: where possible, a description of the security measures."""
    return [
        _warn("activity.security", _("No security measure linked."), a, "30(1)(g)")
        for a in activities
        if not a.security_measures.all()
    ]


# --- the law behind the bases -----------------------------------------------------------------


def check_legitimate_interest(activities: list[ProcessingActivity]) -> list[Finding]:
    """Art. 6(1)(f), 13(1)(d): the legitimate interest must be stated."""
    return [
        _err(
            "activity.legitimate_interest",
            _("Legitimate interest is the basis but the interest pursued is not described."),
            a,
            "6(1)(f)",
        )
        for a in activities
        if a.uses_legitimate_interest and not default_text(a, "legitimate_interest")
    ]


def check_consent(activities: list[ProcessingActivity]) -> list[Finding]:
    """Art. 7(1): the controller must be able to demonstrate consent."""
    return [
        _err(
            "activity.consent_record",
            _("Consent is the basis but how consent is recorded is not described."),
            a,
            "7(1)",
        )
        for a in activities
        if a.uses_consent and not default_text(a, "consent_record_mechanism")
    ]


def check_statement_items(activities: list[ProcessingActivity]) -> list[Finding]:
    """Art. 13(2)(e)-(f): items the privacy statement must answer for each purpose."""
    found = []
    for a in activities:
        if not a.provision_requirement:
            found.append(
                _warn(
                    "activity.provision_requirement",
                    _("Not stated whether providing the data is required, and the consequence."),
                    a,
                    "13(2)(e)",
                )
            )
        if not a.automated_decision_making:
            found.append(
                _warn(
                    "activity.automated_decisions",
                    _("Automated decision-making not assessed ('none' is an answer)."),
                    a,
                    "13(2)(f)",
                )
            )
    return found


# --- processors -------------------------------------------------------------------------------


def check_processors(activities: list[ProcessingActivity]) -> list[Finding]:
    """Art. 28(3): a processor acts under a written agreement, both ways; Art. 30(2)."""
    found = []
    for r in Recipient.objects.filter(
        kind__in=[Recipient.Kind.PROCESSOR, Recipient.Kind.SUB_PROCESSOR]
    ):
        if not r.has_agreement:
            found.append(
                _warn(
                    "recipient.agreement",
                    _("Processor without a recorded processing agreement (date or document)."),
                    r,
                    "28(3)",
                )
            )
    clients = list(ProcessorClient.objects.prefetch_related("processing_categories"))
    for client in clients:
        if not client.has_agreement:
            found.append(
                _warn(
                    "client.agreement",
                    _("Client we process for without a recorded processing agreement."),
                    client,
                    "28(3)",
                )
            )
        if not client.processing_categories.all():
            found.append(
                _err(
                    "client.categories",
                    _("No category of processing for this client."),
                    client,
                    "30(2)(b)",
                )
            )
    holds_client_data = any(
        rule.anchor == RetentionRule.Anchor.CONTRACT_END for rule in shared_reads().active_rules
    )
    if holds_client_data and not clients:
        found.append(
            _warn(
                "processor_register.empty",
                _(
                    "We process data for clients (mailhosting, back-up, VPS, webhosting) but the "
                    "register of clients we process for is empty."
                ),
                None,
                "30(2)",
                ProcessorClient,
            )
        )
    return found


def check_invoice_rule(activities: list[ProcessingActivity]) -> list[Finding]:
    """Belgian tax and VAT law: 10 years for documents from 2023 on (law of 20 Nov 2022)."""
    found = []
    rules = [
        rule
        for rule in shared_reads().active_rules
        if rule.code == "invoice" or (rule.data_category and rule.data_category.code == "invoicing")
    ]
    for rule in rules:
        years = {"years": rule.period_value, "months": rule.period_value / 12}.get(
            rule.period_unit, rule.period_value / 365
        )
        if years < INVOICE_TAX_YEARS:
            found.append(
                _warn(
                    "retention.invoice_tax_period",
                    _(
                        "Invoices are kept %(period)s; tax and VAT law keep documents from 2023 "
                        "on for 10 years (law of 20 November 2022). Consider 10 years."
                    )
                    % {"period": rule.period_display()},
                    rule,
                    "30(1)(f)",
                )
            )
    return found


def check_translations(activities: list[ProcessingActivity]) -> list[Finding]:
    """Art. 12(1): the statement is given in the languages we address people in (nl/fr/en)."""
    found = []

    def check(obj, fields):
        missing = sorted({lang for f in fields for lang in missing_languages(obj, f)})
        if missing:
            found.append(
                _warn(
                    "translation.missing",
                    _("Texts shown to the public lack a translation: %(languages)s.")
                    % {"languages": ", ".join(missing)},
                    obj,
                    "12(1)",
                )
            )

    seen: set[tuple[type, int]] = set()
    for a in activities:
        check(a, PUBLIC_TEXTS["activity"])
        for rule in a.retention_rules.all():
            if rule.is_active:
                check(rule, PUBLIC_TEXTS["rule"])
        linked = [
            *a.data_subject_categories.all(),
            *a.data_categories.all(),
            *a.security_measures.all(),
        ]
        for obj in linked:
            if (type(obj), obj.pk) not in seen:
                seen.add((type(obj), obj.pk))
                check(obj, PUBLIC_TEXTS["catalogue"])
        for r in a.recipients.all():
            if (Recipient, r.pk) not in seen:
                seen.add((Recipient, r.pk))
                check(r, PUBLIC_TEXTS["recipient"])
    return found


CHECKS: list[Callable[[list[ProcessingActivity]], list[Finding]]] = [
    check_controller,
    check_purposes,
    check_categories,
    check_recipients,
    check_transfers,
    check_retention,
    check_security,
    check_legitimate_interest,
    check_consent,
    check_statement_items,
    check_processors,
    check_invoice_rule,
    check_translations,
]


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (LEVEL_ORDER.get(f.level, 9), f.code, str(f.obj)))


def register_findings() -> list[Finding]:
    """Every hint on the current register, errors first."""
    token = _SHARED_READS.set(SharedReads())
    try:
        activities = active_activities()
        return sort_findings(f for check in CHECKS for f in check(activities))
    finally:
        _SHARED_READS.reset(token)


def findings_for(obj: models.Model) -> list[Finding]:
    """The hints about one object (for its admin page)."""
    return [f for f in register_findings() if f.obj is not None and f.obj == obj]


# The cookie inventory's hints (issue 15) live in their own module, which imports this one.
from .hints_cookies import check_cookies  # noqa: E402

CHECKS.append(check_cookies)

# DPIA screenings and the camera register (issue 16).
from .hints_duties import check_cameras, check_dpia  # noqa: E402

CHECKS.extend([check_dpia, check_cameras])

# A rule's statement sentence against its period field (issue 13).
from .hints_retention import check_rule_texts  # noqa: E402

CHECKS.append(check_rule_texts)

# Hints that keep the privacy statement true (issue 13).
from .hints_statement import check_statement_truth  # noqa: E402

CHECKS.append(check_statement_truth)


def check_add(check: Callable[[list[ProcessingActivity]], list[Finding]]) -> None:
    """Add a check from an app that reads the register (registry imports no other app): the
    statement app adds the staff notice's check in its ``ready()``. Adding twice is harmless."""
    if check not in CHECKS:
        CHECKS.append(check)
