"""Normalised search keys and validators shared by the records, the import and the API.

One definition of "the same e-mail", "the same phone number" and "a valid VAT / KBO number",
so that a data-subject search, a suppression check and an import all agree.
"""

import hashlib
import hmac
import unicodedata

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# One normaliser for company and VAT numbers, shared with the register (issue 13).
from registry.identifiers import normalise_kbo, normalise_vat

PHONE_REGION = "BE"


def normalise_email(value: str | None) -> str:
    """The e-mail as a search key: surrounding whitespace stripped, lower-cased."""
    return (value or "").strip().lower()


def email_sha256(value: str | None) -> str:
    """Plain SHA-256 hex of the normalised e-mail. Never stored on its own: a dictionary of
    addresses reverses it. Only the input of the keyed hash below."""
    return hashlib.sha256(normalise_email(value).encode("utf-8")).hexdigest()


def keyed_hash(sha256_hex: str, key: str | None = None) -> str:
    """HMAC-SHA256 under SUPPRESSION_KEY of an e-mail's SHA-256 hex (what the migration of
    the old unkeyed entries computes from the stored hash alone, without the address)."""
    secret = (key if key is not None else settings.SUPPRESSION_KEY).encode("utf-8")
    return hmac.new(secret, sha256_hex.encode("ascii"), hashlib.sha256).hexdigest()


def email_hash(value: str | None) -> str:
    """The keyed, pseudonymous key of an e-mail: HMAC(SUPPRESSION_KEY, sha256(address)).

    Lets a suppression list and a consent proof outlive the address, and cannot be reversed
    with a dictionary of addresses without the key (Art. 4(5), 32(1)(a)).
    """
    return keyed_hash(email_sha256(value))


def email_hashes(value: str | None) -> list[str]:
    """The keyed hash under the current key and under each SUPPRESSION_KEY_FALLBACKS key
    (entries written before a key rotation still match)."""
    sha = email_sha256(value)
    keys = [settings.SUPPRESSION_KEY, *settings.SUPPRESSION_KEY_FALLBACKS]
    return [keyed_hash(sha, key) for key in keys]


def normalise_phone(value: str | None) -> str | None:
    """The phone number in E.164 (`+3215...`), read as Belgian when it has no country code.

    Returns None for an empty or impossible number, so that a search key is never a guess.
    """
    if not value or not value.strip():
        return None
    try:
        parsed = phonenumbers.parse(value, PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def validate_phone(value: str) -> None:
    """Django validator: a phone number that normalises to E.164 (empty is allowed)."""
    if value and normalise_phone(value) is None:
        raise ValidationError(_("Enter a valid phone number."), code="invalid_phone")


def validate_kbo(value: str) -> None:
    """Django validator for KBO/BCE numbers (registry.identifiers.normalise_kbo)."""
    normalise_kbo(value)


def validate_vat(value: str) -> None:
    """Django validator for Belgian VAT numbers (registry.identifiers.normalise_vat)."""
    normalise_vat(value)


def normalise_name(value: str | None) -> str:
    """A name part as a search key: accents and case dropped, only letters and digits kept
    ("Dupré" -> "dupre", "Van den Broeck" / "VanDen Broeck" -> "vandenbroeck")."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    return "".join(
        ch for ch in decomposed.casefold() if ch.isalnum() and not unicodedata.combining(ch)
    )


def name_key(*, first_name: str, last_name: str) -> str:
    """Contact.name_key: "<last>|<first>", each normalised (one indexed column for names)."""
    return f"{normalise_name(last_name)}|{normalise_name(first_name)}"
