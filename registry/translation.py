"""Translated register texts (nl default, fr, en) and history tracking of the register.

django-simple-history is registered here, after django-modeltranslation has added the
per-language columns, so the historical tables keep name_nl / name_fr / name_en too and a past
register (ROPA, statement) can be reproduced in every language. `HistoricalRecords` with
`m2m_fields` also keeps the links (categories, recipients, measures) as they were.
"""

import simple_history
from modeltranslation.translator import TranslationOptions, translator

from . import models as m


class NameDescriptionOptions(TranslationOptions):
    fields = ("name", "description")


class SupervisoryAuthorityOptions(TranslationOptions):
    fields = ("name", "short_name", "address", "website")


class RecipientOptions(TranslationOptions):
    fields = ("name", "service")


class ProcessingActivityOptions(TranslationOptions):
    fields = (
        "name",
        "purpose",
        "legal_basis_explanation",
        "legitimate_interest",
        "consent_record_mechanism",
        "data_source",
        "consequence_of_not_providing",
        "automated_decision_logic",
    )


class TransferOptions(TranslationOptions):
    fields = ("safeguard_details",)


class RetentionRuleOptions(TranslationOptions):
    fields = ("name", "criterion", "statement_text")


class CookieOptions(TranslationOptions):
    fields = ("purpose",)


translator.register(m.SupervisoryAuthority, SupervisoryAuthorityOptions)
translator.register(m.DataSubjectCategory, NameDescriptionOptions)
translator.register(m.DataCategory, NameDescriptionOptions)
translator.register(m.Recipient, RecipientOptions)
translator.register(m.SecurityMeasure, NameDescriptionOptions)
translator.register(m.ProcessingCategory, NameDescriptionOptions)
translator.register(m.ProcessingActivity, ProcessingActivityOptions)
translator.register(m.Transfer, TransferOptions)
translator.register(m.RetentionRule, RetentionRuleOptions)
translator.register(m.Cookie, CookieOptions)

HISTORY_M2M = {
    m.ProcessingActivity: [
        "data_subject_categories",
        "data_categories",
        "recipients",
        "security_measures",
    ],
    m.ProcessorClient: ["processing_categories", "sub_processors", "security_measures"],
}
TRACKED = [
    m.Organisation,
    m.SupervisoryAuthority,
    m.DataSubjectCategory,
    m.DataCategory,
    m.Recipient,
    m.SecurityMeasure,
    m.ProcessingCategory,
    m.ProcessingActivity,
    m.Transfer,
    m.ProcessorClient,
    m.RetentionRule,
    m.Cookie,
    m.ConsentSettings,
]
for model in TRACKED:
    if not hasattr(model, "history"):  # translation.py may be imported twice in tests
        simple_history.register(model, m2m_fields=HISTORY_M2M.get(model, ()))
