"""C-DOT as processor (Art. 28): sub-processor notices with an objection window, requests
passed on to the client, return or deletion of the client's data with a certificate."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from processor import services
from processor.models import DataEnd, ForwardedRequest, SubProcessorChange, SubProcessorNotice
from records.models import ProcessorDataset
from records.models_outbox import OutboxEmail
from registry.models import ProcessorClient, Recipient
from retention.services import processor_deletion_confirm
from tests.conftest import renders_a_pdf
from tests.pdf_text import pdf_text

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
TODAY = date(2026, 6, 1)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def backup_host():
    return Recipient.objects.create(
        code="backup-dc", name="DataCenter Gent NV", kind=Recipient.Kind.SUB_PROCESSOR
    )


def client_(name, *, language="nl", window=30, subs=(), **extra):
    client = ProcessorClient.objects.create(
        name=name,
        contact_email=f"privacy@{name.split()[0].lower()}.be",
        language=language,
        objection_window_days=window,
        **extra,
    )
    client.sub_processors.set(subs)
    return client


def _error(call) -> str:
    with translation.override("en"):
        with pytest.raises((services.ProcessorError, ValidationError)) as error:
            call()
        value = error.value
        if isinstance(value, ValidationError):
            return " ".join(str(m) for m in value.messages)
        return str(value)


def test_a_replaced_sub_processor_is_told_to_each_client_it_serves_in_its_language(
    frozen, backup_host
):
    bakery = client_("Bakkerij Peeters", subs=[backup_host])
    notary = client_("Notaire Dubois", language="fr", window=14, subs=[backup_host])
    client_("Garage Maes")  # does not use this sub-processor
    change = services.sub_processor_change_announce(
        recipient=backup_host,
        kind=SubProcessorChange.Kind.REPLACED,
        effective_on=date(2026, 8, 1),
        description="Backups move to DataCenter Gent NV (Belgium).",
    )
    notices = {n.client: n for n in change.notices.all()}
    assert set(notices) == {bakery, notary}
    assert notices[bakery].objection_deadline == TODAY + timedelta(days=30)
    assert notices[notary].objection_deadline == TODAY + timedelta(days=14)
    mails = {m.to[0]: m for m in OutboxEmail.objects.all()}
    assert set(mails) == {"privacy@bakkerij.be", "privacy@notaire.be"}
    assert mails["privacy@notaire.be"].subject.startswith("Changement de sous-traitant ultérieur")
    assert "15 juin 2026" in mails["privacy@notaire.be"].body
    assert mails["privacy@bakkerij.be"].subject.startswith("Wijziging van subverwerker")
    assert "1 juli 2026" in mails["privacy@bakkerij.be"].body
    assert "Backups move to DataCenter Gent NV" in mails["privacy@bakkerij.be"].body


def test_a_new_sub_processor_reaches_every_running_client_only(frozen, backup_host):
    running = client_("Bakkerij Peeters")
    client_("Oud Klant", contract_end=date(2026, 1, 31))
    change = services.sub_processor_change_announce(
        recipient=backup_host,
        kind=SubProcessorChange.Kind.ADDED,
        effective_on=date(2026, 7, 1),
        description="Off-site backups.",
    )
    assert [n.client for n in change.notices.all()] == [running]


def test_an_announcement_nobody_receives_is_refused_and_leaves_nothing(frozen, backup_host):
    message = _error(
        lambda: services.sub_processor_change_announce(
            recipient=backup_host,
            kind=SubProcessorChange.Kind.REMOVED,
            effective_on=TODAY,
            description="No longer used.",
        )
    )
    assert message == "No running client is affected by this change: nothing to send."
    client_("Bakkerij Peeters", subs=[backup_host])
    message = _error(
        lambda: services.sub_processor_change_announce(
            recipient=backup_host,
            kind=SubProcessorChange.Kind.REMOVED,
            effective_on=TODAY,
            description="  ",
        )
    )
    assert message == "Describe the change: the clients receive this text."
    assert not SubProcessorChange.objects.exists() and not OutboxEmail.objects.exists()


def _moved_backup_notice(backup_host):
    """The notice one client gets when the backup host is replaced (effective 1 August)."""
    change = services.sub_processor_change_announce(
        recipient=backup_host,
        kind=SubProcessorChange.Kind.REPLACED,
        effective_on=date(2026, 8, 1),
        description="Move.",
    )
    return change.notices.get()


def test_an_objection_is_kept_within_the_window_and_refused_after_it(frozen, backup_host):
    client_("Bakkerij Peeters", window=10, subs=[backup_host])
    notice = _moved_backup_notice(backup_host)
    late = TODAY + timedelta(days=11)
    message = _error(
        lambda: services.sub_processor_objection_record(
            notice=notice, objected_on=late, note="We refuse a data centre outside Flanders."
        )
    )
    assert message == "The objection window ended on 11-06-2026."
    message = _error(
        lambda: services.sub_processor_objection_record(
            notice=notice, objected_on=TODAY + timedelta(days=3), note=""
        )
    )
    assert message == "Keep what the client objected."
    assert SubProcessorNotice.objects.get().objected_on is None
    services.sub_processor_objection_record(
        notice=notice, objected_on=TODAY + timedelta(days=10), note="We object."
    )
    assert SubProcessorNotice.objects.objected().get().objection_note == "We object."


def test_a_request_for_a_client_is_recorded_and_passed_on_in_its_language(frozen):
    notary = client_("Notaire Dubois", language="fr")
    request = services.forwarded_request_record(
        client=notary,
        received_at=NOW - timedelta(hours=2),
        requester="jean@example.be",
        summary="Wants a copy of the mails in the mailbox of the notary's office.",
    )
    assert request.forwarded_at == NOW and request.forwarded_to == "privacy@notaire.be"
    mail = OutboxEmail.objects.get()
    assert mail.to == ["privacy@notaire.be"] and mail.language == "fr"
    assert "responsable du traitement" in mail.body
    assert "jean@example.be" in mail.body
    message = _error(
        lambda: services.forwarded_request_record(
            client=notary, received_at=NOW, requester="", summary="x"
        )
    )
    assert message == "Say who asks and what is asked."
    assert ForwardedRequest.objects.count() == 1


@renders_a_pdf
def test_deletion_at_contract_end_ends_with_a_certificate(frozen):
    bakery = client_("Bakkerij Peeters", language="en", contract_end=date(2026, 5, 31))
    mail = ProcessorDataset.objects.create(client=bakery, service="mailhosting", location="mx1")
    backup = ProcessorDataset.objects.create(client=bakery, service="backup", location="nas2")
    end = services.data_end_record(
        client=bakery,
        occasion=DataEnd.Occasion.CONTRACT_END,
        choice=DataEnd.Choice.DELETE,
        requested_on=TODAY,
    )
    assert set(ProcessorDataset.objects.values_list("deletion_requested_on", flat=True)) == {TODAY}
    message = _error(lambda: services.data_end_certificate_pdf(end=end))
    assert message == "Not every dataset of this client is confirmed deleted yet: no certificate."
    mail.refresh_from_db()
    backup.refresh_from_db()
    processor_deletion_confirm(dataset=mail, confirmed_on=TODAY)
    assert not end.is_complete
    processor_deletion_confirm(dataset=backup, confirmed_on=TODAY + timedelta(days=1))
    with translation.override("en"):
        text = pdf_text(services.data_end_certificate_pdf(end=end))
    assert "Bakkerij Peeters" in text
    assert "mail hosting" in text and "backup" in text
    assert "2 June 2026" in text and "end of the contract" in text


@renders_a_pdf
def test_the_certificate_speaks_the_client_controllers_language_not_the_officers(frozen):
    notary = client_("Notaire Dubois", language="fr", contract_end=date(2026, 5, 31))
    dataset = ProcessorDataset.objects.create(client=notary, service="mailhosting")
    with translation.override("nl"):  # a Dutch-speaking officer
        end = services.data_end_record(
            client=notary,
            occasion=DataEnd.Occasion.CONTRACT_END,
            choice=DataEnd.Choice.DELETE,
            requested_on=TODAY,
        )
        dataset.refresh_from_db()
        processor_deletion_confirm(dataset=dataset, confirmed_on=TODAY)
        html = services.data_end_certificate_html(end=end)
        text = pdf_text(services.data_end_certificate_pdf(end=end))
        assert translation.get_language() == "nl"  # the officer's page stays Dutch
    assert '<html lang="fr">' in html
    assert "Attestation d'effacement" in text and "Attest van wissing" not in text
    assert "fin du contrat" in text and "hébergement de messagerie" in text
    assert "1 juin 2026" in text and "juni" not in text


def test_return_or_deletion_is_refused_without_data_or_without_a_contract_end(frozen):
    bakery = client_("Bakkerij Peeters")
    message = _error(
        lambda: services.data_end_record(
            client=bakery,
            occasion=DataEnd.Occasion.CLIENT_REQUEST,
            choice=DataEnd.Choice.DELETE,
            requested_on=TODAY,
        )
    )
    assert message == "No data of this client is recorded as held: nothing to delete."
    ProcessorDataset.objects.create(client=bakery, service="vps")
    message = _error(
        lambda: services.data_end_record(
            client=bakery,
            occasion=DataEnd.Occasion.CONTRACT_END,
            choice=DataEnd.Choice.RETURN,
            requested_on=TODAY,
        )
    )
    assert message == "Enter the contract end in the register first."
    assert not DataEnd.objects.exists()
    assert ProcessorDataset.objects.get().deletion_requested_on is None


def test_returned_data_need_the_way_they_were_returned(frozen):
    bakery = client_("Bakkerij Peeters")
    ProcessorDataset.objects.create(client=bakery, service="vps")
    end = services.data_end_record(
        client=bakery,
        occasion=DataEnd.Occasion.CLIENT_REQUEST,
        choice=DataEnd.Choice.RETURN,
        requested_on=TODAY,
    )
    end.returned_on = TODAY
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            end.full_clean()
        assert error.value.message_dict["return_note"] == ["Say how the data were returned."]


# --- refusals, each in the officer's language -------------------------------------------------


def _refusal(call, language: str) -> str:
    """The refusal's message as the officer reads it, in `language`."""
    with translation.override(language):
        with pytest.raises((services.ProcessorError, ValidationError, ValueError)) as error:
            call()
        value = error.value
        if isinstance(value, ValidationError):
            return " ".join(str(m) for m in value.messages)
        return str(value)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("nl", "Geen contact-e-mail voor: Notaire Dubois. Vul eerst het register aan."),
        (
            "fr",
            "Pas d'e-mail de contact pour : Notaire Dubois. Complétez d'abord le registre.",
        ),
        ("en", "No contact e-mail for: Notaire Dubois. Complete the register first."),
    ],
)
def test_a_sub_processor_change_is_refused_while_a_client_has_no_e_mail(
    frozen, backup_host, language, message
):
    client_("Bakkerij Peeters", subs=[backup_host])
    notary = client_("Notaire Dubois", language="fr", subs=[backup_host])
    ProcessorClient.objects.filter(pk=notary.pk).update(contact_email="")
    announce = lambda: services.sub_processor_change_announce(  # noqa: E731
        recipient=backup_host,
        kind=SubProcessorChange.Kind.REPLACED,
        effective_on=date(2026, 8, 1),
        description="Backups move to DataCenter Gent NV (Belgium).",
    )
    assert _refusal(announce, language) == message
    # nobody is told: not even the client whose address is known (Art. 28(2))
    assert not SubProcessorChange.objects.exists() and not SubProcessorNotice.objects.exists()
    assert not OutboxEmail.objects.exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("nl", "Een bezwaar kan niet vóór het bericht liggen."),
        ("fr", "Une objection ne peut pas précéder l'avis."),
        ("en", "An objection cannot predate the notice."),
    ],
)
def test_an_objection_dated_before_the_notice_is_refused(frozen, backup_host, language, message):
    client_("Bakkerij Peeters", subs=[backup_host])
    notice = _moved_backup_notice(backup_host)
    record = lambda: services.sub_processor_objection_record(  # noqa: E731
        notice=notice, objected_on=TODAY - timedelta(days=1), note="We object."
    )
    assert _refusal(record, language) == message
    notice = SubProcessorNotice.objects.get()
    assert (notice.objected_on, notice.objection_note) == (None, "")


@pytest.mark.parametrize(
    ("step", "language", "message"),
    [
        ("return", "nl", "De gegevens kunnen niet vóór de beslissing terugbezorgd zijn."),
        ("return", "fr", "Les données ne peuvent pas être restituées avant la décision."),
        # retention's service guard (ValueError): no staff form passes it a date, the admin
        # action confirms today for datasets whose deletion was requested by today
        ("deletion", "en", "the confirmation cannot predate the deletion request"),
    ],
)
def test_data_returned_or_deleted_before_the_decision_are_refused(frozen, step, language, message):
    bakery = client_("Bakkerij Peeters")
    ProcessorDataset.objects.create(client=bakery, service="vps")
    end = services.data_end_record(
        client=bakery,
        occasion=DataEnd.Occasion.CLIENT_REQUEST,
        choice=DataEnd.Choice.RETURN,
        requested_on=TODAY,
    )
    before = TODAY - timedelta(days=1)
    if step == "return":
        end.returned_on, end.return_note = before, "USB disk handed over."
        refused = end.full_clean
    else:
        dataset = ProcessorDataset.objects.get()
        refused = lambda: processor_deletion_confirm(dataset=dataset, confirmed_on=before)  # noqa: E731
    assert _refusal(refused, language) == message
    assert DataEnd.objects.get().returned_on is None
    assert ProcessorDataset.objects.get().deletion_confirmed_on is None
    assert not DataEnd.objects.get().is_complete
