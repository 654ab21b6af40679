"""The breach register: the 72-hour clock, the decisions the law asks for, history, PDF."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import translation

from breaches.models import Breach, BreachAuthorityUpdate, BreachClientNotification
from breaches.report import breach_report_pdf
from registry.models import ProcessorClient
from tests.conftest import renders_a_pdf
from tests.pdf_text import pdf_text

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def make_breach(**fields) -> Breach:
    defaults = {
        "title": "Laptop stolen from car",
        "discovered_at": NOW,
        "facts": "An unencrypted laptop with the prospect list was stolen.",
    }
    return Breach.objects.create(**(defaults | fields))


@pytest.mark.django_db
def test_deadline_is_72_hours_after_discovery_and_turns_overdue_then(time_machine):
    time_machine.move_to(NOW, tick=False)
    breach = make_breach()
    assert breach.notification_deadline == NOW + timedelta(hours=72)
    assert breach.authority_status(NOW + timedelta(hours=71, minutes=59)) == "pending"
    assert breach.time_left(NOW + timedelta(hours=30)) == timedelta(hours=42)
    assert breach.authority_status(NOW + timedelta(hours=72)) == "overdue"
    assert list(Breach.objects.notification_overdue(NOW + timedelta(hours=71))) == []
    assert list(Breach.objects.notification_overdue(NOW + timedelta(hours=72))) == [breach]


@pytest.mark.django_db
def test_a_notified_or_documented_breach_is_not_overdue():
    in_time = make_breach(authority_notified_at=NOW + timedelta(hours=20))
    late = make_breach(
        authority_notified_at=NOW + timedelta(hours=80), late_notification_reason="forensics"
    )
    documented = make_breach(authority_not_notified_reason="Encrypted disk, key not lost.")
    later = NOW + timedelta(days=10)
    assert in_time.authority_status(later) == "notified"
    assert late.authority_status(later) == "notified_late"
    assert documented.authority_status(later) == "not_notified"
    assert not Breach.objects.notification_overdue(later).exists()


@pytest.mark.django_db
def test_a_late_notification_needs_the_reasons_for_the_delay(time_machine):
    time_machine.move_to(NOW + timedelta(days=5))
    breach = make_breach(authority_notified_at=NOW + timedelta(hours=73))
    with pytest.raises(ValidationError) as error:
        breach.full_clean()
    assert "late_notification_reason" in error.value.message_dict


@pytest.mark.django_db
def test_closing_needs_a_risk_assessment_a_decision_and_measures(time_machine):
    time_machine.move_to(NOW + timedelta(days=5))
    breach = make_breach(risk=Breach.Risk.HIGH, closed_at=NOW + timedelta(days=4))
    with pytest.raises(ValidationError) as error:
        breach.full_clean()
    assert {
        "authority_not_notified_reason",
        "subjects_exemption",
        "measures",
        "type_confidentiality",
    } <= set(error.value.message_dict)
    breach.authority_notified_at = NOW + timedelta(hours=10)
    breach.subjects_informed_at = NOW + timedelta(days=1)
    breach.subjects_message = "Your customer record was on the stolen laptop; reset your password."
    breach.subjects_channel = Breach.Channel.EMAIL
    breach.type_confidentiality = True
    breach.measures = "Passwords reset; disk encryption on every laptop."
    breach.full_clean()


@pytest.mark.django_db
def test_dates_before_the_discovery_are_refused(time_machine):
    time_machine.move_to(NOW + timedelta(days=1))
    breach = make_breach(authority_notified_at=NOW - timedelta(hours=1))
    with pytest.raises(ValidationError) as error:
        breach.full_clean()
    assert "authority_notified_at" in error.value.message_dict


@pytest.mark.django_db
def test_subjects_must_be_informed_only_for_a_high_risk():
    assert make_breach(risk=Breach.Risk.RISK).subjects_status() == "not_required"
    assert make_breach(risk=Breach.Risk.HIGH).subjects_status() == "pending"
    informed = make_breach(risk=Breach.Risk.HIGH, subjects_informed_at=NOW + timedelta(days=1))
    assert informed.subjects_status() == "informed"


@pytest.mark.django_db
def test_every_change_is_kept_in_the_history():
    breach = make_breach()
    breach.risk = Breach.Risk.RISK
    breach.save()
    assert [h.risk for h in breach.history.order_by("history_date")] == ["unassessed", "risk"]


@renders_a_pdf
@pytest.mark.django_db
def test_pdf_report_holds_the_facts_the_deadline_and_the_decision():
    breach = make_breach(
        authority_notified_at=NOW + timedelta(hours=80),
        late_notification_reason="Waited for the forensic report.",
        subjects_affected_approx=140,
    )
    text = pdf_text(breach_report_pdf(breach=breach))
    assert breach.reference in text
    assert "unencrypted laptop" in text
    assert "140" in text
    assert "13 maart 2026" in text or "13 March 2026" in text  # deadline, Brussels time
    assert "Waited for the forensic report." in text
    assert "Privacy Commission" not in text and "Commissie voor de bescherming" not in text


@renders_a_pdf
@pytest.mark.django_db
def test_admin_list_shows_the_clock_and_the_pdf_downloads(client, time_machine):
    time_machine.move_to(NOW + timedelta(hours=30), tick=False)
    officer = get_user_model().objects.create_superuser("po", "po@c-dot.be", "x" * 20)
    client.force_login(officer)
    breach = make_breach()
    overdue = make_breach(title="Mail to wrong client", discovered_at=NOW - timedelta(days=4))
    html = client.get("/admin/breaches/breach/").content.decode()
    assert "42 h" in html
    assert "te laat" in html  # "overdue" in Dutch, the default language
    response = client.get(f"/admin/breaches/breach/{overdue.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert client.get(f"/admin/breaches/breach/{breach.pk + 999}/pdf/").status_code == 404


def _errors(instance, language: str = "en") -> dict[str, list[str]]:
    """The validation errors of `instance`, rendered in `language`."""
    with translation.override(language):
        with pytest.raises(ValidationError) as error:
            instance.full_clean()
        return {k: [str(m) for m in v] for k, v in error.value.message_dict.items()}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("risk", "message"),
    [
        (Breach.Risk.HIGH, "High risk: the GBA/APD must be notified (Art. 33(1))."),
        (Breach.Risk.RISK, "likely to result in a risk: the GBA/APD must be notified"),
        # Not assessed: deciding not to notify would stop the 72-hour clock without a reason.
        (Breach.Risk.UNASSESSED, "Assess the risk first: 'not notified' is only possible"),
    ],
)
def test_not_notifying_the_authority_is_refused_when_there_is_a_risk(time_machine, risk, message):
    time_machine.move_to(NOW + timedelta(days=1), tick=False)
    breach = make_breach(risk=risk, authority_not_notified_reason="We think it is minor.")
    errors = _errors(breach)
    assert message in errors["authority_not_notified_reason"][0]
    breach.risk = Breach.Risk.UNLIKELY
    breach.full_clean()  # only an unlikely risk may stay unnotified (Art. 33(1))


@pytest.mark.django_db
def test_the_refusal_is_translated(time_machine):
    time_machine.move_to(NOW + timedelta(days=1), tick=False)
    breach = make_breach(risk=Breach.Risk.HIGH, authority_not_notified_reason="minor")
    for language, word in (("nl", "Hoog risico: de GBA"), ("fr", "Risque élevé : l'APD")):
        text = _errors(breach, language)["authority_not_notified_reason"][0]
        assert text.startswith(word)


@pytest.mark.django_db
def test_informing_the_subjects_keeps_the_message_and_the_channel(time_machine):
    time_machine.move_to(NOW + timedelta(days=2), tick=False)
    breach = make_breach(risk=Breach.Risk.HIGH, subjects_informed_at=NOW + timedelta(days=1))
    errors = _errors(breach)
    assert errors["subjects_message"] == [
        "Keep the message sent to the data subjects (Art. 34(2))."
    ]
    assert errors["subjects_channel"] == ["Say how the data subjects were informed."]


@pytest.mark.django_db
def test_an_art_34_3_ground_needs_its_explanation_and_excludes_informing(time_machine):
    time_machine.move_to(NOW + timedelta(days=2), tick=False)
    breach = make_breach(risk=Breach.Risk.HIGH, subjects_exemption=Breach.Exemption.PROTECTED)
    assert _errors(breach)["subjects_not_informed_reason"] == [
        "Explain how the ground of Art. 34(3) applies to this breach."
    ]
    breach.subjects_not_informed_reason = "Disk encrypted with BitLocker; key not on the laptop."
    breach.full_clean()
    assert breach.subjects_status() == "not_informed"


@pytest.mark.django_db
def test_types_show_in_the_readers_language():
    breach = make_breach(type_confidentiality=True, type_availability=True)
    with translation.override("en"):
        assert breach.types_display == "confidentiality breach, availability breach"
    assert make_breach().types_display == "—"


@pytest.mark.django_db
def test_a_follow_up_needs_the_first_notification_and_comes_after_it(time_machine):
    time_machine.move_to(NOW + timedelta(days=3), tick=False)
    breach = make_breach()
    update = BreachAuthorityUpdate(breach=breach, sent_at=NOW + timedelta(days=1), content="x")
    assert _errors(update)["sent_at"] == [
        "Record the first notification to the GBA/APD before a follow-up (Art. 33(4))."
    ]
    breach.authority_notified_at = NOW + timedelta(days=1, hours=1)
    breach.save()
    assert _errors(update)["sent_at"] == [
        "A follow-up cannot be sent before the first notification."
    ]
    update.sent_at = NOW + timedelta(days=2)
    update.full_clean()


@renders_a_pdf
@pytest.mark.django_db
def test_pdf_has_what_the_gba_form_asks_types_timeline_clients_and_message(time_machine):
    time_machine.move_to(NOW + timedelta(days=3), tick=False)
    client_ctrl = ProcessorClient.objects.create(
        name="Bakkerij Peeters BV", contact_email="info@bakkerij-peeters.be"
    )
    breach = make_breach(
        type_confidentiality=True,
        cause=Breach.Cause.EXTERNAL_MALICIOUS,
        risk=Breach.Risk.HIGH,
        authority_notified_at=NOW + timedelta(hours=20),
        subjects_informed_at=NOW + timedelta(days=1),
        subjects_channel=Breach.Channel.EMAIL,
        subjects_message="Change the password of your mailbox.",
        records_affected_approx=5321,
    )
    BreachAuthorityUpdate.objects.create(
        breach=breach, sent_at=NOW + timedelta(days=2), content="Forensic report attached."
    )
    BreachClientNotification.objects.create(
        breach=breach,
        client=client_ctrl,
        notified_at=NOW + timedelta(hours=5),
        channel=Breach.Channel.PHONE,
        note="Called the manager.",
    )
    with translation.override("en"):
        text = pdf_text(breach_report_pdf(breach=breach))
    for expected in (
        "confidentiality breach",
        "external, malicious",
        "5321",
        "Change the password of your mailbox.",
        "Forensic report attached.",
        "12 March 2026",
        "Bakkerij Peeters BV",
        "notified 10 March 2026",
    ):
        assert expected in text, expected


@pytest.mark.django_db
def test_client_notice_clock_follows_the_agreed_hours_and_needs_what_was_told(time_machine):
    time_machine.move_to(NOW + timedelta(hours=10), tick=False)
    client_ctrl = ProcessorClient.objects.create(
        name="Garage Maes", contact_email="info@garage-maes.be", breach_notice_hours=48
    )
    notice = BreachClientNotification.objects.create(breach=make_breach(), client=client_ctrl)
    assert notice.deadline == NOW + timedelta(hours=48)
    assert list(BreachClientNotification.objects.pending()) == [notice]
    notice.notified_at = NOW + timedelta(hours=9)
    assert _errors(notice) == {
        "channel": ["Say how the client was told."],
        "note": ["Keep what the client was told."],
    }
    notice.channel, notice.note = Breach.Channel.EMAIL, "Mail server breach, your box included."
    notice.full_clean()
    notice.save()
    assert not BreachClientNotification.objects.pending().exists()
