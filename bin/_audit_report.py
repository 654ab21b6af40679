"""Reads pip-audit's JSON report on the runtime lock for bin/audit, and asks PyPI again for the
packages pip-audit could not audit.

pip-audit asks PyPI's per-version JSON API (`/pypi/<name>/<version>/json`), which some networks
do not reach (this project's CI machines get a 404 for every package). The project endpoint
(`/pypi/<name>/json`) answers there: it describes the project's latest release, its
`vulnerabilities` those of that release only (the same OSV data pip-audit reads). So a package
pinned at its latest release is audited from it; any other stays NOT AUDITED, said by name, and
never counted as clean.

Any answer that is not the endpoint's JSON as documented (a network error, a cut-off body, another
shape) leaves the package NOT AUDITED, with the reason.

Exit status: 1 for a known vulnerability not justified in the exceptions file (matched by its id
or one of its aliases, CVE or GHSA), when pip-audit wrote no report, or when PYPI_JSON_URL is not
an http(s) URL; 1 for a package not audited when AUDIT_REQUIRED=1; 0 otherwise.

Usage: _audit_report.py REPORT ERRORS STATUS EXCEPTIONS LOCK   (PYPI_JSON_URL: the endpoint's base)
"""

from __future__ import annotations

import http.client
import json
import os
import re
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from packaging.utils import canonicalize_name

PYPI_JSON_URL = os.environ.get("PYPI_JSON_URL", "https://pypi.org/pypi")
TIMEOUT = 20  # seconds each socket operation may wait (urllib's timeout)


def exception_ids(path: Path) -> set[str]:
    """The ids in the exceptions file (bin/audit has checked each has a justification)."""
    ids = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        words = line.split()
        if words and not words[0].startswith("#"):
            ids.add(words[0])
    return ids


def pinned_versions(lock: Path) -> dict[str, str]:
    """name -> version for each `name==version` line of a lock (pip-audit's report gives no version
    for a package it skipped); names normalised as PEP 503 says."""
    pins = re.findall(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)", lock.read_text(encoding="utf-8"), re.M)
    return {canonicalize_name(name): version for name, version in pins}


def latest_release_advisories(name: str, version: str) -> tuple[list[str] | None, str]:
    """(advisories, "") when PyPI's project endpoint speaks for `version`: each advisory as its
    id and aliases, withdrawn ones left out; (None, why) when it cannot."""
    url = f"{PYPI_JSON_URL}/{name}/json"
    try:
        # main() has refused any scheme but http(s) in PYPI_JSON_URL.
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # noqa: S310  # nosec B310 - http(s) only
            data = json.load(response)
    # OSError: URLError, HTTPError, timeouts, resets; HTTPException: a body cut off; ValueError:
    # not JSON.
    except (OSError, http.client.HTTPException, ValueError) as error:
        return None, f"{url}: {error}"
    info = data.get("info") if isinstance(data, dict) else None
    if not isinstance(info, dict):
        return None, f"{url}: no release described"
    if info.get("version") != version:
        return None, f"pinned {version}, PyPI's latest is {info.get('version')}"
    advisories = data.get("vulnerabilities")
    # Missing is not "none known": pip-audit would read it so; here it leaves the package unaudited.
    if not isinstance(advisories, list) or not all(map(well_formed, advisories)):
        return None, f"{url}: no list of advisories as PyPI documents it"
    return [
        " ".join([advisory["id"], *(advisory.get("aliases") or [])])
        for advisory in advisories
        if not advisory.get("withdrawn")
    ], ""


def well_formed(advisory: object) -> bool:
    """An advisory as PyPI's endpoint gives it: a string id, its aliases a list of strings."""
    if not isinstance(advisory, dict) or not isinstance(advisory.get("id"), str):
        return False
    aliases = advisory.get("aliases") or []
    return isinstance(aliases, list) and all(isinstance(alias, str) for alias in aliases)


def main(report: str, errors_path: str, status: str, exceptions_path: str, lock: str) -> int:
    if not PYPI_JSON_URL.startswith(("https://", "http://")):
        print(f"PYPI_JSON_URL must be an http(s) URL, not {PYPI_JSON_URL!r}", file=sys.stderr)
        return 1
    errors = Path(errors_path).read_text(encoding="utf-8").strip()
    try:
        data = json.loads(Path(report).read_text(encoding="utf-8"))
    except ValueError:
        # pip-audit wrote no report: say why (its own message), never pass silently.
        print(f"pip-audit failed (exit {status}) and wrote no report:\n{errors}", file=sys.stderr)
        return 1
    accepted = exception_ids(Path(exceptions_path))
    deps = data.get("dependencies", [])
    vulns = [(d["name"], d["version"], v["id"]) for d in deps for v in d.get("vulns", [])]
    pins = pinned_versions(Path(lock))
    skipped = [
        {**d, "version": d.get("version") or pins.get(canonicalize_name(d["name"]), "?")}
        for d in deps
        if d.get("skip_reason")
    ]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(lambda d: latest_release_advisories(d["name"], d["version"]), skipped)
        )
    not_audited = []
    for dep, (advisories, why) in zip(skipped, answers, strict=True):
        if advisories is None:
            not_audited.append((dep["name"], f"{why} (pip-audit: {dep['skip_reason']})"))
            continue
        for advisory in advisories:
            if not accepted & set(advisory.split()):
                vulns.append((dep["name"], dep["version"], advisory))
    for name, version, vid in vulns:
        print(f"VULNERABLE {name}=={version}: {vid}")
    from_project = len(skipped) - len(not_audited)
    print(
        f"audit: {len(deps) - len(not_audited)} of {len(deps)} runtime packages audited "
        f"({len(deps) - len(skipped)} by pip-audit, {from_project} pinned at their latest release "
        f"from PyPI's project endpoint), {len(vulns)} known vulnerabilities not justified in "
        f"{exceptions_path}"
    )
    if not_audited:
        count = f"{len(not_audited)} package{'s' if len(not_audited) > 1 else ''}"
        print(f"audit: NOT AUDITED ({count}), no clean bill for these:")
        for name, why in not_audited:
            print(f"  {name}: {why}")
    if vulns:
        return 1
    return 1 if not_audited and os.environ.get("AUDIT_REQUIRED") == "1" else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
