"""Backup codes stored in clear by the first version are replaced by their keyed hashes.

A frozen copy of cdot_privacy.two_factor.backup_code_digest (under the SECRET_KEY in force
when the migration runs). A stored hash is 16 characters long and the codes ever issued in
clear 10 (8 for django-otp's own), so a token of 16 characters is left as it is: running this
twice changes nothing. Not reversible: the codes are not known any more (reversing leaves the
hashes, which an older version cannot verify; a superuser then issues new codes).
"""

from base64 import urlsafe_b64encode

from django.conf import settings
from django.db import migrations
from django.db.models.functions import Length
from django.utils.crypto import salted_hmac

KEY_SALT = "cdot_privacy.two_factor.backup_code"
DIGEST_LENGTH = 16


def _digest(code: str) -> str:
    normalised = "".join(code.split()).replace("-", "").lower()
    mac = salted_hmac(KEY_SALT, normalised, secret=settings.SECRET_KEY, algorithm="sha256")
    return urlsafe_b64encode(mac.digest()).decode()[:DIGEST_LENGTH]


def hash_plain_tokens(apps, schema_editor) -> None:
    StaticToken = apps.get_model("otp_static", "StaticToken")
    plain = StaticToken.objects.annotate(length=Length("token")).exclude(length=DIGEST_LENGTH)
    for token in plain.iterator():
        token.token = _digest(token.token)
        token.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [
        ("cdot_privacy", "0005_two_factor_devices_removed"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(hash_plain_tokens, migrations.RunPython.noop)]
