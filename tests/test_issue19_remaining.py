"""Issue 19, the "Fix" bullets that had no test able to fail: the session key at enrolment and
at a backup code (not only at the app's code), the API's 400 as JSON, and the download log's
client network behind the proxy (TRUSTED_PROXIES)."""

import pytest
from django.test import RequestFactory, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from requests_app.views import client_network
from tests.test_api import make_key
from tests.test_staff_2fa_hardening import _user

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_factor(settings):
    settings.STAFF_2FA = True


def _app_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_session_key_changes_when_a_device_is_enrolled(client, two_factor):
    """Enrolment verifies the session too (otp_login): a new key, as at the verify page."""
    first = _user("first", superuser=True, device=False)
    client.force_login(first)
    client.get("/admin/2fa/setup/")
    before = client.session.session_key
    device = TOTPDevice.objects.get(user=first, confirmed=False)
    assert client.post("/admin/2fa/setup/", {"token": _app_code(device)}).status_code == 200
    assert client.session.session_key != before
    assert client.get("/admin/").status_code == 200


def test_session_key_changes_when_a_backup_code_is_used(client, two_factor):
    first = _user("first", superuser=True, device=False)
    client.force_login(first)
    client.get("/admin/2fa/setup/")
    device = TOTPDevice.objects.get(user=first, confirmed=False)
    codes = client.post("/admin/2fa/setup/", {"token": _app_code(device)}).context["backup_codes"]
    client.logout()
    client.force_login(first)
    before = client.session.session_key
    assert client.post("/admin/2fa/", {"token": codes[0], "next": "/admin/"}).status_code == 302
    assert client.session.session_key != before


def test_malformed_json_to_the_api_is_a_json_400(client):
    key, _ = make_key()
    response = client.post(
        "/api/v1/inquiries",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_the_download_log_records_the_clients_network_not_the_proxys():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert client_network(request) == "198.51.100.0/24"
