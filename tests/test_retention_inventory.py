"""Issue 13: every installed model that holds personal data is governed — it declares its
personal fields once and names the retention rule that ends it, and that rule has a purge
target and a seeded register entry (or the row goes with a governed row it belongs to).

A model added without that declaration fails here, by name."""

import pytest
from django.apps import apps

from cdot_privacy.periodic import declared_periodic_tasks
from registry import seed_data
from retention.targets import (
    FILE_STORES,
    NOT_PERSONAL,
    TARGETS,
    THIRD_PARTY_DEPENDANTS,
    THIRD_PARTY_PERSONAL,
    personal_data_stores,
)


def _seeded_rule_codes() -> set[str]:
    codes = {spec["code"] for spec in seed_data.RETENTION_RULES}
    for name in ("seed_cookies", "seed_processor"):  # other seeds add their own rules
        try:
            module = __import__(f"registry.{name}", fromlist=["RETENTION_RULES"])
        except ImportError:
            continue
        codes |= {spec["code"] for spec in getattr(module, "RETENTION_RULES", [])}
    return codes


def test_every_installed_model_is_classified():
    _, unclassified = personal_data_stores()
    assert unclassified == [], (
        "models without PERSONAL_FIELDS (or an entry in retention.targets' inventory): "
        f"{unclassified}"
    )


def test_every_model_with_personal_data_has_a_rule_a_purge_target_and_a_register_entry():
    stores, _ = personal_data_stores()
    seeded = _seeded_rule_codes()
    governed = {store.label for store in stores if store.rule_codes}
    problems = []
    scheduled = {task.task for task in declared_periodic_tasks()}
    for store in stores:
        if store.label in FILE_STORES:  # a file: its rule is applied by a beat task
            task = FILE_STORES[store.label][2]
            if task not in scheduled:
                problems.append(f"{store.label}: task {task!r} is not scheduled")
            problems += [
                f"{store.label}: rule {c!r} not seeded" for c in store.rule_codes if c not in seeded
            ]
            continue
        for field in store.fields:
            model = apps.get_model(store.label)
            try:
                model._meta.get_field(field)
            except Exception:  # noqa: BLE001 - reported below
                problems.append(f"{store.label}: no field {field!r}")
        if not store.rule_codes:
            if store.parent not in governed and store.parent not in {
                s.label for s in stores if s.parent
            }:
                problems.append(f"{store.label}: goes with {store.parent!r}, which is not governed")
            continue
        for code in store.rule_codes:
            if code not in TARGETS:
                problems.append(f"{store.label}: rule {code!r} has no purge target")
            if code not in seeded:
                problems.append(f"{store.label}: rule {code!r} is not in the register's seed")
    assert problems == []


def test_the_inventory_names_only_installed_models():
    labels = {model._meta.label for model in apps.get_models()}
    declared = set(THIRD_PARTY_PERSONAL) | set(THIRD_PARTY_DEPENDANTS) | set(NOT_PERSONAL)
    # Permission/ContentType are always installed; a stale entry is a model that was removed.
    assert declared - labels == set()


@pytest.mark.parametrize(
    "label",
    [
        "axes.AccessLog",
        "sessions.Session",
        "requests_app.DataSubjectRequest",
        "records.Contact",
        "file:erasure-ledger",
        "statement.StatementVersion",  # the approver's name
        "statement.StaffNoticeVersion",  # the publisher's name
        "retention.ReviewDecision",  # a reason, who decided
        "registry.HistoricalOrganisation",  # earlier privacy contacts / DPOs
        "registry.HistoricalProcessorClient",  # a client's earlier contact persons
    ],
)
def test_known_personal_stores_are_in_the_inventory(label):
    stores, _ = personal_data_stores()
    assert label in {store.label for store in stores}


def test_the_register_history_s_contact_fields_end_by_their_own_rule():
    """The live register is kept while listed (Art. 30(1)(a), 30(2)(a)); the earlier values
    its history keeps are personal data with a rule of their own (issue 13)."""
    stores = {store.label: store for store in personal_data_stores()[0]}
    controller = stores["registry.HistoricalOrganisation"]
    client = stores["registry.HistoricalProcessorClient"]
    assert {"privacy_contact_name", "privacy_contact_email", "note"} <= set(controller.fields)
    assert controller.rule_codes == ("register-history-contact",)
    assert {"contact_name", "contact_email", "notes"} <= set(client.fields)
    assert client.rule_codes == ("register-history-client-contact",)
    # The live rows stay the register's; the links' history holds no contact.
    assert "registry.Organisation" in NOT_PERSONAL and "registry.ProcessorClient" in NOT_PERSONAL
    assert "registry.HistoricalProcessorClient_sub_processors" not in stores


def test_a_new_model_with_personal_data_fails_the_enumeration_until_it_is_governed(monkeypatch):
    """The two tests above are the guard of Done-when (b): a model added with a personal field
    fails them, by name, until it declares its fields and a rule that has a purge target and
    a seeded register entry."""
    from django.db import models
    from django.test.utils import isolate_apps

    with isolate_apps("records"):

        class Pet(models.Model):  # a new store: whose pet, and how to reach them
            owner_email = models.EmailField()

            class Meta:
                app_label = "records"

            def __str__(self) -> str:
                return self.owner_email

    installed = apps.get_models()
    get_model = apps.get_model
    monkeypatch.setattr(apps, "get_models", lambda *args, **kwargs: [*installed, Pet])
    monkeypatch.setattr(
        apps,
        "get_model",
        lambda label, *a, **k: Pet if label == "records.Pet" else get_model(label, *a, **k),
    )
    with pytest.raises(AssertionError, match="records.Pet"):
        test_every_installed_model_is_classified()

    Pet.PERSONAL_FIELDS = ("owner_email",)  # declared, but no rule
    with pytest.raises(AssertionError, match="records.Pet: goes with ''"):
        test_every_model_with_personal_data_has_a_rule_a_purge_target_and_a_register_entry()

    Pet.retention_rule_code = "pet"  # a rule the purge and the register do not know
    with pytest.raises(AssertionError, match="records.Pet: rule 'pet' has no purge target"):
        test_every_model_with_personal_data_has_a_rule_a_purge_target_and_a_register_entry()

    Pet.retention_rule_code = "web-inquiry"  # governed: both pass
    test_every_installed_model_is_classified()
    test_every_model_with_personal_data_has_a_rule_a_purge_target_and_a_register_entry()
