"""Housekeeping the code review asked for (#18 point 6), kept true by tests."""

import ast
import os
import re
import subprocess
from pathlib import Path

from django.conf import global_settings

from cdot_privacy import settings as project_settings
from tests.conftest import ROOT

SKIP_DIRS = {".venv", "var", ".cache", ".git", "node_modules", "test-artefacts", "__pycache__"}
SKIP_SUFFIX = ".egg-info"


def project_files(*suffixes: str):
    """The project's own files with these suffixes. The skipped folders are left unvisited
    (.venv alone holds ~24 000 files: walking it cost each test here about a second)."""
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.endswith(SKIP_SUFFIX))
        for name in sorted(files):
            path = Path(folder, name)
            if path.suffix in suffixes:
                yield path


def test_every_setting_read_with_getattr_is_declared():
    """`getattr(settings, "X", default)` hides a setting settings.py never declares."""
    undeclared = []
    for path in project_files(".py"):
        if "tests" in path.relative_to(ROOT).parts:
            continue
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "getattr"
                and len(node.args) >= 2
                and isinstance(node.args[0], ast.Name)
                and node.args[0].id == "settings"
                and isinstance(node.args[1], ast.Constant)
            ):
                name = node.args[1].value
                if not hasattr(project_settings, name) and not hasattr(global_settings, name):
                    undeclared.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert not undeclared, f"declare these in cdot_privacy/settings.py: {undeclared}"


def test_referenced_test_modules_exist():
    """A comment or doc naming a test module under tests/ names one that is there."""
    missing = []
    for path in project_files(".py", ".md", ".toml", ".yml", ".txt"):
        for ref in re.findall(r"\btests/[\w/]+\.py\b", path.read_text(errors="replace")):
            if not (ROOT / ref).exists():
                missing.append(f"{path.relative_to(ROOT)} -> {ref}")
    assert not missing, missing


def test_no_broker_files_are_committed():
    """kombu's filesystem transport writes *.exchange files where it runs: never in git."""
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert tracked, "git ls-files listed nothing: this test would prove nothing"
    broker = [name for name in tracked if name.endswith(".exchange") or "celery-broker/" in name]
    assert not broker, broker


def test_no_url_is_routed_from_the_environment():
    """A benchmark brings its own URLconf (bench/statement_urls.py); the site's are fixed."""
    routed = [
        str(path.relative_to(ROOT))
        for path in project_files(".py")
        if path.name == "urls.py"
        and "bench" not in path.relative_to(ROOT).parts
        and "os.environ" in path.read_text()
    ]
    assert not routed, routed


def test_every_environment_variable_is_in_the_operations_table():
    """docs/OPERATIONS.md's table is what an operator reads: a variable settings.py reads but
    the table leaves out is a setting nobody knows about (and a documented one settings.py no
    longer reads is a promise the code does not keep)."""
    source = (ROOT / "cdot_privacy" / "settings.py").read_text()
    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z0-9_]+)"', source))
    docs = (ROOT / "docs" / "OPERATIONS.md").read_text()
    table = set()
    for row in re.findall(r"^\| (`[A-Z0-9_]+`(?: / `[A-Z0-9_]+`)*) \|", docs, re.M):
        table |= set(re.findall(r"`([A-Z0-9_]+)`", row))
    compose_or_run_only = {"PORT", "POSTGRES_PASSWORD", "WEB_PORT"}  # read by bin/run, compose
    assert len(read) > 30
    assert read - table == set()
    assert table - read == compose_or_run_only
