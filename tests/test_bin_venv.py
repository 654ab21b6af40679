"""bin/_venv.sh's choice of interpreter, run in a scratch tree with empty locks: the system's
Python 3.11+ (the one the Docker image runs, and the faster build on these machines) unless
$PYTHON names another, and a .venv made with another interpreter is made again."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # each run makes a venv with pip (~4 s)

REAL = "import os, sys; print(os.path.realpath(getattr(sys, '_base_executable', sys.executable)))"
SYSTEM = Path("/usr/bin/python3")


def _real(python: str) -> str:
    return subprocess.run(  # noqa: S603 - an interpreter of this machine
        [python, "-c", REAL], capture_output=True, text=True, check=True
    ).stdout.strip()


def _usable(python: str) -> bool:
    check = "import ensurepip, sys, venv; sys.exit(sys.version_info < (3, 11))"
    return subprocess.run([python, "-c", check], capture_output=True).returncode == 0  # noqa: S603


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "repo"
    (root / "bin").mkdir(parents=True)
    for script in ("_venv.sh", "_python.sh"):
        shutil.copy2(ROOT / "bin" / script, root / "bin" / script)
    (root / "requirements.lock").write_text("")
    (root / "manage.py").write_text("")  # compilemessages: nothing to do here
    return root


def venv(root: Path, **env) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - the repository's own script
        ["bash", "-c", "source bin/_venv.sh"],  # noqa: S607
        cwd=root,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        check=True,
    )


def _another_interpreter() -> str | None:
    """A Python 3.11+ other than the system's: this test's own, or the first python3 in PATH
    (a pyenv build on these machines)."""
    if not _usable(str(SYSTEM)):
        return None
    for candidate in (sys.executable, shutil.which("python3"), shutil.which("python3.11")):
        if candidate and _usable(candidate) and _real(candidate) != _real(str(SYSTEM)):
            return candidate
    return None


def test_the_system_python_is_chosen_and_a_venv_of_another_interpreter_is_made_again(tree):
    python = _another_interpreter()
    if python is None:
        pytest.skip("needs /usr/bin/python3 (3.11+, venv) and a second interpreter")
    other = _real(python)
    # A .venv made by the other interpreter (a checkout from before this choice)...
    subprocess.run([python, "-m", "venv", "--without-pip", str(tree / ".venv")], check=True)  # noqa: S603
    assert _real(str(tree / ".venv/bin/python")) == other
    # ...is made again with the system's.
    made = venv(tree)
    assert f"making it again with {_real(str(SYSTEM))}" in made.stdout
    assert _real(str(tree / ".venv/bin/python")) == _real(str(SYSTEM))
    # A second run keeps it and says nothing.
    assert venv(tree).stdout == ""
    # $PYTHON wins.
    venv(tree, PYTHON=python)
    assert _real(str(tree / ".venv/bin/python")) == other
