"""Each request type end to end: public form → e-mail verification → staff steps → answer."""

import io
import json
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from records.models import Contact, Invoice, NewsletterSubscription, SuppressionEntry, WebInquiry
from records.normalise import email_hash
from requests_app.models import (
    AccessPackage,
    AuditEntry,
    DataSubjectRequest,
    PackageDownload,
    SubjectMatch,
)
from requests_app.services_records import erasure_execute
from tests.conftest import renders_a_pdf
from tests.pdf_text import pdf_text
from tests.requests.support import link_path, pdf_bytes, png_bytes, step, submit_and_verify

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_in_process")]


Status = DataSubjectRequest.Status
Action = AuditEntry.Action


def _contact(**extra) -> Contact:
    fields = {
        "kind": Contact.Kind.CUSTOMER,
        "first_name": "Jan",
        "last_name": "Peeters",
        "email": "jan.peeters@example.be",
        "phone": "+32 15 51 35 31",
        "city": "Boortmeerbeek",
        "source": "webshop",
        **extra,
    }
    contact = Contact(**fields)
    contact.full_clean()
    contact.save()
    return contact


def _invoice(contact: Contact, issued: date, number: str) -> Invoice:
    return Invoice.objects.create(
        number=number,
        contact=contact,
        issue_date=issued,
        fiscal_year=issued.year,
        total_excl_vat=Decimal("100.00"),
        vat_amount=Decimal("21.00"),
        total_incl_vat=Decimal("121.00"),
        billing_name="Jan Peeters",
    )


def _subscription(email="jan.peeters@example.be") -> NewsletterSubscription:
    sub = NewsletterSubscription(email=email, consent_text="Ja, stuur mij de nieuwsbrief")
    sub.full_clean()
    sub.save()
    return sub


def _confirm_all_hits(client, dsr, **query) -> int:
    """Staff search by the request's keys and tick every hit."""
    url = f"/admin/requests_app/datasubjectrequest/{dsr.pk}/search/"
    page = client.get(url, query or {"email": dsr.email, "phone": dsr.phone, "name": dsr.name})
    assert page.status_code == 200
    hits = [hit for hit in page.context["hits"]]
    shown_url = page.request["PATH_INFO"] + "?" + page.request["QUERY_STRING"]
    response = client.post(shown_url, {"confirm": "1", "hit": [f"{h.label}:{h.pk}" for h in hits]})
    assert response.status_code == 302
    return len(hits)


def _actions(dsr) -> list[str]:
    return list(AuditEntry.objects.filter(request=dsr).values_list("action", flat=True))


@renders_a_pdf
def test_access_request_end_to_end_delivers_a_pdf_through_a_logged_download_link(
    client, officer, register, django_capture_on_commit_callbacks
):
    contact = _contact()
    _invoice(contact, date(2025, 3, 1), "2025-001")
    _subscription()

    dsr = submit_and_verify(client, django_capture_on_commit_callbacks, language="en")
    assert dsr.status == Status.RECEIVED
    acknowledgement = mail.outbox[-1]
    assert dsr.reference in acknowledgement.subject
    assert dsr.due_on.strftime("%-d %B %Y") in acknowledgement.body

    client.force_login(officer)
    assert step(client, dsr, "start").status_code == 302
    assert _confirm_all_hits(client, dsr) == 3  # contact, invoice, newsletter
    assert step(client, dsr, "access-report").status_code == 302
    response = step(
        client,
        dsr,
        "complete",
        {"decision": "granted", "answer": "Here is the report of your data."},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    dsr.refresh_from_db()
    assert dsr.status == Status.COMPLETED and dsr.completed_at is not None

    page = client.get(f"/admin/requests_app/datasubjectrequest/{dsr.pk}/change/")
    assert page.status_code == 200
    assert "Access report (PDF)" in page.content.decode() or "Inzagerapport" in (
        page.content.decode()
    )
    answer = mail.outbox[-1]
    assert answer.to == ["Jan.Peeters@Example.be"]
    assert answer.attachments == []  # a link, never an attachment
    client.logout()
    download = client.get(link_path(answer, "/download/"))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    text = pdf_text(b"".join(download.streaming_content))
    assert "Peeters" in text and "2025-001" in text
    assert PackageDownload.objects.filter(package__request=dsr).count() == 1
    assert _actions(dsr) == [
        Action.RECEIVED,
        Action.CONFIRMED,
        Action.STARTED,
        Action.SEARCHED,
        Action.MATCHES_CONFIRMED,
        Action.ACCESS_PACKAGE_CREATED,
        Action.COMPLETED,
        Action.PACKAGE_DOWNLOADED,
    ]


def test_portability_zip_holds_json_and_csv_of_what_the_subject_provided(
    client, officer, register, django_capture_on_commit_callbacks
):
    _contact()
    WebInquiry.objects.create(
        name="Jan Peeters",
        email="jan.peeters@example.be",
        email_normalised="jan.peeters@example.be",
        message="Offerte voor een server",
    )
    dsr = submit_and_verify(
        client, django_capture_on_commit_callbacks, language="fr", type="portability"
    )
    client.force_login(officer)
    step(client, dsr, "start")
    assert _confirm_all_hits(client, dsr) == 2
    assert step(client, dsr, "portability").status_code == 302
    step(
        client,
        dsr,
        "complete",
        {"decision": "granted", "answer": "Vos données."},
        django_capture_on_commit_callbacks,
    )
    answer = mail.outbox[-1]
    assert "Vos données." in answer.body
    client.logout()
    download = client.get(link_path(answer, "/download/"))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert sorted(archive.namelist()) == [
        "contacts.csv",
        "data.json",
        "newsletter_subscriptions.csv",
        "web_inquiries.csv",
    ]
    data = json.loads(archive.read("data.json"))
    assert data["contacts"][0]["email"] == "jan.peeters@example.be"
    assert data["web_inquiries"][0]["message"] == "Offerte voor een server"
    assert "kind" not in data["contacts"][0]  # our own classification is not "provided" data
    assert archive.read("contacts.csv").decode().startswith("first_name,last_name,")


def test_erasure_deletes_what_may_go_restricts_kept_invoices_and_says_why(
    client, officer, register, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(datetime(2026, 11, 28, 10, 0, tzinfo=UTC))
    customer = _contact()
    _invoice(customer, date(2024, 5, 2), "2024-017")  # kept until 31 Dec 2031
    prospect = _contact(kind=Contact.Kind.PROSPECT, email="jan.peeters@example.be", phone="")
    subscription = _subscription()
    dsr = submit_and_verify(client, django_capture_on_commit_callbacks, type="erasure")
    client.force_login(officer)
    step(client, dsr, "identity-check", {"method": "email_match", "outcome": "confirmed"})
    assert _confirm_all_hits(client, dsr) == 4
    assert step(client, dsr, "erase").status_code == 302
    step(
        client, dsr, "complete", {"decision": "partly_granted"}, django_capture_on_commit_callbacks
    )

    assert not Contact.objects.filter(pk=prospect.pk).exists()
    assert not NewsletterSubscription.objects.filter(pk=subscription.pk).exists()
    customer.refresh_from_db()
    # Issue 13: minimised at once (Art. 17(3)(b)), not restricted for ever.
    assert customer.erasure_requested_at is not None and customer.marketing_opt_out
    assert (customer.email, customer.phone, customer.last_name) == ("", "", "Peeters")
    assert Invoice.objects.filter(contact=customer).count() == 1
    assert SuppressionEntry.objects.filter(email_hash=email_hash("jan.peeters@example.be")).exists()
    answer = mail.outbox[-1].body
    assert "Gewist" in answer and "Bewaard: 1 factuur" in answer
    assert "art. 17, lid 3, b) AVG" in answer  # the reason the law keeps them
    # The date comes from the register's invoice rule: 2 May 2024 → 31 Dec 2024 + 7 years.
    assert "1 januari 2032" in answer and "7 jaar" not in answer
    entry = AuditEntry.objects.get(request=dsr, action=Action.RECORDS_ERASED)
    assert entry.details["erased"] == {"newsletter": 1, "contact": 1}
    assert "jan" not in json.dumps(entry.details).lower()  # no personal data in the trail


def test_rectification_changes_the_contact_and_audits_field_names_only(
    client, officer, register, django_capture_on_commit_callbacks
):
    contact = _contact()
    dsr = submit_and_verify(client, django_capture_on_commit_callbacks, type="rectification")
    client.force_login(officer)
    step(client, dsr, "start")
    _confirm_all_hits(client, dsr)
    url = f"/admin/requests_app/datasubjectrequest/{dsr.pk}/rectify/contact/{contact.pk}/"
    assert client.post(url, {"city": "Haacht", "phone": "016 12 34 56"}).status_code == 302
    contact.refresh_from_db()
    assert contact.city == "Haacht" and contact.phone_e164 == "+3216123456"
    entry = AuditEntry.objects.get(request=dsr, action=Action.RECORD_RECTIFIED)
    assert entry.details == {"contact_id": contact.pk, "fields": ["city", "phone"]}
    step(
        client,
        dsr,
        "complete",
        {"decision": "granted", "answer": "Uw adres is aangepast."},
        django_capture_on_commit_callbacks,
    )
    assert "Uw adres is aangepast." in mail.outbox[-1].body


@pytest.mark.parametrize(
    ("request_type", "step_name"),
    [("restriction", "restrict"), ("objection", "object")],
)
def test_restriction_and_objection_flag_the_records_out_of_marketing(
    client, officer, register, django_capture_on_commit_callbacks, request_type, step_name
):
    contact = _contact()
    dsr = submit_and_verify(client, django_capture_on_commit_callbacks, type=request_type)
    client.force_login(officer)
    step(client, dsr, "start")
    _confirm_all_hits(client, dsr)
    assert step(client, dsr, step_name).status_code == 302
    contact.refresh_from_db()
    assert contact.marketing_opt_out
    # Issue 13: a restriction has a reason and an end; an objection is no exemption from the
    # retention rule (the contact is not restricted).
    assert contact.restricted == (request_type == "restriction")
    if request_type == "restriction":
        assert contact.restriction_reason and contact.restricted_until is not None
    if request_type == "objection":
        assert SuppressionEntry.objects.filter(email_hash=email_hash(contact.email)).exists()
    step(
        client,
        dsr,
        "complete",
        {"decision": "granted", "answer": "Done."},
        django_capture_on_commit_callbacks,
    )
    assert DataSubjectRequest.objects.get(pk=dsr.pk).status == Status.COMPLETED


def test_consent_withdrawal_ends_the_subscription_and_suppresses_the_address(
    client, officer, register, django_capture_on_commit_callbacks
):
    subscription = _subscription()
    dsr = submit_and_verify(client, django_capture_on_commit_callbacks, type="consent_withdrawal")
    client.force_login(officer)
    step(client, dsr, "start")
    assert _confirm_all_hits(client, dsr, email=dsr.email) == 1
    assert step(client, dsr, "withdraw-consent").status_code == 302
    subscription.refresh_from_db()
    assert subscription.withdrawn_at is not None
    assert SuppressionEntry.objects.filter(email_hash=email_hash(subscription.email)).exists()
    step(
        client,
        dsr,
        "complete",
        {"decision": "granted", "answer": "U ontvangt geen nieuwsbrief meer."},
        django_capture_on_commit_callbacks,
    )
    assert "geen nieuwsbrief meer" in mail.outbox[-1].body


def test_other_request_rejected_with_reason_tells_about_the_gba(
    client, officer, register, django_capture_on_commit_callbacks
):
    dsr = submit_and_verify(client, django_capture_on_commit_callbacks, type="other")
    client.force_login(officer)
    assert step(client, dsr, "reject", {"reason": "  "}).status_code == 400  # reason required
    response = step(
        client,
        dsr,
        "reject",
        {"reason": "Wij verwerken geen gegevens van u."},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    dsr.refresh_from_db()
    assert dsr.status == Status.REJECTED and dsr.decision == "refused"
    rejection = mail.outbox[-1]
    assert "Wij verwerken geen gegevens van u." in rejection.body
    assert "Gegevensbeschermingsautoriteit" in rejection.body
    assert "Privacy Commissie" not in rejection.body and "privacycommission" not in rejection.body


def test_withdrawn_request_is_closed_and_its_id_copy_deleted(
    client, officer, register, django_capture_on_commit_callbacks, private_storage
):
    dsr = submit_and_verify(
        client,
        django_capture_on_commit_callbacks,
        id_copy=SimpleUploadedFile("id.pdf", pdf_bytes(), "application/pdf"),
    )
    assert len(list((private_storage / "id-copies").iterdir())) == 1
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        assert step(client, dsr, "withdraw").status_code == 302
    assert list((private_storage / "id-copies").iterdir()) == []
    assert Action.ID_COPY_DELETED in _actions(dsr)
    assert not SubjectMatch.objects.filter(request=dsr).exists()
    assert AccessPackage.objects.count() == 0


def test_identity_check_records_who_when_how_and_deletes_the_id_copy(
    client, officer, django_capture_on_commit_callbacks, private_storage
):
    upload = SimpleUploadedFile("id.png", png_bytes(), "image/png")
    dsr = submit_and_verify(client, django_capture_on_commit_callbacks, id_copy=upload)
    client.force_login(officer)
    doubt = {"doubt": "Naam wijkt af van de klantfiche.", "information": "Kopie ID gevraagd."}
    assert step(client, dsr, "start-identity-check", doubt).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = step(
            client, dsr, "identity-check", {"method": "id_copy", "outcome": "confirmed"}
        )
    assert response.status_code == 302
    check = dsr.identity_checks.get()
    assert (check.checked_by, check.method, check.outcome) == (officer, "id_copy", "confirmed")
    assert check.checked_at is not None
    assert list((private_storage / "id-copies").iterdir()) == []
    assert not dsr.id_copies.exists()
    assert DataSubjectRequest.objects.get(pk=dsr.pk).status == Status.IN_PROGRESS
    assert _actions(dsr)[-2:] == [Action.IDENTITY_CHECKED, Action.ID_COPY_DELETED]


@pytest.mark.parametrize(
    ("language", "phrase"),
    [
        ("nl", "Bevestig het door binnen 7 dagen"),
        ("fr", "Veuillez la confirmer"),
        ("en", "Please confirm it"),
    ],
)
def test_verification_email_is_in_the_language_of_the_form(
    client, django_capture_on_commit_callbacks, language, phrase
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/{language}/privacy/request/", {
            "type": "access", "name": "A", "email": "a@example.be", "website": "",
        })  # fmt: skip
    (message,) = mail.outbox
    assert phrase in message.body and "7" in message.body
    assert f"/{language}/privacy/request/verify/" in message.body
    assert DataSubjectRequest.objects.get().language == language


def test_steps_out_of_order_are_refused_and_change_nothing(
    client, officer, django_capture_on_commit_callbacks
):
    dsr = submit_and_verify(client, django_capture_on_commit_callbacks, type="access")
    client.force_login(officer)
    # Not started (no identity check, no start): completing is not offered.
    response = step(client, dsr, "complete", {"decision": "granted", "answer": "x"})
    assert response.status_code == 302 and response["Location"].endswith(f"/{dsr.pk}/change/")
    assert step(client, dsr, "erase").status_code == 302  # not an erasure request
    dsr.refresh_from_db()
    assert dsr.status == Status.RECEIVED and dsr.completed_at is None
    assert _actions(dsr) == [Action.RECEIVED, Action.CONFIRMED]
    # A bogus step name is no crash either.
    assert step(client, dsr, "drop-table").status_code == 302


def test_an_erasure_that_only_minimises_a_customer_does_not_answer_erased_nothing(
    officer, register
):
    """The kept customer's e-mail, phones and website are deleted at once: the answer must not
    open with "Erased: - nothing" and then say they were deleted."""
    customer = _contact()
    _invoice(customer, date.today().replace(day=1), "2026-100")
    dsr = DataSubjectRequest.objects.create(
        type=DataSubjectRequest.Type.ERASURE,
        name="Jan Peeters",
        email="jan.peeters@example.be",
        language="nl",
        status=DataSubjectRequest.Status.IN_PROGRESS,
    )
    SubjectMatch.objects.create(
        request=dsr,
        content_type=ContentType.objects.get_for_model(Contact),
        object_id=customer.pk,
        confirmed_by=officer,
    )
    erasure_execute(dsr=dsr, actor=officer)
    dsr.refresh_from_db()
    assert "Bewaard: 1 factuur" in dsr.answer and "meteen gewist" in dsr.answer
    assert "Gewist:" not in dsr.answer and "- niets" not in dsr.answer
