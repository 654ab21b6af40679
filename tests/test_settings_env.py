"""tests/settings_env.py evaluates settings.py without changing the test run's environment or
its settings."""

import os

from django.conf import settings

from tests.settings_env import settings_under


def test_settings_under_leaves_the_environment_and_the_running_settings_alone():
    environment = dict(os.environ)
    site_url = settings.SITE_URL
    evaluated = settings_under(PORT="8123", SETTINGS_ENV_PROBE="1")
    assert evaluated["SITE_URL"] == "http://127.0.0.1:8123"
    assert dict(os.environ) == environment
    assert settings.SITE_URL == site_url
