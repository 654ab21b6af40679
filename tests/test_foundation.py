"""The skeleton: health, languages, periodic tasks, a real Celery worker, deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from cdot_privacy.models import Heartbeat
from cdot_privacy.periodic import NAME_PREFIX, periodic_tasks_sync
from cdot_privacy.services import heartbeat_record
from cdot_privacy.tasks import heartbeat
from tests.settings_env import settings_under

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_healthz_is_503_until_beat_has_run(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["beat"] == "never"
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_healthz_is_200_after_a_recent_beat(client):
    heartbeat_record()
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_healthz_reports_a_stale_beat(client, time_machine):
    heartbeat_record()
    time_machine.move_to(timezone.now() + timezone.timedelta(minutes=10))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["beat"] == "stale"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("fr-BE,fr;q=0.9", "/fr/privacy/"),
        ("en-GB,en", "/en/privacy/"),
        ("de-DE", "/nl/privacy/"),
        ("", "/nl/privacy/"),
    ],
)
def test_root_redirects_by_accept_language(client, accept, expected):
    response = client.get("/", headers={"accept-language": accept} if accept else {})
    assert response.status_code == 302
    assert response["Location"] == expected


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_public_pages_carry_language_skip_link_and_alternates(client, language):
    for url in (f"/{language}/privacy/", f"/{language}/privacy/request/"):
        html = client.get(url).content.decode()
        assert f'<html lang="{language}">' in html
        assert 'href="#main"' in html
        for other in ("nl", "fr", "en"):
            assert f'hreflang="{other}" href="/{other}/' in html


@pytest.mark.django_db
def test_admin_login_page_is_served(client):
    assert client.get("/admin/login/").status_code == 200


@pytest.mark.django_db
def test_periodic_task_sync_twice_creates_no_duplicates():
    first = periodic_tasks_sync()
    second = periodic_tasks_sync()
    assert first["created"] >= 1
    assert second["created"] == 0 and second["updated"] == 0
    names = list(
        PeriodicTask.objects.filter(name__startswith=NAME_PREFIX).values_list("name", flat=True)
    )
    assert len(names) == len(set(names)) == first["created"]
    assert f"{NAME_PREFIX}heartbeat" in names


@pytest.mark.django_db
def test_periodic_task_sync_removes_a_task_no_longer_declared():
    periodic_tasks_sync()
    PeriodicTask.objects.create(
        name=f"{NAME_PREFIX}gone", task="x.y", interval=PeriodicTask.objects.first().interval
    )
    counts = periodic_tasks_sync()
    assert counts["removed"] == 1
    assert not PeriodicTask.objects.filter(name=f"{NAME_PREFIX}gone").exists()


def test_heartbeat_runs_on_a_real_celery_worker(celery_worker_process, wait_for):
    heartbeat.delay()
    wait_for(
        lambda: Heartbeat.objects.filter(name="beat").exists(),
        timeout=30,
        what="the heartbeat task",
    )


def _production_env(**extra) -> dict:
    dropped = {"DEBUG", "SECRET_KEY", "SUPPRESSION_KEY", "ALLOWED_HOSTS"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    return {**env, "DEPLOYMENT": "production", **extra}


def test_check_deploy_reports_nothing_with_production_settings():
    env = _production_env(
        SECRET_KEY="x" * 20 + "-Production-Only-Secret-Key-0123456789abcdef",
        SUPPRESSION_KEY="y" * 50,
        ALLOWED_HOSTS="privacy.c-dot.be",
        SITE_URL="https://privacy.c-dot.be",  # required in production (#14)
        STAFF_2FA="true",
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        settings_under(DEPLOYMENT="production", ALLOWED_HOSTS="privacy.c-dot.be")


def test_docker_compose_defines_the_production_services():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "migrate", "web", "worker", "beat"} <= set(services)
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1
    assert "beat" in " ".join(services["beat"]["command"])
    for name in ("postgres", "redis", "web", "worker"):
        assert "healthcheck" in services[name], name
    for name in ("web", "worker", "beat"):
        assert (
            services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        )
    assert {"pgdata", "private", "footage"} <= set(compose["volumes"])


def test_docker_compose_config_is_valid_for_compose_itself():
    from shutil import which

    from tests.conftest import service_missing

    binary = which("docker-compose")
    if binary is None:
        service_missing("docker-compose (Debian package, installed by .ci/run)")
    result = subprocess.run(  # noqa: S603
        [binary, "-f", str(ROOT / "docker-compose.yml"), "config", "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "SECRET_KEY": "s" * 50,
            "SUPPRESSION_KEY": "k" * 50,
            "ALLOWED_HOSTS": "privacy.c-dot.be",
        },
    )
    assert result.returncode == 0, result.stderr


def test_static_files_are_served_without_listing_them_when_a_client_starts(client, settings):
    """Outside production WhiteNoise finds a static file when it is asked for: a new test client
    (a new middleware) lists nothing, and the file is still served."""
    from whitenoise.middleware import WhiteNoiseMiddleware

    assert not settings.PRODUCTION
    assert WhiteNoiseMiddleware(get_response=lambda request: None).files == {}
    response = client.get("/static/statement/admin_diff.css")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)
