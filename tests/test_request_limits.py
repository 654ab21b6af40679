"""Large bodies, API errors and the public 500 page (issue 19, finding 5)."""

import json

import pytest
from django.db import connections
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def test_a_body_over_the_limit_is_refused_before_it_is_read(client, settings, tmp_path):
    """A 413 on the declared length: nothing is read or spooled to the temporary directory."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    size = settings.REQUEST_BODY_MAX_BYTES + 1
    response = client.generic(
        "POST",
        "/nl/privacy/request/",
        b"x" * 10,  # the declared length is what counts; a client may lie and stream slowly
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(size),
    )
    assert response.status_code == 413
    assert "text/html" in response["Content-Type"]
    assert list(tmp_path.iterdir()) == []


def test_a_7_mb_json_body_to_the_api_is_a_json_413(client):
    body = json.dumps({"name": "x" * (7 * 1024 * 1024)})
    response = client.post("/api/v1/inquiries", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_a_body_under_the_limit_passes(client, settings):
    response = client.post("/api/v1/inquiries", "{}", content_type="application/json")
    assert response.status_code == 401  # reaches the API (no key), not the size check
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/v1/no-such-endpoint", 404),
        ("get", "/api/v1/inquiries", 405),
        ("post", "/api/v1/inquiries", 401),
    ],
)
def test_every_api_error_body_is_json(client, method, path, status):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    assert "detail" in response.json()


@pytest.fixture
def database_down():
    """The database really refuses connections (PostgreSQL: a closed port; SQLite: a file in a
    directory that does not exist), as when the server is stopped. Restored afterwards."""
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    kept = connection.connection  # an in-memory test database lives as long as this does
    connection.connection = None
    if connection.vendor == "postgresql":
        connection.settings_dict["PORT"] = 1
    else:
        connection.settings_dict["NAME"] = "/nonexistent-dir/db.sqlite3"
    yield
    if connection.connection is not None:
        connection.connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)
    connection.connection = kept


@pytest.mark.django_db(transaction=True)
@override_settings(DEBUG=False)
def test_with_the_database_down_the_api_answers_json_500(database_down):
    client = Client(raise_request_exception=False)
    response = client.post(
        "/api/v1/inquiries",
        "{}",
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer cdot_x",
    )
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Server error. Please try again later.", "errors": []}


@pytest.mark.django_db(transaction=True)
@override_settings(DEBUG=False)
@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("nl", "Er ging iets mis bij ons"),
        ("fr", "Un problème est survenu chez nous"),
        ("en", "Something went wrong on our side"),
    ],
)
def test_with_the_database_down_the_public_pages_answer_a_translated_500_in_the_layout(
    database_down, language, sentence
):
    client = Client(raise_request_exception=False)
    response = client.get(f"/{language}/privacy/request/")
    assert response.status_code == 500
    html = response.content.decode()
    assert sentence in html
    assert f'<html lang="{language}">' in html
    assert 'class="site-header"' in html  # the site's layout
    assert "Server Error (500)" not in html
