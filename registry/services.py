"""Write operations on the register."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_save
from simple_history.models import HistoricalRecords

from . import models as m
from . import seed_cookies as cookie_data
from . import seed_data as data
from . import seed_processor as processor_data

SEED_REASON = "seed_cdot"
LANGS = [code for code, _name in settings.LANGUAGES]


@dataclass
class SeedItem:
    """One row the seed wants: how to find it, its plain fields and its many-to-many links."""

    model: Any  # a register model class (history manager added by simple_history)
    lookup: dict
    fields: dict
    m2m: dict[str, list[models.Model]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        key = ", ".join(f"{k}={v}" for k, v in self.lookup.items()) or "the only row"
        return f"{self.model.__name__} ({key})"  # the same in every language


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # label -> differing field names: rows staff changed, left alone (unless forced)
    kept_staff_edits: dict[str, list[str]] = field(default_factory=dict)
    overwritten: dict[str, list[str]] = field(default_factory=dict)
    kept_deleted: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.overwritten)


def _texts(name: str, texts: Any) -> dict[str, str]:
    """{'nl': .., 'fr': .., 'en': ..} -> {'name_nl': .., 'name_fr': .., 'name_en': ..}."""
    return {f"{name}_{lang}": texts.get(lang, "") for lang in LANGS}


def _same(current, wanted) -> bool:
    if isinstance(wanted, models.Model):
        return current is not None and current.pk == wanted.pk
    if wanted in ("", None):
        return current in ("", None)
    return current == wanted


def _diff(obj: models.Model, item: SeedItem) -> list[str]:
    names = [k for k, v in item.fields.items() if not _same(getattr(obj, k), v)]
    for name, wanted in item.m2m.items():
        if set(getattr(obj, name).values_list("pk", flat=True)) != {o.pk for o in wanted}:
            names.append(name)
    return names


def _last_change_by_seed(obj: Any) -> bool:
    """True when the newest history entry of this row was written by the seed itself."""
    last = obj.history.order_by("-history_date", "-history_id").first()
    return last is not None and last.history_change_reason == SEED_REASON


def _deleted_by_staff(item: SeedItem) -> bool:
    if not item.lookup:
        return False
    return item.model.history.filter(history_type="-", **item.lookup).exists()


def _history_records(model: type) -> HistoricalRecords | None:
    """The simple_history registration of `model` (its post_save receiver's owner), if any."""
    if model not in _HISTORY:
        sync, _async = post_save._live_receivers(model)
        owners = (getattr(receiver, "__self__", None) for receiver in sync)
        _HISTORY[model] = next((o for o in owners if isinstance(o, HistoricalRecords)), None)
    return _HISTORY[model]


_HISTORY: dict[type, HistoricalRecords | None] = {}


def _write(obj: Any, item: SeedItem, names: list[str] | None = None) -> None:
    """Save the row and its links with ONE history entry holding both.

    Left to itself simple_history writes an entry (with a copy of every link) on the save and
    again on each link field set: k+1 entries for a row with k link fields, most of the seed's
    time. The entry written here is the one the last of those would have been (same fields,
    same links, the seed's reason), typed '+' for a new row and '~' for a change.
    """
    for key, value in item.fields.items():
        if names is None or key in names:
            setattr(obj, key, value)
    obj._change_reason = SEED_REASON
    obj.full_clean()
    links = {n: wanted for n, wanted in item.m2m.items() if names is None or n in names}
    history = _history_records(type(obj)) if links else None
    if history is None:
        obj.save()
        for name, wanted in links.items():
            obj._change_reason = SEED_REASON
            getattr(obj, name).set(wanted)
        return
    created = obj._state.adding
    obj.skip_history_when_saving = True
    try:
        obj.save()
        for name, wanted in links.items():
            getattr(obj, name).set(wanted)
    finally:
        del obj.skip_history_when_saving
    history.create_historical_record(obj, "+" if created else "~")


def _find(item: SeedItem) -> models.Model | None:
    if item.lookup:
        return item.model.objects.filter(**item.lookup).first()
    return item.model.objects.order_by("pk").first()


def _apply(item: SeedItem, report: SeedReport, *, force: bool) -> models.Model | None:
    obj = _find(item)
    if obj is None:
        if _deleted_by_staff(item) and not force:
            report.kept_deleted.append(item.label)
            return None
        obj = item.model(**item.lookup)
        _write(obj, item)
        report.created.append(item.label)
        return obj
    diff = _diff(obj, item)
    if not diff:
        report.unchanged.append(item.label)
    elif _last_change_by_seed(obj):
        _write(obj, item, diff)  # the seed itself changed since the last run
        report.updated.append(item.label)
    elif force:
        _write(obj, item, diff)
        report.overwritten[item.label] = diff
    else:
        report.kept_staff_edits[item.label] = diff
    return obj


class _Seeder:
    """Walks the seed in dependency order, keeping the rows it found or made by code."""

    def __init__(self, report: SeedReport, force: bool) -> None:
        self.report = report
        self.force = force
        self.rows: dict[tuple[type, str], models.Model] = {}

    def put(self, item: SeedItem) -> None:
        obj = _apply(item, self.report, force=self.force)
        key = item.lookup.get("code", "")
        if obj is not None:
            self.rows[(item.model, key)] = obj

    def get(self, model: type, codes: list[str]) -> list[models.Model]:
        return [self.rows[(model, c)] for c in codes if (model, c) in self.rows]

    def one(self, model: type, code: str | None) -> models.Model | None:
        return self.rows.get((model, code)) if code else None


def _catalogue_items() -> Iterator[SeedItem]:
    yield SeedItem(m.Organisation, {}, dict(data.ORGANISATION))
    a = data.AUTHORITY
    yield SeedItem(
        m.SupervisoryAuthority,
        {},
        {
            **_texts("name", a["name"]),
            **_texts("short_name", a["short_name"]),
            **_texts("address", a["address"]),
            **_texts("website", a["website"]),
            "phone": a["phone"],
            "email": a["email"],
        },
    )
    fields: dict[str, Any]
    for code, (name, desc) in data.DATA_SUBJECT_CATEGORIES.items():
        fields = {**_texts("name", name), **_texts("description", desc)}
        yield SeedItem(m.DataSubjectCategory, {"code": code}, fields)
    for code, (name, desc) in data.DATA_CATEGORIES.items():
        fields = {**_texts("name", name), **_texts("description", desc)}
        yield SeedItem(m.DataCategory, {"code": code}, fields)
    for code, (kind, name, service) in data.RECIPIENTS.items():
        fields = {
            "kind": kind,
            **_texts("name", name),
            **_texts("service", service),
        }
        yield SeedItem(m.Recipient, {"code": code}, fields)
    for code, (kind, name, desc) in data.SECURITY_MEASURES.items():
        fields = {"kind": kind, **_texts("name", name), **_texts("description", desc)}
        yield SeedItem(m.SecurityMeasure, {"code": code}, fields)
    for code, name in data.PROCESSING_CATEGORIES.items():
        yield SeedItem(m.ProcessingCategory, {"code": code}, _texts("name", name))


def _activity_item(spec: dict, seeder: _Seeder, position: int) -> SeedItem:
    empty = {"nl": "", "fr": "", "en": ""}
    fields = {
        **_texts("name", spec["name"]),
        **_texts("purpose", spec["purpose"]),
        "role": m.ProcessingActivity.Role.CONTROLLER,
        "legal_basis": spec["legal_basis"],
        "additional_legal_basis": spec.get("additional_legal_basis", ""),
        **_texts("legal_basis_explanation", spec.get("legal_basis_explanation", empty)),
        **_texts("legitimate_interest", spec.get("legitimate_interest", empty)),
        **_texts("consent_record_mechanism", spec.get("consent", empty)),
        **_texts("data_source", empty),
        "provision_requirement": spec["provision_requirement"],
        **_texts("consequence_of_not_providing", spec["consequence"]),
        "automated_decision_making": m.ProcessingActivity.AutomatedDecisions.NONE,
        **_texts("automated_decision_logic", data.NO_ADM),
        "transfers_outside_eea": False,  # the seed: no transfers outside the EU
        "notes": spec.get("internal_note", ""),  # for staff only, never published
        "status": m.ProcessingActivity.Status.ACTIVE,
        "started_on": data.SEED_DATE,
        "dpia": m.ProcessingActivity.Dpia.NOT_ASSESSED,  # no screening was made (Art. 35)
        "owner": "Glenn (C-DOT)",
        "position": position,
    }
    m2m = {
        "data_subject_categories": seeder.get(m.DataSubjectCategory, spec["subjects"]),
        "data_categories": seeder.get(m.DataCategory, spec["categories"]),
        "recipients": seeder.get(m.Recipient, spec["recipients"]),
        "security_measures": seeder.get(m.SecurityMeasure, data.ALL_MEASURES),
    }
    return SeedItem(m.ProcessingActivity, {"code": spec["code"]}, fields, m2m)


def _rule_item(spec: dict, seeder: _Seeder) -> SeedItem | None:
    activity = seeder.one(m.ProcessingActivity, spec["activity"])
    if activity is None:  # staff deleted the activity: its rules cannot be made
        return None
    empty = {"nl": "", "fr": "", "en": ""}
    value, unit = spec["period"]
    fields = {
        "activity": activity,
        "data_category": seeder.one(m.DataCategory, spec["data_category"]),
        "period_value": value,
        "period_unit": unit,
        "anchor": spec["anchor"],
        "action": spec["action"],
        "review_every_months": spec.get("review_every_months"),
        "legal_reference": spec["legal_reference"],
        "is_active": True,
        **_texts("name", spec["name"]),
        **_texts("criterion", spec.get("criterion", empty)),
        **_texts("statement_text", spec["statement_text"]),
    }
    return SeedItem(m.RetentionRule, {"code": spec["code"]}, fields)


def _cookie_items(seeder: _Seeder) -> Iterator[SeedItem]:
    """The banner settings and the cookie inventory (issue 15), after activities/recipients."""
    yield SeedItem(m.ConsentSettings, {}, dict(cookie_data.CONSENT_SETTINGS))
    for spec in cookie_data.cookies():
        value, unit = spec["lifetime"]
        recipient = seeder.one(m.Recipient, spec.get("recipient"))
        fields = {
            "party": m.Cookie.Party.THIRD if spec.get("recipient") else m.Cookie.Party.FIRST,
            "recipient": recipient,
            "category": spec["category"],
            "lifetime_value": value,
            "lifetime_unit": unit,
            "activity": seeder.one(m.ProcessingActivity, spec.get("activity")),
            "note": spec.get("note", ""),
            **_texts("purpose", spec["purpose"]),
        }
        yield SeedItem(m.Cookie, {"name": spec["name"]}, fields)


# Camera surveillance (F2) meets two WP248 criteria: systematic monitoring of a place, and
# employees (vulnerable data subjects in WP248) within the view. The seed fills them in; the
# result stays open until a privacy officer decides (Art. 35): nobody screened it yet.
CAMERA_SCREENING_CRITERIA = ["systematic_monitoring", "vulnerable"]


def _camera_screening_draft(seeder: _Seeder, report: SeedReport) -> None:
    activity = seeder.one(m.ProcessingActivity, "F2")
    if not isinstance(activity, m.ProcessingActivity):
        return
    if m.DpiaScreening.objects.filter(activity=activity).exists():
        return
    m.DpiaScreening.objects.create(
        activity=activity,
        criteria=CAMERA_SCREENING_CRITERIA,
        criteria_notes=(
            "WP248 criterium 3: de camera's bewaken het terrein doorlopend. "
            "WP248 criterium 7: personeel is in beeld (cao nr. 68)."
        ),
    )
    report.created.append(f"DpiaScreening (activity={activity.code})")


def seed_size() -> int:
    """How many rows the seed describes (for a progress bar)."""
    return (
        2
        + len(data.DATA_SUBJECT_CATEGORIES)
        + len(data.DATA_CATEGORIES)
        + len(data.RECIPIENTS)
        + len(data.SECURITY_MEASURES)
        + len(data.PROCESSING_CATEGORIES)
        + len(data.ACTIVITIES)
        + len(data.RETENTION_RULES)
        + 1
        + len(cookie_data.cookies())
        + len(cookie_data.RETENTION_RULES)
        + len(processor_data.RETENTION_RULES)
    )


def register_seed(
    *, force: bool = False, dry_run: bool = False, progress: Callable[[], None] | None = None
) -> SeedReport:
    """Load C-DOT's register from the seed, idempotently.

    A row equal to the seed is left untouched (no write, no history entry). A row that differs
    is updated only when its last change came from the seed itself (the seed was revised);
    a row a staff member changed or deleted is left alone and reported, unless `force`.
    `dry_run` computes the same report and rolls everything back.
    """
    report = SeedReport()
    tick = progress or (lambda: None)
    with transaction.atomic():
        seeder = _Seeder(report, force)
        for item in _catalogue_items():
            seeder.put(item)
            tick()
        for position, spec in enumerate(data.ACTIVITIES, start=1):
            seeder.put(_activity_item(spec, seeder, position * 10))
            tick()
        rule_specs = [
            *data.RETENTION_RULES,
            *cookie_data.RETENTION_RULES,
            *processor_data.RETENTION_RULES,
        ]
        for rule_spec in rule_specs:
            rule_item = _rule_item(rule_spec, seeder)
            if rule_item is None:
                report.kept_deleted.append(f"RetentionRule (code={rule_spec['code']})")
            else:
                seeder.put(rule_item)
            tick()
        for item in _cookie_items(seeder):
            seeder.put(item)
            tick()
        _camera_screening_draft(seeder, report)
        if dry_run:
            transaction.set_rollback(True)
    return report
