"""Backups that restore (#18): `manage.py backup` and `manage.py restore`, and the restore drill.

A backup taken before a purge and a withdrawal brings their data back; the restore must remove
it again at once (the suppression list of today is kept, the next purge runs), and the app
works on the restored database.
"""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from records.models import Contact, NewsletterSubscription, SuppressionEntry
from records.models_ledger import ErasureReplay
from records.services import newsletter_withdraw
from tests.records_factories import ContactFactory, SubscriptionFactory, rule

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def private_dir(settings, tmp_path):
    settings.PRIVATE_STORAGE_DIR = tmp_path / "private"
    settings.PRIVATE_STORAGE_DIR.mkdir()
    return settings.PRIVATE_STORAGE_DIR


def test_restore_drill_resurrected_data_is_removed_at_once(
    transactional_db, private_dir, tmp_path, client
):
    rule("prospect", 1, "years", "first_contact")
    rule("newsletter", 0, "days", "consent_withdrawn")
    now = timezone.now()
    expired = ContactFactory(first_contact_at=now - timedelta(days=400))
    current = ContactFactory(first_contact_at=now - timedelta(days=3))
    reader = SubscriptionFactory(email="reader@example.be", email_normalised="reader@example.be")
    (private_dir / "id-copy.pdf").write_bytes(b"%PDF-1.4 test")
    # Nothing expired has been purged yet when the backup is taken.
    call_command("backup", output=str(tmp_path / "backup"), verbosity=0)
    assert {p.name for p in (tmp_path / "backup").iterdir()} == {
        "db.dump",
        "private.tar.gz",
        "manifest.json",
    }

    # After the backup: the purge runs and the reader withdraws (suppression list).
    call_command("purge", verbosity=0)
    assert not Contact.objects.filter(pk=expired.pk).exists()
    newsletter_withdraw(email="reader@example.be")
    call_command("purge", verbosity=0)
    assert not NewsletterSubscription.objects.filter(pk=reader.pk).exists()
    assert SuppressionEntry.objects.matching("reader@example.be").exists()
    (private_dir / "id-copy.pdf").unlink()

    call_command("restore", str(tmp_path / "backup"), yes=True, verbosity=0)

    # What the purge and the withdrawal removed is gone again, the rest is back.
    assert not Contact.objects.filter(pk=expired.pk).exists()
    assert Contact.objects.filter(pk=current.pk).exists()
    assert not NewsletterSubscription.objects.filter(email_normalised="reader@example.be").exists()
    assert SuppressionEntry.objects.matching("reader@example.be").exists()
    assert (private_dir / "id-copy.pdf").read_bytes() == b"%PDF-1.4 test"
    # The erasure ledger (outside the database, today's kept) was replayed by the restore:
    # the withdrawal is one of its facts and the restored subscription was withdrawn again.
    replay = ErasureReplay.objects.get()
    assert replay.counts["facts"] >= 1 and replay.counts["withdrawn"] == 1, replay.counts
    # The app runs on the restored database.
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get("/en/privacy/request/").status_code == 200


def test_restore_refuses_a_folder_that_is_no_backup(transactional_db, tmp_path):
    ContactFactory()
    with pytest.raises(CommandError, match="not a folder written by manage.py backup"):
        call_command("restore", str(tmp_path), yes=True, verbosity=0)
    assert Contact.objects.count() == 1


def test_backup_refuses_a_folder_that_is_not_empty(transactional_db, tmp_path):
    (tmp_path / "something").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", output=str(tmp_path), verbosity=0)
    assert [p.name for p in tmp_path.iterdir()] == ["something"]


def test_a_failed_backup_leaves_no_folder_that_looks_like_one(
    transactional_db, private_dir, tmp_path, settings, monkeypatch
):
    """pg_dump cannot reach the server: nothing is left, neither the folder nor DIR.partial."""
    monkeypatch.setitem(settings.DATABASES["default"], "PORT", "1")  # read by pg_environment
    with pytest.raises(CommandError, match="pg_dump failed, nothing written"):
        call_command("backup", output=str(tmp_path / "backup"), verbosity=0)
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["private"]


def test_a_backup_is_complete_or_absent_and_readable_by_its_owner_only(
    transactional_db, private_dir, tmp_path
):
    (private_dir / "id-copy.png").write_bytes(b"png")
    call_command("backup", output=str(tmp_path / "backup"), verbosity=0)
    backup = tmp_path / "backup"
    assert not (tmp_path / "backup.partial").exists()
    assert backup.stat().st_mode & 0o777 == 0o700
    assert {p.stat().st_mode & 0o777 for p in backup.iterdir()} == {0o600}
    # An interrupted backup's DIR.partial is refused, not mixed into the next one.
    (tmp_path / "next.partial").mkdir()
    with pytest.raises(CommandError, match="an earlier backup failed or is running"):
        call_command("backup", output=str(tmp_path / "next"), verbosity=0)
    assert not (tmp_path / "next").exists()


def test_restore_checks_every_archive_before_it_replaces_anything(
    transactional_db, private_dir, tmp_path
):
    """A backup folder without its private files archive is refused before the database or
    today's private files are touched (a half restore loses both)."""
    call_command("backup", output=str(tmp_path / "backup"), verbosity=0)
    (tmp_path / "backup" / "private.tar.gz").unlink()
    contact = ContactFactory()
    (private_dir / "kept.pdf").write_bytes(b"today")
    with pytest.raises(CommandError, match="private.tar.gz"):
        call_command("restore", str(tmp_path / "backup"), yes=True, verbosity=0)
    assert (private_dir / "kept.pdf").read_bytes() == b"today"
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_an_archive_with_a_file_outside_its_folder_is_refused_before_anything_changes(
    transactional_db, private_dir, tmp_path
):
    """A name with ".." in the private files archive (what tarfile's "data" filter refuses,
    checked by the command itself on Pythons without the filter) is refused up front."""
    import io
    import tarfile

    call_command("backup", output=str(tmp_path / "backup"), verbosity=0)
    archive = tmp_path / "backup" / "private.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("../escaped.pdf")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"bad"))
    contact = ContactFactory()
    (private_dir / "kept.pdf").write_bytes(b"today")
    with pytest.raises(CommandError, match="outside its folder"):
        call_command("restore", str(tmp_path / "backup"), yes=True, verbosity=0)
    assert (private_dir / "kept.pdf").read_bytes() == b"today"
    assert not (private_dir.parent / "escaped.pdf").exists()
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_restored_private_files_are_readable_by_the_owner_only(
    transactional_db, private_dir, tmp_path
):
    sub = private_dir / "id-copies"
    sub.mkdir(mode=0o700)
    (sub / "copy.jpg").write_bytes(b"id")
    (sub / "copy.jpg").chmod(0o600)
    private_dir.chmod(0o700)
    call_command("backup", output=str(tmp_path / "backup"), verbosity=0)
    call_command("restore", str(tmp_path / "backup"), yes=True, verbosity=0)
    for path in [private_dir, *private_dir.rglob("*")]:
        mode = path.stat().st_mode
        assert mode & 0o077 == 0, f"{path} is open to others: {mode:o}"
    assert (sub / "copy.jpg").read_bytes() == b"id"


def test_opt_outs_made_after_an_older_backup_still_match_after_its_restore(
    transactional_db, private_dir, tmp_path
):
    """A backup from before records 0004 (which keys the stored hashes once): today's already
    keyed suppression entries must go back after the restored database is migrated, or the
    migration keys them a second time and the opt-out silently stops matching (Art. 21(3))."""
    call_command("migrate", "records", "0003", verbosity=0)
    try:
        call_command("backup", output=str(tmp_path / "backup"), verbosity=0)
    finally:
        call_command("migrate", verbosity=0)
    newsletter_withdraw(email="later@example.be")
    assert SuppressionEntry.objects.matching("later@example.be").exists()

    call_command("restore", str(tmp_path / "backup"), yes=True, verbosity=0)

    assert SuppressionEntry.objects.matching("later@example.be").exists()


def test_a_dump_that_cannot_be_restored_changes_nothing(transactional_db, private_dir, tmp_path):
    call_command("backup", output=str(tmp_path / "backup"), verbosity=0)
    (tmp_path / "backup" / "db.dump").write_bytes(b"PGDMP not a dump")
    contact = ContactFactory()
    (private_dir / "kept.pdf").write_bytes(b"today")
    with pytest.raises(CommandError, match="pg_restore failed"):
        call_command("restore", str(tmp_path / "backup"), yes=True, verbosity=0)
    assert Contact.objects.filter(pk=contact.pk).exists()
    assert (private_dir / "kept.pdf").read_bytes() == b"today"


def _api_post(client, key: str, path: str, body: dict):
    return client.post(
        f"/api/v1/{path}",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )


def test_restore_drill_an_erasure_request_and_an_api_withdrawal_stay_done(
    transactional_db, private_dir, tmp_path, client
):
    """The issue's own case (#19, finding 7): back up; erase a contact through a data-subject
    request and withdraw a subscription through the API; restore. The restored database had
    both back (the contact, the active subscription); the ledger replay removes them again."""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType

    from records.models_api import ApiKey
    from requests_app.models import DataSubjectRequest, SubjectMatch
    from requests_app.services_records import erasure_execute

    rule("newsletter", 0, "days", "consent_withdrawn")
    key, prefix, digest = ApiKey.generate()
    ApiKey.objects.create(
        name="website",
        prefix=prefix,
        key_hash=digest,
        scopes=[ApiKey.Scope.NEWSLETTER_WRITE.value],
        rate_limit_per_minute=60,
    )
    erased = ContactFactory(email="erik@example.be", email_normalised="erik@example.be")
    kept = ContactFactory()
    subscribed = _api_post(
        client,
        key,
        "newsletter/subscriptions",
        {
            "email": "lies@example.be",
            "consent_given_at": timezone.now().isoformat(),
            "consent_text": "Ja, stuur mij de nieuwsbrief van C-DOT.",
            "source": "website-footer",
        },
    )
    assert subscribed.status_code == 201, subscribed.content
    call_command("backup", output=str(tmp_path / "backup"), verbosity=0)

    # After the backup: the erasure request is carried out on its confirmed match ...
    officer = get_user_model().objects.create_user("officer", "o@c-dot.be", "x" * 20)
    dsr = DataSubjectRequest.objects.create(
        type="erasure",
        name="Erik Erased",
        email="erik@example.be",
        language="nl",
        status=DataSubjectRequest.Status.IN_PROGRESS,
        due_on=timezone.localdate() + timedelta(days=30),
    )
    SubjectMatch.objects.create(
        request=dsr,
        content_type=ContentType.objects.get_for_model(Contact),
        object_id=erased.pk,
        confirmed_by=officer,
    )
    erasure_execute(dsr=dsr, actor=officer)
    assert not Contact.objects.filter(pk=erased.pk).exists()
    # ... and the reader withdraws through the API.
    withdrawn = _api_post(client, key, "newsletter/withdrawals", {"email": "lies@example.be"})
    assert withdrawn.status_code == 200, withdrawn.content
    assert not NewsletterSubscription.objects.active().filter(email_normalised="lies@example.be")

    call_command("restore", str(tmp_path / "backup"), yes=True, verbosity=0)

    assert not Contact.objects.filter(pk=erased.pk).exists()
    assert not Contact.objects.filter(email_normalised="erik@example.be").exists()
    assert Contact.objects.filter(pk=kept.pk).exists()
    assert not NewsletterSubscription.objects.filter(email_normalised="lies@example.be").exists()
    assert SuppressionEntry.objects.matching("lies@example.be").exists()
    # The replay is on record: the contact erased again, the subscription withdrawn again.
    replay = ErasureReplay.objects.get()
    assert replay.counts["erased"] == 1 and replay.counts["withdrawn"] == 1, replay.counts
