"""bin/test's own logic, run on stand-ins: the real script in a scratch tree whose ruff, pytest,
mypy, pip-audit (bin/audit) and manage.py only print, sleep and exit as a test says.

mypy, pip-audit and the migrations check run beside pytest (issue 18): each must be reported
and must fail the run whatever pytest did, --fast must not start them, and an interrupted run
must not leave them running.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

TITLES = ("» mypy (services)", "» pip-audit (runtime lock)", "» migrations match the models")

STUBS = {
    "bin/_venv.sh": ":\n",
    ".venv/bin/ruff": "#!/bin/sh\nexit 0\n",
    ".venv/bin/pytest": f"""#!{sys.executable}
import os, sys, time
print("pytest-ran", *sys.argv[1:], flush=True)
open(os.path.join(os.environ["MARKS"], "pytest.started"), "w").close()
try:
    time.sleep(float(os.environ.get("PYTEST_SLEEP", "0")))
except KeyboardInterrupt:  # as pytest: an interrupted run exits 2
    print("pytest-interrupted", flush=True)
    sys.exit(2)
sys.exit(int(os.environ.get("PYTEST_RC", "0")))
""",
    ".venv/bin/mypy": """#!/bin/sh
echo mypy-ran
echo $$ >"$MARKS/mypy.pid"
sleep "${MYPY_SLEEP:-0}"
exit "${MYPY_RC:-0}"
""",
    "bin/audit": '#!/bin/sh\necho audit-ran\nexit "${AUDIT_RC:-0}"\n',
    ".venv/bin/python": f"""#!/bin/sh
if [ "$1" = manage.py ]; then echo migrations-ran; exit "${{MIGRATIONS_RC:-0}}"; fi
exec {sys.executable} "$@"
""",
}


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "repo"
    (root / "bin").mkdir(parents=True)
    shutil.copy2(ROOT / "bin" / "test", root / "bin" / "test")
    for name, text in STUBS.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(0o755)
    # The Nu checker as installed, so the script does not call npm.
    version = re.search(r"^VNU_VERSION=(\S+)", (ROOT / "bin" / "test").read_text(), re.M)[1]
    vnu = root / ".cache/npm/node_modules/vnu-jar"
    (vnu / "build/dist").mkdir(parents=True)
    (vnu / "build/dist/vnu.jar").write_bytes(b"")
    (vnu / "package.json").write_text(f'{{"version": "{version}"}}')
    marks = tmp_path / "marks"
    marks.mkdir()
    return root, marks


def run(tree, *args, **rcs) -> subprocess.CompletedProcess:
    root, marks = tree
    env = {"PATH": os.environ["PATH"], "MARKS": str(marks), **{k: str(v) for k, v in rcs.items()}}
    return subprocess.run(  # noqa: S603 - the repository's own script
        ["bash", str(root / "bin" / "test"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_all_green_reports_every_check_after_pytest(tree):
    done = run(tree)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert out.index("pytest-ran") < min(out.index(title) for title in TITLES)
    assert all(title in out for title in TITLES)
    assert {"mypy-ran", "audit-ran", "migrations-ran"} <= set(out.split())


@pytest.mark.parametrize("check", ["MYPY_RC", "AUDIT_RC", "MIGRATIONS_RC"])
def test_a_failing_check_fails_a_run_whose_tests_pass(tree, check):
    done = run(tree, **{check: 1})
    assert done.returncode != 0
    assert "FAILED" in done.stderr


def test_failing_tests_still_report_the_checks(tree):
    done = run(tree, PYTEST_RC=1)
    assert done.returncode == 1, done.stdout + done.stderr
    assert all(title in done.stdout for title in TITLES), done.stdout


def test_failing_tests_and_a_failing_check_report_both_and_fail(tree):
    done = run(tree, PYTEST_RC=1, MYPY_RC=1)
    assert done.returncode != 0
    assert "» mypy (services)" in done.stdout and "mypy-ran" in done.stdout, done.stdout
    assert "mypy (services): FAILED" in done.stderr


def test_fast_starts_no_check(tree):
    root, marks = tree
    done = run(tree, "--fast", "-x")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pytest-ran -n auto -m not slow -x" in done.stdout
    assert not any(title in done.stdout for title in TITLES)
    assert not (marks / "mypy.pid").exists()


def test_an_interrupted_run_ends_at_once_and_leaves_no_check_running(tree):
    root, marks = tree
    log = marks / "bin-test.log"  # a file: a pipe would stay open while anything is left running
    env = {"PATH": os.environ["PATH"], "MARKS": str(marks), "PYTEST_SLEEP": "60"}
    env["MYPY_SLEEP"] = "60"  # still running when Ctrl-C comes
    proc = subprocess.Popen(  # noqa: S603 - the repository's own script
        # SIGINT handled by default, as in a shell at a terminal. A pytest started in the
        # background by a script (`cmd &` ignores SIGINT without job control) passes the
        # ignoring on, and bash cannot trap a signal ignored when it starts.
        ["env", "--default-signal=INT", "bash", str(root / "bin" / "test")],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own group: Ctrl-C reaches the group, as a terminal's does
    )
    mypy = None
    try:
        deadline = time.monotonic() + 20
        while not ((marks / "pytest.started").exists() and (marks / "mypy.pid").exists()):
            assert time.monotonic() < deadline, "pytest and mypy never started"
            time.sleep(0.05)
        mypy = int((marks / "mypy.pid").read_text())
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C
        proc.wait(timeout=15)
        out = log.read_text()
        assert proc.returncode != 0, out
        assert "FAILED" not in out, out  # a check that Ctrl-C ended is not reported as failing
        deadline = time.monotonic() + 5
        while _alive(mypy):
            assert time.monotonic() < deadline, f"mypy still running after the interrupt\n{out}"
            time.sleep(0.05)
    finally:
        for pid in (proc.pid, mypy):
            if pid and _alive(pid):
                os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=5)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (ended, not yet reaped by its parent) is not running.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")
