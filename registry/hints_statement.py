"""Register hints that keep the privacy statement true (issue 13); part of `registry.hints.CHECKS`.

The statement says only what the register holds. These hints ask staff for what it cannot say
otherwise: a recipient's country (Art. 13(1)(e)-(f)) and how often a review rule is reviewed
(Art. 13(2)(a)). A rule's free text naming another period: ``registry.hints_retention``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .hints import Finding, _warn
from .models import ProcessingActivity, RetentionRule


def check_statement_truth(activities: list[ProcessingActivity]) -> list[Finding]:
    found: list[Finding] = []
    seen = set()
    for activity in activities:
        for recipient in activity.recipients.all():
            if recipient.pk in seen or recipient.country:
                continue
            seen.add(recipient.pk)
            found.append(
                _warn(
                    "recipient.country",
                    _(
                        "In which country does this recipient process the data? The "
                        "statement names no country until you fill it in."
                    ),
                    recipient,
                    "13(1)(f)",
                )
            )
        for rule in activity.retention_rules.all():
            found.extend(_rule_findings(rule))
    return found


def _rule_findings(rule: RetentionRule) -> list[Finding]:
    found = []
    if not rule.is_active:
        return found
    if rule.action == RetentionRule.Action.REVIEW and not rule.review_every_months:
        found.append(
            _warn(
                "rule.review_frequency",
                _("Say how often staff review these data: the statement must tell people."),
                rule,
                "13(2)(a)",
            )
        )
    return found
