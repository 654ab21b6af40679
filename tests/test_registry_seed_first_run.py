"""The seed on an empty database: a dry run writes nothing, a first run reads each table once,
and a seed stopped half-way (a row added behind its back, a wrong value) leaves nothing.

Apart from test_registry_seed.py, whose register is seeded once for the whole module: there a
seed is always a second run.
"""

import io
import re
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from registry import seed_data
from registry.models import DataSubjectCategory, Organisation, ProcessingActivity
from registry.services import register_seed
from tests.test_registry_seed import history_count, seed

pytestmark = pytest.mark.django_db


def test_dry_run_reports_but_writes_nothing():
    out = io.StringIO()
    call_command("seed_cdot", "--dry-run", stdout=out)
    assert "would be created" in out.getvalue()
    assert not ProcessingActivity.objects.exists()
    assert history_count() == 0


def _tables_read(queries) -> Counter:
    return Counter(
        match[1]
        for q in queries
        if q["sql"].startswith("SELECT") and (match := re.search(r'FROM "(\w+)"', q["sql"]))
    )


def test_a_seed_reads_each_table_once_not_once_per_row(django_assert_max_num_queries):
    """A fresh seed asks each history table once which rows staff deleted (it asked per row:
    720 queries, now ~430, the rest writes); a run over the seeded register reads each table
    once (189 queries before, 18 now)."""
    with CaptureQueriesContext(connection) as fresh:
        seed()
    history_reads = {table: n for table, n in _tables_read(fresh).items() if "historical" in table}
    assert history_reads
    assert set(history_reads.values()) == {1}, history_reads
    with django_assert_max_num_queries(25):
        assert not register_seed().changed


def test_a_row_added_behind_the_seeders_back_is_refused_by_the_database():
    """The seed checks its lookups (code, name) against the rows it read, not with a query per
    row: a row another writer adds meanwhile meets the database's unique index, and the seed
    stops naming the table and column, leaving nothing written."""
    codes = list(seed_data.DATA_SUBJECT_CATEGORIES)
    ticks = []

    def tick() -> None:  # after the first category: the seeder has read its table
        ticks.append(1)
        if len(ticks) == 3:
            DataSubjectCategory.objects.create(code=codes[1], name="elsewhere")

    with pytest.raises(IntegrityError) as error:
        register_seed(progress=tick)
    assert "datasubjectcategory" in str(error.value)
    assert "code" in str(error.value)
    assert not DataSubjectCategory.objects.exists()
    assert not Organisation.objects.exists()


def test_a_wrong_value_in_the_seed_still_stops_it_with_the_fields_message(monkeypatch):
    revised = [dict(spec) for spec in seed_data.RETENTION_RULES]
    revised[0]["period"] = (-1, "years")
    monkeypatch.setattr(seed_data, "RETENTION_RULES", revised)
    with pytest.raises(ValidationError) as error:
        register_seed()
    assert "period_value" in error.value.message_dict
    assert not ProcessingActivity.objects.exists()
