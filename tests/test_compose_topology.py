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

What keeps it fast (#18) without proving less:
- the scratch database is a clone of the test run's migrated template (tests/conftest.py,
  `_postgres_template`): the migrate job's command still runs, finds nothing to apply (as at every
  redeploy) and bootstraps; the migrations themselves are applied from scratch on PostgreSQL by
  the run that makes the template (CI's fresh server, or any change of a migration or lock);
- the heartbeat's last run is set a minute back before beat starts, as after a redeploy, so beat
  sends it at once instead of a full interval after bootstrap;
- a worker's healthcheck (`celery inspect ping`, which waits out its --timeout when the worker
  is not listening yet) is first run once the worker's log says it is ready;
- "sent exactly once" waits for the outbox row to be sent and the worker's queue to be empty,
  then a short grace, instead of a fixed sleep.
"""

import asyncio
import email
import json
import os
import queue
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

from tests.conftest import ROOT, _postgres_template

# django_db: this run's test database is set up first, so the migrated template the stack's
# database is cloned from exists (scratch_database); the test itself does not use it.
pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.django_db]

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
        self.log_start: dict[str, int] = {}  # where the running process's lines begin
        self.shells: list[Shell] = []
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
        path = self.tmp / f"{service}.log"
        self.log_start[service] = path.stat().st_size if path.exists() else 0
        log = path.open("a")
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

    def shell(self, service: str, code: str) -> "Shell":
        """`manage.py shell -c code` in a service's environment, left running: the test reads
        what it prints and tells it when to go on (one Django start for several steps)."""
        shell = Shell(self, service, code)
        self.shells.append(shell)
        return shell

    def log_since_start(self, service: str) -> str:
        """What the service's running process has logged."""
        with (self.tmp / f"{service}.log").open("rb") as log:
            log.seek(self.log_start[service])
            return log.read().decode(errors="replace")

    def healthcheck(
        self, service: str, timeout: float = 120, interval: float = 0.2, ready=None
    ) -> None:
        """The service's healthcheck command, as written, until it passes. `ready`: a cheap
        sign (polled first, up to 20 s per attempt) that running the command may pass now."""
        test = self.compose["services"][service]["healthcheck"]["test"]
        kind, rest = test[0], [interpolate(str(a), self.variables) for a in test[1:]]
        rest = [
            a.replace(f"127.0.0.1:{CONTAINER_WEB_PORT}", f"127.0.0.1:{self.port}") for a in rest
        ]
        argv = rest if kind == "CMD" else ["sh", "-c", rest[0]]
        env = self.env(service) if service in APP_SERVICES else {**os.environ}
        deadline = time.monotonic() + timeout
        while True:
            if ready is not None:
                # Only a hint: the command decides. Without it, it is run every 20 s.
                until = min(time.monotonic() + 20, deadline)
                while not ready() and time.monotonic() < until:
                    time.sleep(0.2)
            done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
            if done.returncode == 0:
                return
            if time.monotonic() > deadline:
                pytest.fail(
                    f"{service} healthcheck {test} never passed: {done.stdout}{done.stderr}"
                    f"\n{self.logs()}"
                )
            time.sleep(interval)

    def worker_ready(self) -> bool:
        """The running worker logged Celery's "celery@<node> ready." (its consumer and its
        remote-control mailbox listen: `celery inspect ping` can be answered)."""
        return bool(re.search(r"celery@\S+ ready\.", self.log_since_start("worker")))

    def kill(self, service: str) -> None:
        proc = self.procs.pop(service)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=20)

    def stop_all(self) -> None:
        """SIGTERM to every service at once (as `docker compose down`), then wait for each."""
        for shell in self.shells:  # one a failed test left waiting
            if shell.proc.poll() is None:
                shell.proc.kill()
        procs = [self.procs.pop(service) for service in list(self.procs)]
        for proc in procs:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 20
        for proc in procs:
            try:
                proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=20)

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

    def http_if_listening(self, path: str):
        """`http`, or None while web does not accept connections yet (gunicorn starting)."""
        try:
            return self.http(path)
        except urllib.error.URLError as error:
            if isinstance(error.reason, ConnectionRefusedError):
                return None
            raise

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


class Shell:
    """A `manage.py shell -c` running beside the services (Stack.shell): `line()` is the next
    line it prints, `go()` ends the `input()` it waits on, `close()` checks it ended well."""

    def __init__(self, stack: Stack, service: str, code: str):
        self.log = stack.tmp / "shell.log"
        self.proc = subprocess.Popen(  # noqa: S603
            ["python", "manage.py", "shell", "--no-imports", "-c", code],
            cwd=ROOT,
            env=stack.env(service),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log.open("a"),
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.strip())
        self.lines.put("")  # it ended

    def line(self, timeout: float = 300) -> str:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            self.proc.kill()
            pytest.fail(f"manage.py shell printed nothing in {timeout} s: {self.log.read_text()}")
        if not line:
            self.proc.wait(timeout=30)
            pytest.fail(f"manage.py shell ended ({self.proc.returncode}): {self.log.read_text()}")
        return line

    def go(self) -> None:
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def close(self, timeout: float = 60) -> None:
        self.proc.stdin.close()
        assert self.proc.wait(timeout=timeout) == 0, self.log.read_text()[-3000:]


def wait_until(condition, *, timeout: float, what: str, stack: Stack):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}\n{stack.logs()}")


def scratch_database(admin, name: str) -> None:
    """`name`, cloned from the test run's migrated template when there is one (made or cloned by
    this run's django_db_setup); else empty, and the migrate job applies every migration."""
    template = _postgres_template()
    if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone():
        for attempt in range(40):
            try:
                admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
                return
            except psycopg.errors.InvalidCatalogName:  # dropped since: other migrations' run
                break
            except psycopg.errors.ObjectInUse:  # another worker is cloning it right now
                if attempt == 39:
                    raise
                time.sleep(0.5)
    admin.execute(f'CREATE DATABASE "{name}"')


@pytest.fixture
def compose(tmp_path, redis_url, require_postgres, django_db_setup):
    from aiosmtpd.controller import Controller

    s = settings.DATABASES["default"]
    name = f"{s['NAME']}_compose_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"[:63]
    admin = psycopg.connect(
        host=s["HOST"], port=s["PORT"] or 5432, user=s["USER"], password=s["PASSWORD"],
        dbname="postgres", autocommit=True,
    )  # fmt: skip
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    scratch_database(admin, name)
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
    stack.sql = lambda query, params=(): _sql(database_url, query, params)
    try:
        yield stack
    finally:
        sink.release.set()
        stack.stop_all()
        controller.stop()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


# One Django start for two steps: a staff session for the admin check, then (once the test
# writes a line: beat stopped, the SMTP sink holding) an outbox e-mail.
ADMIN_SESSION_THEN_OUTBOX = """
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
input()
from django.db import transaction
from records.outbox import email_enqueue
with transaction.atomic():
    row = email_enqueue(to="killed.worker@example.org", subject="Outbox check", body="once",
                        language="en", reference="compose-test")
print(row.pk)
"""


def _sql(database_url: str, query: str, params=()) -> list[tuple]:
    """One statement on the stack's database (this process has no Django connection to it)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        cursor = conn.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def celery_queue_idle(stack: Stack, dead: set[bytes]) -> bool:
    """The worker has nothing left to do: Celery's queue in Redis (kombu keeps one list per
    priority step) is empty and no delivery is unacknowledged but the killed worker's, `dead`
    (Redis gives those back only after visibility_timeout)."""
    import redis

    client = redis.Redis.from_url(stack.redis_url)
    lists = [k for k in client.scan_iter(match=b"celery*") if client.type(k) == b"list"]
    queues = [k for k in lists if k == b"celery" or k.startswith(b"celery\x06\x16")]
    return not any(client.llen(k) for k in queues) and set(client.hkeys("unacked")) <= dead


@pytest.mark.long(30)
def test_compose_services_run_together_on_postgres_and_redis(compose):
    stack = compose
    sink = stack.sink
    # postgres and redis are this run's servers: their own healthchecks, as written.
    stack.healthcheck("postgres")
    stack.healthcheck("redis")

    # The image build's step: static files collected for WhiteNoise's manifest storage.
    stack.run("web", ["python", "manage.py", "collectstatic", "--no-input", "--verbosity", "0"])
    # migrate: the one-off job, as its command line says (migrate && bootstrap).
    stack.run("migrate", stack.argv("migrate"))

    stack.start("web")
    stack.start("worker")
    # No beat yet: /healthz says so with a 503.
    status, body, _ = wait_until(
        lambda: (r := stack.http_if_listening("/healthz")) and r[0] in (200, 503) and r,
        timeout=90,
        what="web to answer",
        stack=stack,
    )
    assert status == 503 and json.loads(body)["checks"]["beat"] == "never", body
    # The heartbeat last ran a minute ago, as when beat comes back after a redeploy: beat sends
    # it as soon as it starts instead of one interval after bootstrap created it.
    moved = stack.sql(
        "UPDATE django_celery_beat_periodictask SET last_run_at = now() - interval '61 seconds'"
        " WHERE task = 'cdot_privacy.heartbeat' AND enabled RETURNING id"
    )
    assert len(moved) == 1, moved
    stack.start("beat")  # beat needs migrate only: the worker need not be healthy yet
    # A staff session for the admin check below, made while beat and the worker start.
    shell = stack.shell("web", ADMIN_SESSION_THEN_OUTBOX)
    stack.healthcheck("worker", interval=1, ready=stack.worker_ready)
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
    session_key = shell.line()
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
    shell.go()
    pk = int(shell.line())
    shell.close()
    wait_until(lambda: sink.held, timeout=60, what="the worker to start sending", stack=stack)
    stack.kill("worker")
    import redis

    dead = set(redis.Redis.from_url(stack.redis_url).hkeys("unacked"))
    assert dead, "the killed worker's task should be unacknowledged (acks_late)"
    sink.hold.clear()
    sink.release.set()
    stack.start("worker")
    stack.healthcheck("worker", interval=1, ready=stack.worker_ready)
    wait_until(
        lambda: sink.to("killed.worker@example.org"),
        timeout=30,
        what="the killed worker's e-mail after the restart",
        stack=stack,
    )
    # Anything sent twice would be sent by now: the row is marked sent (a later send skips
    # it) and the worker has no task queued or running; then a grace for an SMTP in flight.
    wait_until(
        lambda: stack.sql("SELECT sent_at FROM records_outboxemail WHERE id = %s", [pk])[0][0],
        timeout=30,
        what="the outbox row to be marked sent",
        stack=stack,
    )
    wait_until(
        lambda: celery_queue_idle(stack, dead),
        timeout=30,
        what="the worker's queue to be empty",
        stack=stack,
    )
    time.sleep(1)
    assert len(sink.to("killed.worker@example.org")) == 1
