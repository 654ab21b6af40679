"""cdot_privacy/settings.py evaluated under a given environment, in the test process.

A test that only needs the values the settings module computes from some environment variables
(or its refusal, ImproperlyConfigured) evaluates the file with runpy instead of starting a Python
process that imports Django for it (~0.5-1 s of CPU each). The settings module the test run uses
(django.conf.settings) is not touched: this is a second, separate evaluation of the file.
"""

import os
import runpy
from pathlib import Path
from unittest import mock

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "cdot_privacy" / "settings.py"

# Variables that decide the kind of deployment: taken from the test run's environment they would
# make the result depend on the shell the tests run in, so only the test's own values count.
DEPLOYMENT_SHAPE = frozenset(
    {
        "DEPLOYMENT",
        "DEBUG",
        "SECRET_KEY",
        "SUPPRESSION_KEY",
        "ALLOWED_HOSTS",
        "SITE_URL",
        "PORT",
        "STAFF_2FA",
    }
)


def settings_under(**variables: str) -> dict:
    """The upper-case names settings.py defines under the test run's environment without
    DEPLOYMENT_SHAPE, plus `variables`. os.environ is replaced while the file runs and restored
    afterwards (also what settings.py's read_env of .env wrote into it); an error the file raises
    (ImproperlyConfigured for a missing required variable) raises here."""
    env = {k: v for k, v in os.environ.items() if k not in DEPLOYMENT_SHAPE}
    env.update(variables)
    with mock.patch.dict(os.environ, env, clear=True):
        namespace = runpy.run_path(str(SETTINGS_FILE))
    return {name: value for name, value in namespace.items() if name.isupper()}
