"""Issue 19 findings 1–3 and 8 (second part), issue 17 point 5: the two 500s, hidden TOTP
secrets, enrolment codes, backup codes, the API docs behind the second factor, the session key
rotated at the second factor."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from cdot_privacy.models import EnrolmentCode, TwoFactorAudit
from cdot_privacy.roles import AUDITOR, PRIVACY_OFFICER, STAFF, roles_setup
from cdot_privacy.two_factor import backup_code_digest

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple 42"


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _user(name: str, *, role: str | None = None, superuser: bool = False, device: bool = True):
    user = get_user_model().objects.create_user(
        name, f"{name}@c-dot.be", PASSWORD, is_staff=True, is_superuser=superuser
    )
    if role:
        roles_setup()
        user.groups.add(Group.objects.get(name=role))
    if device:
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def _verified(client, user):
    """Log in with password and the TOTP code (the real flow)."""
    client.force_login(user)
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    response = client.post("/admin/2fa/", {"token": _code(device), "next": "/admin/"})
    assert response.status_code == 302, response.content[:500]
    return device


@pytest.fixture
def two_factor(settings):
    settings.STAFF_2FA = True


# --- finding 1: two 500s ----------------------------------------------------------------------


def test_officer_can_open_the_api_key_add_page(client, two_factor):
    officer = _user("officer", role=PRIVACY_OFFICER)
    _verified(client, officer)
    page = client.get("/admin/records/apikey/add/")
    assert page.status_code == 200
    assert 'name="name"' in page.content.decode()


def test_totp_config_of_a_missing_device_is_404_not_500(client, two_factor):
    officer = _user("officer", role=PRIVACY_OFFICER)
    _verified(client, officer)
    assert client.get("/admin/otp_totp/totpdevice/9999/config/").status_code == 404
    assert client.get("/admin/otp_totp/totpdevice/9999/qrcode/").status_code == 404


# --- finding 2: TOTP secrets hidden from everyone ----------------------------------------------


def test_nobody_reads_a_colleagues_totp_secret(client, two_factor):
    root = _user("root", superuser=True)
    colleague = _user("colleague", role=STAFF)
    secret = TOTPDevice.objects.get(user=colleague).key
    _verified(client, root)
    device = TOTPDevice.objects.get(user=colleague)
    for url in (
        f"/admin/otp_totp/totpdevice/{device.pk}/change/",
        f"/admin/otp_totp/totpdevice/{device.pk}/config/",
        f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/",
        "/admin/otp_totp/totpdevice/",
    ):
        response = client.get(url)
        assert secret not in response.content.decode(), url
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code == 404
    # An officer cannot create a device (and so know its key) for someone else.
    assert client.get("/admin/otp_totp/totpdevice/add/").status_code == 403


# --- finding 3: API docs behind the second factor ---------------------------------------------


def test_api_docs_need_the_second_factor(client, two_factor):
    officer = _user("officer", role=PRIVACY_OFFICER)
    client.force_login(officer)  # password only
    response = client.get("/api/v1/docs")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/2fa/")
    _verified(client, officer)
    assert client.get("/api/v1/docs").status_code == 200


# --- finding 8: session key rotated at the second factor --------------------------------------


def test_session_key_changes_when_the_second_factor_is_verified(client, two_factor):
    officer = _user("officer", role=PRIVACY_OFFICER)
    client.force_login(officer)
    before = client.session.session_key
    _verified(client, officer)
    assert client.session.session_key != before
    assert client.get("/admin/").status_code == 200


# --- finding 3: enrolment on an account without a device needs a code -------------------------


def test_password_alone_cannot_enrol_a_device_on_an_account_without_one(client, two_factor):
    _user("root", superuser=True)  # someone already enrolled: no bootstrap exemption
    newcomer = _user("newcomer", role=STAFF, device=False)
    client.force_login(newcomer)
    page = client.get("/admin/2fa/setup/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="enrolment_code"' in html
    assert '<svg class="otp-qr"' not in html
    assert not TOTPDevice.objects.filter(user=newcomer).exists()  # no secret generated
    wrong = client.post("/admin/2fa/setup/", {"enrolment_code": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 200
    assert '<svg class="otp-qr"' not in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=newcomer).exists()


def test_an_officer_issues_a_one_time_code_shown_once_and_audited(client, two_factor):
    officer = _user("officer", role=PRIVACY_OFFICER)
    newcomer = _user("newcomer", role=STAFF, device=False)
    _verified(client, officer)
    issued = client.post(f"/admin/2fa/enrolment-code/{newcomer.pk}/")
    assert issued.status_code == 200
    code = issued.context["enrolment_code"]
    assert code in issued.content.decode()
    row = EnrolmentCode.objects.get(user=newcomer)
    assert code not in str(row.__dict__)  # only a hash is stored
    assert row.issued_by == officer
    assert row.expires_at == row.issued_at + timedelta(hours=24)
    assert TwoFactorAudit.objects.filter(
        actor=officer, subject=newcomer, action=TwoFactorAudit.Action.CODE_ISSUED
    ).exists()
    # The code is not shown again anywhere.
    assert code not in client.get(f"/admin/2fa/enrolment-code/{newcomer.pk}/").content.decode()
    client.logout()

    client.force_login(newcomer)
    page = client.post("/admin/2fa/setup/", {"enrolment_code": code.lower()})
    assert '<svg class="otp-qr"' in page.content.decode()
    device = TOTPDevice.objects.get(user=newcomer, confirmed=False)
    done = client.post("/admin/2fa/setup/", {"token": _code(device)})
    assert done.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    row.refresh_from_db()
    assert row.used_at is not None
    assert TwoFactorAudit.objects.filter(
        subject=newcomer, action=TwoFactorAudit.Action.ENROLLED
    ).exists()
    # Used once: a second use is refused.
    other = _user("other", role=STAFF, device=False)
    client.logout()
    client.force_login(other)
    again = client.post("/admin/2fa/setup/", {"enrolment_code": code})
    assert '<svg class="otp-qr"' not in again.content.decode()


def test_an_enrolment_code_expires_after_24_hours(client, two_factor, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    officer = _user("officer", role=PRIVACY_OFFICER)
    newcomer = _user("newcomer", role=STAFF, device=False)
    _verified(client, officer)
    code = client.post(f"/admin/2fa/enrolment-code/{newcomer.pk}/").context["enrolment_code"]
    client.logout()
    time_machine.shift(timedelta(hours=24, seconds=1))
    client.force_login(newcomer)
    page = client.post("/admin/2fa/setup/", {"enrolment_code": code})
    assert '<svg class="otp-qr"' not in page.content.decode()


@pytest.mark.parametrize("role", [STAFF, AUDITOR, None])
def test_only_an_officer_or_superuser_issues_codes(client, two_factor, role):
    issuer = _user("issuer", role=role)
    newcomer = _user("newcomer", role=STAFF, device=False)
    _verified(client, issuer)
    assert client.post(f"/admin/2fa/enrolment-code/{newcomer.pk}/").status_code == 403
    assert not EnrolmentCode.objects.exists()


def test_nobody_issues_a_code_for_themselves(client, two_factor):
    officer = _user("officer", role=PRIVACY_OFFICER)
    _verified(client, officer)
    assert client.post(f"/admin/2fa/enrolment-code/{officer.pk}/").status_code == 403
    assert not EnrolmentCode.objects.exists()


def test_the_very_first_superuser_enrols_without_a_code(client, two_factor):
    first = _user("first", superuser=True, device=False)
    client.force_login(first)
    page = client.get("/admin/2fa/setup/")
    assert '<svg class="otp-qr"' in page.content.decode()


def test_the_operator_can_issue_a_code_from_the_command_line(capsys):
    _user("root", superuser=True)
    lost = _user("lost", role=PRIVACY_OFFICER, device=False)
    call_command("issue_enrolment_code", "lost")
    out = capsys.readouterr().out
    assert EnrolmentCode.objects.filter(user=lost, issued_by=None).count() == 1
    assert TwoFactorAudit.objects.filter(subject=lost, actor=None).exists()
    assert "24" in out


# --- issue 17 point 5: backup codes -----------------------------------------------------------


def _enrol(client, user) -> list[str]:
    """First-superuser enrolment; returns the backup codes shown."""
    client.force_login(user)
    client.get("/admin/2fa/setup/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    done = client.post("/admin/2fa/setup/", {"token": _code(device)})
    assert done.status_code == 200
    return done.context["backup_codes"]


def test_enrolment_shows_backup_codes_once_with_a_success_message(client, two_factor):
    first = _user("first", superuser=True, device=False)
    client.force_login(first)
    client.get("/admin/2fa/setup/")
    device = TOTPDevice.objects.get(user=first, confirmed=False)
    done = client.post("/admin/2fa/setup/", {"token": _code(device)})
    html = done.content.decode()
    codes = done.context["backup_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code in html for code in codes)
    assert 'class="success"' in html  # the success message, in the admin's messages list
    assert StaticDevice.objects.get(user=first).token_set.count() == 10
    # Not shown again.
    assert codes[0] not in client.get("/admin/").content.decode()


def test_a_backup_code_opens_a_session_once(client, two_factor):
    first = _user("first", superuser=True, device=False)
    codes = _enrol(client, first)
    client.logout()
    client.force_login(first)
    ok = client.post("/admin/2fa/", {"token": codes[0], "next": "/admin/"})
    assert ok.status_code == 302 and ok["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    client.logout()
    client.force_login(first)
    again = client.post("/admin/2fa/", {"token": codes[0], "next": "/admin/"})
    assert again.status_code == 200  # the form again: used up
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("role", [PRIVACY_OFFICER, AUDITOR])
def test_an_officer_or_auditor_cannot_reset_someone_elses_backup_codes(client, two_factor, role):
    first = _user("first", superuser=True, device=False)
    _enrol(client, first)
    client.logout()
    other = _user("other", role=role)
    _verified(client, other)
    before = set(StaticDevice.objects.get(user=first).token_set.values_list("token", flat=True))
    assert client.post(f"/admin/2fa/backup-codes/{first.pk}/reset/").status_code == 403
    after = set(StaticDevice.objects.get(user=first).token_set.values_list("token", flat=True))
    assert before == after


def test_a_superuser_resets_backup_codes_and_it_is_audited(client, two_factor):
    officer = _user("officer", role=PRIVACY_OFFICER)
    StaticDevice.objects.create(user=officer, name="backup codes").token_set.create(token="old")
    root = _user("root", superuser=True)
    _verified(client, root)
    response = client.post(f"/admin/2fa/backup-codes/{officer.pk}/reset/")
    assert response.status_code == 200
    codes = response.context["backup_codes"]
    tokens = set(StaticDevice.objects.get(user=officer).token_set.values_list("token", flat=True))
    assert "old" not in tokens and len(tokens) == 10
    assert {backup_code_digest(c) for c in codes} == tokens  # hashes only
    assert TwoFactorAudit.objects.filter(
        actor=root, subject=officer, action=TwoFactorAudit.Action.BACKUP_CODES_RESET
    ).exists()


def test_static_device_tokens_are_not_listed_in_the_admin(client, two_factor):
    root = _user("root", superuser=True)
    _verified(client, root)
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404


def test_with_only_backup_codes_left_a_password_cannot_enrol_but_a_code_can(client, two_factor):
    """The phone's device was deleted; the backup codes are lost too: an enrolment code."""
    _user("root", superuser=True)
    lost = _user("lost", role=PRIVACY_OFFICER, device=False)
    StaticDevice.objects.create(user=lost, name="backup codes").token_set.create(token="x" * 10)
    client.force_login(lost)
    verify = client.get("/admin/2fa/")
    assert 'href="/admin/2fa/setup/"' in verify.content.decode()
    page = client.get("/admin/2fa/setup/")
    assert 'name="enrolment_code"' in page.content.decode()
    assert not TOTPDevice.objects.filter(user=lost).exists()


def test_the_command_line_removes_a_lost_phone_and_issues_a_code(capsys):
    _user("root", superuser=True)
    lost = _user("lost", role=PRIVACY_OFFICER)
    StaticDevice.objects.create(user=lost, name="backup codes")
    call_command("issue_enrolment_code", "lost", "--remove-devices")
    assert "Removed 2 device(s)" in capsys.readouterr().out
    assert not TOTPDevice.objects.filter(user=lost).exists()
    assert not StaticDevice.objects.filter(user=lost).exists()
    assert TwoFactorAudit.objects.filter(
        subject=lost, action=TwoFactorAudit.Action.DEVICES_REMOVED, actor=None
    ).exists()
