"""Write operations of the processor duties (Art. 28(2), 28(3)(e), 28(3)(g))."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from records.models import ProcessorDataset
from records.outbox import email_enqueue
from registry.models import Organisation, ProcessorClient, Recipient

from .models import DataEnd, ForwardedRequest, SubProcessorChange, SubProcessorNotice


class ProcessorError(Exception):
    """A refused step; the message is translated when raised (inside the staff request)."""


def affected_clients(*, recipient: Recipient, kind: str) -> list[ProcessorClient]:
    """Who must hear of the change: every running client for a new sub-processor, else the
    clients the sub-processor works for."""
    today = timezone.localdate()
    clients = ProcessorClient.objects.running(today)
    if kind != SubProcessorChange.Kind.ADDED:
        clients = clients.filter(sub_processors=recipient)
    return list(clients.order_by("name"))


def sub_processor_change_recipients(
    *, recipient: Recipient, kind: str, clients: Iterable[ProcessorClient] | None = None
) -> list[ProcessorClient]:
    """The clients a change must reach; refused (ProcessorError) when there is none, or when
    one has no contact e-mail: every affected client is told, or none (Art. 28(2))."""
    targets = (
        list(clients) if clients is not None else affected_clients(recipient=recipient, kind=kind)
    )
    if not targets:
        raise ProcessorError(_("No running client is affected by this change: nothing to send."))
    without_address = [c.name for c in targets if not c.contact_email]
    if without_address:
        raise ProcessorError(
            _("No contact e-mail for: %(names)s. Complete the register first.")
            % {"names": ", ".join(without_address)}
        )
    return targets


def sub_processor_change_announce(
    *,
    recipient: Recipient,
    kind: str,
    effective_on: date,
    description: str,
    clients: Iterable[ProcessorClient] | None = None,
    by=None,
    now: datetime | None = None,
) -> SubProcessorChange:
    """Register a sub-processor change and notify every affected client by e-mail in its
    language, each with the objection window set for it in the register (Art. 28(2))."""
    now = now or timezone.now()
    if not description.strip():
        raise ProcessorError(_("Describe the change: the clients receive this text."))
    targets = sub_processor_change_recipients(recipient=recipient, kind=kind, clients=clients)
    with transaction.atomic():
        change = SubProcessorChange.objects.create(
            recipient=recipient,
            kind=kind,
            effective_on=effective_on,
            description=description,
            created_by=by,
        )
        for client in targets:
            _notice_send(change=change, client=client, now=now)
    return change


def _notice_send(*, change: SubProcessorChange, client: ProcessorClient, now: datetime) -> None:
    today = timezone.localdate(now)
    notice = SubProcessorNotice.objects.create(
        change=change,
        client=client,
        language=client.language,
        sent_at=now,
        objection_deadline=today + timedelta(days=client.objection_window_days),
    )
    with translation.override(client.language):
        context = {
            "notice": notice,
            "change": change,
            "client": client,
            "organisation": Organisation.objects.current(),
            "kind": change.get_kind_display(),
        }
        subject = _("Change of sub-processor: %(name)s") % {"name": change.recipient.name}
        body = render_to_string("processor/email_sub_processor.txt", context)
    email_enqueue(
        to=[client.contact_email],
        subject=subject,
        body=body,
        language=client.language,
        reference=f"sub-processor-notice-{notice.pk}",
    )


def sub_processor_objection_record(
    *, notice: SubProcessorNotice, objected_on: date, note: str
) -> SubProcessorNotice:
    """Record a client's objection; refused (ValidationError, nothing saved) without its
    content, before the notice or after the window."""
    if notice.objected_on:
        raise ProcessorError(_("This client's objection is already recorded."))
    notice.objected_on, notice.objection_note = objected_on, note
    try:
        notice.full_clean()
    except Exception:
        notice.refresh_from_db()
        raise
    notice.save(update_fields=["objected_on", "objection_note"])
    return notice


def forwarded_request_record(
    *,
    client: ProcessorClient,
    received_at: datetime,
    requester: str,
    summary: str,
    now: datetime | None = None,
) -> ForwardedRequest:
    """Record a request about data C-DOT holds for `client` and pass it on to the client
    (the controller answers it; Art. 28(3)(e)) by e-mail in the client's language."""
    now = now or timezone.now()
    if not (requester.strip() and summary.strip()):
        raise ProcessorError(_("Say who asks and what is asked."))
    if received_at > now + timedelta(minutes=5):
        raise ProcessorError(_("This date lies in the future."))
    if not client.contact_email:
        raise ProcessorError(_("The client has no contact e-mail in the register."))
    with transaction.atomic():
        request = ForwardedRequest.objects.create(
            client=client,
            received_at=received_at,
            requester=requester,
            summary=summary,
            forwarded_at=now,
            forwarded_to=client.contact_email,
        )
        with translation.override(client.language):
            body = render_to_string(
                "processor/email_forward.txt",
                {
                    "request": request,
                    "client": client,
                    "organisation": Organisation.objects.current(),
                },
            )
            subject = _("A request about personal data you control")
        email_enqueue(
            to=[client.contact_email],
            subject=subject,
            body=body,
            language=client.language,
            reference=f"forwarded-request-{request.pk}",
        )
    return request


def data_end_record(
    *, client: ProcessorClient, occasion: str, choice: str, requested_on: date, by=None
) -> DataEnd:
    """Record the client's choice (return or delete) and raise the deletion task on each of
    its datasets, which the purge and the staff's confirmation then follow (Art. 28(3)(g))."""
    datasets = ProcessorDataset.objects.filter(client=client, deletion_confirmed_on__isnull=True)
    if not ProcessorDataset.objects.filter(client=client).exists():
        raise ProcessorError(_("No data of this client is recorded as held: nothing to delete."))
    if occasion == DataEnd.Occasion.CONTRACT_END and not client.contract_end:
        raise ProcessorError(_("Enter the contract end in the register first."))
    with transaction.atomic():
        end = DataEnd(
            client=client,
            occasion=occasion,
            choice=choice,
            requested_on=requested_on,
            recorded_by=by,
        )
        end.full_clean()
        end.save()
        datasets.filter(deletion_requested_on__isnull=True).update(
            deletion_requested_on=requested_on
        )
        datasets.filter(deletion_requested_on__gt=requested_on).update(
            deletion_requested_on=requested_on
        )
    return end


def data_end_certificate_html(*, end: DataEnd) -> str:
    """The certificate in the client controller's language (the register's `language`), as
    its notices are, whatever language the officer who produces it reads (Art. 28(3)(g))."""
    if not end.is_complete:
        raise ProcessorError(
            _("Not every dataset of this client is confirmed deleted yet: no certificate.")
        )
    language = end.client.language
    with translation.override(language):
        return render_to_string(
            "processor/deletion_certificate.html",
            {
                "end": end,
                "client": end.client,
                "datasets": end.datasets(),
                "organisation": Organisation.objects.current(),
                "issued_on": timezone.localdate(),
                "LANGUAGE_CODE": language,
            },
        )


def data_end_certificate_pdf(*, end: DataEnd) -> bytes:
    """The deletion certificate for the client (refused while a dataset is not deleted)."""
    from weasyprint import HTML

    return HTML(string=data_end_certificate_html(end=end)).write_pdf()
