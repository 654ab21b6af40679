"""Write operations on the register."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_save
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.signals import (
    post_create_historical_m2m_records,
    post_create_historical_record,
    pre_create_historical_m2m_records,
    pre_create_historical_record,
)

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
    if isinstance(wanted, models.Model):  # current: the foreign key's id
        return current is not None and current == wanted.pk
    if wanted in ("", None):
        return current in ("", None)
    return current == wanted


def _current(obj: models.Model, name: str, wanted: Any) -> Any:
    """The row's value; of a foreign key the seed sets, its id (the row it points to costs a
    query)."""
    if isinstance(wanted, models.Model):
        return getattr(obj, f"{name}_id")
    return getattr(obj, name)


def _diff(obj: models.Model, item: SeedItem) -> list[str]:
    names = [k for k, v in item.fields.items() if not _same(_current(obj, k, v), v)]
    for name, wanted in item.m2m.items():
        # .all(): the links the seeder prefetched with the row (one query per field per model)
        if {o.pk for o in getattr(obj, name).all()} != {o.pk for o in wanted}:
            names.append(name)
    return names


def _last_change_by_seed(obj: Any) -> bool:
    """True when the newest history entry of this row was written by the seed itself."""
    last = obj.history.order_by("-history_date", "-history_id").first()
    return last is not None and last.history_change_reason == SEED_REASON


def _history(model: Any) -> tuple[HistoricalRecords, Any]:
    """The simple_history registration of `model` (its post_save receiver's owner) and its
    history model, looked up once: each `model.history` access builds a new manager class."""
    if model not in _HISTORY:
        sync, _async = post_save._live_receivers(model)
        owners = (getattr(receiver, "__self__", None) for receiver in sync)
        records = next((o for o in owners if isinstance(o, HistoricalRecords)), None)
        if records is None:
            raise TypeError(f"{model.__name__} has no history (registry/translation.py TRACKED)")
        _HISTORY[model] = (records, model.history.model)
    return _HISTORY[model]


_HISTORY: dict[type, tuple[HistoricalRecords, Any]] = {}


def _history_entry(obj: Any, history_type: str) -> None:
    """Write the row's history entry: what `HistoricalRecords.create_historical_record`
    (django-simple-history 3.13) writes, with the same signals, reading the links as ids.

    The library reads each link row with both its ends (a whole ProcessingActivity per link),
    the largest part of a fresh seed's time; the rows written are the same (every column,
    tests/test_registry_seed.py compares them with the register).
    """
    records, entry_model = _history(type(obj))
    date = getattr(obj, "_history_date", timezone.now())
    user = records.get_history_user(obj)
    reason = records.get_change_reason_for_object(obj, history_type, None)
    attrs = {f.attname: getattr(obj, f.attname) for f in records.fields_included(obj)}
    if getattr(entry_model, "history_relation", None) is not None:
        attrs["history_relation"] = obj
    entry = entry_model(
        history_date=date,
        history_type=history_type,
        history_user=user,
        history_change_reason=reason,
        **attrs,
    )
    about = {"instance": obj, "history_date": date, "history_user": user}
    about |= {"history_change_reason": reason, "using": None}
    pre_create_historical_record.send(sender=entry_model, history_instance=entry, **about)
    entry.save()
    for link_field in entry._history_m2m_fields:
        _history_links(records, entry, obj, link_field)
    post_create_historical_record.send(sender=entry_model, history_instance=entry, **about)


def _history_links(records: HistoricalRecords, entry: Any, obj: Any, field: Any) -> None:
    """The entry's copy of the row's links of one field (the through rows, as they are)."""
    link_model = records.m2m_models[field]
    through = field.remote_field.through
    names = [f.attname for f in through._meta.fields]
    current = through.objects.filter(**{field.m2m_field_name(): obj}).values_list(*names)
    rows = [link_model(history=entry, **dict(zip(names, row, strict=True))) for row in current]
    about = {"history_instance": entry, "instance": obj, "field": field}
    pre_create_historical_m2m_records.send(sender=link_model, rows=rows, **about)
    created = link_model.objects.bulk_create(rows)
    post_create_historical_m2m_records.send(sender=link_model, created_rows=created, **about)


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
    # The lookup fields are unique in the seeder's own map of the table (it creates a row only
    # for a lookup absent from it), so their query per row is skipped; the database's unique
    # index still refuses a row another writer added meanwhile (tests/test_registry_seed.py).
    obj.full_clean(validate_unique=False)
    obj.validate_unique(exclude=list(item.lookup))
    links = {n: wanted for n, wanted in item.m2m.items() if names is None or n in names}
    created = obj._state.adding
    obj.skip_history_when_saving = True
    try:
        obj.save()
        for name, wanted in links.items():
            if created:  # a new row has no links: set() would only read that back first
                getattr(obj, name).add(*wanted)
            else:
                getattr(obj, name).set(wanted)
    finally:
        del obj.skip_history_when_saving
    _history_entry(obj, "+" if created else "~")


class _Seeder:
    """Walks the seed in dependency order, keeping the rows it found or made by code.

    The first item of a model reads that model's rows (with the links the seed writes) and the
    lookups of its rows staff deleted, two queries, instead of two per item: a fresh register
    costs a handful of reads. The seed's lookups are unique fields (or none: the only row).
    """

    def __init__(self, report: SeedReport, force: bool) -> None:
        self.report = report
        self.force = force
        self.rows: dict[tuple[type, str], models.Model] = {}
        self.existing: dict[type, dict[tuple, models.Model]] = {}
        self.deleted: dict[type, set[tuple]] = {}

    def put(self, item: SeedItem) -> None:
        obj = self._apply(item)
        key = item.lookup.get("code", "")
        if obj is not None:
            self.rows[(item.model, key)] = obj

    def get(self, model: type, codes: list[str]) -> list[models.Model]:
        return [self.rows[(model, c)] for c in codes if (model, c) in self.rows]

    def one(self, model: type, code: str | None) -> models.Model | None:
        return self.rows.get((model, code)) if code else None

    def _apply(self, item: SeedItem) -> models.Model | None:
        report = self.report
        found = self._existing(item)
        key = tuple(item.lookup.values())
        obj = found.get(key)
        if obj is None:
            if key in self._deleted_by_staff(item) and not self.force:
                report.kept_deleted.append(item.label)
                return None
            obj = item.model(**item.lookup)
            _write(obj, item)
            found[key] = obj
            report.created.append(item.label)
            return obj
        diff = _diff(obj, item)
        if not diff:
            report.unchanged.append(item.label)
        elif _last_change_by_seed(obj):
            _write(obj, item, diff)  # the seed itself changed since the last run
            report.updated.append(item.label)
        elif self.force:
            _write(obj, item, diff)
            report.overwritten[item.label] = diff
        else:
            report.kept_staff_edits[item.label] = diff
        return obj

    def _existing(self, item: SeedItem) -> dict[tuple, models.Model]:
        """The model's rows by lookup; with no lookup, the first row by pk (the only row)."""
        if item.model not in self.existing:
            rows = item.model.objects.order_by("pk").prefetch_related(*item.m2m)
            found: dict[tuple, models.Model] = {}
            for row in rows:
                found.setdefault(tuple(getattr(row, name) for name in item.lookup), row)
            self.existing[item.model] = found
        return self.existing[item.model]

    def _deleted_by_staff(self, item: SeedItem) -> set[tuple]:
        """Lookups of the model's rows deleted (history type '-'), none for the only row."""
        if not item.lookup:
            return set()
        if item.model not in self.deleted:
            _records, history = _history(item.model)
            deleted = history.objects.filter(history_type="-").values_list(*item.lookup)
            self.deleted[item.model] = set(map(tuple, deleted))
        return self.deleted[item.model]


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
