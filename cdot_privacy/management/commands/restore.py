"""manage.py restore DIR [--yes]: put a backup back, then make it forget what was erased since.

A backup brings back what was purged, erased or withdrawn after it was taken. So the restore is
only done when that is gone again (GDPR Art. 17 and 21(3): an erasure or an opt-out is not undone
by restoring a copy). In order, with a progress bar:
1. keep today's suppression list (the keyed hashes of opted-out addresses) in memory;
2. replace the whole database by the backup's db.dump (one transaction: tables of a newer
   version go too, so an older backup restores);
3. replace PRIVATE_STORAGE_DIR (and CAMERA_FOOTAGE_DIR if the backup has footage) by its files;
4. `migrate` (the running version may be newer than the backup);
5. put today's suppression entries back (the list only grows), in today's form;
6. `replay_erasures`, when this version has it (the erasure ledger kept outside the database);
7. withdraw every newsletter subscription whose address is on the suppression list;
8. `purge`: everything expired by today's date, and the withdrawn subscriptions, go at once.
Stop web, worker and beat first (docs/OPERATIONS.md).
"""

import json
import shutil
import subprocess  # nosec B404 - pg_restore with a fixed argument list
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from tqdm import tqdm

from .backup import pg_environment, pg_tool


def _check_archive(archive: Path) -> None:
    """Refuse a missing or unreadable archive before anything is replaced."""
    if not archive.is_file():
        raise CommandError(f"{archive} not found: not a complete backup; nothing changed")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = tar.getmembers()
    except (OSError, tarfile.TarError) as exc:
        raise CommandError(f"{archive} cannot be read ({exc}); nothing changed") from None
    # What tarfile's "data" filter refuses, checked here too: Python before 3.11.4 (Debian
    # bookworm's 3.11.2, the Docker image's) has no filter.
    for member in members:
        parts = PurePosixPath(member.name).parts
        if member.isfile() and (member.name.startswith("/") or ".." in parts):
            raise CommandError(
                f"{archive} holds a file outside its folder ({member.name}); nothing changed"
            )


def _taken_at(source: Path) -> str | None:
    """The backup's start (manifest.json's taken_at), or None when the manifest lacks it."""
    try:
        return json.loads((source / "manifest.json").read_text())["taken_at"]
    except (OSError, ValueError, KeyError):
        return None


def _untar(archive: Path, folder: Path) -> int:
    """Replace the contents of `folder` by the archive's files, for the owner only.

    The folder itself stays (in the compose stack it is a volume's mount point): the archive is
    unpacked into a staging folder inside it first, so a broken archive replaces nothing.
    Folders end 0700 and files without group or other bits.
    """
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=folder))
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = [m for m in tar.getmembers() if m.isfile()]
            # Regular files only, their names checked by _check_archive; the modes are set below.
            if hasattr(tarfile, "data_filter"):
                tar.extractall(staging, members=members, filter="data")  # nosec B202
            else:
                tar.extractall(staging, members=members)  # noqa: S202  # nosec B202 - checked
        for path in staging.rglob("*"):
            path.chmod(0o700 if path.is_dir() else path.stat().st_mode & 0o700)
        for old in folder.iterdir():
            if old != staging:
                shutil.rmtree(old) if old.is_dir() and not old.is_symlink() else old.unlink()
        for new in staging.iterdir():
            new.rename(folder / new.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return len(members)


# The whole public schema (tables, sequences, functions, triggers) goes first: a backup older
# than the running version lacks the tables later migrations made, and `pg_restore --clean`
# would leave them for `migrate` to trip over. In the same transaction as the dump's SQL
# (psql --single-transaction), so a failing restore leaves the database as it was.
_EMPTY_SCHEMA = b"""
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS public CASCADE;
CREATE SCHEMA public;
"""


def _restore_database(dump: Path, pg_args: list[str], env: dict[str, str]) -> None:
    """Replace the whole database by the dump, in one transaction."""
    sql = subprocess.run(  # noqa: S603 # nosec B603 - fixed argv, no shell
        [pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--file", "-", str(dump)],
        capture_output=True, check=False,
    )  # fmt: skip
    if sql.returncode != 0:
        raise CommandError(f"pg_restore failed: {sql.stderr.decode(errors='replace').strip()}")
    done = subprocess.run(  # noqa: S603 # nosec B603 - fixed argv, no shell
        [pg_tool("psql"), "--no-psqlrc", "--quiet", "--single-transaction",
         "--set", "ON_ERROR_STOP=1", *pg_args],
        input=_EMPTY_SCHEMA + sql.stdout, env=env, capture_output=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        error = done.stderr.decode(errors="replace").strip()
        raise CommandError(f"restore failed, the database is unchanged: {error}")


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup`, then re-apply erasures and purge."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", metavar="DIR", help="a folder written by manage.py backup")
        parser.add_argument(
            "--yes", action="store_true", help="do not ask: the database is replaced"
        )

    def handle(self, *args, folder, yes=False, **options):
        source = Path(folder)
        dump = source / "db.dump"
        if not dump.is_file():
            raise CommandError(f"{dump} not found: not a folder written by manage.py backup")
        _check_archive(source / "private.tar.gz")
        if (source / "footage.tar.gz").exists():
            _check_archive(source / "footage.tar.gz")
        pg_args, env = pg_environment()
        if not yes:
            answer = input(f"Replace database {pg_args[-1]} by {dump}? Type 'yes': ")
            if answer.strip() != "yes":
                raise CommandError("restore cancelled; nothing changed")
        from records.ledger import ledger_kept
        from records.models import NewsletterSubscription, SuppressionEntry
        from records.services import newsletter_withdraw

        quiet = options["verbosity"] < 1
        with tqdm(total=8, desc="restore", unit="step", disable=quiet) as bar:
            kept = list(SuppressionEntry.objects.values("email_hash", "reason", "created_at"))
            bar.update()
            connections.close_all()
            _restore_database(dump, pg_args, env)
            bar.update()
            with ledger_kept():  # today's erasure ledger, not the backup's (records/ledger.py)
                restored = _untar(source / "private.tar.gz", Path(settings.PRIVATE_STORAGE_DIR))
            if (source / "footage.tar.gz").is_file():
                _untar(source / "footage.tar.gz", Path(settings.CAMERA_FOOTAGE_DIR))
            bar.update()
            # Migrate first: an older backup's migrations (records 0004 keys the stored hashes)
            # must not run over today's entries, which are already in today's form.
            call_command("migrate", interactive=False, verbosity=0)
            bar.update()
            SuppressionEntry.objects.bulk_create(
                [SuppressionEntry(**row) for row in kept], ignore_conflicts=True
            )
            bar.update()
            if "replay_erasures" in get_commands():
                # Row-id facts only against the backup's own time (records/ledger.py).
                call_command(
                    "replay_erasures", since=_taken_at(source), verbosity=options["verbosity"]
                )
            bar.update()
            withdrawn = 0
            for sub in NewsletterSubscription.objects.active().iterator():
                if SuppressionEntry.objects.matching(sub.email_normalised).exists():
                    withdrawn += len(newsletter_withdraw(email=sub.email_normalised)[0])
            bar.update()
            call_command("purge", verbosity=options["verbosity"])
            bar.update()
        self.stdout.write(
            f"restored {dump} ({restored} private files); {len(kept)} suppression entries kept, "
            f"{withdrawn} resurrected subscriptions withdrawn, purge run"
        )
