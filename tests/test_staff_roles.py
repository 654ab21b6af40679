"""The role matrix: each role sees and changes only what it may, by menu and by direct URL."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from breaches.models import Breach
from cdot_privacy.roles import AUDITOR, PRIVACY_OFFICER, STAFF, roles_setup
from tests.conftest import renders_a_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(db):
    roles_setup()
    made = {}
    for role in (PRIVACY_OFFICER, STAFF, AUDITOR):
        user = get_user_model().objects.create_user(
            role.lower().replace(" ", "-"), f"{role[:3]}@c-dot.be", "x" * 20, is_staff=True
        )
        user.groups.add(Group.objects.get(name=role))
        made[role] = user
    return made


def _status(client, user, url, method="get", data=None):
    client.force_login(user)
    response = getattr(client, method)(url, data or {})
    client.logout()
    return response.status_code


def test_setup_roles_is_idempotent_and_covers_every_project_app(capsys):
    call_command("setup_roles")
    first = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    call_command("setup_roles")
    second = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    assert first == second
    assert set(first) == {PRIVACY_OFFICER, STAFF, AUDITOR}
    officer = Group.objects.get(name=PRIVACY_OFFICER)
    labels = set(officer.permissions.values_list("content_type__app_label", flat=True))
    apps = {"registry", "records", "retention", "requests_app", "cdot_privacy", "breaches"}
    assert apps <= labels


def test_setup_roles_removes_a_permission_granted_by_hand():
    roles_setup()
    auditor = Group.objects.get(name=AUDITOR)
    from django.contrib.auth.models import Permission

    auditor.permissions.add(Permission.objects.get(codename="delete_breach"))
    roles_setup()
    assert not auditor.permissions.filter(codename="delete_breach").exists()


def test_auditor_reads_everything_and_changes_nothing(users):
    auditor = users[AUDITOR]
    perms = auditor.get_all_permissions()
    assert perms, "the auditor has permissions"
    assert all(p.split(".")[1].startswith(("view_", "export_")) for p in perms)
    assert "registry.view_processingactivity" in perms
    assert "retention.view_purgerun" in perms
    assert "breaches.view_breach" in perms
    assert "requests_app.view_datasubjectrequest" in perms


def test_nobody_but_officer_and_request_handlers_sees_id_copies(users):
    assert users[PRIVACY_OFFICER].has_perm("requests_app.view_idcopy")
    assert users[STAFF].has_perm("requests_app.view_idcopy")
    assert not users[AUDITOR].has_perm("requests_app.view_idcopy")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # (officer, staff, auditor)
        ("/admin/", (200, 200, 200)),
        ("/admin/registry/processingactivity/", (200, 200, 200)),
        ("/admin/registry/processingactivity/add/", (200, 403, 403)),
        ("/admin/retention/purgerun/", (200, 403, 200)),
        ("/admin/breaches/breach/", (200, 200, 200)),
        ("/admin/breaches/breach/add/", (200, 200, 403)),
        ("/admin/requests_app/datasubjectrequest/", (200, 200, 200)),
        ("/admin/requests_app/datasubjectrequest/export.csv", (200, 403, 200)),
        ("/admin/requests_app/auditentry/", (200, 200, 200)),
        ("/admin/records/contact/", (200, 200, 200)),
        ("/admin/records/contact/add/", (200, 403, 403)),
        ("/admin/django_celery_beat/periodictask/", (403, 403, 403)),  # superusers only
        ("/admin/auth/user/add/", (403, 403, 403)),
    ],
)
def test_admin_pages_per_role(client, users, url, expected):
    got = tuple(_status(client, users[r], url) for r in (PRIVACY_OFFICER, STAFF, AUDITOR))
    assert got == expected


@renders_a_pdf
def test_breach_change_and_pdf_by_direct_url_per_role(client, users):
    from datetime import UTC, datetime

    breach = Breach.objects.create(
        title="Mail to wrong client", discovered_at=datetime(2026, 1, 5, tzinfo=UTC), facts="x"
    )
    change = f"/admin/breaches/breach/{breach.pk}/change/"
    pdf = f"/admin/breaches/breach/{breach.pk}/pdf/"
    delete = f"/admin/breaches/breach/{breach.pk}/delete/"
    post = {"title": "Changed by someone who may not", "discovered_at_0": "05-01-2026"}
    assert _status(client, users[AUDITOR], change, "post", post) == 403
    assert _status(client, users[STAFF], change, "post", post) == 403
    assert _status(client, users[AUDITOR], delete, "post", {"post": "yes"}) == 403
    breach.refresh_from_db()
    assert breach.title == "Mail to wrong client"
    assert _status(client, users[AUDITOR], pdf) == 200
    assert _status(client, users[PRIVACY_OFFICER], pdf) == 200
    nobody = get_user_model().objects.create_user("temp", "t@c-dot.be", "x" * 20, is_staff=True)
    assert _status(client, nobody, pdf) == 403


# --- ID copies, exports and access packages by direct URL (no IDOR) -------------------------


@pytest.fixture
def two_requests_with_id_copies(db, settings, tmp_path):
    from requests_app.models import DataSubjectRequest, IdCopy

    settings.PRIVATE_STORAGE_DIR = tmp_path
    made = []
    for name in ("a", "b"):
        dsr = DataSubjectRequest.objects.create(
            type="access", status="identity_check", name=f"Subject {name}", email=f"{name}@ex.be"
        )
        copy = IdCopy.objects.create(
            request=dsr, stored_name=f"{name * 8}.png", content_type="image/png", size_bytes=4
        )
        copy.path.parent.mkdir(parents=True, exist_ok=True)
        copy.path.write_bytes(f"ID-{name}".encode())
        made.append((dsr, copy))
    return made


def _id_copy_url(dsr, copy) -> str:
    return f"/admin/requests_app/datasubjectrequest/{dsr.pk}/id-copy/{copy.pk}/"


def test_id_copies_open_for_officer_and_staff_only(client, users, two_requests_with_id_copies):
    (dsr, copy), _other = two_requests_with_id_copies
    url = _id_copy_url(dsr, copy)
    assert _status(client, users[PRIVACY_OFFICER], url) == 200
    assert _status(client, users[STAFF], url) == 200
    assert _status(client, users[AUDITOR], url) == 403
    member = get_user_model().objects.create_user("member", "m@ex.be", "x" * 20)
    assert _status(client, member, url) == 302  # not staff: to the login page
    assert client.get(url).status_code == 302  # anonymous


def test_an_id_copy_cannot_be_fetched_through_another_requests_url(
    client, users, two_requests_with_id_copies
):
    (dsr_a, _copy_a), (_dsr_b, copy_b) = two_requests_with_id_copies
    client.force_login(users[PRIVACY_OFFICER])
    response = client.get(_id_copy_url(dsr_a, copy_b))
    assert response.status_code == 404
    own = client.get(_id_copy_url(dsr_a, _copy_a))
    assert b"".join(own.streaming_content) == b"ID-a"


def test_the_auditor_cannot_act_on_a_request(client, users, two_requests_with_id_copies):
    (dsr, _copy), _other = two_requests_with_id_copies
    base = f"/admin/requests_app/datasubjectrequest/{dsr.pk}"
    for url in (f"{base}/step/start/", f"{base}/search/?email=a@ex.be", f"{base}/change/"):
        assert _status(client, users[AUDITOR], url, "post", {"confirm": "1"}) == 403
    dsr.refresh_from_db()
    assert dsr.status == "identity_check"


def test_an_access_package_link_opens_only_its_own_package(client, db, settings, tmp_path):
    from django.core import signing

    from requests_app.models import AccessPackage, DataSubjectRequest
    from requests_app.tokens import DOWNLOAD_SALT, package_download_path

    settings.PRIVATE_STORAGE_DIR = tmp_path
    packages = []
    for name in ("a", "b"):
        dsr = DataSubjectRequest.objects.create(
            type="access", status="completed", name=name, email=f"{name}@ex.be"
        )
        package = AccessPackage.objects.create(
            request=dsr,
            kind="access_report",
            stored_name=f"{name * 12}.pdf",
            filename=f"{name}.pdf",
            content_type="application/pdf",
            size_bytes=5,
            expires_at=timezone.now() + AccessPackage.LIFETIME,
        )
        package.path.parent.mkdir(parents=True, exist_ok=True)
        package.path.write_bytes(f"PKG-{name}".encode())
        packages.append(package)
    package_a, package_b = packages
    response = client.get(package_download_path(package_a))
    assert b"".join(response.streaming_content) == b"PKG-a"
    # Changing the id inside the link, or guessing one, opens nothing.
    forged = signing.dumps({"p": package_b.pk, "n": "aaaaaaaa"}, salt=DOWNLOAD_SALT)
    assert client.get(f"/nl/privacy/request/download/{forged}/").status_code == 410
    unsigned = signing.dumps({"p": package_b.pk, "n": "bbbbbbbb"}, key="guess", salt="x")
    assert client.get(f"/nl/privacy/request/download/{unsigned}/").status_code == 410
