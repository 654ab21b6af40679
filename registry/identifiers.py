"""The one normaliser of Belgian company (KBO/BCE) and VAT numbers (issue 13: before, the
register and the records each had a `normalise_kbo`, and they behaved differently).

A company number is 10 digits starting with 0 or 1, its last two digits 97 - (first eight
mod 97); a VAT number is BE + the company number (python-stdnum, `stdnum.be.vat`). Used by the
register (Organisation, processor clients), the records (contacts, invoices), the importer and
the data-subject search. `registry` is the lowest layer, so it lives here.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.be import vat as be_vat

KBO_RE = re.compile(r"^[01]\d{9}$")


def normalise_kbo(value: str | None) -> str:
    """'0403.170.701', 'BE 0403 170 701' -> '0403170701'; '' when empty.

    Raises ValidationError (code kbo_format or kbo_checksum) for anything else.
    """
    if not value or not value.strip():
        return ""
    compact = be_vat.compact(value)
    if not KBO_RE.match(compact):
        raise ValidationError(
            _("Enter the 10 digits of the company number, starting with 0 or 1 (e.g. 0123456749)."),
            code="kbo_format",
        )
    if not be_vat.is_valid(compact):
        raise ValidationError(
            _("This company number fails its check digits; please check it in the KBO/BCE."),
            code="kbo_checksum",
        )
    return compact


def normalise_vat(value: str | None) -> str:
    """'be 0403.170.701' -> 'BE0403170701'; '' when empty; ValidationError (vat_invalid) else."""
    if not value or not value.strip():
        return ""
    try:
        return "BE" + normalise_kbo(value)
    except ValidationError as exc:
        raise ValidationError(
            _("Enter a Belgian VAT number: BE followed by the 10-digit company number."),
            code="vat_invalid",
        ) from exc


def validate_kbo(value: str) -> None:
    """Django validator (empty allowed)."""
    normalise_kbo(value)


def validate_vat(value: str) -> None:
    """Django validator (empty allowed)."""
    normalise_vat(value)


def format_kbo(value: str) -> str:
    """'0123456749' -> '0123.456.749' (the way the KBO/BCE shows it)."""
    if not KBO_RE.match(value or ""):
        return value or ""
    return f"{value[:4]}.{value[4:7]}.{value[7:]}"
