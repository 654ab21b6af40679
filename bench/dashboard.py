"""The officer's dashboard and the purge preview at 300 000 contacts (issue 19, finding 2).

Target: each answers in <= 0.5 s at 300 k contacts. The script resets its own PostgreSQL
database (default cdot_bench_dashboard), migrates, loads C-DOT's register, and bulk-inserts
``--contacts`` contacts (prospects, loose contacts and customers, first contact spread over
three years), one invoice per customer, web inquiries and newsletter
subscriptions for a third of them. It counts every rule's backlog once (the hourly beat task),
then, alternating rounds so drift hits all alike, it times:

- baseline: ``Contact.objects.get(pk=…)`` (one indexed primary-key fetch, same connection);
- the dashboard (``GET /admin/`` as a privacy officer, through Django's test client): it reads
  the per-rule counts the purge and the beat task keep (retention.RuleBacklog);
- the rules page (``GET /admin/retention/purgerun/preview/``), which reads the same counts;
- the purge preview of one rule (``GET …/purgerun/rules/<rule>/rows/``, page 1 of every rule
  and page 40 of the rules that have one): that rule's expiry query, one page of 25 rows and a
  count capped at 1 000; the slowest rule of each round is reported, and each rule's own median
  of page 1 below;
- the confirmation page of one rule (``GET …/purgerun/rules/<rule>/run/``), slowest rule;
- the register hints page (``GET …/processingactivity/hints/``), and the hints alone
  (``register_findings()``, not a page: what the dashboard, the hints page and every register
  change page compute);
- not a page: the beat task recounting every rule (``rule_backlogs_refresh``), for scale.

With ``--demo`` the database also holds a year of staff activity (``seed_demo``: about 2 900
purge runs, requests, breaches, a camera, a client we process for), which the dashboard's purge,
chart and duty cards read; ``--keep`` reuses a database as its first run filled it.

It prints medians and the ratio to the primary-key fetch.

    .venv/bin/python bench/dashboard.py                   # ~5 min
    .venv/bin/python bench/dashboard.py --contacts 50000 --rounds 3
    .venv/bin/python bench/dashboard.py --database cdot_dash_bench --keep --rounds 3
    .venv/bin/python bench/dashboard.py --database cdot_dash_demo --contacts 30000 --demo
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="cdot_bench_dashboard")
    parser.add_argument("--contacts", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--keep", action="store_true", help="reuse the database a previous run filled"
    )
    parser.add_argument(
        "--demo", action="store_true", help="also load a year of staff activity (seed_demo)"
    )
    return parser.parse_args()


def reset_database(name: str) -> None:
    for command in (["dropdb", "--if-exists"], ["createdb"]):
        subprocess.run([*command, "-h", "127.0.0.1", "-U", "postgres", name], check=True)  # noqa: S603


def fill(count: int, *, demo: bool = False) -> None:
    import random
    from datetime import timedelta
    from decimal import Decimal

    from django.core.management import call_command
    from django.utils import timezone

    from records.models import Contact, Invoice, NewsletterSubscription, WebInquiry

    call_command("migrate", verbosity=0)
    if NewsletterSubscription.objects.exists():
        return  # --keep: filled by an earlier run
    if Contact.objects.exists():  # --keep after a run that stopped half-way
        WebInquiry.objects.all().delete()
        Invoice.objects.all().delete()
        Contact.objects.all().delete()
    call_command("seed_cdot", verbosity=0)
    if demo:
        call_command("seed_demo", verbosity=0)
    rng = random.Random(19)  # noqa: S311 - bench data
    now = timezone.now()
    kinds = [Contact.Kind.PROSPECT, Contact.Kind.LOOSE, Contact.Kind.CUSTOMER]
    batch = 10_000
    for start in range(0, count, batch):
        rows = []
        for i in range(start, min(start + batch, count)):
            first = now - timedelta(days=rng.randint(0, 3 * 365))
            rows.append(
                Contact(
                    kind=kinds[i % 3],
                    first_name=f"First{i}",
                    last_name=f"Last{i}",
                    email=f"person{i}@example.be",
                    email_normalised=f"person{i}@example.be",
                    first_contact_at=first,
                    last_activity_at=first + timedelta(days=rng.randint(0, 200)),
                )
            )
        Contact.objects.bulk_create(rows, batch_size=batch)
    customers = Contact.objects.filter(kind=Contact.Kind.CUSTOMER).values_list("pk", flat=True)
    invoices, inquiries, subscriptions = [], [], []
    for n, pk in enumerate(customers.iterator(chunk_size=10_000)):
        issued = (now - timedelta(days=rng.randint(0, 9 * 365))).date()
        invoices.append(
            Invoice(
                contact_id=pk,
                number=f"F{n:07d}",
                issue_date=issued,
                fiscal_year=issued.year,
                total_excl_vat=Decimal("100.00"),
                vat_amount=Decimal("21.00"),
                total_incl_vat=Decimal("121.00"),
                billing_name=f"Customer {n}",
            )
        )
    Invoice.objects.bulk_create(invoices, batch_size=batch)
    for i in range(count // 3):
        received = now - timedelta(days=rng.randint(0, 2 * 365))
        inquiries.append(
            WebInquiry(
                name=f"Asker {i}",
                email=f"asker{i}@example.be",
                email_normalised=f"asker{i}@example.be",
                message="Question",
                received_at=received,
            )
        )
        subscriptions.append(
            NewsletterSubscription(
                email=f"reader{i}@example.be",
                email_normalised=f"reader{i}@example.be",
                consent_given_at=received,
                statement_version="1",
                source="bench",
                withdrawn_at=received + timedelta(days=30) if i % 4 == 0 else None,
            )
        )
    WebInquiry.objects.bulk_create(inquiries, batch_size=batch)
    NewsletterSubscription.objects.bulk_create(subscriptions, batch_size=batch)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def timed(fn, repeat: int = 1) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def main() -> None:
    args = parse_args()
    if not args.keep:
        reset_database(args.database)
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdot_privacy.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    import django

    django.setup()
    from django.urls import reverse

    from records.models import Contact
    from registry.hints import register_findings
    from retention.models import PurgeRun, RuleBacklog
    from retention.services import rule_backlogs_refresh
    from retention.targets import rule_codes

    started = time.perf_counter()
    fill(args.contacts, demo=args.demo)
    print(f"filled {Contact.objects.count()} contacts in {time.perf_counter() - started:.0f} s")
    from _support import officer_client

    client = officer_client()
    pks = list(Contact.objects.values_list("pk", flat=True)[:1000])

    from registry.models import RetentionRule

    active = set(RetentionRule.objects.filter(is_active=True).values_list("code", flat=True))
    codes = [c for c in rule_codes() if c in active]

    def get(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    def rows_url(code: str, page: int) -> str:
        return reverse("admin:retention_purgerun_rows", args=[code]) + f"?p={page}"

    def slowest(urls: dict[str, str], per_url: dict[str, list[float]]) -> float:
        times = {key: timed(lambda url=url: get(url)) for key, url in urls.items()}
        for key, value in times.items():
            per_url.setdefault(key, []).append(value)
        return max(times.values())

    rows_first = {code: rows_url(code, 1) for code in codes}
    confirm = {code: reverse("admin:retention_purgerun_run", args=[code]) for code in codes}
    per_rule: dict[str, list[float]] = {}
    ignored: dict[str, list[float]] = {}
    series: dict[str, list[float]] = {
        "pk": [],
        "dashboard": [],
        "rules": [],
        "rows1": [],
        "rows40": [],
        "confirm": [],
        "hints_page": [],
        "hints": [],
        "refresh": [],
    }
    refresh_first = timed(rule_backlogs_refresh)  # the dashboard shows counts from here on
    # Page 40 of the rules that have one (a page past the last leads back to the first).
    deep = RuleBacklog.objects.filter(rule_code__in=codes, expired_now__gt=39 * 25)
    rows_later = {backlog.rule_code: rows_url(backlog.rule_code, 40) for backlog in deep}
    get("/admin/")  # warm caches and imports
    for round_ in range(args.rounds):
        pk = pks[round_ % len(pks)]
        series["pk"].append(timed(lambda pk=pk: Contact.objects.get(pk=pk), 200))
        series["dashboard"].append(timed(lambda: get("/admin/")))
        series["rules"].append(timed(lambda: get(reverse("admin:retention_purgerun_preview"))))
        series["rows1"].append(slowest(rows_first, per_rule))
        series["rows40"].append(slowest(rows_later, ignored))
        series["confirm"].append(slowest(confirm, ignored))
        series["hints_page"].append(timed(lambda: get(reverse("admin:registry_hints"))))
        series["hints"].append(timed(register_findings))
        series["refresh"].append(timed(rule_backlogs_refresh))
    base = statistics.median(series["pk"])
    runs = PurgeRun.objects.count()
    print(f"{args.contacts} contacts, {runs} purge runs, {len(codes)} rules, {args.rounds} rounds")
    print("(medians)")
    print(f"first backlog count (beat task, every rule): {refresh_first * 1000:.0f} ms")
    print(f"page 40 timed for the {len(rows_later)} rules that have one: {', '.join(rows_later)}")
    print(f"{'what':52} {'time':>10} {'ratio to pk fetch':>18}")
    for name, key in (
        ("primary-key fetch (baseline)", "pk"),
        ("dashboard GET /admin/ (officer)", "dashboard"),
        ("rules page GET purgerun/preview/", "rules"),
        ("purge preview of one rule, page 1 (slowest rule)", "rows1"),
        ("purge preview of one rule, page 40 (slowest rule)", "rows40"),
        ("run confirmation page (slowest rule)", "confirm"),
        ("register hints page GET …/hints/", "hints_page"),
        ("register hints alone (register_findings, not a page)", "hints"),
        ("beat task: recount every rule (not a page)", "refresh"),
    ):
        median = statistics.median(series[key])
        print(f"{name:52} {median * 1000:8.1f}ms {median / base:17.0f}x")
    ranked = sorted(per_rule, key=lambda code: -statistics.median(per_rule[code]))
    print("purge preview page 1 per rule (median ms):")
    print(", ".join(f"{code} {statistics.median(per_rule[code]) * 1000:.0f}" for code in ranked))


if __name__ == "__main__":
    main()
