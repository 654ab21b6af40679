"""A rule's statement sentence against its period field (issue 13): the sentence repeats the
period in free text in three languages, so changing the field alone would make the public
statement contradict itself. Every "<number> <unit>" in the text must equal the period.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from .hints import Finding, _err
from .models import ProcessingActivity, period_text
from .periods import PeriodUnit

UNIT_WORDS = {
    PeriodUnit.DAYS: ("dag", "dagen", "jour", "jours", "day", "days"),
    PeriodUnit.MONTHS: ("maand", "maanden", "mois", "month", "months"),
    PeriodUnit.YEARS: ("jaar", "jaren", "an", "ans", "année", "années", "year", "years"),
}
UNIT_OF = {word: unit for unit, words in UNIT_WORDS.items() for word in words}
MENTION = re.compile(
    r"\b(\d+)\s+(" + "|".join(sorted(UNIT_OF, key=len, reverse=True)) + r")\b", re.IGNORECASE
)


def _in_days_or_months(value: int, unit: str) -> tuple[str, int]:
    """Comparable size: days for days, months for months and years (12 months = 1 year)."""
    if unit == PeriodUnit.DAYS:
        return "d", value
    return "m", value * 12 if unit == PeriodUnit.YEARS else value


def period_mentions(text: str) -> list[tuple[int, str]]:
    """Every (number, unit) a sentence states, e.g. [(7, 'years')]."""
    return [(int(n), UNIT_OF[word.lower()]) for n, word in MENTION.findall(text or "")]


def check_rule_texts(activities: list[ProcessingActivity]) -> list[Finding]:
    """Error when a rule's statement text (in any language) names another period."""
    found = []
    rules = [r for a in activities for r in a.retention_rules.all() if r.is_active]  # prefetched
    for rule in sorted(rules, key=lambda r: r.code):
        period = _in_days_or_months(rule.period_value, rule.period_unit)
        for language, _endonym in settings.LANGUAGES:
            text = getattr(rule, f"statement_text_{language}", "") or ""
            said = [m for m in period_mentions(text) if _in_days_or_months(*m) != period]
            if not said:
                continue
            value, unit = said[0]
            found.append(
                _err(
                    "retention.statement_period_mismatch",
                    _(
                        "The statement text (%(language)s) of this rule says %(said)s, but its "
                        "period is %(period)s: change the text or the period."
                    )
                    % {
                        # In the reader's language: "Engels", "14 dagen" on a Dutch page.
                        "language": get_language_info(language)["name_translated"],
                        "said": period_text(value, unit),
                        "period": rule.period_display(),
                    },
                    rule,
                    "13(2)(a)",
                )
            )
    return found
