"""manage.py backup [--output DIR] [--with-footage]: a consistent backup of what must be kept.

Writes into DIR (default VAR_DIR/backups/<UTC stamp>):
- db.dump: `pg_dump --format=custom` of the database (restore with `manage.py restore DIR`);
- private.tar.gz: PRIVATE_STORAGE_DIR (ID copies, access packages);
- footage.tar.gz with --with-footage: CAMERA_FOOTAGE_DIR (left out by default: footage must not
  outlive the register's `camera-footage` rule, and a backup kept longer than that period would
  keep it longer than the register says);
- manifest.json: when, which database, which files.
The files are written into DIR.partial and renamed to DIR only when all are complete: a backup
that fails (pg_dump, a full disk, an unreadable file) leaves no folder that looks like a backup.
A backup holds every person's data: encrypt it when it leaves the host and keep it no longer than
docs/OPERATIONS.md says.
"""

import json
import os
import shutil
import subprocess  # nosec B404 - pg_dump with a fixed argument list
import tarfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from tqdm import tqdm

from registry.models import RetentionRule


def pg_environment() -> tuple[list[str], dict[str, str]]:
    """libpq connection arguments and environment for pg_dump / pg_restore of `default`."""
    if connection.vendor != "postgresql":
        raise CommandError(
            "backup and restore need PostgreSQL (DEPLOYMENT=production); the embedded run "
            "keeps everything in VAR_DIR: stop it and copy that folder."
        )
    s = settings.DATABASES["default"]
    args = ["--host", s["HOST"] or "127.0.0.1", "--port", str(s["PORT"] or 5432)]
    args += ["--username", s["USER"], "--dbname", s["NAME"]]
    env = {**os.environ}
    if s["PASSWORD"]:
        env["PGPASSWORD"] = s["PASSWORD"]
    return args, env


def pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise CommandError(f"{name} not found: install the PostgreSQL client (postgresql-client)")
    return path


def _tar(folder: Path, target: Path) -> int:
    count = 0
    with tarfile.open(target, "w:gz") as tar:
        if folder.exists():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    tar.add(path, arcname=str(path.relative_to(folder)))
                    count += 1
    return count


class Command(BaseCommand):
    help = "Back up the database (pg_dump) and the private files into one folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", metavar="DIR", help="folder to create (must not exist)")
        parser.add_argument(
            "--with-footage", action="store_true", help="also the camera footage folder"
        )

    def handle(self, *args, output=None, with_footage=False, **options):
        pg_args, env = pg_environment()
        taken_at = datetime.now(UTC)
        folder = Path(output or Path(settings.VAR_DIR) / "backups" / f"{taken_at:%Y%m%dT%H%M%SZ}")
        if folder.exists() and any(folder.iterdir()):
            raise CommandError(f"{folder} exists and is not empty: choose a new folder")
        partial = folder.with_name(folder.name + ".partial")
        if partial.exists():
            raise CommandError(
                f"{partial} exists: an earlier backup failed or is running; remove it first"
            )
        if with_footage:
            self._warn_footage()
        partial.mkdir(mode=0o700, parents=True)
        try:
            manifest = self._write(partial, pg_args, env, taken_at, with_footage, options)
        except BaseException as exc:
            shutil.rmtree(partial, ignore_errors=True)
            if isinstance(exc, CommandError | KeyboardInterrupt):
                raise
            raise CommandError(f"backup failed, nothing written: {exc}") from exc
        (partial / "manifest.json").write_text(json.dumps(manifest, indent=2))
        for path in partial.iterdir():
            path.chmod(0o600)
        if folder.exists():
            folder.rmdir()  # the empty folder the caller made
        partial.rename(folder)
        self.stdout.write(f"backup written to {folder}")

    def _write(self, folder: Path, pg_args, env, taken_at, with_footage: bool, options) -> dict:
        steps = ["database", "private files"] + (["footage"] if with_footage else [])
        manifest: dict = {"taken_at": taken_at.isoformat(), "database": pg_args[-1], "files": {}}
        with tqdm(
            total=len(steps), desc="backup", unit="step", disable=options["verbosity"] < 1
        ) as bar:
            done = subprocess.run(  # noqa: S603 # nosec B603 - fixed argv, no shell
                [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file",
                 str(folder / "db.dump"), *pg_args],
                env=env, capture_output=True, text=True, check=False,
            )  # fmt: skip
            if done.returncode != 0:
                raise CommandError(f"pg_dump failed, nothing written: {done.stderr.strip()}")
            bar.update()
            manifest["files"]["private"] = _tar(
                Path(settings.PRIVATE_STORAGE_DIR), folder / "private.tar.gz"
            )
            bar.update()
            if with_footage:
                manifest["files"]["footage"] = _tar(
                    Path(settings.CAMERA_FOOTAGE_DIR), folder / "footage.tar.gz"
                )
                bar.update()
        return manifest

    def _warn_footage(self) -> None:
        """Footage in a backup lives as long as the backup: say how long the register allows."""
        rule = RetentionRule.objects.filter(code="camera-footage").first()
        period = rule.period_display() if rule else "?"
        self.stderr.write(
            f"--with-footage: the register keeps camera footage {period} (rule camera-footage); "
            "delete this backup's footage.tar.gz when that period has passed."
        )
