"""Staff side security: second factor, lockout, session expiry, headers."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.settings_env import settings_under

PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_user(
        "officer", "officer@c-dot.be", PASSWORD, is_staff=True, is_superuser=True
    )


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _unthrottle(device: TOTPDevice) -> None:
    """A failed code throttles the device for a moment; tests go on at once."""
    device.refresh_from_db()
    device.throttle_reset()


# --- two-factor authentication --------------------------------------------------------------


def test_with_2fa_on_a_password_login_alone_does_not_open_the_admin(client, staff_user, settings):
    settings.STAFF_2FA = True
    client.force_login(staff_user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/2fa/setup/")
    # Model pages are closed too, not just the index.
    response = client.get("/admin/auth/user/")
    assert response.status_code == 302
    assert "/admin/2fa/" in response["Location"]


def test_enrolment_shows_a_qr_code_and_a_confirmed_code_opens_the_admin(
    client, staff_user, settings
):
    settings.STAFF_2FA = True
    client.force_login(staff_user)
    page = client.get("/admin/2fa/setup/")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<svg class="otp-qr"' in html
    device = TOTPDevice.objects.get(user=staff_user, confirmed=False)
    assert client.post("/admin/2fa/setup/", {"token": "000000"}).status_code == 200
    device.refresh_from_db()
    assert not device.confirmed
    _unthrottle(device)
    response = client.post("/admin/2fa/setup/", {"token": _code(device), "next": "/admin/"})
    # The backup codes, shown once, with the way on (issue 17 point 5).
    assert response.status_code == 200
    assert len(response.context["backup_codes"]) == 10
    assert 'href="/admin/"' in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200


def test_a_new_session_must_verify_the_code_of_the_enrolled_device(client, staff_user, settings):
    settings.STAFF_2FA = True
    device = TOTPDevice.objects.create(user=staff_user, name="phone", confirmed=True)
    client.force_login(staff_user)
    assert client.get("/admin/")["Location"].startswith("/admin/2fa/?next=")
    # With a confirmed device, enrolling another one needs the first one's code.
    assert client.get("/admin/2fa/setup/")["Location"] == "/admin/2fa/"
    bad = client.post("/admin/2fa/", {"token": "123456"})
    assert bad.status_code == 200
    assert "niet geldig" in bad.content.decode()  # Dutch: the default language
    _unthrottle(device)
    ok = client.post("/admin/2fa/", {"token": _code(device), "next": "/admin/"})
    assert ok.status_code == 302 and ok["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_verification_refuses_an_offsite_next_url(client, staff_user, settings):
    settings.STAFF_2FA = True
    device = TOTPDevice.objects.create(user=staff_user, name="phone", confirmed=True)
    client.force_login(staff_user)
    ok = client.post("/admin/2fa/", {"token": _code(device), "next": "https://evil.example/"})
    assert ok["Location"] == "/admin/"


def test_with_2fa_off_staff_without_a_device_use_the_admin_directly(client, staff_user, settings):
    settings.STAFF_2FA = False
    client.force_login(staff_user)
    assert client.get("/admin/").status_code == 200


def test_2fa_pages_are_for_staff_only(client, db, settings):
    settings.STAFF_2FA = True
    assert client.get("/admin/2fa/setup/")["Location"].startswith("/admin/login/")
    member = get_user_model().objects.create_user("member", "m@example.org", PASSWORD)
    client.force_login(member)
    assert client.get("/admin/2fa/setup/")["Location"].startswith("/admin/login/")
    assert not TOTPDevice.objects.exists()


# --- lockout, session expiry ----------------------------------------------------------------


def test_login_is_locked_after_the_configured_number_of_failures(client, staff_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/admin/login/", {"username": "officer", "password": "wrong"})
        assert response.status_code == 200  # the form again, with an error
    locked = client.post("/admin/login/", {"username": "officer", "password": "wrong"})
    assert locked.status_code == 429
    # Now even the right password is refused, and no session is opened.
    response = client.post("/admin/login/", {"username": "officer", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_right_password_before_the_limit_logs_in_and_resets_the_count(
    client, staff_user, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/admin/login/", {"username": "officer", "password": "wrong"})
    ok = client.post("/admin/login/", {"username": "officer", "password": PASSWORD})
    assert ok.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_an_inactive_session_expires(client, staff_user, settings, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    client.force_login(staff_user)
    assert client.get("/admin/").status_code == 200
    # Activity keeps it alive (SESSION_SAVE_EVERY_REQUEST) ...
    time_machine.shift(settings.SESSION_COOKIE_AGE - 60)
    assert client.get("/admin/").status_code == 200
    time_machine.shift(settings.SESSION_COOKIE_AGE - 60)
    assert client.get("/admin/").status_code == 200
    # ... inactivity longer than SESSION_COOKIE_AGE ends it.
    time_machine.shift(settings.SESSION_COOKIE_AGE + 60)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_weak_passwords_are_refused_by_the_validators(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("short1", "password1234", "123456789012"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password(PASSWORD)


# --- headers --------------------------------------------------------------------------------


@pytest.fixture
def published_statement(db, settings):
    """C-DOT's register and its published statement, so the public pages render for real."""
    from django.core.management import call_command, get_commands

    # A cache of this test's own: parallel workers share one Redis database.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "csp"}
    }

    for command in ("seed_cdot", "publish_statement"):
        if command in get_commands():
            call_command(command, stdout=io.StringIO())


@pytest.mark.parametrize("url", ["/nl/privacy/", "/fr/privacy/request/", "/admin/login/"])
def test_pages_carry_a_strict_content_security_policy_and_hardening_headers(
    client, published_statement, url
):
    response = client.get(url)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in csp.split(";") if part.strip()
    )
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("url", ["/nl/privacy/", "/en/privacy/", "/en/privacy/request/"])
def test_public_pages_use_no_inline_script_or_style(client, published_statement, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>" not in html and "<script " not in html.replace("<script src=", "")
    assert " style=" not in html and "<style" not in html
    assert " on" + "click=" not in html


def test_hsts_is_sent_over_https_when_configured(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = client.get("/admin/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_production_defaults_turn_on_2fa_hsts_and_secure_cookies():
    s = settings_under(
        DEPLOYMENT="production",
        SECRET_KEY="x" * 50,
        SUPPRESSION_KEY="y" * 50,
        SITE_URL="https://privacy.c-dot.be",
        ALLOWED_HOSTS="privacy.c-dot.be",
    )
    assert [
        s["STAFF_2FA"],
        s["SESSION_COOKIE_SECURE"],
        s["CSRF_COOKIE_SECURE"],
        s["SECURE_SSL_REDIRECT"],
        s["SECURE_HSTS_SECONDS"],
        s["SESSION_COOKIE_HTTPONLY"],
    ] == [True, True, True, True, 31_536_000, True]
