"""The cookie inventory as the seed makes it on an empty register, from the settings (issue 15).

Apart from test_registry_cookies.py, whose register is seeded once for the whole module: there
a second seed would update the inventory, not make it.
"""

import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from registry.models import Cookie

pytestmark = pytest.mark.django_db


@override_settings(SESSION_COOKIE_AGE=3 * 86400, SESSION_COOKIE_NAME="cdot_session")
def test_a_changed_setting_changes_the_seeded_inventory():
    call_command("seed_cdot", stdout=io.StringIO())
    cookie = Cookie.objects.get(name="cdot_session")
    assert (cookie.lifetime_value, cookie.lifetime_unit) == (3, "days")
