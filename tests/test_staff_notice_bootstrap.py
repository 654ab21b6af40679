"""The run command publishes the staff privacy notice (#16 point 5, purpose G).

Apart from test_staff_notice.py: this test commits (the bootstrap, twice), which a module whose
register is seeded once in a rolled-back transaction cannot hold.
"""

import io

import pytest
from django.core.management import CommandError, call_command

from statement.models import StaffNoticeVersion


@pytest.mark.slow  # Two whole bootstraps (seed, roles, statement and notice)
def test_the_run_command_publishes_the_staff_notice_once(transactional_db):
    """Purpose G says the staff arrangements are in a separate document: from the first run
    on, it exists; a second run adds no version (bootstrap calls publish_staff_notice)."""
    with pytest.raises(CommandError, match="lacks the controller"):
        call_command("publish_staff_notice", stdout=io.StringIO())
    assert not StaffNoticeVersion.objects.exists()
    call_command("bootstrap", stdout=io.StringIO(), stderr=io.StringIO())
    assert StaffNoticeVersion.objects.count() == 1
    out = io.StringIO()
    call_command("bootstrap", stdout=out, stderr=io.StringIO())
    assert StaffNoticeVersion.objects.count() == 1
    assert "staff notice unchanged" in out.getvalue()
