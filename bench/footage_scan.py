"""Benchmark: the camera footage scan over N files against a bare directory walk (issue 6).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cdot_records \\
        .venv/bin/python bench/footage_scan.py [--files 100000]

The scan runs every 10 minutes over everything under CAMERA_FOOTAGE_DIR (14 days of several
cameras), so what matters is a rescan that finds nothing new. Baseline, same run, same tree:
`os.walk` + `stat` of every file (the least any scan must do). Creates N empty files named
like the recorder's (`cam1_20261128T101500.mp4`) in a temporary directory, empties the
CameraRecording table of the given database (use your own!), then times the first scan
(indexes every file) and a rescan. The last line is the summary.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_tree(root: Path, files: int) -> None:
    start = datetime(2026, 11, 14, 0, 0, tzinfo=UTC)
    old = time.time() - 3600
    for n in range(files):
        camera = f"cam{n % 4 + 1}"
        stamp = (start + timedelta(seconds=15 * (n // 4))).strftime("%Y%m%dT%H%M%SZ")
        folder = root / camera
        folder.mkdir(exist_ok=True)
        path = folder / f"{camera}_{stamp}.mp4"
        path.touch()
        os.utime(path, (old, old))


def walk_and_stat(root: Path) -> int:
    count = 0
    for folder, _dirs, names in os.walk(root):
        for name in names:
            os.stat(os.path.join(folder, name))
            count += 1
    return count


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="footage-bench-") as tmp:
        root = Path(tmp)
        os.environ["CAMERA_FOOTAGE_DIR"] = str(root)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdot_privacy.settings")
        import django

        django.setup()
        from django.db import connection

        from records.models import CameraRecording
        from records.services import camera_footage_scan

        print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        CameraRecording.objects.all().delete()
        started = time.perf_counter()
        make_tree(root, args.files)
        print(f"created {args.files} files in {time.perf_counter() - started:.1f} s")

        baseline = best_of(3, lambda: walk_and_stat(root))
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        first = camera_footage_scan()
        first_s = time.perf_counter() - started
        rescan = best_of(3, camera_footage_scan)
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        assert first.indexed == args.files == CameraRecording.objects.count(), first
        print(f"baseline os.walk+stat: {baseline:.2f} s ({args.files / baseline:,.0f} files/s)")
        print(f"first scan (indexes all): {first_s:.2f} s ({args.files / first_s:,.0f} files/s)")
        print(f"rescan (nothing new): {rescan:.2f} s")
        CameraRecording.objects.all().delete()
        print(
            f"footage scan: first {args.files / first_s:,.0f} files/s, rescan {rescan:.2f} s, "
            f"rescan ratio {rescan / baseline:.1f}x vs os.walk+stat, "
            f"peak rss +{(rss_after - rss_before) / 1024:.0f} MB"
        )


if __name__ == "__main__":
    main()
