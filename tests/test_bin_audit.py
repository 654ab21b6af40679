"""bin/_audit_report.py, bin/audit's reading of pip-audit's report (issue 18): a package pip-audit
could not ask about is audited from PyPI's project endpoint only when it is pinned at the latest
release that endpoint speaks for; a vulnerability found there fails unless the exceptions file
names it or one of its aliases; anything else is NOT audited, by name, never clean.

PyPI is a local HTTP server serving the endpoint's JSON shape.
"""

import json
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import ROOT
from tests.loopback import serving

SCRIPT = ROOT / "bin" / "_audit_report.py"
ADVISORY = {
    "id": "PYSEC-2026-1",
    "aliases": ["CVE-2026-0001", "GHSA-aaaa-bbbb-cccc"],
    "withdrawn": None,
}
WITHDRAWN = {"id": "PYSEC-2025-9", "aliases": [], "withdrawn": "2025-12-01T00:00:00Z"}
PROJECTS = {
    "clean": {"info": {"version": "2.0"}, "vulnerabilities": [WITHDRAWN]},
    "flawed": {"info": {"version": "1.1"}, "vulnerabilities": [ADVISORY]},
    "behind": {"info": {"version": "3.1"}, "vulnerabilities": []},
    "typing-extensions": {"info": {"version": "4.15.0"}, "vulnerabilities": []},
    # Answers that are not the endpoint's JSON as documented: none may read as "no advisories".
    "no-field": {"info": {"version": "1.0"}},
    "null-advisories": {"info": {"version": "1.0"}, "vulnerabilities": None},
    "odd-advisory": {"info": {"version": "1.0"}, "vulnerabilities": [{"id": 7}]},
    "no-info": {"info": None},
    "a-list": [],
}
# Raw answers: an HTML page with status 200, a JSON body cut off before its announced length.
RAW = {
    "html": (b"<!doctype html><title>Proxy</title>", None),
    "cut-off": (b'{"info": {"version": "1.0"}, "vulnerab', 4096),
}


@pytest.fixture(scope="module")
def pypi():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            name = self.path.strip("/").split("/")[-2]
            if name in RAW:
                body, announced = RAW[name]
            elif name in PROJECTS:
                body, announced = json.dumps(PROJECTS[name]).encode(), None
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(announced or len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True

        def log_message(self, *args):
            pass

    with serving(ThreadingHTTPServer(("127.0.0.1", 0), Handler)) as base:
        yield f"{base}/pypi"


def audit(tmp_path, pypi, deps, exceptions="", report=None, required=False):
    names = ("report.json", "errors.txt", "exceptions.txt", "requirements.lock")
    paths = {name: tmp_path / name for name in names}
    as_reported = [{k: v for k, v in d.items() if k not in ("pinned", "lock_name")} for d in deps]
    paths["report.json"].write_text(
        report if report is not None else json.dumps({"dependencies": as_reported, "fixes": []})
    )
    paths["errors.txt"].write_text("pip-audit: connection refused\n")
    paths["exceptions.txt"].write_text(f"# accepted\n{exceptions}")
    paths["requirements.lock"].write_text(
        "# a lock as uv writes it\n"
        + "".join(f"{d.get('lock_name', d['name'].upper())}=={d['pinned']}\n" for d in deps)
    )
    env = {"PATH": "/usr/bin:/bin", "PYPI_JSON_URL": pypi}
    if required:
        env["AUDIT_REQUIRED"] = "1"
    args = [str(paths["report.json"]), str(paths["errors.txt"]), "1"]
    args += [str(paths["exceptions.txt"]), str(paths["requirements.lock"])]
    done = subprocess.run(
        [sys.executable, SCRIPT, *args], env=env, capture_output=True, text=True, timeout=60
    )
    return done.returncode, done.stdout + done.stderr


def skipped(name, version):
    """A package pip-audit could not ask about, as its report has it: no version (the lock has
    it, under the name as the lock writes it)."""
    return {"name": name, "skip_reason": f"Dependency not found on PyPI: {name}", "pinned": version}


def audited(name, version, vulns=()):
    return {"name": name, "version": version, "vulns": list(vulns), "pinned": version}


def test_pinned_at_the_latest_release_a_package_is_audited_from_the_project_endpoint(
    tmp_path, pypi
):
    deps = [audited("audited", "1.0"), skipped("clean", "2.0")]
    rc, out = audit(tmp_path, pypi, deps, required=True)
    assert rc == 0, out
    assert "audit: 2 of 2 runtime packages audited (1 by pip-audit, 1 pinned at their latest" in out
    assert f"0 known vulnerabilities not justified in {tmp_path / 'exceptions.txt'}" in out
    assert "NOT AUDITED" not in out and "PYSEC-2025-9" not in out  # a withdrawn advisory


def test_an_advisory_of_the_pinned_latest_release_fails_unless_an_alias_is_justified(
    tmp_path, pypi
):
    deps = [skipped("flawed", "1.1")]
    rc, out = audit(tmp_path, pypi, deps)
    assert rc == 1, out
    assert "VULNERABLE flawed==1.1: PYSEC-2026-1 CVE-2026-0001 GHSA-aaaa-bbbb-cccc" in out
    rc, out = audit(tmp_path, pypi, deps, exceptions="CVE-2026-0001 flawed not reachable here\n")
    assert rc == 0, out
    assert "1 of 1 runtime packages audited" in out and "VULNERABLE" not in out


def test_an_older_pin_or_an_unknown_project_is_not_audited_by_name(tmp_path, pypi):
    deps = [skipped("behind", "3.0"), skipped("nowhere", "1.0"), skipped("clean", "2.0")]
    rc, out = audit(tmp_path, pypi, deps)
    assert rc == 0, out  # said loudly, fails only when required
    assert "1 of 3 runtime packages audited" in out
    assert "NOT AUDITED (2 packages)" in out
    assert "behind: pinned 3.0, PyPI's latest is 3.1" in out
    assert "nowhere: " in out and "HTTP Error 404" in out
    assert "(pip-audit: Dependency not found on PyPI: nowhere)" in out
    rc, _ = audit(tmp_path, pypi, deps, required=True)
    assert rc == 1


def test_pip_audit_s_own_finding_fails(tmp_path, pypi):
    deps = [audited("audited", "1.0", [{"id": "GHSA-xxxx-yyyy-zzzz"}])]
    rc, out = audit(tmp_path, pypi, deps)
    assert rc == 1 and "VULNERABLE audited==1.0: GHSA-xxxx-yyyy-zzzz" in out


def test_no_report_fails_with_pip_audit_s_own_message(tmp_path, pypi):
    rc, out = audit(tmp_path, pypi, [], report="")
    assert rc == 1
    assert "pip-audit failed (exit 1) and wrote no report" in out and "connection refused" in out


def test_the_lock_s_spelling_of_a_name_is_found_as_pep_503_normalises_it(tmp_path, pypi):
    deps = [{**skipped("typing-extensions", "4.15.0"), "lock_name": "Typing_Extensions"}]
    rc, out = audit(tmp_path, pypi, deps, required=True)
    assert rc == 0, out
    assert "1 of 1 runtime packages audited" in out


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("no-field", "no list of advisories"),
        ("null-advisories", "no list of advisories"),
        ("odd-advisory", "no list of advisories"),
        ("no-info", "no release described"),
        ("a-list", "no release described"),
        ("html", "Expecting value"),
        ("cut-off", "IncompleteRead"),
    ],
)
def test_an_answer_not_as_documented_leaves_the_package_not_audited(tmp_path, pypi, name, why):
    deps = [skipped(name, "1.0"), skipped("clean", "2.0")]
    rc, out = audit(tmp_path, pypi, deps)
    assert rc == 0, out  # no crash: the other packages are still reported
    assert "1 of 2 runtime packages audited" in out and "NOT AUDITED (1 package)" in out
    (line,) = [line for line in out.splitlines() if line.startswith(f"  {name}: ")]
    assert why in line, line
    assert audit(tmp_path, pypi, deps, required=True)[0] == 1


def test_a_vulnerability_does_not_hide_the_packages_not_audited(tmp_path, pypi):
    deps = [skipped("flawed", "1.1"), skipped("behind", "3.0")]
    rc, out = audit(tmp_path, pypi, deps)
    assert rc == 1
    assert "VULNERABLE flawed==1.1" in out and "behind: pinned 3.0" in out


def test_an_endpoint_that_is_not_http_is_refused(tmp_path):
    rc, out = audit(tmp_path, "file:///etc", [skipped("clean", "2.0")])
    assert rc == 1
    assert "PYPI_JSON_URL must be an http(s) URL, not 'file:///etc'" in out
