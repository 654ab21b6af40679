"""Issue #14 point 3: answers staff can trust.

Answer templates per request type and outcome, in the subject's language, editable by the
privacy officer, with placeholders; the complete step shows the exact e-mail before it is sent,
with the greeting, the complaint paragraph and the signature each once; a greeting or signature
typed into the answer is refused (they are added).
"""

import re
from datetime import date

import pytest
from django.core import mail
from django.utils import timezone, translation

from registry.models import RetentionRule
from requests_app import services
from requests_app.models import AccessPackage, AnswerTemplate, DataSubjectRequest
from requests_app.packages import access_package_create
from tests.conftest import renders_a_pdf
from tests.requests.support import step, submit_and_verify

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_in_process")]


ADMIN = "/admin/requests_app/datasubjectrequest/"


def _started(client, officer, capture, **overrides) -> DataSubjectRequest:
    dsr = submit_and_verify(client, capture, **overrides)
    client.force_login(officer)
    assert step(client, dsr, "start").status_code == 302
    return dsr


def test_the_complete_step_is_prefilled_from_the_template_with_its_placeholders(
    client, officer, register, django_capture_on_commit_callbacks
):
    AnswerTemplate.objects.update_or_create(
        request_type="access",
        decision="no_data",
        language="nl",
        defaults={
            "body": "Wij vonden geen gegevens over {name} ({reference}), ontvangen {received_on}."
        },
    )
    dsr = _started(client, officer, django_capture_on_commit_callbacks)
    page = client.get(f"{ADMIN}{dsr.pk}/step/complete/?decision=no_data")
    initial = page.context["form"].initial["answer"]
    assert initial.startswith(f"Wij vonden geen gegevens over Jan Peeters ({dsr.reference})")
    assert "{" not in initial


def test_the_exact_email_is_shown_before_sending_with_greeting_complaint_and_signature_once(
    client, officer, register, django_capture_on_commit_callbacks
):
    dsr = _started(client, officer, django_capture_on_commit_callbacks)
    answer = "Wij vonden uw klantfiche; het inzagerapport staat klaar."
    response = client.post(
        f"{ADMIN}{dsr.pk}/step/complete/",
        {"decision": "granted", "answer": answer, "preview": "1"},
    )
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.count("Beste Jan Peeters") == 1
    assert preview.count("Met vriendelijke groeten") == 1
    assert preview.count("klacht") >= 1 and preview.count("Gegevensbeschermingsautoriteit") <= 1
    assert answer in preview
    dsr.refresh_from_db()
    assert dsr.status == DataSubjectRequest.Status.IN_PROGRESS  # a preview sends nothing
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            f"{ADMIN}{dsr.pk}/step/complete/", {"decision": "granted", "answer": answer}
        )
    assert sent.status_code == 302
    (message,) = mail.outbox
    assert message.body == preview  # what staff saw is what the subject got


@pytest.mark.parametrize(
    "answer",
    [
        "Beste Jan,\n\nWij vonden uw gegevens.",
        "Wij vonden uw gegevens.\n\nMet vriendelijke groeten,\nGlenn",
        "Dear Jan,\nWe found your data.",
    ],
)
def test_a_greeting_or_signature_in_the_answer_is_refused(
    client, officer, register, django_capture_on_commit_callbacks, answer
):
    dsr = _started(client, officer, django_capture_on_commit_callbacks)
    response = client.post(
        f"{ADMIN}{dsr.pk}/step/complete/", {"decision": "granted", "answer": answer}
    )
    assert response.status_code == 400
    assert "automatisch" in response.content.decode()
    dsr.refresh_from_db()
    assert dsr.status == DataSubjectRequest.Status.IN_PROGRESS


def test_templates_exist_for_every_outcome_in_three_languages_and_read_the_rules_period(register):
    for language in ("nl", "fr", "en"):
        for decision in ("granted", "partly_granted", "no_data"):
            assert AnswerTemplate.objects.for_answer("access", decision, language) is not None
    erasure = AnswerTemplate.objects.for_answer("erasure", "partly_granted", "nl")
    assert "{invoice_retention}" in erasure.body
    rule = RetentionRule.objects.get(code="invoice")
    dsr = DataSubjectRequest(
        reference="DSR-AAAA-BBBB",
        name="Jan",
        type="erasure",
        language="nl",
        received_at=None,
        due_on=date(2026, 3, 3),
    )
    text = erasure.render(dsr)
    with translation.override("nl"):  # the template's language, whatever is active here
        assert rule.period_display() in text  # from the register, not typed in code
    rule.period_value = 10
    rule.save(update_fields=["period_value"])
    assert "10 jaar" in re.sub(r"\s+", " ", erasure.render(dsr))


def test_a_template_with_an_unknown_placeholder_is_refused_in_the_admin(client, officer, db):
    client.force_login(officer)
    response = client.post(
        "/admin/requests_app/answertemplate/add/",
        {"request_type": "access", "decision": "granted", "language": "nl", "body": "Hallo {naam}"},
    )
    assert response.status_code == 200  # the form again, with the error
    assert "{naam}" in response.content.decode()
    assert not AnswerTemplate.objects.filter(body__contains="{naam}").exists()


@renders_a_pdf
def test_a_request_received_by_post_is_answered_by_letter_with_the_documents_enclosed(
    client, officer, register
):
    dsr = services.request_enter(
        actor=officer,
        channel=DataSubjectRequest.Channel.POST,
        received_at=timezone.now(),
        type=DataSubjectRequest.Type.ACCESS,
        name="Maria Wouters",
        postal_address="Kerkstraat 12, 3190 Boortmeerbeek",
        language="en",
    )
    dsr = services.request_start(dsr=dsr, actor=officer)
    access_package_create(dsr=dsr, actor=officer, kind=AccessPackage.Kind.ACCESS_REPORT)
    letter = services.request_completion_preview(dsr=dsr, decision="granted", answer="Done.")
    # No e-mail address: no download link and no "not attached to this e-mail"; the printed
    # report goes with the letter.
    assert "/download/" not in letter and "e-mail" not in letter
    assert "Enclosed with this letter:" in letter and "Access report (PDF)" in letter
    client.force_login(officer)
    page = client.post(
        f"{ADMIN}{dsr.pk}/step/complete/", {"decision": "granted", "answer": "Done.", "preview": 1}
    )
    assert "Enclosed with this letter:" in page.content.decode()
    with translation.override("nl"):
        heading = translation.gettext("The letter to post to the subject (no e-mail address)")
    assert heading in page.content.decode()
