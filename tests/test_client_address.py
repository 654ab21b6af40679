"""Behind the documented proxy, limits apply per client, not to everyone (issue 19, finding 4).

The client address comes from X-Forwarded-For only when the request arrives from one of
TRUSTED_PROXIES; one helper (cdot_privacy.client_ip) serves the form's rate limits
(django-ratelimit), the login lockout (axes) and the consent API.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import RequestFactory, override_settings

from cdot_privacy.client_ip import client_ip, trusted_networks
from tests.settings_env import settings_under

PROXY = "10.0.0.5"


def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8", "fd00::/8"])
@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        (PROXY, "198.51.100.7", "198.51.100.7"),  # the proxy says who the client is
        (PROXY, "203.0.113.9, 198.51.100.7", "198.51.100.7"),  # a spoofed left entry is ignored
        (PROXY, "198.51.100.7, 10.0.0.9", "198.51.100.7"),  # two trusted hops
        (PROXY, None, PROXY),  # no header: the proxy itself
        (PROXY, "garbage", PROXY),  # nonsense from the proxy: not a client address
        ("198.51.100.50", "203.0.113.9", "198.51.100.50"),  # not from a proxy: header ignored
        ("fd00::1", "2001:db8::5", "2001:db8::5"),
        (PROXY, " 198.51.100.7 ", "198.51.100.7"),
    ],
)
def test_client_address_trusts_forwarded_for_only_from_trusted_proxies(remote, forwarded, expected):
    assert client_ip(_request(remote, forwarded)) == expected


@override_settings(TRUSTED_PROXIES=[])
def test_without_trusted_proxies_the_header_is_never_read():
    assert client_ip(_request(PROXY, "198.51.100.7")) == PROXY


def test_a_bad_trusted_proxies_value_is_refused_with_a_clear_message():
    from django.core.exceptions import ImproperlyConfigured

    with override_settings(TRUSTED_PROXIES=["10.0.0.0/33"]):
        with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
            trusted_networks()


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_one_clients_failed_logins_do_not_lock_out_the_same_user_name_elsewhere(client, settings):
    """Axes counts per (user name, client address): behind the proxy, per real client."""
    cache.clear()
    password = "correct horse battery staple 42"
    get_user_model().objects.create_user("officer", "o@c-dot.be", password, is_staff=True)
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "officer", "password": "wrong"}, **attacker)
    locked = client.post("/admin/login/", {"username": "officer", "password": password}, **attacker)
    assert locked.status_code == 429
    officer = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    ok = client.post("/admin/login/", {"username": "officer", "password": password}, **officer)
    assert ok.status_code == 302


def test_ratelimit_and_axes_use_the_one_helper(settings):
    assert settings.RATELIMIT_IP_META_KEY == "cdot_privacy.client_ip.client_ip"
    assert settings.AXES_CLIENT_IP_CALLABLE == "cdot_privacy.client_ip.client_ip"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_the_form_rate_limit_counts_per_client_behind_the_proxy():
    """django-ratelimit's key "ip" (the form's per-address limit) goes through the helper."""
    from django_ratelimit.core import is_ratelimited

    cache.clear()

    def limited(forwarded: str) -> bool:
        request = _request(PROXY, forwarded)
        return is_ratelimited(request, group="test:ip", key="ip", rate="2/h", increment=True)

    assert [limited("203.0.113.66") for _ in range(3)] == [False, False, True]
    assert limited("198.51.100.7") is False  # another visitor behind the same proxy


def test_the_documented_rate_variables_are_read_from_the_environment():
    s = settings_under(
        REQUESTS_RATE_PER_IP="7/h",
        REQUESTS_RATE_PER_EMAIL="2/d",
        TRUSTED_PROXIES="10.0.0.0/8,127.0.0.1",
    )
    assert [s["REQUESTS_RATE_PER_IP"], s["REQUESTS_RATE_PER_EMAIL"]] == ["7/h", "2/d"]
    assert s["TRUSTED_PROXIES"] == ["10.0.0.0/8", "127.0.0.1"]
