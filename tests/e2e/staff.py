"""A privacy officer with an authenticator app, and their login through both factors."""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "correct horse battery staple 42"


def officer_with_authenticator():
    """A staff member in the Privacy officer role (setup_roles) with a confirmed TOTP device."""
    user = get_user_model().objects.create_user(
        "officer", "officer@c-dot.be", PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name="Privacy officer"))
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user, device


def current_code(device: TOTPDevice) -> str:
    """What the officer's authenticator app shows now."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


def log_in(page, device: TOTPDevice, shot=None, *, then: str = "/admin/") -> None:
    """Password, then the TOTP code; no admin page opens in between."""
    page.goto(then)
    page.locator("#id_username").fill("officer")
    page.locator("#id_password").fill(PASSWORD)
    if shot:
        shot(page, "login")
    page.locator("#id_password").press("Enter")
    page.wait_for_url("**/admin/2fa/**")
    if shot:
        shot(page, "second factor")
    page.goto("/admin/requests_app/datasubjectrequest/")
    assert "/admin/2fa/" in page.url, "no admin page before the TOTP code"
    page.locator("#id_token").fill(current_code(device))
    page.locator("#id_token").press("Enter")
    page.wait_for_url(re.compile(r".*/admin/requests_app/datasubjectrequest/$"))
    page.goto(then)
