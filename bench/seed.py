"""Benchmark: CPU seconds of one fresh `manage.py seed_cdot` (issue 18's test loop).

    .venv/bin/python bench/seed.py [--runs 5] [--again] [--db /tmp/seed-bench.sqlite3]
                                   [--profile OUT]
    .venv/bin/python bench/seed.py --scenarios OUT.json [--db ...]

Migrates a throwaway SQLite database (`--db`, removed first; a `DATABASE_URL` set in the
environment is used instead: give it a database of its own, the scenarios write to it), then
seeds the empty register `--runs` times (`--again`: seeds it and times a second run over it),
each inside a transaction rolled back afterwards, and prints the process CPU time of each run
(time.process_time), the median, the minimum and the queries of one more run.
Run it from another checkout (`git worktree add /tmp/seed-old <commit>`) with the same
interpreter to compare two versions of the seed; `--profile` writes a cProfile of one more run.

`--scenarios` instead plays a fixed story (fresh seed, second run, staff edits, staff
deletions, a revised seed, dry run, --force, another run), committing each step, and writes
every report and then every table of the registry app (rows, history rows, link rows, history
link rows; all columns but the timestamps) to OUT.json: two checkouts must give the same file.
"""

import argparse
import cProfile
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class _Rollback(Exception):
    pass


def seeded_once(*, again: bool = False, count: bool = False) -> float:
    """CPU seconds of one seed of the empty register (`again`: of a second seed over it);
    `count` returns the number of queries of that seed instead."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    def seed() -> None:
        call_command("seed_cdot", stdout=io.StringIO(), stderr=io.StringIO())

    try:
        with transaction.atomic():
            if again:
                seed()
            start = time.process_time()
            if count:
                with CaptureQueriesContext(connection) as queries:
                    seed()
                spent = float(len(queries))
            else:
                seed()
                spent = time.process_time() - start
            raise _Rollback
    except _Rollback:
        return spent


def scenarios(out: str) -> None:
    import json

    from django.apps import apps
    from django.core.management import call_command

    from registry import models as m
    from registry import seed_data
    from registry.services import register_seed

    def report(**kwargs) -> dict:
        stdout = io.StringIO()
        flags = [f"--{k.replace('_', '-')}" for k, on in kwargs.items() if on]
        call_command("seed_cdot", *flags, stdout=stdout, stderr=io.StringIO())
        return {"flags": flags, "output": stdout.getvalue()}

    reports = [report(), report()]
    rule = m.RetentionRule.objects.get(code="prospect")
    rule.period_value = 2
    rule.save()
    activity = m.ProcessingActivity.objects.get(code="A")
    activity.name_fr = "Autre nom"
    activity.save()
    activity.recipients.remove(*activity.recipients.all()[:1])
    m.SecurityMeasure.objects.get(code="backups").delete()
    m.Cookie.objects.order_by("pk").last().delete()
    reports.append(report())
    revised = [dict(spec) for spec in seed_data.RETENTION_RULES]
    next(s for s in revised if s["code"] == "web-inquiry")["period"] = (6, "months")
    seed_data.RETENTION_RULES = revised
    reports.append(vars(register_seed()))
    reports += [report(dry_run=True, force=True), report(force=True), report()]
    tables = {}
    for model in apps.get_app_config("registry").get_models(include_auto_created=True):
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if f.name not in ("created_at", "updated_at", "history_date")
        ]
        rows = model._default_manager.order_by("pk").values_list(*names)
        tables[model._meta.db_table] = [names, [[str(v) for v in row] for row in rows]]
    Path(out).write_text(
        json.dumps({"reports": reports, "tables": tables}, indent=1, sort_keys=True)
    )
    print(f"{ROOT}: wrote {out}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", default=str(Path(tempfile.gettempdir()) / "seed-bench.sqlite3"))
    parser.add_argument("--profile", help="write a cProfile of one more run to this file")
    parser.add_argument("--again", action="store_true", help="time a second run instead")
    parser.add_argument("--scenarios", help="play the story and write the register to this file")
    args = parser.parse_args()
    # --scenarios commits and enqueues a statement draft: without REDIS_URL it goes to the
    # embedded broker folder in the VAR_DIR next to the database; with REDIS_URL, to that Redis
    from _support import django_migrated

    django_migrated(args.db)

    if args.scenarios:
        scenarios(args.scenarios)
        return
    seeded_once(again=args.again)  # warm: imports, translation catalogues, caches
    runs = [seeded_once(again=args.again) for _ in range(args.runs)]
    what = "second" if args.again else "fresh"
    print(f"{ROOT}: seed_cdot CPU s per {what} run: " + " ".join(f"{r:.3f}" for r in runs))
    print(f"median {statistics.median(runs):.3f} s, min {min(runs):.3f} s")
    if args.profile:
        cProfile.runctx(f"seeded_once(again={args.again})", globals(), {}, args.profile)
    print(f"queries: {seeded_once(again=args.again, count=True):.0f}")


if __name__ == "__main__":
    main()
