"""Benchmark: rendering the statement's PDF with WeasyPrint's two font subsetters (issue 18).

    .venv/bin/python bench/pdf_fonts.py [--runs 5] [--language nl] [--db /tmp/pdf-fonts.sqlite3]

WeasyPrint embeds a subset of each font it uses. With HarfBuzz's subset library
(Debian's libharfbuzz-subset0, which .ci/run and the Dockerfile install) it subsets with it;
without it, it falls back to fontTools in Python (and warns that the fallback will go). This
script migrates a throwaway SQLite database (`--db`, removed first; DATABASE_URL and REDIS_URL
are ignored), loads C-DOT's register
(seed_cdot), publishes the statement, then renders the same PDF `--runs` times with each
subsetter, alternating (fontTools first in each pair), so that the machine's load falls on both
alike. The baseline is the fontTools fallback, chosen in the same process by hiding the
library from WeasyPrint (`weasyprint.pdf.fonts.harfbuzz_subset = None`). Prints each run's
process CPU seconds (time.process_time), the medians, the ratio and the PDFs' sizes.
Refuses to run when the library is missing: there would be nothing to compare.
"""

import argparse
import io
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--language", default="nl", choices=["nl", "fr", "en"])
    parser.add_argument("--db", default=str(Path(tempfile.gettempdir()) / "pdf-fonts.sqlite3"))
    args = parser.parse_args()

    from _support import django_migrated

    # Its own throwaway SQLite database and broker folder, whatever the shell says: the script
    # publishes a statement, which must not reach a real database or a shared Redis.
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    django_migrated(args.db)
    from django.core.management import call_command

    from statement.models import StatementVersion
    from statement.pdfs import _render
    from statement.services import statement_publish

    call_command("seed_cdot", stdout=io.StringIO(), stderr=io.StringIO())
    statement_publish()
    version = StatementVersion.objects.latest("number")

    from weasyprint.pdf import fonts

    harfbuzz = fonts.harfbuzz_subset
    if not harfbuzz:
        sys.exit("libharfbuzz-subset0 is not installed: WeasyPrint has only fontTools here.")
    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # the fallback's warning, per font

    def render(subsetter) -> tuple[float, int]:
        fonts.harfbuzz_subset = subsetter
        start = time.process_time()
        pdf = _render(version, args.language)
        return time.process_time() - start, len(pdf)

    render(harfbuzz)  # Pango, the fonts and the templates loaded once, for both
    times: dict[str, list[float]] = {"fontTools": [], "HarfBuzz": []}
    sizes: dict[str, int] = {}
    for run in range(1, args.runs + 1):
        for name, subsetter in (("fontTools", None), ("HarfBuzz", harfbuzz)):
            spent, sizes[name] = render(subsetter)
            times[name].append(spent)
            print(f"run {run}  {name:9}  {spent:6.3f} s  {sizes[name] / 1024:6.1f} KiB")
    base, new = (statistics.median(times[k]) for k in ("fontTools", "HarfBuzz"))
    print(
        f"median: fontTools {base:.3f} s, HarfBuzz {new:.3f} s; "
        f"HarfBuzz/fontTools {new / base:.2f} ({base / new:.1f}x faster); "
        f"size {sizes['HarfBuzz'] / sizes['fontTools']:.2f}x"
    )


if __name__ == "__main__":
    main()
