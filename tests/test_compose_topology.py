"""docker-compose.yml's own command lines, started on this host as compose would start them.

The test reads the compose file (no second copy of a command line): the migrate job, web
(gunicorn), worker and beat run with the environment compose would give them, the image's
ENV from the Dockerfile, and what a container would see mapped onto this host:
- hosts `postgres` and `redis` are this run's PostgreSQL (a scratch database) and Redis;
- container paths (/data/..., /tmp/..., /app/var) are folders under tmp_path;
- web's container port 8000 is a free port on 127.0.0.1 (compose's `ports:` does the same);
- EMAIL_URL points at an SMTP sink (aiosmtpd) on loopback.
Each service's healthcheck runs as written. Then: a request submitted through web is e-mailed by
the worker, confirmed through web and listed in the admin; beat's heartbeat turns /healthz from
503 to 200; a worker SIGKILLed while it is handing an outbox e-mail to SMTP is restarted and the
e-mail arrives exactly once.
"""

import asyncio
import email
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
import pytest
import yaml
from django.conf import settings

from tests.conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

APP_SERVICES = ("migrate", "web", "worker", "beat")
CONTAINER_WEB_PORT = 8000


# --- compose semantics ---------------------------------------------------------------------
def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default}, ${VAR:?error} and $$ (a literal $)."""

    def one(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name"), match.group("op"), match.group("arg")
        value = variables.get(name, "")
        if op == ":?" and not value:
            raise AssertionError(f"compose would refuse to start: {arg}")
        if op == ":-" and not value:
            return arg or ""
        return value

    pattern = r"\$\$|\$\{(?P<name>\w+)(?:(?P<op>:-|:\?)(?P<arg>[^}]*))?\}"
    return re.sub(pattern, one, value)


def dockerfile_env() -> dict[str, str]:
    """The image's ENV lines (KEY=VALUE pairs, continued lines joined)."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    env: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            for pair in shlex.split(line[4:]):
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- an SMTP sink that can hold a message in the middle of its DATA --------------------------
class Sink:
    def __init__(self):
        self.delivered: list[email.message.Message] = []
        self.held: list[str] = []
        self.hold = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's API
        if self.hold.is_set():
            self.held.append(",".join(envelope.rcpt_tos))
            while not self.release.is_set():
                await asyncio.sleep(0.1)
            return "451 try again later"  # the sender was killed meanwhile: nothing delivered
        self.delivered.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[email.message.Message]:
        return [m for m in self.delivered if address in m["To"]]


def body_of(message: email.message.Message) -> str:
    part = message.get_body(("plain",)) if hasattr(message, "get_body") else None
    if part is None:
        part = next((p for p in message.walk() if p.get_content_type() == "text/plain"), message)
    return part.get_payload(decode=True).decode()


# --- the stack -------------------------------------------------------------------------------
class Stack:
    def __init__(self, tmp_path: Path, database_url: str, redis_url: str, smtp_port: int):
        self.tmp = tmp_path
        self.compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
        self.port = free_port()
        self.procs: dict[str, subprocess.Popen] = {}
        variables = {
            "SECRET_KEY": "compose-test-" + os.urandom(16).hex(),
            "SUPPRESSION_KEY": "compose-test-" + os.urandom(16).hex(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": f"http://127.0.0.1:{self.port}",
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "WEB_PORT": str(self.port),
        }
        self.base_url = variables["SITE_URL"]
        self.database_url, self.redis_url = database_url, redis_url
        self.variables = variables

    def container_path(self, value: str) -> str:
        for prefix in ("/data/", "/tmp/", "/app/var"):  # noqa: S108 - container paths
            if value.startswith(prefix):
                target = self.tmp / "container" / value.lstrip("/")
                target.parent.mkdir(parents=True, exist_ok=True)
                return str(target)
        return value

    def env(self, service: str) -> dict[str, str]:
        image = dockerfile_env()
        declared = self.compose["services"][service].get("environment", {})
        env = {k: interpolate(str(v), self.variables) for k, v in declared.items()}
        for key in ("DATABASE_URL", "REDIS_URL"):
            url = urllib.parse.urlsplit(env[key])
            assert url.hostname == {"DATABASE_URL": "postgres", "REDIS_URL": "redis"}[key], url
        env["DATABASE_URL"], env["REDIS_URL"] = self.database_url, self.redis_url
        merged = {k: v for k, v in image.items() if k not in ("PATH", "VIRTUAL_ENV")}
        merged.update(env)
        merged = {k: self.container_path(v) for k, v in merged.items()}
        assert merged["DEPLOYMENT"] == "production"
        return {
            "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
            "HOME": os.environ.get("HOME", "/root"),
            "LANG": "C.UTF-8",
            # The container's hostname is the worker's node name (celery@$HOSTNAME).
            "HOSTNAME": socket.gethostname(),
            **merged,
        }

    def argv(self, service: str) -> list[str]:
        command = self.compose["services"][service]["command"]
        argv = [interpolate(str(a), self.variables) for a in command]
        bind = f"0.0.0.0:{CONTAINER_WEB_PORT}"
        return [f"127.0.0.1:{self.port}" if a == bind else self.container_path(a) for a in argv]

    def start(self, service: str) -> subprocess.Popen:
        log = (self.tmp / f"{service}.log").open("a")
        proc = subprocess.Popen(  # noqa: S603 - the compose file's own command line
            self.argv(service),
            cwd=ROOT,
            env=self.env(service),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL reaches the pool too
        )
        self.procs[service] = proc
        return proc

    def run(self, service: str, argv: list[str], timeout: int = 900) -> str:
        """A one-off command in a service's environment (like `docker-compose run`)."""
        done = subprocess.run(  # noqa: S603
            argv, cwd=ROOT, env=self.env(service), capture_output=True, text=True, timeout=timeout
        )
        assert done.returncode == 0, f"{argv}: {done.stdout[-2000:]}{done.stderr[-3000:]}"
        return done.stdout

    def healthcheck(self, service: str, timeout: float = 120) -> None:
        test = self.compose["services"][service]["healthcheck"]["test"]
        kind, rest = test[0], [interpolate(str(a), self.variables) for a in test[1:]]
        rest = [
            a.replace(f"127.0.0.1:{CONTAINER_WEB_PORT}", f"127.0.0.1:{self.port}") for a in rest
        ]
        argv = rest if kind == "CMD" else ["sh", "-c", rest[0]]
        env = self.env(service) if service in APP_SERVICES else {**os.environ}
        deadline = time.monotonic() + timeout
        while True:
            done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
            if done.returncode == 0:
                return
            if time.monotonic() > deadline:
                pytest.fail(
                    f"{service} healthcheck {test} never passed: {done.stdout}{done.stderr}"
                )
            time.sleep(1)

    def kill(self, service: str) -> None:
        proc = self.procs.pop(service)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=20)

    def stop_all(self) -> None:
        for service in list(self.procs):
            proc = self.procs.pop(service)
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(proc.pid, signal.SIGKILL)

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text()[-2500:]}" for p in sorted(self.tmp.glob("*.log"))
        )

    # HTTP through web, as the TLS-terminating proxy would pass it on.
    def http(self, path: str, data: dict | None = None, cookies: dict | None = None):
        headers = {"X-Forwarded-Proto": "https", "Host": f"127.0.0.1:{self.port}"}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Origin"] = f"https://127.0.0.1:{self.port}"
            headers["Referer"] = f"https://127.0.0.1:{self.port}{path}"
        request = urllib.request.Request(self.base_url + path, data=body, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), error.headers

    def post_form(self, path: str, fields: dict):
        status, page, headers = self.http(path)
        assert status == 200, (status, page[:500])
        cookie = next(
            c.split(";")[0].split("=", 1)[1]
            for c in headers.get_all("Set-Cookie") or []
            if c.startswith("csrftoken=")
        )
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.http(path, {"csrfmiddlewaretoken": token, **fields}, {"csrftoken": cookie})


def wait_until(condition, *, timeout: float, what: str, stack: Stack):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}\n{stack.logs()}")


@pytest.fixture
def compose(tmp_path, redis_url, require_postgres):
    from aiosmtpd.controller import Controller

    s = settings.DATABASES["default"]
    name = f"{s['NAME']}_compose_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"[:63]
    admin = psycopg.connect(
        host=s["HOST"], port=s["PORT"] or 5432, user=s["USER"], password=s["PASSWORD"],
        dbname="postgres", autocommit=True,
    )  # fmt: skip
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    auth = f"{s['USER']}:{s['PASSWORD']}@" if s["PASSWORD"] else f"{s['USER']}@"
    database_url = f"postgres://{auth}{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"
    import redis

    redis.Redis.from_url(redis_url).flushdb()  # this worker's own database (tests/conftest.py)
    sink = Sink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    stack = Stack(tmp_path, database_url, redis_url, smtp_port)
    stack.sink = sink
    try:
        yield stack
    finally:
        sink.release.set()
        stack.stop_all()
        controller.stop()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


ADMIN_SESSION = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django_otp.plugins.otp_totp.models import TOTPDevice
user = get_user_model().objects.create_superuser("compose-check", "ops@c-dot.be", None)
device = TOTPDevice.objects.create(user=user, name="check", confirmed=True)
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session["otp_device_id"] = device.persistent_id
session.save()
print(session.session_key)
"""

OUTBOX_ONE = """
from django.db import transaction
from records.outbox import email_enqueue
with transaction.atomic():
    row = email_enqueue(to="killed.worker@example.org", subject="Outbox check", body="once",
                        language="en", reference="compose-test")
print(row.pk)
"""

OUTBOX_STATE = """
import json
from records.models_outbox import OutboxEmail
row = OutboxEmail.objects.get(pk={pk})
print(json.dumps({{"sent": row.sent_at is not None, "attempts": row.attempts}}))
"""


def test_compose_services_run_together_on_postgres_and_redis(compose):
    stack = compose
    sink = stack.sink
    # postgres and redis are this run's servers: their own healthchecks, as written.
    stack.healthcheck("postgres")
    stack.healthcheck("redis")

    # migrate: the one-off job, as its command line says (migrate && bootstrap).
    stack.run("migrate", stack.argv("migrate"))
    # The image build's step: static files collected for WhiteNoise's manifest storage.
    stack.run("web", ["python", "manage.py", "collectstatic", "--no-input", "--verbosity", "0"])

    stack.start("web")
    stack.start("worker")
    stack.healthcheck("worker")
    # No beat yet: /healthz says so with a 503.
    status, body, _ = wait_until(
        lambda: (r := stack.http("/healthz"))[0] in (200, 503) and r,
        timeout=90,
        what="web to answer",
        stack=stack,
    )
    assert status == 503 and json.loads(body)["checks"]["beat"] == "never", body
    stack.start("beat")
    stack.healthcheck("web")  # curl -fsS .../healthz: passes once beat's heartbeat ran
    status, body, _ = stack.http("/healthz")
    assert status == 200 and json.loads(body)["checks"] == {
        "database": "ok",
        "broker": "ok",
        "beat": "ok",
    }, body

    # A request through web; the worker e-mails the confirmation link to the SMTP sink.
    address = "compose.visitor@example.org"
    status, page, _ = stack.post_form(
        "/en/privacy/request/",
        {"type": "access", "name": "Compose Visitor", "email": address, "website": ""},
    )
    assert status == 200, page[:1000]
    mails = wait_until(lambda: sink.to(address), timeout=60, what="the e-mail", stack=stack)
    link = re.search(r"https?://\S+/verify/\S+/", body_of(mails[0])).group(0)
    verify_path = urllib.parse.urlsplit(link).path
    status, page, _ = stack.post_form(verify_path, {})
    assert status == 200, page[:1000]

    # The confirmed request is listed in the admin (a staff session with its second factor).
    session_key = stack.run(
        "web", ["python", "manage.py", "shell", "--no-imports", "-c", ADMIN_SESSION]
    ).split()[-1]
    status, page, _ = stack.http(
        "/admin/requests_app/datasubjectrequest/", cookies={"sessionid": session_key}
    )
    # The subject names the request's reference ("... your privacy request <reference>").
    reference = str(mails[0]["Subject"]).split()[-1]
    assert status == 200 and reference in page, page[-3000:]

    # Kill the worker while it is handing an outbox e-mail to SMTP; restarted, it sends it once.
    # Beat is stopped first, so its minute flush cannot send it: the flush the restarted worker
    # queues at its start does (records/tasks.py), well before Redis's visibility_timeout.
    stack.kill("beat")
    sink.hold.set()
    pk = int(
        stack.run(
            "web", ["python", "manage.py", "shell", "--no-imports", "-c", OUTBOX_ONE]
        ).split()[-1]
    )
    wait_until(lambda: sink.held, timeout=60, what="the worker to start sending", stack=stack)
    stack.kill("worker")
    sink.hold.clear()
    sink.release.set()
    stack.start("worker")
    stack.healthcheck("worker")
    wait_until(
        lambda: sink.to("killed.worker@example.org"),
        timeout=30,
        what="the killed worker's e-mail after the restart",
        stack=stack,
    )
    time.sleep(5)  # anything sent twice would arrive now
    assert len(sink.to("killed.worker@example.org")) == 1
    state = json.loads(
        stack.run(
            "web",
            ["python", "manage.py", "shell", "--no-imports", "-c", OUTBOX_STATE.format(pk=pk)],
        ).split("\n")[-2]
    )
    assert state["sent"], state
