"""Static gates the test command enforces: bandit finds no medium or high security issue in the
project code (tests, the virtualenv and migrations excluded); a finding that is safe must be
justified where it stands (`# nosec BXXX - reason`)."""

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

EXCLUDED = ["./tests", "./.venv", "./var", "./.cache", "./bench", "*/migrations/*"]


def bandit_findings() -> list[dict]:
    run = subprocess.run(
        [sys.executable, "-m", "bandit", "--quiet", "--recursive", ".", "--format", "json"]
        + ["--exclude", ",".join(EXCLUDED), "--severity-level", "medium"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(run.stdout)
    assert not report["errors"], report["errors"]
    return report["results"]


@pytest.mark.long(4)
def test_bandit_finds_no_medium_or_high_issue():
    findings = bandit_findings()
    assert not findings, "bandit (justify a safe one inline with `# nosec BXXX - reason`):\n" + (
        "\n".join(
            f"{f['filename']}:{f['line_number']} {f['test_id']} {f['issue_severity']}: "
            f"{f['issue_text']}"
            for f in findings
        )
    )


def test_bandit_scans_the_project_apps():
    """The gate looks at real code: the scan covers every app and skips migrations."""
    run = subprocess.run(
        [sys.executable, "-m", "bandit", "--quiet", "--recursive", ".", "--format", "json"]
        + ["--exclude", ",".join(EXCLUDED), "--severity-level", "low", "--confidence-level", "low"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    scanned = set(json.loads(run.stdout)["metrics"]) - {"_totals"}
    for app in ("cdot_privacy", "registry", "records", "retention", "requests_app"):
        assert any(name.startswith(f"./{app}/") for name in scanned), app
    assert not any("/migrations/" in name or name.startswith("./tests/") for name in scanned)
