"""Issue #14 point 9: links that work. In the embedded run SITE_URL follows PORT unless set;
production requires SITE_URL (no silent default pointing at 127.0.0.1:8000)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.settings_env import settings_under


def test_embedded_links_follow_the_port_the_site_is_served_on():
    assert settings_under(PORT="8123")["SITE_URL"] == "http://127.0.0.1:8123"


def test_embedded_default_port_and_an_explicit_site_url_win():
    assert settings_under()["SITE_URL"] == "http://127.0.0.1:8000"
    explicit = settings_under(PORT="8123", SITE_URL="https://privacy.example.be/")
    assert explicit["SITE_URL"] == "https://privacy.example.be"


def test_production_requires_site_url():
    production = {
        "DEPLOYMENT": "production",
        "SECRET_KEY": "x" * 50,
        "SUPPRESSION_KEY": "y" * 50,
        "ALLOWED_HOSTS": "privacy.c-dot.be",
        "PORT": "8123",
    }
    with pytest.raises(ImproperlyConfigured, match="SITE_URL"):
        settings_under(**production)
    given = settings_under(**production, SITE_URL="https://privacy.c-dot.be")
    assert given["SITE_URL"] == "https://privacy.c-dot.be"
