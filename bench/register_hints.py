"""CPU time of the register hints and the statement facts, per call (issue 18).

Times, with ``time.process_time`` in one process, on C-DOT's register and a year of staff
activity (``seed_cdot`` + ``seed_demo``, loaded by ``--fill`` into a PostgreSQL database):

- ``register_findings()`` (the dashboard, the hints page, every register change page);
- ``staff_notice_findings()`` on its own (the dashboard when it shows no register card);
- ``statement_render()`` (the statement's facts and bodies in three languages: each draft);
- ``GET /admin/`` as a privacy officer and ``GET …/processingactivity/hints/``.

``--root`` runs the code of another tree (a ``git worktree`` of an older commit) on the same
database, so old and new can alternate; ``--dump`` prints what they return instead (JSON),
to compare the two trees' output.

    createdb -h 127.0.0.1 -U postgres cdot_bench_hints
    .venv/bin/python bench/register_hints.py --fill
    git worktree add --detach .cache/bench/head HEAD~1
    for i in 1 2 3; do for root in .cache/bench/head .; do
        .venv/bin/python bench/register_hints.py --root $root; done; done
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument("--database", default="cdot_bench_hints")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--fill", action="store_true", help="migrate, seed_cdot, seed_demo")
    parser.add_argument("--dump", action="store_true", help="print the results, not times")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    root = os.path.abspath(args.root)
    sys.path.insert(0, root)
    os.chdir(root)
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdot_privacy.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    import django

    django.setup()
    from django.core.management import call_command

    if args.fill:
        call_command("migrate", verbosity=0)
        call_command("seed_cdot", verbosity=0)
        call_command("seed_demo", verbosity=0)
        return
    from django.urls import reverse

    from registry.hints import register_findings
    from statement.hints import staff_notice_findings
    from statement.services import statement_render

    if args.dump:
        rendered = statement_render()
        print(
            json.dumps(
                {
                    "findings": [
                        (f.level, f.code, f.message, str(f.obj), f.article, f.admin_url)
                        for f in register_findings()
                    ],
                    "staff_notice": [(f.code, f.message, f.url) for f in staff_notice_findings()],
                    "statement": [rendered.digest, rendered.facts],
                },
                sort_keys=True,
                default=str,
            )
        )
        return
    from _support import officer_client

    client = officer_client()

    def get(url: str) -> None:
        assert client.get(url).status_code == 200, url

    hints_url = reverse("admin:registry_hints")
    cases = {
        "register_findings": register_findings,
        "staff_notice_findings": staff_notice_findings,
        "statement_render": statement_render,
        "GET /admin/": lambda: get("/admin/"),
        "GET hints page": lambda: get(hints_url),
    }
    for case in cases.values():
        case()  # imports, templates, the staff notice's remembered render
    for name, case in cases.items():
        times = []
        for _ in range(args.repeat):
            started = time.process_time()
            case()
            times.append(time.process_time() - started)
        print(f"{name:24} median {statistics.median(times) * 1000:6.1f} ms CPU")


if __name__ == "__main__":
    main()
