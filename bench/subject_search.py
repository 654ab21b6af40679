"""Subject search at scale: p50 of requests_app.selectors.subject_search on PostgreSQL.

Target (issue 14): p50 <= 5 ms, names matched whatever the case and accents, with 1 M
contacts + 1 M invoices. Loads synthetic rows with COPY into the records tables of the
database in DATABASE_URL (its own database: the script refuses SQLite and asks for --reset
before it empties anything), ANALYZEs, then times searches by e-mail, phone, name (lower case
"first last", and upper case "LAST FIRST"), VAT/KBO and all keys together (what the staff
form sends by default).
Baseline, same run: fetching one contact by primary key through the ORM.

    createdb -h 127.0.0.1 -U postgres cdot_requests
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cdot_requests \
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cdot_requests \
        .venv/bin/python bench/subject_search.py --reset --contacts 1000000 --invoices 1000000
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdot_privacy.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from tqdm import tqdm  # noqa: E402

from records.models import Contact  # noqa: E402
from records.normalise import name_key  # noqa: E402
from requests_app.selectors import search_keys, subject_search  # noqa: E402

FIRST = [f"Voornaam{i}" for i in range(400)] + ["Jan", "Marie", "Luc", "Anne", "Pieter"]
LAST = [f"Achternaam{i}" for i in range(5000)] + ["Peeters", "Janssens", "Maes", "Jacobs"]
CONTACT_COLUMNS = (
    "kind", "first_name", "last_name", "company", "street", "postal_code", "city", "country",
    "phone", "mobile", "email", "email_normalised", "phone_e164", "mobile_e164", "vat_number",
    "kbo_number", "url", "first_contact_at", "source", "marketing_opt_out", "restricted",
    "restriction_reason", "created_at", "name_key",
)  # fmt: skip
INVOICE_COLUMNS = (
    "number", "issue_date", "fiscal_year", "total_excl_vat", "vat_amount", "total_incl_vat",
    "billing_name", "billing_address", "billing_vat_number", "contact_id",
)  # fmt: skip


def kbo_for(i: int) -> str:
    """A valid company number: eight digits starting with 0, then 97 - (those mod 97)."""
    base = 2_000_000 + i // 10
    return f"{base:08d}{97 - base % 97:02d}"


def contact_row(i: int, rng: random.Random) -> tuple:
    first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
    email = f"person{i}@example{i % 97}.be"
    mobile = f"+32470{i:06d}" if i < 1_000_000 else ""
    kbo = kbo_for(i) if i % 10 == 0 else ""
    moment = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(minutes=i)
    return (
        rng.choice(("prospect", "loose", "customer")), first, last, "", "", "3190",
        "Boortmeerbeek", "BE", "", mobile, email, email, "", mobile, f"BE{kbo}" if kbo else "",
        kbo, "", moment.isoformat(), "bench", False, False, "", moment.isoformat(),
        name_key(first_name=first, last_name=last),
    )  # fmt: skip


def load(contacts: int, invoices: int) -> None:
    rng = random.Random(7)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE records_invoice, records_webinquiry, records_contact RESTART IDENTITY CASCADE"
        )
        with cursor.copy(f"COPY records_contact ({', '.join(CONTACT_COLUMNS)}) FROM STDIN") as copy:
            for i in tqdm(range(contacts), desc="contacts", unit="row", mininterval=2):
                copy.write_row(contact_row(i, rng))
        with cursor.copy(f"COPY records_invoice ({', '.join(INVOICE_COLUMNS)}) FROM STDIN") as copy:
            for n in tqdm(range(invoices), desc="invoices", unit="row", mininterval=2):
                issued = date(2019, 1, 1) + timedelta(days=n % 2500)
                copy.write_row(
                    (f"B{n:08d}", issued, issued.year, "100.00", "21.00", "121.00",
                     "Bench", "", "", rng.randint(1, contacts))
                )  # fmt: skip
        cursor.execute("ANALYZE records_contact; ANALYZE records_invoice")


def timed(fn, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200, help="searches per key kind")
    parser.add_argument("--reset", action="store_true", help="empty the records tables, load")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("run this against PostgreSQL (DATABASE_URL=postgres://.../<own database>)")
    present = Contact.objects.count()
    if args.reset or present != args.contacts:
        if not args.reset:
            sys.exit(f"{present} contacts present; pass --reset to load {args.contacts}")
        load(args.contacts, args.invoices)
    rng = random.Random(11)
    n = args.contacts
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # warm connection

    def pk_lookup():
        Contact.objects.filter(pk=rng.randint(1, n)).first()

    def by(kind):
        def run():
            i = rng.randrange(n)
            first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
            keys = {
                "email": {"email": f"Person{i}@Example{i % 97}.be "},
                "phone": {"phone": f"0470 {i // 1000:03d} {i % 1000:03d}"},
                "name": {"name": f"{first.lower()} {last.lower()}"},
                "NAME, last first": {"name": f"{last.upper()} {first.upper()}"},
                "vat/kbo": {"vat_or_kbo": "BE " + kbo_for(i - i % 10)},
                "all keys": {
                    "email": f"person{i}@example{i % 97}.be",
                    "phone": f"+32 470 {i:06d}",
                    "name": f"{first} {last}",
                },
            }[kind]
            hits = subject_search(search_keys(**keys))
            assert hits, (kind, keys)

        return run

    kinds = ("email", "phone", "name", "NAME, last first", "vat/kbo", "all keys")
    runners = {"baseline": pk_lookup, **{kind: by(kind) for kind in kinds}}
    for fn in runners.values():  # warm caches and plans
        timed(fn, 10)
    # Interleaved rounds: load from other processes hits baseline and searches alike.
    samples: dict[str, list[float]] = {name: [] for name in runners}
    for _ in tqdm(range(args.queries), desc="rounds", mininterval=2):
        for name, fn in runners.items():
            samples[name] += timed(fn, 1)
    baseline = statistics.median(samples["baseline"])
    invoices = Contact.invoices.rel.related_model.objects.count()
    print(f"rows: contacts={Contact.objects.count():,} invoices={invoices:,}")
    print(f"baseline (one contact by pk through the ORM): p50 {baseline:.2f} ms")
    print(f"{'search by':<10} {'p50 ms':>8} {'p95 ms':>8} {'p50/baseline':>13}")
    overall = []
    for kind in kinds:
        overall += samples[kind]
        p50 = statistics.median(samples[kind])
        p95 = statistics.quantiles(samples[kind], n=20)[18]
        print(f"{kind:<10} {p50:>8.2f} {p95:>8.2f} {p50 / baseline:>12.1f}x")
    p50 = statistics.median(overall)
    verdict = "meets" if p50 <= 5 else "MISSES"
    print(f"overall p50 {p50:.2f} ms ({p50 / baseline:.1f}x baseline) {verdict} the 5 ms target")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('records_contact'))")
        print(f"records_contact with indexes: {cursor.fetchone()[0]}")


if __name__ == "__main__":
    main()
