"""Issue 17 point 5 / issue 19: 2FA backup codes are kept as keyed hashes, never in clear.

Shown once at enrolment, usable once; a wrong code fails; codes stored in clear by an earlier
version are hashed by a data migration and keep working; the admin shows none of them.
"""

import importlib
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cdot_privacy.two_factor import backup_code_digest, backup_code_verify
from tests.test_staff_2fa_hardening import _user

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_factor(settings):
    settings.STAFF_2FA = True


def _enrol(client, user) -> list[str]:
    client.force_login(user)
    client.get("/admin/2fa/setup/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    done = client.post("/admin/2fa/setup/", {"token": f"{code:06d}"})
    assert done.status_code == 200
    return done.context["backup_codes"]


def _forms(code: str) -> set[str]:
    bare = code.replace("-", "")
    return {code, bare, bare.lower(), bare.upper()}


def _verify(client, user, code: str) -> int:
    client.logout()
    client.force_login(user)
    return client.post("/admin/2fa/", {"token": code, "next": "/admin/"}).status_code


def test_the_database_holds_no_backup_code_in_clear(client, two_factor, tmp_path):
    first = _user("first", superuser=True, device=False)
    codes = _enrol(client, first)
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert len(stored) == 10
    dump = tmp_path / "dump.json"
    call_command("dumpdata", "otp_static", "cdot_privacy", "sessions", output=str(dump))
    text = dump.read_text()
    for code in codes:
        assert not _forms(code) & stored
        assert not any(form in text for form in _forms(code))


def test_a_backup_code_works_once_and_a_wrong_one_fails(client, two_factor):
    first = _user("first", superuser=True, device=False)
    codes = _enrol(client, first)
    assert _verify(client, first, "abcde-fghjk") == 200  # wrong: the form again
    assert client.get("/admin/").status_code == 302
    # django-otp throttles after a failure (1 s, doubling): wait it out.
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        assert _verify(client, first, codes[1].upper()) == 302  # in capitals: the same code
    assert client.get("/admin/").status_code == 200
    assert _verify(client, first, codes[1]) == 200  # used up
    assert StaticDevice.objects.get(user=first).token_set.count() == 9


def test_plain_codes_from_before_are_hashed_by_the_migration_and_still_work(client, two_factor):
    user = _user("officer", device=False)
    device = StaticDevice.objects.create(user=user, name="backup codes", confirmed=True)
    device.token_set.create(token="abcdefghjk")
    migration = importlib.import_module("cdot_privacy.migrations.0006_backup_codes_hashed")
    migration.hash_plain_tokens(apps, None)
    migration.hash_plain_tokens(apps, None)  # idempotent: a hash is not hashed again
    assert not StaticToken.objects.filter(token="abcdefghjk").exists()
    assert StaticToken.objects.count() == 1
    assert _verify(client, user, "abcde-fghjk") == 302
    assert not StaticToken.objects.exists()


def test_no_admin_page_shows_backup_codes(client, two_factor):
    first = _user("first", superuser=True, device=False)
    codes = _enrol(client, first)
    for url in (
        "/admin/",
        "/admin/2fa/staff/",
        "/admin/otp_static/staticdevice/",
        "/admin/otp_static/statictoken/",
        "/admin/cdot_privacy/twofactoraudit/",
        f"/admin/auth/user/{first.pk}/change/",
    ):
        page = client.get(url).content.decode()
        assert not any(form in page for code in codes for form in _forms(code)), url


def test_a_code_hashed_under_a_rotated_key_works_while_that_key_is_a_fallback(settings):
    user = _user("officer", device=False)
    settings.SECRET_KEY = "old-" + "k" * 50
    device = StaticDevice.objects.create(user=user, name="backup codes", confirmed=True)
    device.token_set.create(token=backup_code_digest("abcdefghjk"))
    device.token_set.create(token=backup_code_digest("bcdefghjkm"))
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "new-" + "k" * 50, [settings.SECRET_KEY]
    assert backup_code_verify(device=device, code="ABCDE-FGHJK")
    settings.SECRET_KEY_FALLBACKS = []
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        assert not backup_code_verify(device=device, code="bcdefghjkm")
