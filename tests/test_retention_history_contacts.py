"""Issue 13: the register's history keeps earlier contact details, but not for ever.

The live register names the controller's privacy contact (and DPO) and each client's contact
person, kept while listed (Art. 30(1)(a), 30(2)(a)). django-simple-history keeps every earlier
value too: the register's accountability record (Art. 5(2), a ROPA as of a past date). Such a
value is kept while in force and for the register's period after staff replaced it (or removed
the client), then blanked in the history rows that hold it (Art. 5(1)(e); rules
``register-history-contact`` and ``register-history-client-contact``). The rows themselves
stay, and so does every value still in force.
"""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry.automation import rule_is_automated
from registry.models import Organisation, ProcessorClient, RetentionRule
from registry.ropa import ropa_data
from retention.models import PurgeRun
from retention.services import purge_preview, purge_run_execute
from statement.services import statement_render
from tests.statement_support import page_text

pytestmark = pytest.mark.django_db
SECOND = timedelta(seconds=1)
SEEDED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SEED_AT = SEEDED  # register_seeded_once seeds the register on that day
T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # the name added, the e-mail unchanged
T1 = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)  # replaced by An Verhaegen
T2 = datetime(2029, 6, 1, 9, 0, tzinfo=UTC)  # replaced by Piet Janssens
T3 = datetime(2030, 2, 1, 9, 0, tzinfo=UTC)  # only the phone changes
FIVE_YEARS_AFTER_T1 = datetime(2032, 1, 15, 9, 0, tzinfo=UTC)
FIVE_YEARS_AFTER_T2 = datetime(2034, 6, 1, 9, 0, tzinfo=UTC)
FIVE_YEARS_AFTER_T3 = datetime(2035, 2, 1, 9, 0, tzinfo=UTC)
CONTROLLER = "register-history-contact"
CLIENTS = "register-history-client-contact"
AUTOMATIC_ANONYMISED = {
    "nl": "Daarna automatisch geanonimiseerd.",
    "fr": "Ensuite anonymisées automatiquement.",
    "en": "Then anonymised automatically.",
}


def purge(code: str, now: datetime, **options) -> PurgeRun:
    with time_machine.travel(now, tick=False):
        return purge_run_execute(rule_code=code, now=now, **options)


@pytest.fixture
def staff():
    return get_user_model().objects.create_user("verhaegen", "an@c-dot.be", "x" * 20)


def staff_change(obj, when: datetime, user, **changes) -> None:
    """A staff member changes a register entry at `when` (a history row is written)."""
    with time_machine.travel(when, tick=False):
        for field, value in changes.items():
            setattr(obj, field, value)
        obj._history_user = user
        obj.save()


@pytest.fixture
def seeded(register_seeded_once):
    """C-DOT's register as seeded on SEEDED (SEED_AT), once for the module."""


@pytest.fixture
def contacts(seeded, staff):
    """The controller's privacy contact as staff changed it over the years."""
    org = Organisation.objects.current()
    staff_change(org, T0, staff, privacy_contact_name="Glenn Vermeulen", dpo_name="Glenn V.")
    staff_change(
        org,
        T1,
        staff,
        privacy_contact_name="An Verhaegen",
        privacy_contact_email="an.verhaegen@c-dot.be",
        dpo_name="",
    )
    staff_change(
        org,
        T2,
        staff,
        privacy_contact_name="Piet Janssens",
        privacy_contact_email="piet.janssens@c-dot.be",
    )
    staff_change(org, T3, staff, phone="015 51 35 32")
    return org


def history(model, obj) -> list[tuple]:
    """(history date, name, e-mail) of every history row of `obj`, oldest first."""
    name, email = (
        ("privacy_contact_name", "privacy_contact_email")
        if model is Organisation
        else ("contact_name", "contact_email")
    )
    return list(
        model.history.filter(id=obj.pk)
        .order_by("history_date", "history_id")
        .values_list("history_date", name, email)
    )


# --- the controller's privacy contact ---------------------------------------------------------


def test_an_earlier_privacy_contact_is_blanked_in_the_history_five_years_after_it_was_replaced(
    contacts,
):
    before = history(Organisation, contacts)
    assert [row[1:] for row in before] == [
        ("", "glenn@c-dot.be"),  # the seed
        ("Glenn Vermeulen", "glenn@c-dot.be"),
        ("An Verhaegen", "an.verhaegen@c-dot.be"),
        ("Piet Janssens", "piet.janssens@c-dot.be"),
        ("Piet Janssens", "piet.janssens@c-dot.be"),  # the phone changed
    ]
    assert purge(CONTROLLER, FIVE_YEARS_AFTER_T1 - SECOND).deleted == 0
    assert history(Organisation, contacts) == before

    run = purge(CONTROLLER, FIVE_YEARS_AFTER_T1)
    assert run.status == PurgeRun.Status.SUCCEEDED
    assert (run.action, run.selected, run.deleted) == ("anonymise", 2, 2)
    assert [row[1:] for row in history(Organisation, contacts)] == [
        ("", ""),
        ("", ""),
        # Replaced at T2: not 5 years yet.
        ("An Verhaegen", "an.verhaegen@c-dot.be"),
        ("Piet Janssens", "piet.janssens@c-dot.be"),
        ("Piet Janssens", "piet.janssens@c-dot.be"),
    ]
    # The rows stay with everything else they recorded; the DPO named at T0, removed at T1,
    # goes like the contact.
    first = Organisation.history.filter(id=contacts.pk).order_by("history_date").first()
    assert (first.legal_name, first.phone) == ("C-DOT BV", "015 51 35 31")
    assert list(
        Organisation.history.filter(id=contacts.pk)
        .order_by("history_date")
        .values_list("dpo_name", flat=True)
    ) == ["", "", "", "", ""]
    # The register as of T0 no longer names its contact then.
    as_of_t0 = json.dumps(ropa_data(as_of=T0 + SECOND)["controller"])
    assert "Glenn" not in as_of_t0 and "glenn@c-dot.be" in as_of_t0  # the company's e-mail
    assert purge(CONTROLLER, FIVE_YEARS_AFTER_T1 + SECOND).deleted == 0

    purge(CONTROLLER, FIVE_YEARS_AFTER_T3)
    rows = [row[1:] for row in history(Organisation, contacts)]
    assert rows[2] == ("", "")
    # Superseded at T3 by a change of the phone only: the contact still in force stays,
    # in the history and in the register.
    assert rows[3:] == [("Piet Janssens", "piet.janssens@c-dot.be")] * 2
    contacts.refresh_from_db()
    assert (contacts.privacy_contact_name, contacts.privacy_contact_email) == (
        "Piet Janssens",
        "piet.janssens@c-dot.be",
    )


def test_a_value_back_in_force_stays_in_the_earlier_rows_that_hold_it(seeded, staff):
    """Glenn, replaced by An, named again later: 5 years after An was replaced only An goes.
    Glenn is the register's contact now, the same datum as in the earlier row, which keeps
    saying who was named then (the ROPA as of that date)."""
    org = Organisation.objects.current()
    staff_change(org, T0, staff, privacy_contact_name="Glenn Vermeulen")
    staff_change(org, T1, staff, privacy_contact_name="An Verhaegen")
    staff_change(org, T2, staff, privacy_contact_name="Glenn Vermeulen")

    run = purge(CONTROLLER, FIVE_YEARS_AFTER_T2)
    assert (run.status, run.deleted, run.remaining_after) == (PurgeRun.Status.SUCCEEDED, 1, 0)
    assert [row[1] for row in history(Organisation, org)] == [
        "",  # the seed named no one
        "Glenn Vermeulen",
        "",
        "Glenn Vermeulen",
    ]
    assert "Glenn Vermeulen" in json.dumps(ropa_data(as_of=T0 + SECOND)["controller"])

    # Replaced once more: now it ends like any other, in every row that holds it.
    staff_change(org, FIVE_YEARS_AFTER_T2, staff, privacy_contact_name="Piet Janssens")
    purge(CONTROLLER, FIVE_YEARS_AFTER_T2 + timedelta(days=5 * 366))
    names = [row[1] for row in history(Organisation, org)]
    assert names == ["", "", "", "", "Piet Janssens"]


@pytest.mark.parametrize(("batch_size", "updates"), [(1000, 1), (1, 2)])
def test_each_batch_is_one_update_of_the_history_table(contacts, batch_size, updates):
    table = Organisation.history.model._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        run = purge(CONTROLLER, FIVE_YEARS_AFTER_T1, batch_size=batch_size)
    assert run.deleted == 2
    writes = [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith("UPDATE") and table in q["sql"]
    ]
    assert len(writes) == updates


def test_a_dry_run_and_the_preview_count_the_rows_and_change_nothing(contacts):
    before = history(Organisation, contacts)
    preview = purge_preview(rule_code=CONTROLLER, now=FIVE_YEARS_AFTER_T1 - timedelta(days=3))
    assert (preview.expired_now, preview.within_7_days, preview.within_30_days) == (0, 2, 2)
    run = purge(CONTROLLER, FIVE_YEARS_AFTER_T2, dry_run=True)
    assert (run.dry_run, run.selected, run.deleted) == (True, 3, 0)
    assert history(Organisation, contacts) == before


def test_the_purge_page_lists_the_due_history_rows_masked(contacts, client, settings):
    settings.STAFF_2FA = False
    with time_machine.travel(FIVE_YEARS_AFTER_T1, tick=False):
        officer = get_user_model().objects.create_superuser("officer", "o@example.be", "x" * 16)
        client.force_login(officer)
        response = client.get(reverse("admin:retention_purgerun_rows", args=[CONTROLLER]))
    assert response.status_code == 200
    assert response.context["total"] == 2 and len(response.context["rows"]) == 2
    # A history row is labelled by its entry (the company), masked like every row; the
    # contact it holds is never shown.
    assert all(row.label.startswith("C…-D… B… a… o… ") for row in response.context["rows"])
    assert "Glenn" not in response.content.decode()


# --- a client's contact person ----------------------------------------------------------------


def test_a_client_s_earlier_contact_person_is_blanked_five_years_after_the_change(seeded, staff):
    with time_machine.travel(T0, tick=False):
        client = ProcessorClient.objects.create(
            name="Bakkerij Peeters bv",
            contact_name="Jan Peeters",
            contact_email="jan@peeters.example",
            representative="Mieke Peeters, DPO",
        )
    staff_change(
        client,
        T1,
        staff,
        contact_name="Els Maes",
        contact_email="els@peeters.example",
        representative="",
    )
    staff_change(client, T2, staff, contact_name="Tom Claes", contact_email="tom@peeters.example")

    purge(CLIENTS, FIVE_YEARS_AFTER_T1 - SECOND)
    assert [row[1:] for row in history(ProcessorClient, client)][0] == (
        "Jan Peeters",
        "jan@peeters.example",
    )
    run = purge(CLIENTS, FIVE_YEARS_AFTER_T1)
    assert (run.status, run.deleted) == (PurgeRun.Status.SUCCEEDED, 1)
    assert [row[1:] for row in history(ProcessorClient, client)] == [
        ("", ""),
        ("Els Maes", "els@peeters.example"),  # replaced at T2: not 5 years yet
        ("Tom Claes", "tom@peeters.example"),  # in force
    ]
    first = ProcessorClient.history.filter(id=client.pk).order_by("history_date").first()
    assert (first.name, first.representative) == ("Bakkerij Peeters bv", "")
    client.refresh_from_db()
    assert (client.contact_name, client.contact_email) == ("Tom Claes", "tom@peeters.example")


def test_a_removed_client_s_contact_goes_five_years_after_the_removal(seeded, staff):
    with time_machine.travel(T0, tick=False):
        client = ProcessorClient.objects.create(
            name="Garage Wouters", contact_name="Lies Wouters", contact_email="lies@wouters.example"
        )
    pk = client.pk
    with time_machine.travel(T1, tick=False):
        client.delete()  # the register's history keeps a row of the removal, with the values
    rows = ProcessorClient.history.filter(id=pk)
    assert rows.count() == 2

    purge(CLIENTS, FIVE_YEARS_AFTER_T1 - SECOND)
    assert set(rows.values_list("contact_name", flat=True)) == {"Lies Wouters"}
    purge(CLIENTS, FIVE_YEARS_AFTER_T1)
    assert set(rows.values_list("contact_name", "contact_email", "name")) == {
        ("", "", "Garage Wouters")
    }


# --- internal notes (free text that may name a person) ---------------------------------------


def test_an_earlier_internal_note_is_blanked_like_the_contacts(seeded, staff):
    """Organisation.note and ProcessorClient.notes are free text staff may write a person into;
    the history keeps each earlier text until the rule's period after staff replaced it."""
    org = Organisation.objects.current()
    staff_change(org, T0, staff, note="Glenn is met ouderschapsverlof tot september.")
    staff_change(org, T1, staff, note="")
    with time_machine.travel(T0, tick=False):
        client = ProcessorClient.objects.create(
            name="Garage Wouters",
            contact_email="info@wouters.example",
            notes="Lies Wouters belt liever na 17 u.",
        )
    staff_change(client, T1, staff, notes="Contract verlengd.")

    def notes() -> tuple[list[str], list[str]]:
        return (
            list(
                Organisation.history.filter(id=org.pk)
                .order_by("history_date")
                .values_list("note", flat=True)
            ),
            list(
                ProcessorClient.history.filter(id=client.pk)
                .order_by("history_date")
                .values_list("notes", flat=True)
            ),
        )

    purge(CONTROLLER, FIVE_YEARS_AFTER_T1 - SECOND)
    purge(CLIENTS, FIVE_YEARS_AFTER_T1 - SECOND)
    assert notes() == (
        ["", "Glenn is met ouderschapsverlof tot september.", ""],  # the seed's: replaced at T0
        ["Lies Wouters belt liever na 17 u.", "Contract verlengd."],
    )

    purge(CONTROLLER, FIVE_YEARS_AFTER_T1)
    purge(CLIENTS, FIVE_YEARS_AFTER_T1)
    assert notes() == (["", "", ""], ["", "Contract verlengd."])  # the text in force stays


# --- the rules in the register ----------------------------------------------------------------


@pytest.mark.parametrize(("code", "activity"), [(CONTROLLER, "I"), (CLIENTS, "D")])
def test_the_rules_are_seeded_with_their_reason_for_the_officer_to_confirm(seeded, code, activity):
    rule = RetentionRule.objects.get_by_code(code)
    assert (rule.period_value, rule.period_unit, rule.anchor, rule.action) == (
        5,
        "years",
        RetentionRule.Anchor.SUPERSEDED,
        RetentionRule.Action.ANONYMISE,
    )
    assert rule.activity.code == activity and rule.is_active
    for reason in ("Art. 5, lid 2", "art. 5, lid 1, e)", "2262bis", "te bevestigen"):
        assert reason in rule.legal_reference
    for language in ("nl", "fr", "en"):
        assert getattr(rule, f"name_{language}") and getattr(rule, f"statement_text_{language}")
    assert rule_is_automated(code=rule.code, action=rule.action)


def test_the_rule_s_period_set_by_staff_drives_the_cutoff(contacts, client, settings, staff):
    settings.STAFF_2FA = False
    officer = get_user_model().objects.create_superuser("officer", "o@example.be", "x" * 16)
    client.force_login(officer)
    rule = RetentionRule.objects.get_by_code(CONTROLLER)
    url = reverse("admin:registry_retentionrule_change", args=[rule.pk])
    form = client.get(url).context["adminform"].form
    assert {"period_value", "period_unit", "anchor", "action"} <= set(form.fields)
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data["period_value"] = 3
    assert client.post(url, data).status_code == 302
    rule.refresh_from_db()
    assert (rule.period_value, rule.period_unit) == (3, "years")

    three_years_after_t1 = datetime(2030, 1, 15, 9, 0, tzinfo=UTC)
    assert purge(CONTROLLER, three_years_after_t1 - SECOND).deleted == 0
    run = purge(CONTROLLER, three_years_after_t1)
    assert run.cutoff == T1 and run.deleted == 2
    assert [row[1] for row in history(Organisation, contacts)][:2] == ["", ""]


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_the_rules_show_in_the_statement_and_the_ropa(seeded, language):
    body = statement_render().bodies[language]
    ropa = ropa_data(language=language)
    for code, activity in ((CONTROLLER, "I"), (CLIENTS, "D")):
        rule = RetentionRule.objects.get_by_code(code)
        row = body.split(f'<tr id="retention-{code}">', 1)[1].split("</tr>", 1)[0]
        text = page_text(row)
        assert AUTOMATIC_ANONYMISED[language] in text
        assert page_text(getattr(rule, f"statement_text_{language}")) in text
        (listed,) = [a for a in ropa["activities"] if a["code"] == activity]
        assert code in {r["code"] for r in listed["retention"]}


def test_the_purges_run_daily_after_the_others():
    from cdot_privacy.periodic import declared_periodic_tasks

    when = {
        task.name: (task.hour, task.minute)
        for task in declared_periodic_tasks()
        if task.name.startswith("purge ")
    }
    assert when[f"purge {CONTROLLER}"] == ("4", "5")
    assert when[f"purge {CLIENTS}"] == ("4", "10")
    taken = [
        hm for name, hm in when.items() if name not in {f"purge {CONTROLLER}", f"purge {CLIENTS}"}
    ]
    assert ("4", "5") not in taken and ("4", "10") not in taken
