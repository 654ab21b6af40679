"""The runtime lock (what the production image installs) holds no test, lint or browser tool.

requirements.lock must be exactly the closure of pyproject's runtime `dependencies`;
requirements-dev.lock adds the `dev` extra on top of it (`-r requirements.lock`).
"""

import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker, default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name as _name  # PEP 503

ROOT = Path(__file__).resolve().parent.parent


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "-")):
            continue
        line, _, marker = line.partition(";")
        if marker.strip() and not Marker(marker.strip()).evaluate():
            continue  # for another Python than this one
        name, _, version = line.strip().partition("==")
        assert version, f"{path.name}: {line!r} is not pinned with =="
        pins[_name(name)] = version
    return pins


def _closure(requirements: list[str]) -> set[str]:
    """Every distribution these requirements install, from the installed metadata."""
    seen: set[str] = set()
    todo = [(Requirement(r), "") for r in requirements]
    env = default_environment()
    while todo:
        req, extra = todo.pop()
        if req.marker and not req.marker.evaluate({**env, "extra": extra}):
            continue
        name = _name(req.name)
        extras_key = {f"{name}[{e}]" for e in req.extras}
        if name in seen and extras_key <= seen:
            continue
        seen.add(name)
        seen |= extras_key
        for sub in metadata.requires(req.name) or []:
            sub_req = Requirement(sub)
            if not sub_req.marker:
                todo.append((sub_req, ""))
                continue
            for wanted in [""] + sorted(req.extras):
                if sub_req.marker.evaluate({**env, "extra": wanted}):
                    todo.append((sub_req, wanted))
                    break
    return {n for n in seen if "[" not in n}


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_runtime_lock_is_the_closure_of_the_runtime_dependencies():
    runtime = _closure(_project()["dependencies"])
    locked = set(_pins(ROOT / "requirements.lock"))
    extra = sorted(locked - runtime)
    assert not extra, f"requirements.lock holds packages production does not need: {extra}"
    missing = sorted(runtime - locked)
    assert not missing, f"requirements.lock misses runtime packages: {missing}"


def test_no_dev_tool_in_the_runtime_lock():
    dev_tools = {_name(Requirement(r).name) for r in _project()["optional-dependencies"]["dev"]}
    runtime_lock = set(_pins(ROOT / "requirements.lock"))
    assert dev_tools, "pyproject.toml lists no dev tools: this test would prove nothing"
    assert not dev_tools & runtime_lock, sorted(dev_tools & runtime_lock)


def test_dev_lock_builds_on_the_runtime_lock_without_repinning_it():
    dev_text = (ROOT / "requirements-dev.lock").read_text()
    assert "-r requirements.lock" in dev_text.splitlines()
    runtime, dev = _pins(ROOT / "requirements.lock"), _pins(ROOT / "requirements-dev.lock")
    assert not set(runtime) & set(dev), sorted(set(runtime) & set(dev))
    for tool in _project()["optional-dependencies"]["dev"]:
        assert _name(Requirement(tool).name) in dev, f"{tool} not pinned in requirements-dev.lock"


def test_the_image_installs_the_runtime_lock_only():
    instructions = [
        line
        for line in (ROOT / "Dockerfile").read_text().splitlines()
        if not line.lstrip().startswith("#")
    ]
    assert any("pip install" in line and "requirements.lock" in line for line in instructions)
    assert not any("requirements-dev.lock" in line for line in instructions)
