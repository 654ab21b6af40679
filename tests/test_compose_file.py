"""docker-compose.yml as written (issue 19, finding 5): fast checks, no container started.

- web runs gunicorn with threads (`--worker-class gthread`, more than one thread) and a
  timeout: a slow upload or download holds one thread, not a whole worker;
- web (and any service) is published on the host's loopback only: the reverse proxy on the host
  is the way in, never port 8000 from the outside (docs/OPERATIONS.md, "Reverse proxy");
- the application's environment passes TRUSTED_PROXIES (valid CIDRs by default), or behind the
  proxy every visitor has the proxy's address and every limit is global.

tests/test_compose_topology.py starts these command lines (slow); this file reads them.
"""

import ipaddress
import re
import shlex

import pytest
import yaml

from tests.conftest import ROOT

COMPOSE = ROOT / "docker-compose.yml"
DEFAULT = re.compile(r"^\$\{(?P<name>\w+):?-(?P<default>[^}]*)\}$")  # ${NAME:-default}


@pytest.fixture
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())  # the x-app anchor merged into each service


def _command(service: dict) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else [str(a) for a in command]


def _option(command: list[str], *names: str) -> str | None:
    """The value of a command-line option, written `--name value` or `--name=value`."""
    for index, arg in enumerate(command):
        for name in names:
            if arg == name and index + 1 < len(command):
                return command[index + 1]
            if arg.startswith(f"{name}="):
                return arg.split("=", 1)[1]
    return None


def _host_ip(port) -> str | None:
    """The host address of a `ports:` entry (short "IP:HOST:CONTAINER" or long syntax)."""
    if isinstance(port, dict):
        return port.get("host_ip")
    spec = str(port).split("/")[0]
    without_variables = re.sub(r"\$\{[^}]*\}", "VAR", spec)
    parts = without_variables.rsplit(":", 2)
    return parts[0] if len(parts) == 3 else None  # "HOST:CONTAINER" binds every interface


def test_web_runs_gunicorn_with_threads_and_a_timeout(compose):
    command = _command(compose["services"]["web"])
    assert command[0] == "gunicorn", command
    assert _option(command, "--worker-class", "-k") == "gthread", command
    threads = _option(command, "--threads")
    assert threads is not None and int(threads) > 1, "gthread with one thread is a sync worker"
    timeout = _option(command, "--timeout", "-t")
    assert timeout is not None and int(timeout) > 0, command


def test_web_is_published_on_the_loopback_only(compose):
    services = compose["services"]
    assert services["web"].get("ports"), "web is published (to the reverse proxy on the host)"
    for name, service in services.items():
        for port in service.get("ports", []):
            assert _host_ip(port) == "127.0.0.1", f"{name} publishes {port!r} beyond the loopback"


def test_the_app_environment_passes_trusted_proxies(compose):
    app_env = compose["x-app"]["environment"]
    assert "TRUSTED_PROXIES" in app_env
    for name in ("web", "worker", "migrate", "beat"):
        env = compose["services"][name]["environment"]
        assert env.get("TRUSTED_PROXIES") == app_env["TRUSTED_PROXIES"], name
    value = str(app_env["TRUSTED_PROXIES"])
    match = DEFAULT.match(value)
    cidrs = match["default"] if match and match["name"] == "TRUSTED_PROXIES" else value
    # The default (or a literal value) is what settings.TRUSTED_PROXIES will parse: CIDRs.
    networks = [ipaddress.ip_network(cidr.strip()) for cidr in cidrs.split(",") if cidr.strip()]
    assert networks, "a default that trusts the Docker bridge the proxy comes through"
