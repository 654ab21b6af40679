"""The breach register: the 72-hour clock, the decisions the law asks for, history, PDF."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from breaches.models import Breach
from breaches.report import breach_report_pdf

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
    assert {"authority_not_notified_reason", "subjects_not_informed_reason", "measures"} <= set(
        error.value.message_dict
    )
    breach.authority_notified_at = NOW + timedelta(hours=10)
    breach.subjects_informed_at = NOW + timedelta(days=1)
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


@pytest.mark.django_db
def test_pdf_report_holds_the_facts_the_deadline_and_the_decision():
    breach = make_breach(
        authority_notified_at=NOW + timedelta(hours=80),
        late_notification_reason="Waited for the forensic report.",
        subjects_affected_approx=140,
    )
    text = "".join(page.extract_text() for page in _pdf(breach_report_pdf(breach=breach)).pages)
    assert breach.reference in text
    assert "unencrypted laptop" in text
    assert "140" in text
    assert "13 maart 2026" in text or "13 March 2026" in text  # deadline, Brussels time
    assert "Waited for the forensic report." in text
    assert "Privacy Commission" not in text and "Commissie voor de bescherming" not in text


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


def _pdf(data: bytes) -> PdfReader:
    import io

    return PdfReader(io.BytesIO(data))
