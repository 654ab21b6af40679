"""bin/_venv.sh run in a scratch tree, with real venvs and no network:

- its choice of interpreter (empty locks): the system's Python 3.11+ (the one the Docker image
  runs, and the faster build on these machines) unless $PYTHON names another, and a .venv made
  with another interpreter is made again;
- how it installs a lock: pip installs the uv that requirements-dev.lock pins, uv installs the
  lock; pip alone when that uv cannot be installed. The packages come from local wheels: the uv
  of this test's own venv (requirements-dev.lock pins it) packed again, and a probe package.
"""

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # each test makes a venv with pip (~4 s)

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
    (root / "requirements-dev.lock").write_text("-r requirements.lock\n")  # no uv: pip alone
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


@pytest.mark.long(13)
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


def _wheel(folder: Path, name: str, version: str, tag: str, files: dict[str, Path | bytes]) -> Path:
    """A wheel of these files (archive name: a file to copy, keeping its mode, or its bytes),
    with its RECORD; stored, not compressed (uv's binary is large)."""
    dist = f"{name}-{version}"
    wheel = folder / f"{dist}-{tag}.whl"
    record = []
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_STORED) as archive:
        for arcname, source in files.items():
            data = source.read_bytes() if isinstance(source, Path) else source
            info = zipfile.ZipInfo(arcname, date_time=(2026, 12, 7, 0, 0, 0))
            mode = source.stat().st_mode if isinstance(source, Path) else 0o100644
            info.external_attr = (mode & 0xFFFF) << 16
            archive.writestr(info, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{arcname},sha256={digest.decode()},{len(data)}")
        record.append(f"{dist}.dist-info/RECORD,,")
        archive.writestr(f"{dist}.dist-info/RECORD", "\n".join(record) + "\n")
    return wheel


def _uv_wheel(folder: Path) -> tuple[str, Path]:
    """This venv's uv (the pin of requirements-dev.lock) packed again as a wheel: its binaries
    as scripts, its package and dist-info as installed (without the installer's own files)."""
    try:
        dist = metadata.distribution("uv")
    except metadata.PackageNotFoundError:
        pytest.fail("uv is not installed in this venv: requirements-dev.lock pins it (bin/test)")
    version = dist.version
    files: dict[str, Path | bytes] = {}
    for path in dist.files or []:
        parts = path.parts
        if "__pycache__" in parts or parts[-1] in ("INSTALLER", "REQUESTED", "RECORD"):
            continue
        if parts[0] == "..":  # ../../../bin/uv, ../../../bin/uvx
            files[f"uv-{version}.data/scripts/{parts[-1]}"] = Path(path.locate())
        else:
            files[str(path)] = Path(path.locate())
    tag = next(
        line.split(":", 1)[1].strip()
        for line in (dist.read_text("WHEEL") or "").splitlines()
        if line.startswith("Tag:")
    )
    return version, _wheel(folder, "uv", version, tag, files)


def _probe(folder: Path, version: str) -> Path:
    dist_info = f"cdot_uv_probe-{version}.dist-info"
    return _wheel(
        folder,
        "cdot_uv_probe",
        version,
        "py3-none-any",
        {
            "cdot_uv_probe.py": f"VERSION = {version!r}\n".encode(),
            f"{dist_info}/METADATA": (
                f"Metadata-Version: 2.1\nName: cdot-uv-probe\nVersion: {version}\n"
            ).encode(),
            f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        },
    )


def test_the_lock_is_installed_by_the_uv_of_the_dev_lock_and_by_pip_when_that_uv_cannot_be(
    tree, tmp_path
):
    uv_folder, probes = tmp_path / "uv-wheel", tmp_path / "probes"
    uv_folder.mkdir()
    probes.mkdir()
    uv_version, _ = _uv_wheel(uv_folder)
    _probe(probes, "1.0")
    _probe(probes, "2.0")
    (tree / "requirements-dev.lock").write_text(f"-r requirements.lock\nuv=={uv_version}\n")
    # No index for either installer: pip finds what PIP_FIND_LINKS names, uv the probes.
    offline = {
        "PIP_NO_INDEX": "1",
        "UV_NO_INDEX": "1",
        "UV_FIND_LINKS": str(probes),
        "UV_CACHE_DIR": str(tmp_path / "uv-cache"),
    }

    def installer(version: str) -> str:  # who installed this version of the probe
        (record,) = tree.glob(f".venv/lib/*/site-packages/cdot_uv_probe-{version}.dist-info")
        return (record / "INSTALLER").read_text().strip()

    # bin/run's lock, while pip can find no uv: pip installs the lock, and says so once.
    (tree / "requirements.lock").write_text("cdot-uv-probe==1.0\n")
    made = venv(tree, **offline, PIP_FIND_LINKS=str(probes))
    assert made.stderr.count("installing with pip instead") == 1, made.stderr
    assert f"pip could not install uv=={uv_version}" in made.stderr
    assert installer("1.0") == "pip"
    assert not (tree / ".venv/bin/uv").exists()

    # The lock changes and pip can find the pinned uv: pip installs it, it installs the lock.
    (tree / "requirements.lock").write_text("cdot-uv-probe==2.0\n")
    made = venv(tree, **offline, PIP_FIND_LINKS=f"{probes} {uv_folder}")
    assert "installing with pip" not in made.stderr, made.stderr
    uv = subprocess.run(  # noqa: S603 - the uv just installed
        [str(tree / ".venv/bin/uv"), "--version"], capture_output=True, text=True, check=True
    )
    assert uv.stdout.split()[:2] == ["uv", uv_version]
    assert installer("2.0") == "uv"
    assert not list(tree.glob(".venv/lib/*/site-packages/cdot_uv_probe-1.0.dist-info"))
    # uv removed 1.0's files, its .pyc too: this one is uv's --compile-bytecode.
    assert list(tree.glob(".venv/lib/*/site-packages/__pycache__/cdot_uv_probe.*.pyc"))
    # The stamp: bin/run's lock (named twice, as requirements.lock and as $VENV_LOCK).
    want = hashlib.sha256((tree / "requirements.lock").read_bytes() * 2).hexdigest()
    assert (tree / ".venv/.requirements-sha256").read_text().strip() == want
    # Nothing changed: nothing installed, nothing said.
    again = venv(tree, **offline, PIP_FIND_LINKS=str(probes))
    assert (again.stdout, again.stderr) == ("", "")
