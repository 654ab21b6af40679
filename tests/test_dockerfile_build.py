"""The Dockerfile's build step runs under the production settings it will ship with.

The image's `RUN ... manage.py collectstatic ... compilemessages` loads settings with
DEPLOYMENT=production (the image's ENV), where SECRET_KEY, SUPPRESSION_KEY, ALLOWED_HOSTS and
SITE_URL are required. A required setting added to settings.py without a build-only value in
the Dockerfile broke the image build (CI, container check); this test runs those manage.py
commands on the host, with the image's ENV and the RUN line's own exports, so that mistake
fails here in seconds instead of minutes into a Docker build.
"""

import os
import shlex
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.test_compose_topology import dockerfile_env

pytestmark = pytest.mark.slow  # two Django start-ups in subprocesses


def build_run_line() -> str:
    """The RUN instruction that calls manage.py (continued lines joined)."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    runs = [line for line in text.splitlines() if line.startswith("RUN ") and "manage.py" in line]
    assert len(runs) == 1, runs
    return runs[0][4:]


def split_assignments(step: str) -> tuple[dict[str, str], list[str]]:
    """`export A=1 B=2` or `A=1 B=2 python ...`: the variables set and the command after them."""
    words = shlex.split(step)
    if words and words[0] == "export":
        words = words[1:]
    assigned: dict[str, str] = {}
    while words and "=" in words[0] and words[0].split("=", 1)[0].isidentifier():
        key, _, value = words.pop(0).partition("=")
        assigned[key] = value
    return assigned, words


def test_dockerfile_manage_py_steps_run_with_production_settings(tmp_path):
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    env |= {k: v for k, v in dockerfile_env().items() if k not in ("PATH", "VIRTUAL_ENV")}
    assert env["DEPLOYMENT"] == "production"
    commands = []
    for step in build_run_line().split("&&"):
        assigned, argv = split_assignments(step.strip())
        env |= assigned  # an export, or a one-command prefix (kept on: harmless here)
        if argv[:2] == ["python", "manage.py"]:
            commands.append(argv)
    assert {"collectstatic", "compilemessages"} <= {argv[2] for argv in commands}
    env["VAR_DIR"] = str(tmp_path / "var")  # the image's /app/var
    (tmp_path / "var").mkdir()
    for argv in commands:
        if argv[2] == "compilemessages":
            argv.append("--ignore=.venv")  # the image has no .venv inside /app
        if argv[2] == "collectstatic":
            # Settings and storages load, files are found; the compression (25 s of CPU) is
            # left to the image build that bin/container-check runs.
            argv.append("--dry-run")
        done = subprocess.run(
            [sys.executable, *argv[1:]], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, f"{shlex.join(argv)}\n{done.stderr[-3000:]}"
