"""Hostile input: every bad request gets a 4xx (or escaped output) and leaves no row or file."""

import io
import multiprocessing
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from requests_app.models import AccessPackage, DataSubjectRequest, IdCopy
from tests.requests.support import (
    form_data,
    jpeg_with_exif,
    link_path,
    pdf_bytes,
    png_bytes,
    step,
    submit_and_verify,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_in_process")]
ROOT = Path(__file__).resolve().parents[2]  # the project (tests/requests/ is two below)
URL = "/nl/privacy/request/"


def _files_in(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.fixture
def nothing_left(private_storage):
    """After the test: no request row, no ID-copy row, no file in private storage."""
    yield
    assert DataSubjectRequest.objects.count() == 0
    assert IdCopy.objects.count() == 0
    assert _files_in(private_storage) == []


def _upload(name: str, content: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


HOSTILE_FORMS = {
    "huge name": form_data(name="A" * 10_000),
    "huge details": form_data(details="x" * 100_000),
    "huge e-mail": form_data(email="a" * 300 + "@example.be"),
    "not an e-mail": form_data(email="jan@"),
    "unknown type": form_data(type="everything"),
    "control characters in the name": form_data(name="Jan\x00Peeters"),
    "letters as phone": form_data(phone="call me maybe"),
    "empty": {},
    "honeypot filled": form_data(website="http://spam.example"),
}


@pytest.mark.parametrize("case", HOSTILE_FORMS)
def test_bad_form_input_is_a_400_with_a_message_and_stores_nothing(client, nothing_left, case):
    response = client.post(URL, HOSTILE_FORMS[case])
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert mail.outbox == []


def test_a_body_above_the_upload_limit_is_refused_before_it_is_read(client, nothing_left):
    response = client.post(URL, form_data(details="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)))
    assert response.status_code in (400, 413)  # 413 from the body limit (#19), 400 from Django


def _html_disguised_as_jpeg() -> bytes:
    return b"<html><script>alert(1)</script></html>"


def _truncated_png() -> bytes:
    return png_bytes()[:40]


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")
    return out.getvalue()


BAD_FILES = {
    "windows program named .pdf": ("id.pdf", b"MZ\x90\x00" + b"\x00" * 200, "application/pdf"),
    "html named .jpg": ("id.jpg", _html_disguised_as_jpeg(), "image/jpeg"),
    "gif named .png": ("id.png", _gif(), "image/png"),
    "truncated png": ("id.png", _truncated_png(), "image/png"),
    "jpeg magic then garbage": ("id.jpg", b"\xff\xd8\xff\xe0" + b"\x13" * 500, "image/jpeg"),
    "pdf without end": ("id.pdf", b"%PDF-1.4\n" + b"0" * 500, "application/pdf"),
    "zip named .pdf": ("id.pdf", b"PK\x03\x04" + b"\x00" * 100, "application/pdf"),
    "over 5 MB": ("id.pdf", b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024) + b"%%EOF", "application/pdf"),
    "empty file": ("id.pdf", b"", "application/pdf"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_wrong_and_disguised_files_are_refused_and_nothing_is_written(client, nothing_left, case):
    name, content, content_type = BAD_FILES[case]
    response = client.post(URL, form_data(id_copy=_upload(name, content, content_type)))
    assert response.status_code == 400
    assert "id_copy" in response.context["form"].errors or response.context["form"].errors


def test_an_image_bomb_is_refused(client, nothing_left):
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, format="PNG")  # 400 Mpx, a few kB
    response = client.post(URL, form_data(id_copy=_upload("id.png", out.getvalue(), "image/png")))
    assert response.status_code == 400


def test_a_jpeg_is_reencoded_without_its_metadata_under_a_random_name(client, private_storage):
    upload = _upload("../../etc/passwd.jpg", jpeg_with_exif("secret-camera GPS"), "image/jpeg")
    assert client.post(URL, form_data(id_copy=upload)).status_code == 200
    (stored,) = _files_in(private_storage)
    assert stored.parent == private_storage / "id-copies"
    assert "passwd" not in stored.name and stored.suffix == ".jpg"
    content = stored.read_bytes()
    assert b"secret-camera" not in content
    assert Image.open(io.BytesIO(content)).getexif() == {}
    assert oct(stored.stat().st_mode & 0o777) == "0o600"


def test_a_real_pdf_and_png_are_accepted(client, private_storage):
    response = client.post(URL, form_data(id_copy=_upload("a.pdf", pdf_bytes(), "x/y")))
    assert response.status_code == 200
    assert (
        client.post(
            URL, form_data(email="b@example.be", id_copy=_upload("b.png", png_bytes(), "image/png"))
        ).status_code
        == 200
    )
    assert sorted(p.suffix for p in _files_in(private_storage)) == [".pdf", ".png"]


def test_private_storage_is_outside_every_web_root():
    private = Path(settings.PRIVATE_STORAGE_DIR).resolve()
    for root in (settings.MEDIA_ROOT, settings.STATIC_ROOT, *settings.STATICFILES_DIRS):
        assert not private.is_relative_to(Path(root).resolve())


def test_a_post_without_csrf_token_is_refused(nothing_left):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(URL, form_data()).status_code == 403


def test_the_form_page_carries_a_csrf_token_and_works_without_javascript(client):
    html = client.get(URL).content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'enctype="multipart/form-data"' in html and "<script" not in html
    for field in ("id_name", "id_email", "id_phone", "id_details", "id_id_copy"):
        assert f'for="{field}"' in html  # every field has a label
    assert "pasfoto onzichtbaar" in html and "kopie" in html  # the seed's ID-copy advice


def test_a_verification_link_works_once(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, form_data())
    path = link_path(mail.outbox[-1], "/verify/")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(path).status_code == 200
    replay = client.post(path)
    assert replay.status_code == 410
    assert "al gebruikt" in replay.content.decode()
    assert client.get(path).status_code == 410
    assert DataSubjectRequest.objects.get().status == DataSubjectRequest.Status.RECEIVED


def test_an_expired_verification_link_is_refused_and_the_request_stays_out(
    client, time_machine, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, form_data())
    path = link_path(mail.outbox[-1], "/verify/")
    time_machine.move_to(timezone.now() + timedelta(days=7, minutes=1))  # the window stated
    response = client.post(path)
    assert response.status_code == 410 and "verlopen" in response.content.decode()
    assert DataSubjectRequest.objects.get().status == DataSubjectRequest.Status.UNVERIFIED


@pytest.mark.parametrize("token", ["nonsense", "eyJyIjoxfQ:1abc:def", "a" * 300])
def test_forged_verification_and_download_links_are_refused(client, token):
    assert client.post(f"/nl/privacy/request/verify/{token}/").status_code == 400
    assert client.get(f"/nl/privacy/request/download/{token}/").status_code == 410


def test_a_download_link_expires_after_30_days(
    client, officer, time_machine, django_capture_on_commit_callbacks
):
    dsr = submit_and_verify(client, django_capture_on_commit_callbacks)
    client.force_login(officer)
    step(client, dsr, "start")
    step(client, dsr, "access-report")
    step(client, dsr, "complete", {"decision": "no_data", "answer": "Geen gegevens."},
         django_capture_on_commit_callbacks)  # fmt: skip
    path = link_path(mail.outbox[-1], "/download/")
    client.logout()
    assert client.get(path).status_code == 200
    time_machine.move_to(timezone.now() + AccessPackage.LIFETIME + timedelta(minutes=1))
    assert client.get(path).status_code == 410


def test_script_in_a_name_is_shown_escaped_to_staff_and_the_subject(
    client, officer, django_capture_on_commit_callbacks
):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, form_data(name=evil))
    path = link_path(mail.outbox[-1], "/verify/")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path)
    dsr = DataSubjectRequest.objects.get()
    client.force_login(officer)
    pages = [
        client.get("/admin/requests_app/datasubjectrequest/"),
        client.get(f"/admin/requests_app/datasubjectrequest/{dsr.pk}/change/"),
        client.get(f"/admin/requests_app/datasubjectrequest/{dsr.pk}/search/"),
    ]
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert" in pages[1].content.decode()


def test_id_copy_is_served_only_to_staff_with_permission_as_an_attachment(
    client, officer, django_capture_on_commit_callbacks
):
    from django.contrib.auth import get_user_model

    upload = _upload("id.png", png_bytes(), "image/png")
    submit_and_verify(client, django_capture_on_commit_callbacks, id_copy=upload)
    copy = IdCopy.objects.get()
    url = f"/admin/requests_app/datasubjectrequest/{copy.request_id}/id-copy/{copy.pk}/"
    assert client.get(url).status_code == 302  # anonymous: to the login
    clerk = get_user_model().objects.create_user("clerk", "c@c-dot.be", "x" * 20, is_staff=True)
    client.force_login(clerk)
    assert client.get(url).status_code == 403
    client.force_login(officer)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_rate_limit_per_ip_gives_429_and_stores_nothing_more(client, settings):
    for n in range(10):
        assert client.post(URL, form_data(email=f"p{n}@example.be")).status_code == 200
    response = client.post(URL, form_data(email="p99@example.be"))
    assert response.status_code == 429
    assert "Probeer het later opnieuw" in response.content.decode()
    assert DataSubjectRequest.objects.count() == 10


def test_rate_limit_per_email_across_addresses(client):
    for n in range(3):
        response = client.post(URL, form_data(email="Same@Example.be"), REMOTE_ADDR=f"10.0.{n}.1")
        assert response.status_code == 200
    response = client.post(URL, form_data(email=" same@example.BE"), REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
    assert DataSubjectRequest.objects.count() == 3


def _counter_cache(location: str):
    """A cache of the settings' backend class (Redis with REDIS_URL, else the atomic file
    cache) at `location`, without the test run's key prefix."""
    from django.utils.module_loading import import_string

    return import_string(settings.CACHES["default"]["BACKEND"])(location, {})


def _increment(location: str, times: int) -> None:
    cache = _counter_cache(location)  # its own client and files, in the forked process
    for _ in range(times):
        cache.incr("bench-counter")


def test_rate_limit_counter_is_exact_across_processes(settings, tmp_path):
    """The cache's add/incr are atomic between processes (file cache: flock; Redis: INCR).
    Four forked processes (Django already loaded: no start of their own) count at once."""
    location = settings.REDIS_URL or str(tmp_path / "cache")
    cache = _counter_cache(location)
    cache.delete("bench-counter")
    assert cache.add("bench-counter", 0, 600)
    fork = multiprocessing.get_context("fork")
    procs = [fork.Process(target=_increment, args=(location, 150), daemon=True) for _ in range(4)]
    try:
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join(timeout=120)
        assert [proc.exitcode for proc in procs] == [0, 0, 0, 0]
    finally:
        for proc in procs:
            if proc.is_alive():  # hung: not left for the worker's exit to wait on
                proc.kill()
    assert cache.get("bench-counter") == 600


def test_file_cache_incr_keeps_the_window_expiry(tmp_path, time_machine):
    """Django's FileBasedCache.incr would reset the expiry to 300 s; ours keeps it."""
    from requests_app.cache import AtomicFileBasedCache

    cache = AtomicFileBasedCache(str(tmp_path / "c"), {"TIMEOUT": 3600})
    cache.add("k", 0, 60)
    assert cache.incr("k") == 1
    time_machine.move_to(timezone.now() + timedelta(seconds=61))
    assert cache.get("k") is None
    with pytest.raises(ValueError):
        cache.incr("k")
