"""A restore never brings back what was erased, withdrawn or objected to (issue 19, finding 7).

The "backup" here is the rows as they were (Django's serializer, like pg_dump a copy of the
tables); the "restore" loads them back over the database after the erasure, the withdrawal and
the objection. The ledger file lives outside the database and survives; replay_erasures makes
the restored database forget again.
"""

import io
import stat
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from records.ledger import ledger_kept, ledger_path, ledger_read
from records.models import Contact, ErasureReplay, NewsletterSubscription, SuppressionEntry
from records.services import contact_object, newsletter_subscribe, newsletter_withdraw
from requests_app.models import DataSubjectRequest, SubjectMatch
from requests_app.services_records import erasure_execute

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def private_dir(settings, tmp_path):
    settings.PRIVATE_STORAGE_DIR = tmp_path / "private"
    return settings.PRIVATE_STORAGE_DIR


def _erasure_request(contact: Contact) -> DataSubjectRequest:
    officer = get_user_model().objects.create_user("officer", "o@c-dot.be", "x" * 20)
    dsr = DataSubjectRequest.objects.create(
        type="erasure",
        name="Erik Erased",
        email=contact.email,
        language="nl",
        status=DataSubjectRequest.Status.IN_PROGRESS,
        due_on=date(2027, 1, 1),
    )
    SubjectMatch.objects.create(
        request=dsr,
        content_type=ContentType.objects.get_for_model(Contact),
        object_id=contact.pk,
        confirmed_by=officer,
    )
    return dsr, officer


def _subscribe(email: str) -> NewsletterSubscription:
    subscription, _ = newsletter_subscribe(
        email=email,
        consent_given_at=timezone.now(),
        consent_text="Ik wil de nieuwsbrief",
        statement_version="1",
        source="website",
    )
    return subscription


def _backup() -> str:
    rows = [*Contact.objects.all(), *NewsletterSubscription.objects.all()]
    return serializers.serialize("json", rows)


def _restore(dump: str) -> None:
    """The tables as the backup had them (what pg_restore --clean does)."""
    with transaction.atomic():
        SuppressionEntry.objects.all().delete()
        NewsletterSubscription.objects.all().delete()
        for obj in serializers.deserialize("json", dump):
            obj.save()


def test_erasure_withdrawal_and_objection_survive_a_restore():
    erased = Contact.objects.create(
        kind=Contact.Kind.PROSPECT, first_name="Erik", last_name="Erased", email="erik@example.be"
    )
    objector = Contact.objects.create(
        kind=Contact.Kind.PROSPECT, first_name="Olga", last_name="Object", email="olga@example.be"
    )
    subscription = _subscribe("wim@example.be")
    taken_at = timezone.now()
    dump = _backup()

    dsr, officer = _erasure_request(erased)
    erasure_execute(dsr=dsr, actor=officer)
    newsletter_withdraw(email="wim@example.be")
    contact_object(pks=[objector.pk])
    assert not Contact.objects.filter(pk=erased.pk).exists()

    text = ledger_path().read_text()
    for personal in ("erik", "Erik", "Erased", "wim@", "olga", "example.be"):
        assert personal not in text  # keyed hashes and ids only
    assert stat.S_IMODE(ledger_path().stat().st_mode) == 0o600
    facts = {(f["fact"], f.get("model"), f.get("reason")) for f in ledger_read()}
    assert ("erased", "records.contact", None) in facts
    assert ("suppressed", None, "withdrawn") in facts
    assert ("opted_out", "records.contact", None) in facts

    _restore(dump)  # everything is back
    assert Contact.objects.filter(pk=erased.pk).exists()
    assert NewsletterSubscription.objects.active().filter(pk=subscription.pk).exists()
    assert not Contact.objects.get(pk=objector.pk).marketing_opt_out

    out = io.StringIO()
    call_command("replay_erasures", since=taken_at.isoformat(), stdout=out, verbosity=0)
    assert not Contact.objects.filter(pk=erased.pk).exists()
    assert not NewsletterSubscription.objects.active().filter(pk=subscription.pk).exists()
    assert Contact.objects.get(pk=objector.pk).marketing_opt_out
    assert SuppressionEntry.objects.matching("wim@example.be").exists()
    replay = ErasureReplay.objects.get()
    assert replay.counts["erased"] == 1 and replay.counts["withdrawn"] == 1
    assert replay.counts["opted_out"] >= 1
    assert "1 rows erased again" in out.getvalue()

    # Again: nothing left to do.
    call_command("replay_erasures", since=taken_at.isoformat(), stdout=io.StringIO(), verbosity=0)
    again = ErasureReplay.objects.order_by("-pk").first()
    assert again.counts["erased"] == again.counts["withdrawn"] == again.counts["opted_out"] == 0


def test_a_rolled_back_erasure_is_not_in_the_ledger():
    contact = Contact.objects.create(kind=Contact.Kind.PROSPECT, last_name="Kept")
    from records.ledger import ledger_erased

    with pytest.raises(RuntimeError), transaction.atomic():
        ledger_erased(model=Contact, pks=[contact.pk])
        raise RuntimeError("the erasure failed")
    assert list(ledger_read()) == []


def test_a_restore_of_the_private_files_keeps_todays_ledger(tmp_path):
    contact_object(pks=[], emails=["later@example.be"])
    today = ledger_path().read_bytes()
    assert today
    with ledger_kept():
        ledger_path().write_bytes(b"")  # the backup's older ledger put back by the restore
    assert ledger_path().read_bytes() == today


def test_a_later_row_with_an_erased_rows_id_is_not_erased_by_a_replay():
    """A restore resets the id counters: a new person can get an erased row's id. Only a backup
    taken before the erasure can hold the erased row, so only then is the id fact replayed."""
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=UTC), tick=False):
        erased = Contact.objects.create(kind=Contact.Kind.PROSPECT, last_name="Erased")
        dsr, officer = _erasure_request(erased)
        erasure_execute(dsr=dsr, actor=officer)
    reused_id = erased.pk
    with time_machine.travel(datetime(2026, 3, 9, 10, 0, tzinfo=UTC), tick=False):
        newcomer = Contact.objects.create(
            pk=reused_id, kind=Contact.Kind.PROSPECT, last_name="Newcomer"
        )
        backup_taken = timezone.now()  # a backup that holds the newcomer, restored later
        call_command("replay_erasures", since=backup_taken.isoformat(), stdout=io.StringIO())
        assert Contact.objects.filter(pk=newcomer.pk, last_name="Newcomer").exists()
        out = io.StringIO()
        call_command("replay_erasures", stdout=out)  # no --since: no row-id fact at all
        assert Contact.objects.filter(pk=newcomer.pk, last_name="Newcomer").exists()
        assert "give --since" in out.getvalue()
        # A backup from before the erasure: that id is the erased person, erased again.
        call_command("replay_erasures", since="2026-03-01T00:00:00+00:00", stdout=io.StringIO())
        assert not Contact.objects.filter(pk=newcomer.pk).exists()


def test_replay_refuses_a_since_without_a_utc_offset():
    with pytest.raises(CommandError, match="UTC offset"):
        call_command("replay_erasures", since="2026-03-01T00:00:00")
    with pytest.raises(CommandError, match="not an ISO 8601"):
        call_command("replay_erasures", since="yesterday")


@pytest.fixture
def bootstrap_steps_only_replay(monkeypatch):
    """bootstrap without its register, statement and notice steps (seconds of PDFs): what is
    tested here is its ledger replay."""
    from cdot_privacy.management.commands import bootstrap

    monkeypatch.setattr(bootstrap, "OPTIONAL_STEPS", [])


def _bootstrap() -> str:
    out = io.StringIO()
    call_command("bootstrap", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_bootstrap_withdraws_again_what_a_restore_brought_back(bootstrap_steps_only_replay):
    """A restore done another way than manage.py restore (pg_restore by hand, a provider's
    snapshot): the migrate job's bootstrap, run at every start, replays the ledger's address
    facts, so a withdrawn subscription (Art. 7(3)) is withdrawn again; a second start changes
    nothing and says nothing about the ledger."""
    subscription = _subscribe("wim@example.be")
    dump = _backup()
    newsletter_withdraw(email="wim@example.be")
    _restore(dump)
    assert NewsletterSubscription.objects.active().filter(pk=subscription.pk).exists()
    assert not SuppressionEntry.objects.matching("wim@example.be").exists()

    first = _bootstrap()

    assert not NewsletterSubscription.objects.active().filter(pk=subscription.pk).exists()
    assert SuppressionEntry.objects.matching("wim@example.be").exists()
    assert "withdrawn again" in first
    replay = ErasureReplay.objects.get()
    assert replay.counts["withdrawn"] == 1 and replay.counts["suppressed"] == 1

    withdrawn_at = NewsletterSubscription.objects.get(pk=subscription.pk).withdrawn_at
    second = _bootstrap()

    assert "ledger" not in second, second
    assert ErasureReplay.objects.count() == 1
    assert NewsletterSubscription.objects.get(pk=subscription.pk).withdrawn_at == withdrawn_at
    assert SuppressionEntry.objects.count() == 1


def test_bootstrap_without_a_ledger_file_says_nothing_of_it(bootstrap_steps_only_replay):
    assert "ledger" not in _bootstrap()
    assert not ErasureReplay.objects.exists()
