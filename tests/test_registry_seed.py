"""C-DOT's register from the seed: A-G with their bases and periods, idempotent, staff-safe.

The register is seeded once for the module (register_seeded_once: a transaction rolled back at
the module's end, each test in its own savepoint), so every test starts from a freshly seeded
register; a test whose seed must run on an empty database belongs in
test_registry_seed_first_run.py.
"""

import io

import pytest
from django.core.management import call_command
from django.db import models

from registry import seed_data
from registry.models import (
    ConsentSettings,
    Cookie,
    DataCategory,
    DataSubjectCategory,
    Organisation,
    ProcessingActivity,
    ProcessingCategory,
    Recipient,
    RetentionRule,
    SecurityMeasure,
    SupervisoryAuthority,
    Transfer,
)
from registry.services import register_seed, seed_size

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("register_seeded_once")]

LB = ProcessingActivity.LegalBasis


def seed() -> str:
    out = io.StringIO()
    call_command("seed_cdot", stdout=out)
    return out.getvalue()


def history_count() -> int:
    tracked = [
        Organisation,
        SupervisoryAuthority,
        ProcessingActivity,
        DataCategory,
        Recipient,
        SecurityMeasure,
        RetentionRule,
        Transfer,
    ]
    return sum(model.history.count() for model in tracked)


def test_seed_gives_purposes_a_to_g_with_the_seeds_legal_bases():
    bases = dict(ProcessingActivity.objects.active().values_list("code", "legal_basis"))
    assert {code: bases[code] for code in "ABCDEFG"} == {
        "A": LB.LEGITIMATE_INTEREST,
        "B": LB.LEGITIMATE_INTEREST,
        "C": LB.CONTRACT,
        "D": LB.CONTRACT,
        "E": LB.LEGITIMATE_INTEREST,
        "F": LB.CONSENT,
        "G": LB.CONTRACT,
    }
    # Camera footage rests on legitimate interest (camera law), not on F's consent.
    assert bases["F2"] == LB.LEGITIMATE_INTEREST


def test_every_legitimate_interest_activity_states_the_interest_in_three_languages():
    for activity in ProcessingActivity.objects.filter(legal_basis=LB.LEGITIMATE_INTEREST):
        for lang in ("nl", "fr", "en"):
            assert getattr(activity, f"legitimate_interest_{lang}"), (activity.code, lang)


@pytest.mark.parametrize(
    ("code", "activity", "value", "unit", "anchor"),
    [
        ("prospect", "B", 1, "years", "first_contact"),
        ("loose-contact", "A", 1, "years", "first_contact"),
        ("web-inquiry", "E", 1, "years", "received_at"),
        ("camera-footage", "F2", 14, "days", "recorded_at"),
        ("invoice", "D", 7, "years", "last_invoice_fiscal_year_end"),
        ("customer-contact", "C", 7, "years", "last_invoice_fiscal_year_end"),
        ("processor-data", "D", 0, "days", "contract_end"),
        ("newsletter", "F", 0, "days", "consent_withdrawn"),
        ("employment", "G", 5, "years", "end_of_employment"),
    ],
)
def test_seed_gives_the_retention_periods_of_the_statement(code, activity, value, unit, anchor):
    rule = RetentionRule.objects.get_by_code(code)
    assert (rule.activity.code, rule.period_value, rule.period_unit, rule.anchor) == (
        activity,
        value,
        unit,
        anchor,
    )


def test_seed_has_the_controller_the_authority_five_measures_and_no_transfers():
    org = Organisation.objects.current()
    assert (org.legal_name, org.postal_code, org.city, org.email) == (
        "C-DOT BV",
        "3190",
        "Boortmeerbeek",
        "glenn@c-dot.be",
    )
    gba = SupervisoryAuthority.objects.current()
    assert gba.name_nl == "Gegevensbeschermingsautoriteit"
    assert gba.name_fr == "Autorité de protection des données"
    assert gba.email == "contact@apd-gba.be"
    assert SecurityMeasure.objects.count() == 5
    assert not Transfer.objects.exists()
    assert not ProcessingActivity.objects.exclude(transfers_outside_eea=False).exists()
    kinds = set(Recipient.objects.values_list("code", flat=True))
    assert {"webhosting", "it-infrastructure", "newsletter-ecommerce", "accountant"} <= kinds
    assert Recipient.objects.filter(kind=Recipient.Kind.SUB_PROCESSOR).exists()


def test_the_former_privacy_commission_appears_nowhere_in_the_register():
    for model in (SupervisoryAuthority, ProcessingActivity, RetentionRule, Recipient):
        for obj in model.objects.all():
            for f in obj._meta.get_fields():
                if isinstance(f, models.CharField | models.TextField):
                    text = (getattr(obj, f.attname) or "").lower()
                    assert "privacy commissi" not in text
                    assert "privacycommission" not in text
                    assert "persoonlijke levenssfeer" not in text


def test_a_second_seed_run_changes_nothing():
    before = history_count()
    stamps = list(ProcessingActivity.objects.values_list("code", "updated_at"))
    output = seed()
    assert history_count() == before
    assert list(ProcessingActivity.objects.values_list("code", "updated_at")) == stamps
    assert "0 created, 0 updated" in output
    assert not register_seed().changed


def test_a_staff_edit_is_kept_and_reported_by_the_next_seed_run():
    rule = RetentionRule.objects.get_by_code("prospect")
    rule.period_value = 2  # as the admin saves it: no seed change reason
    rule.save()
    output = seed()
    assert RetentionRule.objects.get_by_code("prospect").period_value == 2
    assert "kept staff edit: RetentionRule (code=prospect)" in output
    assert "period_value" in output


def test_force_overwrites_a_staff_edit_with_the_seed():
    activity = ProcessingActivity.objects.get(code="A")
    activity.name_fr = "Autre nom"
    activity.save()
    call_command("seed_cdot", "--force", stdout=io.StringIO())
    assert ProcessingActivity.objects.get(code="A").name_fr == (
        "Correspondance et gestion des contacts"
    )


def test_a_row_staff_deleted_is_not_recreated_silently():
    SecurityMeasure.objects.get(code="backups").delete()
    output = seed()
    assert not SecurityMeasure.objects.filter(code="backups").exists()
    assert "not recreated (deleted by staff): SecurityMeasure (code=backups)" in output


def test_a_revised_seed_updates_rows_only_the_seed_wrote(monkeypatch):
    revised = [dict(spec) for spec in seed_data.RETENTION_RULES]
    next(s for s in revised if s["code"] == "web-inquiry")["period"] = (6, "months")
    monkeypatch.setattr(seed_data, "RETENTION_RULES", revised)
    report = register_seed()
    rule = RetentionRule.objects.get_by_code("web-inquiry")
    assert (rule.period_value, rule.period_unit) == (6, "months")
    assert report.updated == ["RetentionRule (code=web-inquiry)"]


def _links(obj) -> dict[str, set[int]]:
    """The targets of every link field of a row or of one of its history entries."""
    out = {}
    for f in ProcessingActivity._meta.many_to_many:
        if hasattr(obj, "history_id"):
            rows = getattr(obj, f.name).all()
            out[f.name] = {getattr(r, f"{f.m2m_reverse_field_name()}_id") for r in rows}
        else:
            out[f.name] = set(getattr(obj, f.name).values_list("pk", flat=True))
    return out


def test_a_seeded_row_has_one_history_entry_holding_its_links():
    """One entry per seed write, with the links as written (the ROPA 'as of' reads them)."""
    for activity in ProcessingActivity.objects.all():
        entries = list(activity.history.all())
        assert [(e.history_type, e.history_change_reason) for e in entries] == [("+", "seed_cdot")]
        assert _links(entries[0]) == _links(activity)
        assert any(_links(activity).values())


SEEDED = [
    Organisation,
    SupervisoryAuthority,
    DataSubjectCategory,
    DataCategory,
    Recipient,
    SecurityMeasure,
    ProcessingCategory,
    ProcessingActivity,
    RetentionRule,
    ConsentSettings,
    Cookie,
]


def _columns(obj, model) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields}


def _link_rows(entry_or_row, field) -> set[tuple]:
    """Every column of the link rows of one field: the through rows, or an entry's copy."""
    if hasattr(entry_or_row, "history_id"):
        rows = getattr(entry_or_row, field.name).all()
    else:
        rows = field.remote_field.through.objects.filter(**{field.m2m_field_name(): entry_or_row})
    names = [f.attname for f in field.remote_field.through._meta.concrete_fields]
    return {tuple(getattr(r, n) for n in names) for r in rows}


def test_the_seeded_register_is_the_seed_with_one_history_entry_per_row_copying_it():
    """What the seed writes, table by table (guards the seeder's shortcuts, issue 18)."""
    # every row is its seed item, links included (the seed's own comparison), and no more
    report = register_seed()
    assert (len(report.unchanged), report.changed) == (seed_size(), False)
    assert not (report.kept_staff_edits or report.kept_deleted)
    assert sum(model.objects.count() for model in SEEDED) == seed_size()
    for model in SEEDED:
        entries = model.history.model.objects.all()
        assert entries.count() == model.objects.count(), model
        for row in model.objects.all():
            history = list(row.history.all())
            kinds = [(e.history_type, e.history_change_reason, e.history_user_id) for e in history]
            assert kinds == [("+", "seed_cdot", None)], (model, row.pk)
            assert _columns(history[0], model) == _columns(row, model), (model, row.pk)
            for field in history[0]._history_m2m_fields:
                assert _link_rows(history[0], field) == _link_rows(row, field), (row, field)
