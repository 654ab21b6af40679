"""Benchmark: the fast test loop (`bin/test --fast`'s pytest) of two configurations, run
alternately on the same machine, with their wall and CPU seconds and the ratio (issue 18).

    python3 bench/test_loop.py [--baseline REV] [--baseline-python PATH] [--python PATH]
                               [--runs 2] [--workers 2] [--services] [-- PYTEST ARGS]

The baseline is this checkout at REV (a detached `git worktree` in .cache/bench/, made once)
and/or another interpreter's venv (`--baseline-python`: the `python` of a venv that has the
locked dependencies; `bench/test_loop.py --make-venv DIR --with PYTHON` makes one). The current
configuration is this checkout run by `--python` (default: .venv/bin/python). Each
configuration first runs once unmeasured (each tree keeps its own migrated SQLite test
database in its .cache/, and Python its byte code), then `--runs` times, alternating, so that
the machine's load falls on both alike. Prints each run, the medians and current/baseline.

What is run: `python -m pytest -q -p no:randomly -n WORKERS -m "not slow"` (pass other pytest
arguments after `--`), with PYTHONDONTWRITEBYTECODE unset as bin/test does and without
DATABASE_URL/REDIS_URL (SQLite, as the fast loop runs by default). CPU seconds are the
children's user + system time (resource.getrusage), so the xdist workers are counted; the
PostgreSQL and Redis servers' own CPU is not (it shows in the wall time).

`--services`: the whole suite as `.ci/run` runs it (no -m filter, REQUIRE_SERVICES=1) on the
PostgreSQL at 127.0.0.1:5432 and REDIS_URL (default redis://127.0.0.1:6379/13). Each
configuration gets a database of its own (cdot_bench_baseline, cdot_bench_current), so each
keeps its own migrated template (tests/conftest.py) when their migrations or locks differ; the
warm-up then runs one module only (tests/test_retention_purge.py), which makes that template.
The Nu checker of this checkout serves both (VNU_JAR).
"""

import argparse
import os
import resource
import statistics
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _tree(rev: str | None, python: str) -> Path:
    if rev is None:
        return ROOT
    commit = subprocess.run(
        ["git", "rev-parse", "--verify", f"{rev}^{{commit}}"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    path = ROOT / ".cache" / "bench" / f"tree-{commit[:12]}"
    if not path.exists():
        subprocess.run(  # noqa: S603
            ["git", "worktree", "add", "--detach", str(path), commit],  # noqa: S607
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        # The .mo files are not in git: the baseline tree compiles its own.
        subprocess.run(  # noqa: S603
            [python, "manage.py", "compilemessages", "--ignore=.venv", "--verbosity=0"],
            cwd=path,
            check=True,
        )
    # The tests start the project's own processes from the tree's .venv (the compose topology
    # test): the baseline tree links the venv of the Python that runs it.
    venv = path / ".venv"
    if venv.is_symlink():
        venv.unlink()
    if not venv.exists():
        venv.symlink_to(Path(python).absolute().parent.parent)
    return path


WARM_UP_MODULE = "tests/test_retention_purge.py"


def _run(
    python: str, tree: Path, workers: int, extra: list[str], services: str = ""
) -> tuple[float, float, str]:
    """One pytest run; `services` names the configuration's own PostgreSQL database."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE",)}
    redis_url = env.get("REDIS_URL") or "redis://127.0.0.1:6379/13"  # not dev's or CI's
    for name in ("DATABASE_URL", "REDIS_URL", "REQUIRE_SERVICES", "TEST_DATABASE_NAME"):
        env.pop(name, None)
    argv = [python, "-m", "pytest", "-q", "-p", "no:randomly", "-n", str(workers)]
    if services:
        subprocess.run(  # noqa: S603 - exists already: an error we ignore
            ["createdb", "-h", "127.0.0.1", "-U", "postgres", services],  # noqa: S607
            capture_output=True,
            check=False,
        )
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{services}"
        env["REDIS_URL"] = redis_url
        env["REQUIRE_SERVICES"] = "1"
        env["VNU_JAR"] = str(ROOT / ".cache/npm/node_modules/vnu-jar/build/dist/vnu.jar")
        argv += extra
    else:
        argv += ["-m", "not slow", *extra]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=tree, env=env, capture_output=True, text=True)  # noqa: S603
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-300:]
    if done.returncode != 0:
        raise SystemExit(f"pytest failed in {tree} with {python}:\n{done.stdout[-3000:]}")
    return wall, cpu, summary


def _make_venv(target: Path, python: str) -> None:
    subprocess.run([python, "-m", "venv", str(target)], check=True)  # noqa: S603
    pip = [str(target / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "-r", str(ROOT / "requirements-dev.lock")], check=True)  # noqa: S603
    print(f"made {target} with {python}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", help="a git revision of this checkout")
    parser.add_argument("--baseline-python", help="the python of the baseline's venv")
    parser.add_argument("--python", default=str(ROOT / ".venv" / "bin" / "python"))
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--make-venv", type=Path, help="make a venv of the dev lock and stop")
    parser.add_argument("--with", dest="with_python", default="python3")
    parser.add_argument(
        "--services", action="store_true", help="the whole suite on PostgreSQL + Redis"
    )
    parser.add_argument("pytest_args", nargs="*")
    args = parser.parse_args()
    if args.make_venv:
        _make_venv(args.make_venv, args.with_python)
        return
    if not (args.baseline or args.baseline_python):
        parser.error("give --baseline REV and/or --baseline-python PATH")
    configs = {
        "baseline": (
            args.baseline_python or args.python,
            _tree(args.baseline, args.baseline_python or args.python),
        ),
        "current": (args.python, ROOT),
    }
    database = {label: f"cdot_bench_{label}" if args.services else "" for label in configs}
    for label, (python, tree) in configs.items():
        print(f"{label}: {python} in {tree} (warm-up run)", flush=True)
        warm_up = [WARM_UP_MODULE] if args.services else args.pytest_args
        _run(python, tree, args.workers, warm_up, database[label])
    results: dict[str, list[tuple[float, float]]] = {label: [] for label in configs}
    for run in range(1, args.runs + 1):
        for label, (python, tree) in configs.items():
            wall, cpu, summary = _run(python, tree, args.workers, args.pytest_args, database[label])
            results[label].append((wall, cpu))
            load = os.getloadavg()[0]
            print(
                f"run {run} {label:8s} {wall:6.1f} s wall {cpu:6.1f} CPU-s  load {load:.1f}  "
                f"({summary})",
                flush=True,
            )
    medians = {
        label: (statistics.median(w for w, _ in rows), statistics.median(c for _, c in rows))
        for label, rows in results.items()
    }
    for label, (wall, cpu) in medians.items():
        print(f"median {label:8s} {wall:6.1f} s wall {cpu:6.1f} CPU-s")
    (bw, bc), (cw, cc) = medians["baseline"], medians["current"]
    print(f"ratio current/baseline: wall {cw / bw:.2f}, CPU {cc / bc:.2f}")


if __name__ == "__main__":
    main()
