"""Issue #14 point 9: links that work. In the embedded run SITE_URL follows PORT unless set;
production requires SITE_URL (no silent default pointing at 127.0.0.1:8000)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the project (tests/requests/ is two below)
PRINT_SITE_URL = (
    "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
)


def _settings(**variables) -> subprocess.CompletedProcess:
    dropped = {"SITE_URL", "PORT", "DEPLOYMENT", "DEBUG", "SECRET_KEY", "SUPPRESSION_KEY"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(DJANGO_SETTINGS_MODULE="cdot_privacy.settings", **variables)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", PRINT_SITE_URL],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_embedded_links_follow_the_port_the_site_is_served_on():
    result = _settings(PORT="8123")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "http://127.0.0.1:8123"


def test_embedded_default_port_and_an_explicit_site_url_win():
    assert _settings().stdout.strip() == "http://127.0.0.1:8000"
    explicit = _settings(PORT="8123", SITE_URL="https://privacy.example.be/")
    assert explicit.stdout.strip() == "https://privacy.example.be"


def test_production_requires_site_url():
    production = {
        "DEPLOYMENT": "production",
        "SECRET_KEY": "x" * 50,
        "SUPPRESSION_KEY": "y" * 50,
        "ALLOWED_HOSTS": "privacy.c-dot.be",
        "PORT": "8123",
    }
    missing = _settings(**production)
    assert missing.returncode != 0
    assert "SITE_URL" in missing.stderr
    given = _settings(**production, SITE_URL="https://privacy.c-dot.be")
    assert given.returncode == 0, given.stderr
    assert given.stdout.strip() == "https://privacy.c-dot.be"
