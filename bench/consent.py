"""Cookie consent: the consent POST against a trivial API POST, and the banner's size (issue 15).

Targets: POST /api/v1/consent reaches >= 0.5x the requests/s of a trivial API POST in the same
process; the banner (script + stylesheet) is <= 15 KB gzipped.

Both endpoints are called through Django's full request path (every middleware, URL routing,
django-ninja) by the test client, in one process, alternating rounds so drift on this shared
machine hits both alike. The baseline is a django-ninja POST mounted only for this script: it
validates the same JSON body with a Schema and answers 201 without touching the database or
the cache. The difference is what recording a first choice costs: one Redis round trip (a Lua
script that counts the rate limit in django-ratelimit's counter and queues the record,
consent/services.py) and no database query; the websites and banner versions the endpoint
checks are read from the register at most every 10 seconds per process
(consent.api.REGISTER_SECONDS). Beat writes the queue into PostgreSQL every 10 seconds; here
the queue is written once at the end (its time printed) and the records counted. Each consent
POST comes from another client address (one visitor, one choice), so the rate limit counts but
never refuses.

Before each request, both URLs, the script does what Django does at the start of a real request
(close_old_connections: with CONN_HEALTH_CHECKS the first query of a request checks the
connection first; the test client leaves that out).

By default one client posts after the other (--threads 1). --threads N posts from N threads of
this one process at once, as a gunicorn gthread worker serves its connections
(docker-compose.yml: 8 threads); both endpoints get the same threads.

The script resets its own PostgreSQL database (--database, default cdot_consent) and empties
Redis db 4 (its own) unless --redis names another.

    .venv/bin/python bench/consent.py                  # ~1 min
    .venv/bin/python bench/consent.py --requests 1000 --rounds 5 --threads 8
"""

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ORIGIN = "https://www.c-dot.be"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="cdot_consent")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/4")
    parser.add_argument("--requests", type=int, default=2000, help="POSTs per round and URL")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds per URL")
    parser.add_argument("--threads", type=int, default=1, help="clients posting at once")
    return parser.parse_args()


def setup(args: argparse.Namespace) -> None:
    base = ["-h", "127.0.0.1", "-U", "postgres"]
    subprocess.run(["dropdb", *base, "--if-exists", "--force", args.database], check=True)
    subprocess.run(["createdb", *base, args.database], check=True)
    os.environ.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.database}",
            "REDIS_URL": args.redis,
            "DJANGO_SETTINGS_MODULE": "cdot_privacy.settings",
            "LOG_LEVEL": "WARNING",
            "CELERY_TASK_ALWAYS_EAGER": "false",
        }
    )
    import django

    django.setup()
    import io

    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)
    call_command("seed_cdot", stdout=io.StringIO())
    from django.core.cache import cache

    cache.clear()  # this script's Redis db: no queue or rate counts of an earlier run


def bench_urlconf():
    """The project's URLs plus the baseline endpoint at /bench/trivial."""
    import types

    from django.urls import path
    from ninja import NinjaAPI, Schema

    from cdot_privacy import urls as project_urls
    from consent.api import ConsentIn

    trivial = NinjaAPI(urls_namespace="bench-trivial", docs_url=None, openapi_url=None)

    class Ok(Schema):
        ok: bool

    @trivial.post("/trivial", response={201: Ok})
    def trivial_post(request, payload: ConsentIn):
        return 201, {"ok": True}

    module = types.ModuleType("bench_consent_urls")
    module.urlpatterns = [path("bench/", trivial.urls), *project_urls.urlpatterns]
    sys.modules[module.__name__] = module
    return module.__name__


def timed_round(pool: ThreadPoolExecutor, url: str, body: str, count: int, offset: int) -> float:
    """Requests per second for `count` POSTs, shared out over the pool's threads."""
    from django.test import Client

    threads = pool._max_workers

    def post_share(first: int) -> None:
        from django.db import close_old_connections

        client = Client()
        for n in range(offset + first, offset + count, threads):
            close_old_connections()  # Django's request_started handler (the client skips it)
            address = f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
            response = client.post(
                url, body, content_type="application/json", HTTP_ORIGIN=ORIGIN, REMOTE_ADDR=address
            )
            if response.status_code != 201:
                raise RuntimeError(f"{url}: HTTP {response.status_code} {response.content[:200]!r}")

    start = time.perf_counter()
    list(pool.map(post_share, range(threads)))
    return count / (time.perf_counter() - start)


def round_trips() -> tuple[float, float, float]:
    """Median PostgreSQL (SELECT 1), durable commit (INSERT in autocommit: the WAL flush) and
    Redis (PING) times in ms: what the machine makes each step cost."""
    from django.core.cache import cache
    from django.db import connection

    pg, commit, redis = [], [], []
    with connection.cursor() as cursor:
        for _ in range(200):
            start = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            pg.append(time.perf_counter() - start)
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_commit (n integer)")
        for n in range(100):
            start = time.perf_counter()
            cursor.execute("INSERT INTO bench_commit VALUES (%s)", [n])
            commit.append(time.perf_counter() - start)
        cursor.execute("DROP TABLE bench_commit")
    client = cache._cache.get_client(None)
    for _ in range(200):
        start = time.perf_counter()
        client.ping()
        redis.append(time.perf_counter() - start)
    return tuple(statistics.median(x) * 1000 for x in (pg, commit, redis))  # type: ignore[return-value]


def banner_size(client) -> tuple[int, int, int]:
    script_url = client.get("/consent/banner.js")["Location"]
    build = script_url.split("/")[3]
    sizes = []
    for url in (script_url, f"/consent/{build}/banner.css"):
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert response["Content-Encoding"] == "gzip"
        sizes.append((len(response.content), len(gzip.decompress(response.content))))
    return sizes[0][0], sizes[1][0], sizes[0][1] + sizes[1][1]


def main() -> None:
    args = parse_args()
    setup(args)
    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from consent.models import ConsentRecord
    from consent.services import consent_queue_flush

    settings.ALLOWED_HOSTS = ["testserver"]
    with override_settings(ROOT_URLCONF=bench_urlconf(), DEBUG=False):
        client = Client()
        js, css, raw = banner_size(client)
        version = client.get("/consent/banner.js")["Location"].split("/")[2]
        body = json.dumps(
            {
                "version": version,
                "language": "nl",
                "preferences": False,
                "statistics": True,
                "marketing": False,
            }
        )
        pool = ThreadPoolExecutor(max_workers=args.threads)
        timed_round(pool, "/api/v1/consent", body, 200, 0)  # warm-up
        timed_round(pool, "/bench/trivial", body, 200, 0)
        with CaptureQueriesContext(connection) as queries:
            client.post(
                "/api/v1/consent", body, content_type="application/json", HTTP_ORIGIN=ORIGIN
            )
        consent, trivial = [], []
        offset = 1000
        for _ in range(args.rounds):
            consent.append(timed_round(pool, "/api/v1/consent", body, args.requests, offset))
            offset += args.requests
            trivial.append(timed_round(pool, "/bench/trivial", body, args.requests, 0))
        pool.shutdown()
    c, t = statistics.median(consent), statistics.median(trivial)
    start = time.perf_counter()
    flushed = consent_queue_flush()
    flush_ms = (time.perf_counter() - start) * 1000
    pg, commit, redis = round_trips()
    load = os.getloadavg()[0]
    print(
        f"consent POST   : {c:8.0f} req/s (median of {args.rounds} rounds of {args.requests}, "
        f"{args.threads} thread{'s' if args.threads > 1 else ''})"
    )
    print(f"trivial POST   : {t:8.0f} req/s")
    print(f"ratio          : {c / t:.2f}  (target >= 0.5)")
    print(
        f"records stored : {ConsentRecord.objects.count()} "
        f"(the queue's {flushed} written at the end in {flush_ms:.0f} ms)"
    )
    sql = ", ".join(q["sql"].split()[0] for q in queries.captured_queries)
    print(f"queries        : {len(queries.captured_queries)} per consent POST ({sql})")
    print(
        f"round trips    : PostgreSQL {pg:.2f} ms, durable INSERT {commit:.2f} ms, "
        f"Redis {redis:.2f} ms; load average {load:.1f} on {os.cpu_count()} CPUs"
    )
    print(
        "                 (a first choice: one Redis round trip, count and queue; "
        "the register is read every 10 s)"
    )
    print(
        f"banner gzipped : {js} B script + {css} B stylesheet = {js + css} B "
        f"({raw} B uncompressed; target <= 15360 B)"
    )


if __name__ == "__main__":
    main()
