"""Issue 13: one normaliser for KBO/BCE and VAT numbers, the same in the register and the
records (before, two functions named normalise_kbo behaved differently)."""

import pytest
from django.core.exceptions import ValidationError

import records.normalise
import registry.models
from registry.identifiers import normalise_kbo, normalise_vat


def test_the_register_and_the_records_use_the_same_functions():
    assert registry.models.normalise_kbo is records.normalise.normalise_kbo is normalise_kbo
    assert registry.models.normalise_vat is records.normalise.normalise_vat is normalise_vat


@pytest.mark.parametrize(
    ("raw", "kbo", "vat"),
    [
        ("0403.170.701", "0403170701", "BE0403170701"),
        ("BE 0403 170 701", "0403170701", "BE0403170701"),
        ("be0403170701", "0403170701", "BE0403170701"),
        ("", "", ""),
        ("   ", "", ""),
    ],
)
def test_valid_numbers_normalise_alike(raw, kbo, vat):
    assert normalise_kbo(raw) == kbo
    assert normalise_vat(raw) == vat


@pytest.mark.parametrize(
    ("raw", "code"),
    [("0403.170.702", "kbo_checksum"), ("12345", "kbo_format"), ("2403170701", "kbo_format")],
)
def test_invalid_numbers_are_refused_with_a_clear_code(raw, code):
    with pytest.raises(ValidationError) as kbo_error:
        normalise_kbo(raw)
    assert kbo_error.value.code == code
    with pytest.raises(ValidationError) as vat_error:
        normalise_vat(raw)
    assert vat_error.value.code == "vat_invalid"
