"""What the privacy statement says, gathered from the register (GDPR Art. 13(1)-(2), 14(1)-(2)).

``statement_facts(language=...)`` reads the register into plain, JSON-ready facts: controller,
purposes and bases, legitimate interests, categories, sources, recipients, transfers,
retention, security, processor services, the authority. ``statement.rendering`` renders them.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Prefetch
from django.utils import translation
from django.utils.translation import gettext_lazy

from registry.automation import rule_is_automated
from registry.models import (
    Cookie,
    Organisation,
    ProcessingActivity,
    ProcessingCategory,
    Recipient,
    RetentionRule,
    SecurityMeasure,
    SupervisoryAuthority,
    Transfer,
    format_kbo,
)

# Public wording of the legal bases (Art. 6(1)); the seed's "Gerechtigd belang" is gone for good.
LEGAL_BASIS_LABELS = {
    ProcessingActivity.LegalBasis.CONSENT: gettext_lazy("Your consent (Art. 6(1)(a) GDPR)"),
    ProcessingActivity.LegalBasis.CONTRACT: gettext_lazy(
        "Performance of a contract with you, or steps before entering into one (Art. 6(1)(b) GDPR)"
    ),
    ProcessingActivity.LegalBasis.LEGAL_OBLIGATION: gettext_lazy(
        "A legal obligation we must comply with (Art. 6(1)(c) GDPR)"
    ),
    ProcessingActivity.LegalBasis.VITAL_INTERESTS: gettext_lazy(
        "Protection of vital interests (Art. 6(1)(d) GDPR)"
    ),
    ProcessingActivity.LegalBasis.PUBLIC_TASK: gettext_lazy(
        "A task in the public interest (Art. 6(1)(e) GDPR)"
    ),
    ProcessingActivity.LegalBasis.LEGITIMATE_INTEREST: gettext_lazy(
        "Our legitimate interest (Art. 6(1)(f) GDPR)"
    ),
}

# Art. 13(2)(e): whether providing the data is required, in words a visitor understands.
REQUIREMENT_LABELS = {
    ProcessingActivity.Requirement.STATUTORY: gettext_lazy("Required by law."),
    ProcessingActivity.Requirement.CONTRACTUAL: gettext_lazy("Required by our contract with you."),
    ProcessingActivity.Requirement.PRE_CONTRACT: gettext_lazy(
        "Required to enter into a contract with us."
    ),
    ProcessingActivity.Requirement.VOLUNTARY: gettext_lazy("Voluntary."),
    ProcessingActivity.Requirement.NOT_ASSESSED: gettext_lazy(
        "Not required by law or contract, but needed for this purpose."
    ),
}

COUNTRY_NAMES = {
    "BE": gettext_lazy("Belgium"),
    "NL": gettext_lazy("the Netherlands"),
    "FR": gettext_lazy("France"),
    "DE": gettext_lazy("Germany"),
    "LU": gettext_lazy("Luxembourg"),
    "IE": gettext_lazy("Ireland"),
    "US": gettext_lazy("the United States"),
    "GB": gettext_lazy("the United Kingdom"),
    "CH": gettext_lazy("Switzerland"),
}

# The sections of the statement, in order: (anchor, title). The template follows this list.
SECTION_TITLES = {
    "controller": gettext_lazy("Who is responsible for your data"),
    "purposes": gettext_lazy("Why we process your data and on which legal basis"),
    "data": gettext_lazy("Which data we process and where they come from"),
    "recipients": gettext_lazy("Who receives your data"),
    "transfers": gettext_lazy("Transfers outside the European Economic Area"),
    "retention": gettext_lazy("How long we keep your data"),
    "cookies": gettext_lazy("Cookies on our website"),
    "security": gettext_lazy("How we protect your data"),
    "automated": gettext_lazy("Automated decisions and profiling"),
    "rights": gettext_lazy("Your rights"),
    "exercise": gettext_lazy("How to exercise your rights"),
    "complaints": gettext_lazy("Complaints"),
    "processor": gettext_lazy("Data we process for our clients"),
    "changes": gettext_lazy("Changes to this statement"),
}


def country_name(code: str) -> str:
    return str(COUNTRY_NAMES.get((code or "").upper(), code or ""))


def _label(choices: type[models.Choices], value: str) -> str:
    """What ``get_<field>_display()`` says for a field with these choices, without Django
    hashing every choice's translated label on each call (a read of the register asks for
    one per rule, recipient and transfer, in three languages)."""
    try:
        return str(choices(value).label)
    except ValueError:  # not one of the choices: the stored value, as Django shows it
        return value


# --- 1. gather --------------------------------------------------------------------------------


def statement_facts(*, language: str) -> dict:
    """Everything the statement says, read from the register in one language (JSON-ready)."""
    with translation.override(language):
        activities = list(
            ProcessingActivity.objects.active()
            .prefetch_related(
                "data_categories",
                "data_subject_categories",
                "recipients",
                "security_measures",
                # one query each, their recipient and data category joined in
                Prefetch("transfers", queryset=Transfer.objects.select_related("recipient")),
                Prefetch(
                    "retention_rules",
                    queryset=RetentionRule.objects.select_related("data_category"),
                ),
            )
            .order_by("position", "code")
        )
        controller_activities = [
            a for a in activities if a.role == ProcessingActivity.Role.CONTROLLER
        ]
        facts = {
            "controller": _controller_facts(Organisation.objects.current()),
            "authority": _authority_facts(SupervisoryAuthority.objects.current()),
            "activities": [_activity_facts(a) for a in controller_activities],
            "processor_activities": [
                {"code": a.code, "name": a.name, "purpose": a.purpose}
                for a in activities
                if a.role == ProcessingActivity.Role.PROCESSOR
            ],
            # Art. 30(2)(b): what we do as processor for clients (e.g. mailhosting, back-up)
            "processor_services": [c.name for c in ProcessingCategory.objects.order_by("code")],
            "data_categories": _data_category_facts(controller_activities),
            "recipients": _recipient_facts(controller_activities),
            "transfers": _transfer_facts(controller_activities),
            # Art. 13(1)(f): "no transfers" only when every purpose answers "no" in the register
            "no_transfers": _no_transfers(controller_activities),
            "retention": _retention_facts(activities),
            "cookies": _cookie_facts(),
            "security": _security_facts(activities),
            "sources": [  # Art. 14(2)(f): where data do not come from the person
                {"code": a.code, "name": a.name, "source": a.data_source.strip()}
                for a in controller_activities
                if a.data_source.strip()
            ],
            "automated": [
                {"code": a.code, "name": a.name, "logic": a.automated_decision_logic}
                for a in controller_activities
                if a.automated_decision_making == ProcessingActivity.AutomatedDecisions.YES
            ],
            "sections": [],  # filled below: only the sections that have something to say
        }
        facts["sections"] = _sections(facts)
        facts["headings"] = {
            section["id"]: f"{section['number']}. {section['title']}"
            for section in facts["sections"]
        }
        facts["recipient_countries"] = any(r["country"] for r in facts["recipients"])
        return facts


def _sections(facts: dict) -> list[dict]:
    """The sections in order, numbered; the transfers section only when the register says
    something about transfers (a listed transfer, or "none" for every purpose)."""
    shown = [
        key
        for key in SECTION_TITLES
        if (key != "transfers" or facts["transfers"] or facts["no_transfers"])
        and (key != "cookies" or facts["cookies"])
    ]
    return [
        {"id": key, "title": str(SECTION_TITLES[key]), "number": number}
        for number, key in enumerate(shown, start=1)
    ]


def _controller_facts(org: Organisation | None) -> dict:
    if org is None:
        return {}
    return {
        "legal_name": org.legal_name,
        "legal_form": org.legal_form,
        "kbo_number": format_kbo(org.kbo_number),
        "vat_number": org.vat_number,
        "address_lines": [line for line in org.address_lines() if line],
        "country": country_name(org.country),
        "email": org.email,
        "phone": org.phone,
        "website": org.website,
        "privacy_contact_name": org.privacy_contact_name,
        "privacy_contact_email": org.privacy_contact_email or org.email,
        "dpo_name": org.dpo_name,
        "dpo_email": org.dpo_email,
        "representative": org.representative,
        "joint_controllers": org.joint_controllers,
    }


def _authority_facts(authority: SupervisoryAuthority | None) -> dict:
    if authority is None:
        return {}
    return {
        "name": authority.name,
        "short_name": authority.short_name,
        "address_lines": [line for line in authority.address.splitlines() if line.strip()],
        "phone": authority.phone,
        "email": authority.email,
        "website": authority.website,
    }


def _activity_facts(activity: ProcessingActivity) -> dict:
    bases = [str(LEGAL_BASIS_LABELS[b]) for b in activity.legal_bases if b in LEGAL_BASIS_LABELS]
    return {
        "code": activity.code,
        "name": activity.name,
        "purpose": activity.purpose,
        "legal_bases": bases,
        "legal_basis_explanation": activity.legal_basis_explanation,
        "legitimate_interest": (
            activity.legitimate_interest if activity.uses_legitimate_interest else ""
        ),
        "uses_consent": activity.uses_consent,
        "data_subjects": [c.name for c in activity.data_subject_categories.all()],
        "data_categories": [c.name for c in activity.data_categories.all()],
        "source": activity.data_source,
        "requirement": str(REQUIREMENT_LABELS[activity.provision_requirement or ""]),
        "consequence": activity.consequence_of_not_providing,
        "recipients": [r.name for r in activity.recipients.all()],
    }


def _data_category_facts(activities: list[ProcessingActivity]) -> list[dict]:
    seen: dict[str, dict] = {}
    for activity in activities:
        for category in activity.data_categories.all():
            entry = seen.setdefault(
                category.code,
                {"name": category.name, "description": category.description, "purposes": []},
            )
            entry["purposes"].append(activity.code)
    return sorted(seen.values(), key=lambda c: c["name"].casefold())


def _recipient_facts(activities: list[ProcessingActivity]) -> list[dict]:
    seen: dict[str, dict] = {}
    for activity in activities:
        for recipient in activity.recipients.all():
            entry = seen.setdefault(
                recipient.code,
                {
                    "name": recipient.name,
                    "kind": _label(Recipient.Kind, recipient.kind),
                    "service": recipient.service,
                    # unknown stays unsaid (a register hint asks for it)
                    "country": country_name(recipient.country) if recipient.country else "",
                    "inside_eea": recipient.inside_eea,
                    "purposes": [],
                },
            )
            entry["purposes"].append(activity.code)
    return sorted(seen.values(), key=lambda r: (r["kind"], r["name"].casefold()))


def _transfer_facts(activities: list[ProcessingActivity]) -> list[dict]:
    transfers: list[Transfer] = [t for a in activities for t in a.transfers.all()]
    return [
        {
            "recipient": t.recipient.name,
            "country": country_name(t.country),
            "safeguard": _label(Transfer.Safeguard, t.safeguard),
            "details": t.safeguard_details,
        }
        for t in sorted(transfers, key=lambda t: (t.country, t.recipient.name))
    ]


def _no_transfers(activities: list[ProcessingActivity]) -> bool:
    """True only when the register says so: every purpose answers "no transfers", none is
    listed, and every recipient has a known country inside the EEA."""
    recipients = [r for a in activities for r in a.recipients.all()]
    return (
        bool(activities)
        and all(a.transfers_outside_eea is False and not a.transfers.all() for a in activities)
        and all(r.country and r.inside_eea for r in recipients)
    )


def _retention_facts(activities: list[ProcessingActivity]) -> list[dict]:
    rules: list[RetentionRule] = [
        rule for a in activities for rule in a.retention_rules.all() if rule.is_active
    ]
    return [
        {
            "code": rule.code,
            "label": _rule_label(rule),
            "purpose": f"{rule.activity.code}. {rule.activity.name}",
            "period": rule.period_display(),
            "period_value": rule.period_value,
            "anchor": _label(RetentionRule.Anchor, rule.anchor),
            "criterion": rule.criterion,
            "text": rule.statement_text or rule.criterion,
            "legal_reference": rule.legal_reference,
            # What happens at the end, from the rule's action and the purge's targets only.
            "action": rule.action,
            "automated": rule_is_automated(code=rule.code, action=rule.action),
            "review_every_months": rule.review_every_months,
        }
        for rule in rules
    ]


def _rule_label(rule: RetentionRule) -> str:
    if rule.name:
        return rule.name
    if rule.data_category_id:
        return rule.data_category.name
    return rule.activity.name


def _cookie_facts() -> list[dict]:
    """The website's cookies from the register's inventory (issue 15; law of 30 July 2018,
    art. 10/2): purpose, who sets it, lifetime; an unknown lifetime stays unsaid."""
    cookies = Cookie.objects.select_related("recipient", "activity").order_by("category", "name")
    return [
        {
            "name": c.name,
            "category": str(c.get_category_display()),
            "needs_consent": c.needs_consent,
            "party": str(c.get_party_display()),
            "third_party": c.recipient.name if c.recipient_id else "",
            "purpose": c.purpose,
            "lifetime": str(c.lifetime_display()),
            "activity": c.activity.code if c.activity_id else "",
        }
        for c in cookies
    ]


def _security_facts(activities: list[ProcessingActivity]) -> list[dict]:
    measures = {m.pk: m for a in activities for m in a.security_measures.all()}
    if not measures:  # measures not linked to an activity still protect the data (Art. 32)
        measures = {m.pk: m for m in SecurityMeasure.objects.all()}
    ordered = sorted(measures.values(), key=lambda m: m.code)
    return [{"name": m.name, "description": m.description} for m in ordered]
