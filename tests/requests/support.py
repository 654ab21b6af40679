"""Helpers shared by the data-subject request tests (tests/requests/); their fixtures are in
tests/requests/conftest.py."""

import io
import re

from django.core import mail
from PIL import Image

from requests_app.models import DataSubjectRequest

STAFF_PASSWORD = "a long staff password 123"


def form_data(**overrides) -> dict:
    data = {
        "type": DataSubjectRequest.Type.ACCESS,
        "name": "Jan Peeters",
        "email": "Jan.Peeters@Example.be",
        "phone": "015 51 35 31",
        "details": "Welke gegevens hebt u over mij?",
        "website": "",
    }
    data.update(overrides)
    return data


def png_bytes(*, exif: bytes | None = None, size=(40, 30)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if exif is not None:
        info = Image.Exif()
        info[0x010E] = exif.decode()  # ImageDescription
        image.save(out, format="JPEG", exif=info.tobytes())
    else:
        image.save(out, format="PNG")
    return out.getvalue()


def jpeg_with_exif(text: str = "GPS 50.95N 4.57E secret-camera") -> bytes:
    return png_bytes(exif=text.encode())


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def link_path(message, marker: str) -> str:
    """The path of the first link in an e-mail body that contains `marker`."""
    match = re.search(r"https?://[^/\s]+(/\S*" + re.escape(marker) + r"\S*)", message.body)
    assert match, message.body
    return match.group(1)


def submit_and_verify(client, django_capture_on_commit_callbacks, language="nl", **overrides):
    """The public half: form, e-mail, link, confirm. Returns the received request."""
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/{language}/privacy/request/", form_data(**overrides))
    assert response.status_code == 200, response.content.decode()[:2000]
    verify = link_path(mail.outbox[-1], "/verify/")
    assert client.get(verify).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(verify)
    assert response.status_code == 200
    return DataSubjectRequest.objects.get(
        reference__in=re.findall(r"DSR-\w{4}-\w{4}", response.content.decode())
    )


def step(client, dsr, name, data=None, django_capture_on_commit_callbacks=None):
    url = f"/admin/requests_app/datasubjectrequest/{dsr.pk}/step/{name}/"
    if django_capture_on_commit_callbacks is None:
        return client.post(url, data or {})
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(url, data or {})
