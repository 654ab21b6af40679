"""Benchmark: the retention purge against a raw DELETE of the same rows (PostgreSQL).

    .venv/bin/python bench/purge.py [--contacts 2000000] [--footage 100000] [--batch-size 4000]

Creates its own database (`cdot_bench`, or `$BENCH_DB`; dropped at the end; `--keep` keeps
it), migrates it, COPY-loads N contacts (prospects, half of them first contacted more than a
year ago, mixed through the primary-key range, a few hundred of them under legal hold) and
clones it with `CREATE DATABASE … TEMPLATE` (same schema, constraints, indexes). In the clone
one raw `DELETE … WHERE` with the purge's own conditions deletes the expired rows: the
baseline. In the original, `retention.services.purge_run_execute` purges the same rows in
batches.

Reports: purge rows/s, the ratio to the raw DELETE's rows/s, peak RSS growth of this process
during the purge (VmHWM after resetting it, minus VmRSS before), and the longest batch
transaction (PurgeRun.longest_batch_ms). Then the camera-footage purge over K footage files
in a temporary directory (half of them past 14 days). Goal (issue 13): ratio >= 0.6 (aim
0.8), RSS <= +50 MB, every batch transaction <= 250 ms. The last line is the summary.
"""

import argparse
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
# BENCH_DB: the database to create (and drop); its clone for the raw DELETE is <name>_raw.
DB = os.environ.get("BENCH_DB", "cdot_bench")
RAW_DB = f"{DB}_raw"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
HELD = 500


def admin_sql(*statements: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def reset_peak_rss() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # Linux: VmHWM := VmRSS


def setup_django(footage_dir: str) -> None:
    os.environ["DATABASE_URL"] = f"{SERVER}/{DB}"
    os.environ["CAMERA_FOOTAGE_DIR"] = footage_dir
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdot_privacy.settings")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def copy_rows(table: str, columns: list[str], rows, chunk: int = 100_000) -> None:
    from django.db import connection

    connection.ensure_connection()
    with connection.connection.cursor() as cursor:  # psycopg's own cursor, for COPY
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            buffer = io.StringIO()
            for n, row in enumerate(rows, 1):
                buffer.write("\t".join(row))
                buffer.write("\n")
                if n % chunk == 0:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())


CONTACT_COLUMNS = [
    "kind",
    "first_name",
    "last_name",
    "company",
    "street",
    "postal_code",
    "city",
    "country",
    "phone",
    "mobile",
    "email",
    "email_normalised",
    "name_key",
    "phone_e164",
    "mobile_e164",
    "vat_number",
    "kbo_number",
    "url",
    "first_contact_at",
    "source",
    "marketing_opt_out",
    "restricted",
    "restriction_reason",
    "restriction_lift_reason",
    "created_at",
]


def contact_rows(count: int, rng: random.Random):
    for n in range(count):
        expired = rng.random() < 0.5 if n < count - 1 else True
        days = rng.randint(400, 1500) if expired else rng.randint(1, 300)
        first = (NOW - timedelta(days=days, seconds=rng.randint(0, 86_399))).isoformat()
        email = f"p{n}@example.be"
        yield (
            "prospect",
            f"First{n}",
            f"Last{n}",
            "",
            f"Straat {n % 300}",
            "3190",
            "Boortmeerbeek",
            "BE",
            "",
            "",
            email,
            email,
            f"last{n}|first{n}",
            "",
            "",
            "",
            "",
            "",
            first,
            "bench",
            "f",
            "f",
            "",
            "",
            first,
        )


def load(contacts: int, footage: int, footage_dir: Path) -> dict:
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection

    from records.models import CameraRecording, Contact, LegalHold
    from registry.models import ProcessingActivity, RetentionRule

    t0 = time.monotonic()
    call_command("migrate", verbosity=0)
    activity = ProcessingActivity.objects.create(
        code="A", name="Prospects", purpose="Bench", legal_basis="legitimate_interest"
    )
    for code, value, unit, anchor in (
        ("prospect", 1, "years", RetentionRule.Anchor.FIRST_CONTACT),
        ("camera-footage", 14, "days", RetentionRule.Anchor.RECORDED),
    ):
        RetentionRule.objects.create(
            code=code, activity=activity, period_value=value, period_unit=unit, anchor=anchor
        )
    rng = random.Random(20261128)
    copy_rows("records_contact", CONTACT_COLUMNS, contact_rows(contacts, rng))
    # A few hundred expired prospects under legal hold: the purge must step over them.
    old = Contact.objects.filter(first_contact_at__lt=NOW - timedelta(days=400)).order_by("?")
    LegalHold.objects.bulk_create(
        LegalHold(
            content_type=ContentType.objects.get_for_model(Contact),
            object_id=pk,
            reason="bench",
            set_at=NOW - timedelta(days=1),
        )
        for pk in old.values_list("pk", flat=True)[:HELD]
    )
    # Footage: files on disk and their index rows, half past 14 days.
    (footage_dir / "cam1").mkdir(parents=True, exist_ok=True)
    rows = []
    for n in range(footage):
        start = NOW - timedelta(days=20 if n % 2 else 3, seconds=n)
        name = f"cam1/cam1_{n:07d}.mp4"
        (footage_dir / name).write_bytes(b"\0" * 64)
        rows.append(("cam1", name, start.isoformat(), "64"))
    copy_rows(
        "records_camerarecording", ["camera", "file_path", "recorded_from", "size_bytes"], rows
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    expired = Contact.objects.expired(NOW, RetentionRule.objects.get(code="prospect")).count()
    footage_expired = CameraRecording.objects.filter(recorded_from__lt=NOW - timedelta(days=14))
    return {
        "seconds": time.monotonic() - t0,
        "expired": expired,
        "footage_expired": footage_expired.count(),
    }


def raw_delete(cutoff: datetime) -> tuple[int, float]:
    """The baseline: one DELETE of the same rows (the purge's conditions) in the clone."""
    with psycopg.connect(f"{SERVER}/{RAW_DB}") as conn:
        content_type = conn.execute(
            "SELECT id FROM django_content_type WHERE app_label='records' AND model='contact'"
        ).fetchone()[0]
        started = time.monotonic()
        deleted = conn.execute(
            """
            DELETE FROM records_contact c
            WHERE c.kind = 'prospect' AND c.first_contact_at <= %(cutoff)s AND NOT c.restricted
              AND NOT EXISTS (
                SELECT 1 FROM records_legalhold h
                WHERE h.content_type_id = %(ct)s AND h.object_id = c.id
                  AND h.set_at <= %(now)s AND h.released_at IS NULL
                  AND (h.until IS NULL OR h.until > %(now)s))
            """,
            {"cutoff": cutoff, "ct": content_type, "now": NOW},
        ).rowcount
        conn.commit()
        return deleted, time.monotonic() - started


def purge_child(batch_size: int) -> None:
    """In a fresh process: purge the prospects, print the figures as one JSON line."""
    setup_django(os.environ["CAMERA_FOOTAGE_DIR"])
    from registry.models import RetentionRule
    from retention.services import purge_run_execute

    RetentionRule.objects.get(code="prospect")  # imports loaded, connection open
    rss_before = status_kb("VmRSS")
    reset_peak_rss()
    started = time.monotonic()
    run = purge_run_execute(rule_code="prospect", now=NOW, batch_size=batch_size)
    seconds = time.monotonic() - started
    assert run.status == "succeeded", run.error
    fields = ("deleted", "batches", "skipped_held", "remaining_after", "longest_batch_ms")
    figures = {field: getattr(run, field) for field in fields}
    figures["seconds"] = seconds
    figures["rss_growth_mb"] = (status_kb("VmHWM") - rss_before) / 1024
    print(json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=2_000_000)
    parser.add_argument("--footage", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=4000)
    parser.add_argument("--keep", action="store_true", help="keep the bench databases")
    parser.add_argument("--purge-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.purge_child:
        purge_child(args.batch_size)
        return

    footage_dir = Path(tempfile.mkdtemp(prefix="cdot-bench-footage-"))
    admin_sql(f"DROP DATABASE IF EXISTS {RAW_DB}", f"DROP DATABASE IF EXISTS {DB}")
    admin_sql(f"CREATE DATABASE {DB}")
    try:
        setup_django(str(footage_dir))
        from django.db import connections

        from registry.models import RetentionRule
        from retention.services import purge_run_execute

        loaded = load(args.contacts, args.footage, footage_dir)
        print(
            f"setup: {args.contacts} contacts ({loaded['expired']} expired, {HELD} held), "
            f"{args.footage} footage files ({loaded['footage_expired']} expired), "
            f"{loaded['seconds']:.0f} s"
        )
        connections.close_all()
        t0 = time.monotonic()
        admin_sql(f"CREATE DATABASE {RAW_DB} TEMPLATE {DB}")
        print(f"copy for the raw DELETE: {time.monotonic() - t0:.1f} s")

        cutoff = RetentionRule.objects.get(code="prospect").cutoff(NOW)
        raw_rows, raw_seconds = raw_delete(cutoff)
        raw_rate = raw_rows / raw_seconds
        print(f"raw DELETE: {raw_rows} rows in {raw_seconds:.2f} s = {raw_rate:,.0f} rows/s")

        # The purge runs in a fresh child process, so its memory is measured from a clean
        # baseline (this process has just built and freed the COPY buffers).
        child = subprocess.run(
            [sys.executable, __file__, "--purge-child", "--batch-size", str(args.batch_size)],
            env={**os.environ},
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode:
            sys.exit(f"the purge child failed:\n{child.stderr[-4000:]}")
        result = json.loads(child.stdout.strip().splitlines()[-1])
        assert result["deleted"] == raw_rows, (result, raw_rows)
        rate = result["deleted"] / result["seconds"]
        print(
            f"purge: {result['deleted']} rows in {result['seconds']:.2f} s = {rate:,.0f} rows/s, "
            f"{result['batches']} batches of {args.batch_size}, skipped held "
            f"{result['skipped_held']}, post-condition remaining {result['remaining_after']}"
        )

        started = time.monotonic()
        camera = purge_run_execute(rule_code="camera-footage", now=NOW, batch_size=args.batch_size)
        camera_seconds = time.monotonic() - started
        on_disk = sum(1 for _ in (footage_dir / "cam1").iterdir())
        assert camera.status == "succeeded", camera.error
        assert on_disk == args.footage - loaded["footage_expired"], on_disk
        print(
            f"footage: {camera.deleted} recordings and files in {camera_seconds:.2f} s = "
            f"{camera.deleted / camera_seconds:,.0f} files/s, max batch "
            f"{camera.longest_batch_ms} ms (batches of {camera.batch_size}), {on_disk} files left"
        )
        print(
            f"purge: {rate:.0f} rows/s, ratio {rate / raw_rate:.2f} vs raw DELETE, "
            f"rss +{result['rss_growth_mb']:.1f} MB, max batch {result['longest_batch_ms']} ms"
        )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin_sql(f"DROP DATABASE IF EXISTS {RAW_DB}", f"DROP DATABASE IF EXISTS {DB}")
        for path in sorted(footage_dir.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        footage_dir.rmdir()


if __name__ == "__main__":
    main()
