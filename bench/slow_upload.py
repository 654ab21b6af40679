"""Slow uploads against the statement page: gunicorn sync workers vs the compose command (gthread).

Issue 19, finding 5: with sync workers, three uploads trickling at 10 KB/s made /en/privacy/
take 28 s (every worker was reading a body). The compose file now runs gunicorn with threads.
This script starts gunicorn twice on a scratch SQLite database (C-DOT's register, the statement
published): once with docker-compose.yml's web command line as written, once with the same
line minus ``--worker-class gthread --threads N`` (the old sync workers). In each it opens
``--uploads`` connections that POST a 3 MB body to the request form at ``--rate`` bytes/s and,
meanwhile, fetches /en/privacy/ once a second. It prints the statement page's latency (median,
max) with and without the uploads, and the ratio to the idle median measured in the same run.

    .venv/bin/python bench/slow_upload.py                # ~1.5 min
    .venv/bin/python bench/slow_upload.py --uploads 6 --seconds 20
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PAGE = "/en/privacy/"


def compose_web_command() -> list[str]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return [str(a) for a in compose["services"]["web"]["command"]]


def without_threads(argv: list[str]) -> list[str]:
    out, skip = [], 0
    for arg in argv:
        if skip:
            skip -= 1
            continue
        if arg in ("--worker-class", "--threads"):
            skip = 1
            continue
        out.append(arg)
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(env: dict) -> None:
    for args in (
        ["manage.py", "migrate", "--run-syncdb", "--verbosity", "0"],
        ["manage.py", "seed_cdot", "--verbosity", "0"],
        ["manage.py", "publish_statement"],
    ):
        subprocess.run([PY, *args], cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603


def fetch(port: int) -> float:
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{PAGE}", timeout=60) as r:  # noqa: S310
            r.read()
    except OSError:
        pass  # a timeout or 5xx still counts its time
    return time.perf_counter() - start


def csrf_token(port: int) -> str:
    """A real visitor's CSRF cookie: without one Django refuses the POST before reading it."""
    url = f"http://127.0.0.1:{port}/en/privacy/request/"
    with urllib.request.urlopen(url, timeout=60) as r:  # noqa: S310
        for header in r.headers.get_all("Set-Cookie") or []:
            if header.startswith("csrftoken="):
                return header.split(";", 1)[0].split("=", 1)[1]
    raise RuntimeError("the request form set no CSRF cookie")


def slow_upload(port: int, size: int, rate: int, stop: threading.Event) -> None:
    token = csrf_token(port)
    crlf = "\r\n"
    body_head = (
        f'--x{crlf}Content-Disposition: form-data; name="csrfmiddlewaretoken"{crlf}{crlf}'
        f'{token}{crlf}--x{crlf}Content-Disposition: form-data; name="id_copy"; '
        f'filename="id.pdf"{crlf}Content-Type: application/pdf{crlf}{crlf}'
    ).encode()
    headers = (
        f"POST /en/privacy/request/ HTTP/1.1{crlf}Host: 127.0.0.1{crlf}"
        f"Cookie: csrftoken={token}{crlf}"
        f"Content-Type: multipart/form-data; boundary=x{crlf}Content-Length: {size}{crlf}{crlf}"
    ).encode()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=120) as sock:
            sock.sendall(headers + body_head)
            sent, chunk = len(body_head), max(rate // 10, 1)
            while sent < size and not stop.is_set():
                sock.sendall(b"A" * min(chunk, size - sent))
                sent += chunk
                time.sleep(0.1)
    except OSError:
        pass


def measure(argv: list[str], env: dict, args) -> tuple[float, float, float]:
    port = free_port()
    argv = [GUNICORN if a == "gunicorn" else a for a in argv]
    argv = [f"127.0.0.1:{port}" if a.startswith("0.0.0.0:") else a for a in argv]
    argv = [a for a in argv if a != "--access-logfile" and a != "-"]
    server = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )  # noqa: S603
    try:
        for _ in range(300):  # until the page answers
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{PAGE}", timeout=5) as r:  # noqa: S310
                    r.read()
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(1)
        idle = [fetch(port) for _ in range(20)]
        stop = threading.Event()
        uploads = [
            threading.Thread(target=slow_upload, args=(port, 3 * 1024 * 1024, args.rate, stop))
            for _ in range(args.uploads)
        ]
        for t in uploads:
            t.start()
        time.sleep(2)
        loaded = []
        end = time.monotonic() + args.seconds
        while time.monotonic() < end:
            loaded.append(fetch(port))
            time.sleep(max(0.0, 1 - loaded[-1]))
        stop.set()
        for t in uploads:
            t.join(5)
        return statistics.median(idle), statistics.median(loaded), max(loaded)
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:  # workers still reading a slow body
            server.kill()
            server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=3)
    parser.add_argument("--rate", type=int, default=10_000, help="bytes per second per upload")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument(
        "--only", choices=["sync", "gthread"], help="measure one server (the other is slow)"
    )
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-slow-upload-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{scratch / 'db.sqlite3'}",
        "VAR_DIR": str(scratch),
        "REDIS_URL": "",
        "DJANGO_SETTINGS_MODULE": "cdot_privacy.settings",
    }
    try:
        prepare(env)
        compose = compose_web_command()
        rows = [
            ("sync workers (old command)", without_threads(compose)),
            ("compose (gthread)", compose),
        ]
        print(
            f"{args.uploads} uploads of 3 MB at {args.rate / 1000:.0f} kB/s; {PAGE} once a second"
        )
        print(
            f"{'server':30} {'idle p50':>9} {'loaded p50':>11} {'loaded max':>11} {'ratio p50':>10}"
        )
        if args.only:
            rows = [rows[0] if args.only == "sync" else rows[1]]
        for name, argv in rows:
            idle, p50, worst = measure(argv, env, args)
            ratio = p50 / idle
            print(
                f"{name:30} {idle * 1000:8.1f}ms {p50 * 1000:10.1f}ms "
                f"{worst * 1000:10.1f}ms {ratio:9.2f}x"
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
