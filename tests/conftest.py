"""Shared fixtures: services (PostgreSQL, Redis), a real Celery worker, time."""

import hashlib
import os
import re
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections

ROOT = Path(__file__).resolve().parent.parent


def _isolate_xdist_worker() -> None:
    """Under pytest-xdist (`-n auto`) each worker process gets its own Redis database and VAR_DIR.

    pytest-django already gives each worker its own test database (test_<name>_gw0, _gw1...);
    live_server picks a free port. Redis: worker N uses database (base + 1 + N) mod 16, so a
    cache.clear() (FLUSHDB) or a Celery queue of one worker never touches another's. VAR_DIR:
    the file cache, the filesystem broker, media, private files and footage of the embedded run.
    The real Celery worker the tests start inherits both through os.environ / its fixture.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return
    index = int(worker[2:])
    url = os.environ.get("REDIS_URL", "")
    if url:
        base, _, db = url.rstrip("/").rpartition("/")
        number = int(db) if db.isdigit() else 0
        url = f"{base}/{(number + 1 + index) % 16}" if db.isdigit() else f"{url}/{1 + index}"
        os.environ["REDIS_URL"] = url
        settings.REDIS_URL = url
        settings.CELERY_BROKER_URL = url
        if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
            settings.CACHES["default"]["LOCATION"] = url
        from cdot_privacy.celery import app as celery_app

        celery_app.conf.broker_url = url
    var_dir = Path(settings.VAR_DIR) / f"test-{worker}"
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ["VAR_DIR"] = str(var_dir)
    settings.VAR_DIR = var_dir
    settings.MEDIA_ROOT = var_dir / "media"
    settings.PRIVATE_STORAGE_DIR = var_dir / "private"
    settings.CAMERA_FOOTAGE_DIR = var_dir / "footage"
    if not url:
        settings.CACHES["default"]["LOCATION"] = str(var_dir / "cache")
        broker = var_dir / "celery-broker"
        broker.mkdir(exist_ok=True)
        settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
            **getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
            "data_folder_in": str(broker),
            "data_folder_out": str(broker),
            "control_folder": str(broker / "control"),
        }


_isolate_xdist_worker()

# On PostgreSQL the test run's connections empty the tables between committing tests with
# DELETE instead of TRUNCATE (tests/db_backend: ~0.1 s instead of ~1 s per flush). This
# thread's connection object, which Django's setup may have made (none is opened yet), is
# dropped, so the next use makes one of the new engine. Processes the tests start use Django's.
POSTGRES_ENGINES = {"django.db.backends.postgresql", "tests.db_backend"}
if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    settings.DATABASES["default"]["ENGINE"] = "tests.db_backend"
    connections["default"].close()
    del connections["default"]

# Passwords hashed with one PBKDF2 iteration (tests/hashers.py): same algorithm, ~0.23 s less CPU
# per user created or logged in. Production keeps Django's default hashers (settings.py).
settings.PASSWORD_HASHERS = [
    "tests.hashers.FastPBKDF2PasswordHasher",
    *(h for h in settings.PASSWORD_HASHERS if not h.endswith(".PBKDF2PasswordHasher")),
]


def _migrations_digest() -> str:
    """What decides the migrated test database's content: every migration file of the project
    and the locks (the libraries' own migrations). A new or edited migration, or another lock,
    is another digest: the next run migrates again and keeps that one."""
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    for lock in ("requirements.lock", "requirements-dev.lock"):
        digest.update((ROOT / lock).read_bytes())
    return digest.hexdigest()[:16]


# The digest as this process starts, before Django reads a migration. The database this run
# migrates is kept under it, and only if the files still give it once the migrations have run:
# in a shared checkout a migration may be written or edited meanwhile, and a database kept under
# the new digest without it would be cloned by every later run (an edited migration counts as
# applied there).
_DIGEST = _migrations_digest()


def _migrations_unchanged() -> bool:
    return _migrations_digest() == _DIGEST


def _migrated_sqlite_cache() -> Path:
    """Where the fast loop keeps the SQLite test database as the migrations leave it."""
    return ROOT / ".cache" / "test-db" / f"sqlite-{_DIGEST}.sqlite3"


# The configured database's name (Django renames it to the test database's during the run).
_DATABASE_NAME = settings.DATABASES["default"]["NAME"]
_TEMPLATE_PREFIX = f"{_DATABASE_NAME}_tmpl_"

# The test database this process cloned from the template (`django_db_keepdb`), to drop at
# the end; empty when it cloned none.
_cloned_name = ""


def _postgres_template() -> str:
    """The PostgreSQL database kept as the migrations leave it, cloned for each test database."""
    return f"{_TEMPLATE_PREFIX}{_DIGEST}"[:63]


def _other_templates(names, template: str) -> list[str]:
    """The templates of other migrations among `names`: `<prefix><hex digest>` only, not a
    copy another process is still making (`<template>_p<pid>`, renamed when done)."""
    pattern = re.compile(re.escape(_TEMPLATE_PREFIX) + "[0-9a-f]+")
    return [name for name in names if name != template and pattern.fullmatch(name)]


def _postgres_admin():
    import psycopg

    s = settings.DATABASES["default"]
    return psycopg.connect(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        user=s["USER"],
        password=s["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings, django_db_use_migrations):
    """On SQLite, when the migrated test database is cached, create the tables without
    running the migrations (Django's TEST MIGRATE=False): `django_db_setup` then replaces
    them with the cached copy. Saves each xdist worker ~8 s of migrations per run."""
    if (
        connection.vendor == "sqlite"
        and django_db_use_migrations
        and _migrated_sqlite_cache().exists()
    ):
        connection.settings_dict["TEST"]["MIGRATE"] = False


@pytest.fixture(scope="session")
def django_db_keepdb(
    request, django_db_modify_db_settings, django_db_use_migrations, django_db_createdb
):
    """On PostgreSQL, when a template of these migrations exists (`_postgres_template`, made by
    an earlier run on this server), this worker's test database is cloned from it (CREATE
    DATABASE ... TEMPLATE, as Django's parallel test runner clones) and kept through the setup:
    `migrate` then finds nothing to apply. Saves each xdist worker ~30 s of CPU of migrations
    per run. `django_db_setup` drops it at the end, as pytest-django drops the databases it
    creates. `--reuse-db` keeps its own meaning; `--create-db` and `--no-migrations` (tables
    from the models) clone nothing."""
    import psycopg

    global _cloned_name
    reuse = bool(request.config.getvalue("reuse_db"))
    wanted = django_db_use_migrations and not django_db_createdb
    if reuse or not wanted or connection.vendor != "postgresql":
        return reuse
    name = connection.creation._get_test_db_name()
    template = _postgres_template()
    with _postgres_admin() as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone():
            return False
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for attempt in range(20):
            try:
                admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
                break
            except psycopg.errors.InvalidCatalogName:  # dropped since: a run of other migrations
                return False  # Django creates the database and migrates it
            except psycopg.errors.ObjectInUse:  # a session is connected to the template
                if attempt == 19:
                    raise
                time.sleep(0.5)
    _cloned_name = name
    return True


@pytest.fixture(scope="session")
def django_db_setup(
    request, django_db_setup, django_db_blocker, django_db_keepdb, django_db_use_migrations
):
    """pytest-django's test databases; on SQLite (in memory) restored from, or kept in,
    `_migrated_sqlite_cache()` with SQLite's backup API (as Django's parallel runner clones
    its SQLite workers). On PostgreSQL a database this run migrated is copied as the template
    the next runs clone (`django_db_keepdb`), and a cloned one is dropped at the end. A
    database built without the migrations (`--no-migrations`) is kept as neither: it has no
    migration recorded, nor the rows data migrations add."""
    if connection.vendor == "postgresql" and not django_db_keepdb and django_db_use_migrations:
        with django_db_blocker.unblock():
            _keep_postgres_template()
    if connection.vendor == "sqlite":
        cache = _migrated_sqlite_cache()
        with django_db_blocker.unblock():
            connection.ensure_connection()
            if connection.settings_dict["TEST"]["MIGRATE"] is False:
                source = sqlite3.connect(cache)
                try:
                    source.backup(connection.connection)
                finally:
                    source.close()
                connection.settings_dict["TEST"]["MIGRATE"] = True
            elif django_db_use_migrations and _migrations_unchanged():
                cache.parent.mkdir(parents=True, exist_ok=True)
                partial = cache.with_name(f"{cache.name}.{os.getpid()}.partial")
                target = sqlite3.connect(partial)
                try:
                    connection.connection.backup(target)
                finally:
                    target.close()
                os.replace(partial, cache)  # atomic: another worker may write the same file
                for old in cache.parent.glob("sqlite-*.sqlite3"):
                    if old != cache:
                        old.unlink(missing_ok=True)
    yield
    if _cloned_name and connection.settings_dict["NAME"] != _cloned_name:
        # destroy_test_db drops the database the connection names: never another than the clone
        # (the configured database, when the test databases were not set up after all).
        request.node.warn(
            pytest.PytestWarning(
                f"the cloned test database {_cloned_name!r} was not dropped: the connection "
                f"names {connection.settings_dict['NAME']!r}"
            )
        )
    elif _cloned_name:
        with django_db_blocker.unblock():
            try:
                connection.creation.destroy_test_db(
                    _DATABASE_NAME, verbosity=request.config.option.verbose
                )
            except Exception as exc:  # noqa: BLE001 - as pytest-django's own teardown
                request.node.warn(
                    pytest.PytestWarning(f"Error when trying to drop the test database: {exc!r}")
                )


def _keep_postgres_template() -> None:
    """Copy the just-migrated test database as `_postgres_template()` (under a name of this
    process first, then renamed: another worker may be doing the same); templates of other
    migrations are dropped. Nothing is kept when a migration changed while this run migrated."""
    import psycopg

    if not _migrations_unchanged():
        return
    template = _postgres_template()
    partial = f"{template[:50]}_p{os.getpid()}"
    connection.close()  # a database cannot be copied while a session is connected to it
    with _postgres_admin() as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone():
            return
        admin.execute(f'DROP DATABASE IF EXISTS "{partial}"')
        admin.execute(f'CREATE DATABASE "{partial}" TEMPLATE "{connection.settings_dict["NAME"]}"')
        try:
            admin.execute(f'ALTER DATABASE "{partial}" RENAME TO "{template}"')
        except psycopg.errors.DuplicateDatabase:
            admin.execute(f'DROP DATABASE IF EXISTS "{partial}"')
        names = admin.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s",
            [_TEMPLATE_PREFIX.replace("_", r"\_") + "%"],
        ).fetchall()
        for name in _other_templates([name for (name,) in names], template):
            try:
                admin.execute(f'DROP DATABASE "{name}"')
            except psycopg.errors.ObjectInUse:  # a session is connected to it
                continue  # the next run that migrates drops it


def service_missing(what: str, hint: str = "set DATABASE_URL / REDIS_URL to run this") -> None:
    """Skip locally; with REQUIRE_SERVICES=1 (CI) a missing service is a failure."""
    if settings.REQUIRE_SERVICES:
        pytest.fail(f"{what} is required (REQUIRE_SERVICES=1) but not available", pytrace=False)
    pytest.skip(f"{what} not available ({hint})")


def pytest_sessionstart(session):
    """With REQUIRE_SERVICES=1, stop at once when PostgreSQL or Redis is not there."""
    if not settings.REQUIRE_SERVICES:
        return
    problems = []
    if settings.DATABASES["default"]["ENGINE"] not in POSTGRES_ENGINES:
        problems.append("DATABASE_URL does not point at PostgreSQL")
    else:
        import psycopg

        s = settings.DATABASES["default"]
        try:
            psycopg.connect(
                host=s["HOST"],
                port=s["PORT"] or 5432,
                user=s["USER"],
                password=s["PASSWORD"],
                dbname="postgres",
                connect_timeout=3,
            ).close()
        except psycopg.Error as exc:
            problems.append(f"PostgreSQL unreachable: {exc}")
    import redis

    try:
        redis.Redis.from_url(os.environ.get("REDIS_URL", ""), socket_connect_timeout=3).ping()
    except (redis.RedisError, ValueError) as exc:
        problems.append(f"Redis unreachable (REDIS_URL={os.environ.get('REDIS_URL', '')!r}): {exc}")
    if problems:
        pytest.exit("REQUIRE_SERVICES=1 but: " + "; ".join(problems), returncode=3)


# What `bin/test --fast` (-m "not slow") leaves out, besides tests marked @pytest.mark.slow:
# browsers, real Celery workers and started services, the static gates, property tests at size.
# Also what renders and publishes the whole statement (~2 s of CPU) or the register as a PDF,
# and the tests that start processes against PostgreSQL: most of the suite's CPU time.
SLOW_FIXTURES = {
    "celery_worker_process",
    "celery_worker",
    "browser",
    "live_server",
    "compose",
    "published_statement",
    "published_register",
}
# A test that renders a PDF with WeasyPrint (~1 s of CPU each): the full run, not --fast.
renders_a_pdf = pytest.mark.slow
# Folders whose every test is slow.
SLOW_FOLDERS = {"e2e"}
SLOW_MODULES = {
    "test_quality_gates.py",
    "test_api_schemathesis.py",
    "test_statement_versions.py",
    "test_statement_content.py",
    "test_statement_drafts.py",
    "test_statement_cookies.py",  # publishes the statement (~2 s of CPU) in every test
    "test_registry_ropa.py",
    "test_retention_concurrency.py",
    "test_requests_access_report_complete.py",  # renders the access report PDF in every test
}


def _fast_loop(config) -> bool:
    """`-m "not slow"`: the run `bin/test --fast` makes."""
    return (config.getoption("markexpr", "") or "").strip() == "not slow"


def pytest_ignore_collect(collection_path, config):
    """`-m "not slow"` (bin/test --fast) does not collect what would all be deselected: the
    browser tests' folder and SLOW_MODULES. The schemathesis module alone builds its hypothesis
    tests when collected, ~2 s of CPU in every xdist worker. Any other -m collects everything."""
    if not _fast_loop(config):
        return None
    if collection_path.name in SLOW_MODULES | SLOW_FOLDERS:
        return True
    return None


def pytest_configure(config):
    """The whole suite under xdist (`-n`): a worker holds the test it runs and the next, no more
    (`--maxschedchunk=1` unless given), so the other worker can take what is left, the longest
    tests going first (`_longest_first`): 0.95 of the wall time, where xdist's own chunks gave
    1.03 (docs/BENCHMARKS.md). Not for `-m "not slow"` (bin/test --fast), which has no long
    test to wait for: one test at a time there spreads each module over both workers, each
    making the module's fixtures (1.04 against 0.89 with the chunks). Not in addopts:
    `-p no:xdist` would refuse the option."""
    if (
        not _fast_loop(config)
        and config.pluginmanager.hasplugin("xdist")
        and config.getoption("maxschedchunk") is None
    ):
        config.option.maxschedchunk = 1


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("postgres"):
            item.fixturenames.insert(0, "require_postgres")
        path = Path(str(item.fspath))
        if (
            SLOW_FOLDERS & set(path.parts)
            or path.name in SLOW_MODULES
            or SLOW_FIXTURES & set(item.fixturenames)
            or getattr(getattr(item, "obj", None), "is_hypothesis_test", False)
        ):
            item.add_marker(pytest.mark.slow)
    _longest_first(items)


def _database_kind(item) -> int:
    """pytest-django's order, as its own hook (which sorted the items before this one runs)
    reads it: tests in a rolled-back transaction (0) before tests that commit and empty the
    tables (1); tests without the database (2) last."""
    from django.test import TestCase, TransactionTestCase
    from pytest_django.fixtures import validate_django_db

    cls = getattr(item, "cls", None)
    if cls is not None and issubclass(cls, TransactionTestCase):
        return 0 if issubclass(cls, TestCase) else 1
    fixtures = set(getattr(item, "fixturenames", ()))
    marker = item.get_closest_marker("django_db")
    commits = bool({"transactional_db", "live_server"} & fixtures)
    if marker is not None:
        transaction, reset_sequences, *_rest = validate_django_db(marker)
        commits = commits or bool(transaction or reset_sequences)
    if commits:
        return 1
    return 0 if marker is not None or "db" in fixtures else 2


def _unit(item) -> str:
    """What runs together: a module, or a whole folder under tests/ (tests/e2e's modules share
    one browser per package, started again if another module ran between them)."""
    module = item.nodeid.split("::")[0]
    parts = module.split("/")
    return "/".join(parts[:2]) if len(parts) > 2 else module


def _longest_first(items) -> None:
    """Under xdist (`load`), each worker takes the next tests in this order as it gets free: a
    long test taken last keeps one worker busy while the other has nothing left (the browser
    gate alone, 39 s, ended a whole run 52 s after the other worker, docs/BENCHMARKS.md). So,
    within each database kind, the modules (and folders) whose tests of that kind include one
    marked `long(seconds)` start first, the longest first; the rest keep pytest-django's order.
    A kind's tests of one module (folder) stay together and in their order, so their module
    (package) fixtures are made once. Long tests without the database may run anywhere: their
    modules start the run."""
    kinds = [_database_kind(item) for item in items]
    if kinds != sorted(kinds):
        raise pytest.UsageError(
            "tests/conftest.py reads the tests' database kinds otherwise than pytest-django "
            "ordered them: _database_kind must follow pytest_django's get_order_number"
        )
    modules = [item.nodeid.split("::")[0] for item in items]
    units = [_unit(item) for item in items]
    unit_seconds: dict[tuple[int, str], float] = {}
    module_seconds: dict[tuple[int, str], float] = {}
    first: dict[tuple[int, str], int] = {}
    for index, item in enumerate(items):
        kind = kinds[index]
        first.setdefault((kind, units[index]), index)
        marker = item.get_closest_marker("long")
        if marker is None:
            continue
        if len(marker.args) != 1 or not isinstance(marker.args[0], int | float):
            raise pytest.UsageError(f"{item.nodeid}: mark it @pytest.mark.long(seconds)")
        for table, name in ((unit_seconds, units[index]), (module_seconds, modules[index])):
            table[kind, name] = max(table.get((kind, name), 0), marker.args[0])

    def key(index: int) -> tuple:
        kind, unit = kinds[index], units[index]
        seconds = unit_seconds.get((kind, unit), 0)
        return (
            -1 if kind == 2 and seconds else kind,
            -seconds,
            first[kind, unit],
            -module_seconds.get((kind, modules[index]), 0),
            index,
        )

    items[:] = [items[index] for index in sorted(range(len(items)), key=key)]


@pytest.fixture(autouse=True)
def _no_language_left_active():
    """Every test starts in the default language: a language one test activates and never
    deactivates (translation.activate in a view or command) must not decide what the next
    test in the same worker stores in a translated field (that hid an unlabelled checkbox)."""
    from django.utils import translation

    yield
    translation.deactivate()


# Module (or class) transactions opened by `module_transaction` and not yet rolled back.
_open_module_transactions = 0


@contextmanager
def module_transaction(django_db_blocker):
    """A transaction for a whole module (or class), rolled back at its end, as Django's
    TestCase.setUpTestData: what a module-scoped fixture writes inside it is there for each of
    the module's tests, and each test still runs in its own savepoint (pytest-django's django_db),
    so what one test changes is gone for the next.

    The test's own atomic stays the innermost one, marked as the test case's: a durable atomic
    (the consent queue's flush) is allowed in a test as before. Not for tests using
    transactional_db or live_server: they flush the database, the shared rows with it
    (`pytest_runtest_setup` fails them while such a transaction is open). Redis, files and
    sequences are not rolled back.
    """
    from django.db import transaction

    global _open_module_transactions
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        _open_module_transactions += 1
        try:
            yield
        finally:
            _open_module_transactions -= 1
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _refuse_commits_in_a_module_transaction(item) -> None:
    if _open_module_transactions and _database_kind(item) == 1:
        pytest.fail(
            f"{item.nodeid} commits (transactional_db / live_server) but would run inside a "
            "module transaction (register_seeded_once or module_transaction), whose rows its "
            "flush would take from the other tests: move it to a module without one",
            pytrace=False,
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    """A test that commits (transactional_db, live_server) while a module transaction is open
    would flush the rows the module's other tests share: it fails instead, before its database
    is set up if the transaction was already open, else just after."""
    _refuse_commits_in_a_module_transaction(item)
    result = yield
    _refuse_commits_in_a_module_transaction(item)
    return result


def seed_cdot(seed_at=None) -> None:
    """`seed_cdot` as the run command calls it; with `seed_at`, on that day (clock stopped)."""
    import io

    import time_machine
    from django.core.management import call_command

    if seed_at is None:
        call_command("seed_cdot", stdout=io.StringIO())
        return
    with time_machine.travel(seed_at, tick=False):
        call_command("seed_cdot", stdout=io.StringIO())


@pytest.fixture(scope="module")
def register_seeded_once(request, django_db_setup, django_db_blocker):
    """C-DOT's register as `seed_cdot` loads it, seeded once for a whole module inside a
    transaction rolled back at the module's end (`module_transaction`, as Django's
    TestCase.setUpTestData).

    Only for modules whose every test starts from the seeded register (the seed itself is tested
    per test in test_registry_seed.py). A module whose register must be seeded on a given day
    sets `SEED_AT` (a date or datetime): the seed runs with the clock stopped there.
    """
    with module_transaction(django_db_blocker):
        seed_cdot(getattr(request.module, "SEED_AT", None))
        yield


@pytest.fixture
def require_postgres():
    if connection.vendor != "postgresql":
        service_missing("PostgreSQL")


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        service_missing("Redis")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        service_missing(f"Redis at {url} ({exc})")
    return url


def _worker_database_url() -> str:
    """DATABASE_URL of the test database this test run created, for a subprocess."""
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def celery_worker_process(transactional_db, redis_url, require_postgres, tmp_path):
    """A real `celery worker` process on Redis against this run's test database.

    Tests using it must commit what the worker should see (transactional_db does).
    """
    env = {
        **os.environ,
        "DATABASE_URL": _worker_database_url(),
        "REDIS_URL": redis_url,
        "VAR_DIR": str(tmp_path),
        # Links the worker signs (verification, downloads) must verify on this test's site.
        "SECRET_KEY": settings.SECRET_KEY,
        # ...and suppression hashes must match the test process's.
        "SUPPRESSION_KEY": settings.SUPPRESSION_KEY,
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        proc = subprocess.Popen(  # noqa: S603 - fixed argv
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "cdot_privacy",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--hostname",
                f"test-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(
            lambda: "ready." in log.read_text(), timeout=60, what="celery worker start", log=log
        )
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait_for(condition, *, timeout: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    tail = log.read_text()[-3000:] if log else ""
    pytest.fail(f"timed out waiting for {what}\n{tail}")


@pytest.fixture
def wait_for():
    return _wait_for


@pytest.fixture
def officer(db, client):
    """The privacy officer: a superuser, logged in on `client`. Modules that need more (a
    seeded register, a frozen clock) extend it with a fixture of the same name."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser("po", "po@c-dot.be", "x" * 20)
    client.force_login(user)
    return user


@pytest.fixture
def register(db):
    """C-DOT's register (activities A-G, rules, GBA/APD) as the seed command loads it."""
    import io

    from django.core.management import call_command

    call_command("seed_cdot", stdout=io.StringIO())
