"""Cookie consent (issue 15): the banner's versioned script, the public consent endpoint and its
abuse limits (origin, size, rate), proof without IP addresses, staff proof, retention, chart.

With Redis (REDIS_URL) a first choice is counted and queued there in one round trip and written
to the database by the next flush (beat, or a reader: staff, the dashboard, a change of the same
ID); without Redis, or with Redis unreachable, it is written at once. The tests that need Redis
ask for the `redis_url` fixture; the others run in both modes and read through `stored()`, which
flushes first as every reader does.
"""

import gzip
import io
import json
import random
from datetime import UTC, datetime, timedelta
from typing import get_args

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django_ratelimit.core import get_usage, is_ratelimited

from cdot_privacy.periodic import declared_periodic_tasks
from consent.api import MAX_BODY_BYTES, REGISTER_SECONDS, ConsentOut, forget_register
from consent.models import BannerVersion, ConsentRecord
from consent.services import QUEUE_KEY, STALE_SECONDS, consent_queue_flush
from consent.tasks import consent_queue_flush_task
from registry.models import ConsentSettings, Cookie, RetentionRule
from tests.conftest import ROOT
from tests.consent_support import own_cache

pytestmark = pytest.mark.django_db
SITE = "https://www.c-dot.be"


@pytest.fixture(autouse=True)
def _own_cache(settings, tmp_path):
    yield from own_cache(settings, tmp_path)


def stored():
    """The consent records as a reader sees them: the queue of first choices flushed first."""
    consent_queue_flush()
    return ConsentRecord.objects.all()


def queued() -> list[dict]:
    """The first choices waiting in Redis for the next flush."""
    client = cache._cache.get_client(write=True)
    return [json.loads(item) for item in client.lrange(cache.make_key(QUEUE_KEY), 0, -1)]


@pytest.fixture
def seeded(register_seeded_once):
    """C-DOT's register, seeded once for the module (each test's changes are rolled back)."""
    forget_register()  # this process's copy of the register may hold an earlier test's changes


@pytest.fixture
def version(seeded, client) -> str:
    """The banner version the website shows now (served once, so it is known)."""
    return client.get("/consent/banner.js")["Location"].split("/")[2]


@pytest.fixture
def address() -> str:
    """A client address of its own per test: the rate-limit windows live in the shared cache."""
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


def post(client, body, *, origin=SITE, address="192.0.2.1", raw=None):
    data = raw if raw is not None else json.dumps(body)
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    return client.post(
        "/api/v1/consent", data, content_type="application/json", REMOTE_ADDR=address, **headers
    )


def choice(version, **given):
    body = {"version": version, "language": "nl", "preferences": False, "statistics": False}
    body["marketing"] = False
    body.update(given)
    return body


# --- the banner as served --------------------------------------------------------------------


def test_the_loader_redirects_briefly_to_a_versioned_script_cached_for_a_year(seeded, client):
    loader = client.get("/consent/banner.js")
    assert loader.status_code == 302
    assert loader["Cache-Control"] == "public, max-age=300"
    script = client.get(loader["Location"])
    assert script.status_code == 200
    assert script["Content-Type"].startswith("text/javascript")
    assert script["Cache-Control"] == "public, max-age=31536000, immutable"
    body = script.content.decode()
    assert "/*CONFIG*/null" not in body
    for text in ("Alles weigeren", "Tout refuser", "Reject all", "_followup_*"):
        assert text in body


def test_the_banner_is_at_most_15_kb_gzipped_with_its_stylesheet(seeded, client):
    script_url = client.get("/consent/banner.js")["Location"]
    build = script_url.split("/")[3]
    total = 0
    for url in (script_url, f"/consent/{build}/banner.css"):
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip"
        assert response["Cache-Control"].endswith("immutable")
        total += len(response.content)
        assert gzip.decompress(response.content)
    assert total <= 15 * 1024


def test_a_changed_inventory_is_a_new_version_and_the_old_url_points_to_it(seeded, client):
    old_url = client.get("/consent/banner.js")["Location"]
    cookie = Cookie.objects.get(name="_stats_*")
    cookie.lifetime_value, cookie.lifetime_unit = 13, "months"
    cookie.save()
    new_url = client.get("/consent/banner.js")["Location"]
    assert new_url != old_url
    assert client.get(old_url)["Location"] == new_url
    assert BannerVersion.objects.count() == 2
    shown = BannerVersion.objects.get(version=new_url.split("/")[2]).content
    stats = shown["texts"]["en"]["categories"][0]
    assert stats["cookies"][0]["lifetime"] == "13 months"


def test_the_consent_period_comes_from_the_register(seeded, client):
    ConsentSettings.objects.update(consent_months=3)
    body = client.get(client.get("/consent/banner.js")["Location"]).content.decode()
    assert f'"maxAge":{3 * 30 * 24 * 3600}' in body
    assert "We remember your choice for 3 months, then ask again." in body


# --- the endpoint ----------------------------------------------------------------------------


def test_a_choice_from_a_listed_website_is_recorded_with_a_random_consent_id(
    version, client, address
):
    response = post(client, choice(version, statistics=True), address=address)
    assert response.status_code == 201
    assert response["Access-Control-Allow-Origin"] == SITE
    answer = response.json()
    record = stored().get()
    assert answer["consent_id"] == record.consent_id and len(record.consent_id) == 22
    assert answer["kind"] == "choice"
    assert record.granted() == ["statistics"]
    assert (record.language, record.origin) == ("nl", SITE)
    assert record.banner_version.version == version


def test_every_answer_is_what_the_documented_schema_says(version, client, address):
    """The 201 body is written without the schema (speed): it must still be ConsentOut's, as
    pydantic would write it, for a first choice and for a withdrawal."""
    first = post(client, choice(version, statistics=True), address=address)
    later = post(client, choice(version, consent_id=first.json()["consent_id"]), address=address)
    assert set(get_args(ConsentOut.model_fields["kind"].annotation)) == set(ConsentRecord.Kind)
    for response, kind in ((first, "choice"), (later, "withdrawal")):
        assert response.status_code == 201 and response["Content-Type"] == "application/json"
        answer = response.json()
        assert answer["kind"] == kind
        assert ConsentOut.model_validate(answer).model_dump(mode="json") == answer


def test_without_redis_a_choice_is_written_at_once_one_query_once_the_register_is_read(
    version, client, address, settings, django_assert_num_queries
):
    settings.REDIS_URL = ""  # the embedded run
    post(client, choice(version), address=address)  # reads the register's websites and version
    with django_assert_num_queries(1) as queries:
        response = post(client, choice(version, marketing=True), address=address)
    assert response.status_code == 201
    assert queries.captured_queries[0]["sql"].startswith("INSERT")
    assert ConsentRecord.objects.count() == 2  # no flush: in the database already


def test_with_redis_a_first_choice_is_queued_without_any_query(
    redis_url, version, client, address, django_assert_num_queries
):
    post(client, choice(version), address=address)  # reads the register's websites and version
    with django_assert_num_queries(0):
        response = post(client, choice(version, marketing=True), address=address)
    assert response.status_code == 201
    assert [row["consent_id"] for row in queued()][-1] == response.json()["consent_id"]
    assert not ConsentRecord.objects.exists()  # not yet: the next flush writes it


def test_a_queued_first_choice_is_stored_as_the_answer_said_once(
    redis_url, version, client, address
):
    answer = post(client, choice(version, statistics=True, marketing=True), address=address).json()
    assert consent_queue_flush() == 1
    record = ConsentRecord.objects.select_related("banner_version").get()
    assert record.consent_id == answer["consent_id"]
    assert record.kind == answer["kind"] == "choice"
    assert record.recorded_at == datetime.fromisoformat(answer["recorded_at"])
    assert record.choices() == {"preferences": False, "statistics": True, "marketing": True}
    assert (record.language, record.origin, record.banner_version.version) == ("nl", SITE, version)
    assert consent_queue_flush() == 0  # a second flush adds nothing
    assert ConsentRecord.objects.count() == 1
    assert queued() == []


def test_a_flush_that_died_before_storing_is_taken_over_after_a_minute(
    redis_url, version, client, address, monkeypatch, time_machine
):
    answer = post(client, choice(version, statistics=True), address=address).json()

    def killed(*args, **kwargs):
        raise RuntimeError("worker killed")

    with monkeypatch.context() as patch:
        patch.setattr(ConsentRecord.objects, "bulk_create", killed)
        with pytest.raises(RuntimeError):
            consent_queue_flush()
    assert queued() == []  # taken by the flush that died
    assert consent_queue_flush() == 0  # within the minute it may still be at work
    assert not ConsentRecord.objects.exists()
    time_machine.move_to(datetime.now(UTC) + timedelta(seconds=STALE_SECONDS + 1))
    assert consent_queue_flush() == 1
    assert ConsentRecord.objects.get().consent_id == answer["consent_id"]
    assert consent_queue_flush() == 0


def test_a_flush_that_died_after_storing_is_taken_over_without_a_duplicate(
    redis_url, version, client, address, monkeypatch, time_machine
):
    from consent import services

    post(client, choice(version, statistics=True), address=address)

    def killed(*args, **kwargs):
        raise RuntimeError("worker killed")

    with monkeypatch.context() as patch:
        patch.setattr(services, "_batch_done", killed)  # written, not yet taken off the key
        with pytest.raises(RuntimeError):
            consent_queue_flush()
    assert ConsentRecord.objects.count() == 1
    time_machine.move_to(datetime.now(UTC) + timedelta(seconds=STALE_SECONDS + 1))
    assert consent_queue_flush() == 1  # the same row again: (consent ID, time) is unique
    assert ConsentRecord.objects.count() == 1


def test_beat_flushes_the_queue_every_ten_seconds():
    specs = [spec for spec in declared_periodic_tasks() if spec.task == "consent.queue_flush"]
    assert len(specs) == 1 and specs[0].seconds == 10


def test_the_beat_task_stores_the_queued_choices(redis_url, version, client, address):
    post(client, choice(version), address=address)
    post(client, choice(version, statistics=True), address=address)
    assert not ConsentRecord.objects.exists()
    assert consent_queue_flush_task() == 2
    assert ConsentRecord.objects.count() == 2


def test_with_redis_unreachable_a_choice_is_written_at_once(
    version, client, address, settings, caplog
):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
        }
    }
    first = post(client, choice(version, statistics=True), address=address)
    assert first.status_code == 201
    record = ConsentRecord.objects.get()  # no flush: written at once
    assert record.consent_id == first.json()["consent_id"]
    assert record.recorded_at == datetime.fromisoformat(first.json()["recorded_at"])
    assert record.granted() == ["statistics"]
    again = post(client, choice(version, consent_id=record.consent_id), address=address)
    assert again.status_code == 201
    assert again.json()["kind"] == "withdrawal"
    assert "event=consent_redis_unreachable" in caplog.text


def test_with_redis_refusing_the_write_a_choice_is_written_at_once(
    redis_url, version, client, address, caplog
):
    """Redis answers but refuses (here: the queue's key holds another type, as out of memory or
    a read-only replica would refuse): no 500, the choice is written at once, logged."""
    writer = cache._cache.get_client(write=True)
    writer.set(cache.make_key(QUEUE_KEY), "not a list")
    try:
        first = post(client, choice(version, statistics=True), address=address)
    finally:
        writer.delete(cache.make_key(QUEUE_KEY))
    assert first.status_code == 201
    record = ConsentRecord.objects.get()  # no flush: written at once
    assert record.consent_id == first.json()["consent_id"]
    assert record.granted() == ["statistics"]
    assert "event=consent_redis_unreachable" in caplog.text


@pytest.mark.slow
def test_with_redis_hanging_a_choice_is_written_once_the_socket_timeout_ends(
    redis_url, version, client, address, settings, caplog
):
    """A Redis host that accepts connections and never answers: the project's cache options
    (cdot_privacy/settings.py, as docs/COOKIES.md states them) end the wait, the choice is
    written at once. Without a socket timeout the POST would wait for ever (the alarm ends it)."""
    import signal
    import socket

    from cdot_privacy import settings as project

    options = project.CACHES["default"]["OPTIONS"]
    cookies_doc = " ".join((ROOT / "docs" / "COOKIES.md").read_text().split())
    assert f"no connection within {options['socket_connect_timeout']} s" in cookies_doc
    assert f"no answer within {options['socket_timeout']} s" in cookies_doc
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # accepted by the kernel, never read nor answered
    settings.REDIS_URL = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "OPTIONS": options,
        }
    }

    def waited_too_long(signum, frame):
        raise AssertionError("the POST still waits on a Redis that does not answer")

    previous = signal.signal(signal.SIGALRM, waited_too_long)
    signal.setitimer(signal.ITIMER_REAL, 10 * options["socket_timeout"])
    try:
        answer = post(client, choice(version, marketing=True), address=address)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        silent.close()
    assert answer.status_code == 201
    assert ConsentRecord.objects.get().granted() == ["marketing"]
    assert "event=consent_redis_unreachable" in caplog.text


def test_an_unknown_consent_id_is_not_taken_over_the_server_gives_a_new_one(
    version, client, address
):
    chosen = "A" * 22  # well formed, but never given by this app
    response = post(client, choice(version, consent_id=chosen, statistics=True), address=address)
    assert response.status_code == 201
    answer = response.json()
    assert answer["consent_id"] != chosen and len(answer["consent_id"]) == 22
    assert answer["kind"] == "choice"
    assert not stored().filter(consent_id=chosen).exists()
    assert stored().get().consent_id == answer["consent_id"]
    # the new ID is the visitor's from now on: a change with it is linked to the first choice
    again = post(client, choice(version, consent_id=answer["consent_id"]), address=address)
    assert again.json()["consent_id"] == answer["consent_id"]
    assert again.json()["kind"] == "withdrawal"


def test_no_ip_address_or_request_detail_is_stored(version, client, settings):
    address = "203.0.113.77"
    response = post(client, choice(version, marketing=True), address=address)
    assert response.status_code == 201
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]  # behind the proxy: the forwarded address either
    behind = client.post(
        "/api/v1/consent",
        json.dumps(choice(version, statistics=True)),
        content_type="application/json",
        HTTP_ORIGIN=SITE,
        REMOTE_ADDR="10.1.2.3",
        HTTP_X_FORWARDED_FOR="203.0.113.78",
    )
    assert behind.status_code == 201
    if settings.REDIS_URL:  # nor in what waits in Redis for the flush
        waiting = json.dumps(queued())
        assert address not in waiting and "203.0.113" not in waiting
    assert stored().count() == 2
    with connection.cursor() as cursor:
        for model in (ConsentRecord, BannerVersion):
            cursor.execute(f"SELECT * FROM {model._meta.db_table}")  # noqa: S608 - model name
            dump = json.dumps(cursor.fetchall(), default=str)
            assert address not in dump
            assert "203.0.113" not in dump and "10.1.2.3" not in dump
    fields = {f.name for f in ConsentRecord._meta.get_fields()}
    assert not fields & {"ip", "ip_address", "user_agent", "address"}


def test_refusing_what_the_same_id_had_accepted_is_recorded_as_a_withdrawal(
    version, client, address
):
    first = post(client, choice(version, statistics=True, marketing=True), address=address)
    consent_id = first.json()["consent_id"]
    again = post(client, choice(version, consent_id=consent_id, statistics=True), address=address)
    assert again.json() == {**again.json(), "consent_id": consent_id, "kind": "withdrawal"}
    kinds = list(ConsentRecord.objects.for_consent_id(consent_id).values_list("kind", flat=True))
    assert kinds == ["choice", "withdrawal"]


def test_a_change_right_after_a_queued_first_choice_sees_it(redis_url, version, client, address):
    """The change is written at once, after the queue: the withdrawal is told (Art. 7(3))."""
    first = post(client, choice(version, statistics=True, marketing=True), address=address)
    consent_id = first.json()["consent_id"]
    assert not ConsentRecord.objects.exists()  # the first choice still waits in Redis
    again = post(client, choice(version, consent_id=consent_id, statistics=True), address=address)
    assert again.json()["consent_id"] == consent_id
    assert again.json()["kind"] == "withdrawal"
    kinds = list(ConsentRecord.objects.for_consent_id(consent_id).values_list("kind", flat=True))
    assert kinds == ["choice", "withdrawal"]


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "https://www.c-dot.be.evil.example", "null", None]
)
def test_a_website_the_register_does_not_list_cannot_record(version, client, origin, address):
    response = post(client, choice(version, marketing=True), origin=origin, address=address)
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response
    assert response.json()["errors"][0]["field"] == "Origin"
    assert not stored().exists()


def test_the_preflight_answers_listed_origins_only(version, client):
    allowed = client.options("/api/v1/consent", HTTP_ORIGIN=SITE)
    assert allowed.status_code == 204
    assert allowed["Access-Control-Allow-Origin"] == SITE
    assert allowed["Access-Control-Allow-Methods"] == "POST"
    denied = client.options("/api/v1/consent", HTTP_ORIGIN="https://evil.example")
    assert denied.status_code == 403
    assert "Access-Control-Allow-Origin" not in denied


def test_an_origin_added_in_the_register_may_record_within_seconds(
    version, client, address, time_machine
):
    assert post(client, choice(version), address=address).status_code == 201
    ConsentSettings.objects.update(allowed_origins="https://shop.c-dot.be")
    time_machine.move_to(datetime.now(UTC) + timedelta(seconds=REGISTER_SECONDS), tick=False)
    assert post(client, choice(version), address=address).status_code == 403
    ok = post(client, choice(version), origin="https://shop.c-dot.be", address=address)
    assert ok.status_code == 201


def test_a_body_larger_than_the_fixed_size_is_refused_unread(version, client, address):
    body = json.dumps(choice(version)) + " " * MAX_BODY_BYTES
    response = post(client, None, raw=body, address=address)
    assert response.status_code == 413
    assert not stored().exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"extra": "x"}, "extra"),
        ({"statistics": "yes"}, "statistics"),
        ({"language": "de"}, "language"),
        ({"consent_id": "short"}, "consent_id"),
        ({"version": "000000000000"}, "version"),
    ],
)
def test_an_invalid_body_gets_a_clear_422_and_changes_nothing(
    version, client, change, field, address
):
    response = post(client, {**choice(version), **change}, address=address)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not stored().exists()


@pytest.mark.parametrize("raw", ["version=1", b"\xff\xfe{", '{"version":', "   "])
def test_a_body_that_is_not_json_gets_a_422(version, client, address, raw):
    response = post(client, None, raw=raw, address=address)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "body", "message": "Send a JSON object."}]
    assert not stored().exists()


@pytest.mark.parametrize("raw", ["", "null", "[]", '"x"', "1e999", "{}"])
def test_json_that_is_not_a_choice_gets_a_422_naming_what_is_wrong(version, client, address, raw):
    response = post(client, None, raw=raw, address=address)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors and all(e["field"] and e["message"] for e in errors)
    assert errors != [{"field": "body", "message": "Send a JSON object."}]
    assert not stored().exists()


def test_choices_beyond_the_rate_limit_are_refused_per_client(version, client, settings, address):
    settings.CONSENT_RATE_PER_MINUTE = 3
    codes = [post(client, choice(version), address=address).status_code for _ in range(5)]
    assert codes[:3] == [201, 201, 201]
    assert codes[3:] == [429, 429]
    refused = post(client, choice(version), address=address)
    assert refused.json()["detail"].startswith("Too many choices")
    assert refused["Retry-After"] == "60"
    assert refused["Access-Control-Allow-Origin"] == SITE  # the banner can read why
    assert stored().count() == 3
    other = f"198.51.100.{random.randrange(1, 255)}"
    assert post(client, choice(version), address=other).status_code == 201


def test_the_consent_limit_is_the_forms_limiter_per_client_behind_the_proxy(
    version, client, settings
):
    """One mechanism (django-ratelimit, through cdot_privacy.client_ip): one switch turns every
    limit off, and behind a trusted proxy each visitor is counted on their own."""
    settings.CONSENT_RATE_PER_MINUTE = 1
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxy = "10.9.8.7"
    visitor = f"198.51.100.{random.randrange(1, 255)}"
    headers = {"HTTP_X_FORWARDED_FOR": visitor, "REMOTE_ADDR": proxy, "HTTP_ORIGIN": SITE}

    def send(**extra):
        return client.post(
            "/api/v1/consent",
            json.dumps(choice(version)),
            content_type="application/json",
            **{**headers, **extra},
        ).status_code

    assert [send(), send()] == [201, 429]
    assert send(HTTP_X_FORWARDED_FOR=f"203.0.113.{random.randrange(1, 255)}") == 201
    settings.RATELIMIT_ENABLE = False
    assert send() == 201


def test_a_queued_choice_is_counted_in_django_ratelimits_own_counter(
    redis_url, version, client, address, settings, rf, time_machine
):
    """One limiter (issue 18): what the queue's script counts, django-ratelimit reads and
    counts on, and the other way round."""
    time_machine.move_to(datetime.now(UTC), tick=False)  # one rate window throughout
    settings.CONSENT_RATE_PER_MINUTE = 5
    codes = [post(client, choice(version), address=address).status_code for _ in range(3)]
    assert codes == [201, 201, 201]
    request = rf.post("/api/v1/consent", REMOTE_ADDR=address)
    usage = get_usage(request, group="consent:post", key="ip", rate="5/m")
    assert (usage["count"], usage["should_limit"]) == (3, False)
    for _ in range(2):
        is_ratelimited(request, group="consent:post", key="ip", rate="5/m", increment=True)
    assert post(client, choice(version), address=address).status_code == 429
    assert get_usage(request, group="consent:post", key="ip", rate="5/m")["count"] == 6
    assert len(queued()) == 3


# --- proof for staff, retention, dashboard -----------------------------------------------------


def test_staff_find_a_consent_id_and_print_its_proof_in_their_language(version, client, address):
    consent_id = post(client, choice(version, statistics=True), address=address).json()[
        "consent_id"
    ]
    post(client, choice(version, consent_id=consent_id), address=address)
    user = get_user_model().objects.create_superuser("po", "po@c-dot.be", "x" * 20)
    client.force_login(user)
    found = client.get("/admin/consent/consentrecord/", {"q": consent_id})
    assert found.status_code == 200
    assert found.context["cl"].result_count == 2
    proof = client.get(
        f"/admin/consent/consentrecord/proof/{consent_id}/", HTTP_ACCEPT_LANGUAGE="nl"
    )
    text = proof.content.decode()
    assert proof.status_code == 200
    assert consent_id in text
    assert "Bewijs van toestemming" in text
    assert "Intrekking" in text and "aanvaard" in text and "geweigerd" in text
    assert "Telt bezoeken" in text  # the purpose the banner showed, from that version
    assert client.get("/admin/consent/consentrecord/proof/unknownid/").status_code == 404


def test_consent_records_cannot_be_changed_or_deleted_by_staff(version, client, address):
    post(client, choice(version), address=address)
    user = get_user_model().objects.create_superuser("po", "po@c-dot.be", "x" * 20)
    client.force_login(user)
    record = stored().get()
    page = client.get(f"/admin/consent/consentrecord/{record.pk}/delete/")
    assert page.status_code == 403
    assert ConsentRecord.objects.count() == 1


def test_consent_records_expire_under_their_own_rule(version, client, address, time_machine):
    post(client, choice(version), address=address)
    rule = RetentionRule.objects.get(code="cookie-consent")
    assert rule.activity.code == "F"
    assert ConsentRecord.retention_rule_code == rule.code
    now = stored().get().recorded_at
    assert not ConsentRecord.objects.expired(now + timedelta(days=364), rule).exists()
    assert ConsentRecord.objects.expired(now + timedelta(days=366), rule).count() == 1


def test_the_dashboard_charts_accepted_and_refused_per_category_per_week(
    version, client, address, time_machine
):
    time_machine.move_to(datetime(2026, 6, 17, 10, tzinfo=UTC), tick=False)
    post(client, choice(version, statistics=True), address=address)
    post(client, choice(version, statistics=True, marketing=True), address=address)
    post(client, choice(version), address=address)
    user = get_user_model().objects.create_superuser("po", "po@c-dot.be", "x" * 20)
    client.force_login(user)
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="nl")
    section = response.context["dashboard"]["consent_chart"]
    charts = {c["name"]: c for c in section.data["charts"]}
    assert set(charts) == {"Statistieken", "Marketing"}
    assert charts["Statistieken"]["accepted"][-1] == 2
    assert charts["Statistieken"]["refused"][-1] == 1
    assert charts["Statistieken"]["rates"][-1] == "67 %"
    assert charts["Marketing"]["rates"][-1] == "33 %"
    assert "<svg" in response.content.decode()


def test_staff_find_a_queued_choice_without_waiting_for_beat(redis_url, version, client, address):
    consent_id = post(client, choice(version, marketing=True), address=address).json()["consent_id"]
    assert not ConsentRecord.objects.exists()
    user = get_user_model().objects.create_superuser("po", "po@c-dot.be", "x" * 20)
    client.force_login(user)
    found = client.get("/admin/consent/consentrecord/", {"q": consent_id})
    assert found.context["cl"].result_count == 1
    other = post(client, choice(version), address=address).json()["consent_id"]
    proof = client.get(f"/admin/consent/consentrecord/proof/{other}/")
    assert proof.status_code == 200 and other in proof.content.decode()


def test_the_dashboard_charts_a_queued_choice_without_waiting_for_beat(
    redis_url, version, client, address
):
    post(client, choice(version, statistics=True), address=address)
    assert not ConsentRecord.objects.exists()
    user = get_user_model().objects.create_superuser("po", "po@c-dot.be", "x" * 20)
    client.force_login(user)
    section = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").context["dashboard"]["consent_chart"]
    charts = {c["name"]: c for c in section.data["charts"]}
    assert charts["Statistics"]["accepted"][-1] == 1


def test_a_choice_still_queued_when_its_period_ends_is_purged_not_written_later(
    redis_url, version, client, address, time_machine
):
    """The purge of `cookie-consent` writes the queue first, as every reader does."""
    time_machine.move_to(datetime(2026, 6, 17, 10, tzinfo=UTC), tick=False)
    post(client, choice(version, marketing=True), address=address)
    time_machine.move_to(datetime(2027, 6, 18, 10, tzinfo=UTC), tick=False)  # no flush since
    call_command("purge", "--rule", "cookie-consent", stdout=io.StringIO())
    assert queued() == []
    assert not stored().exists()


# --- second reading of the queue (review of f08b556) -------------------------------------------


def test_the_scheduled_purge_writes_a_long_queued_choice_first_and_ends_it(
    redis_url, version, client, address, time_machine
):
    """Beat's purge calls purge_run_execute directly (no preview first): a choice queued a year
    ago is written before the run reads, outside its batches' transactions, and purged."""
    from retention.models import PurgeRun
    from retention.services import purge_run_execute

    time_machine.move_to(datetime(2026, 6, 17, 10, tzinfo=UTC), tick=False)
    post(client, choice(version, statistics=True), address=address)
    assert stored().count() == 1
    post(client, choice(version, marketing=True), address=address)  # never flushed since
    time_machine.move_to(datetime(2027, 6, 18, 10, tzinfo=UTC), tick=False)
    run = purge_run_execute(rule_code="cookie-consent")
    assert (run.status, run.error) == (PurgeRun.Status.SUCCEEDED, "")
    assert run.deleted == 2
    assert queued() == []
    assert not stored().exists()


def test_a_flush_whose_transaction_is_rolled_back_loses_nothing(
    redis_url, version, client, address, time_machine
):
    """A flush commits its own writes: called inside a caller's transaction it refuses before
    writing (the choices stay under its processing key), so a rollback cannot take them."""
    from django.db import transaction

    answer = post(client, choice(version, statistics=True), address=address).json()

    class Rollback(Exception):
        pass

    with pytest.raises((Rollback, RuntimeError)), transaction.atomic():
        consent_queue_flush()
        raise Rollback
    time_machine.move_to(datetime.now(UTC) + timedelta(seconds=STALE_SECONDS + 1))
    assert stored().get().consent_id == answer["consent_id"]


def test_a_flush_still_writing_after_a_minute_is_not_taken_over(
    redis_url, version, client, address, monkeypatch, time_machine
):
    """Stale means no progress for a minute, not a minute since the flush began: a long queue
    (beat down for a day) is written by one flush, not restarted by every next one."""
    from consent import services

    time_machine.move_to(datetime.now(UTC), tick=False)
    monkeypatch.setattr(services, "FLUSH_BATCH", 1)
    for _ in range(3):
        post(client, choice(version), address=address)
    store, meanwhile = services._store, []

    def slow(rows, *args, **kwargs):
        store(rows, *args, **kwargs)
        time_machine.shift(STALE_SECONDS * 2 / 3)  # each batch takes 40 s
        if not meanwhile:
            meanwhile.append(None)
        elif meanwhile == [None]:  # beat's next flush, while this one is at its second batch
            meanwhile[0] = consent_queue_flush()

    monkeypatch.setattr(services, "_store", slow)
    assert consent_queue_flush() == 3
    assert meanwhile == [0]
    assert stored().count() == 3


def test_a_flush_that_died_half_way_is_taken_over_where_it_stopped(
    redis_url, version, client, address, monkeypatch, time_machine
):
    from consent import services

    monkeypatch.setattr(services, "FLUSH_BATCH", 1)
    for _ in range(3):
        post(client, choice(version), address=address)
    store, batches = services._store, []

    def dies_at_the_second_batch(rows, *args, **kwargs):
        batches.append(rows)
        if len(batches) == 2:
            raise RuntimeError("worker killed")
        store(rows, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(services, "_store", dies_at_the_second_batch)
        with pytest.raises(RuntimeError):
            consent_queue_flush()
    assert ConsentRecord.objects.count() == 1
    time_machine.move_to(datetime.now(UTC) + timedelta(seconds=STALE_SECONDS + 1))
    assert consent_queue_flush() == 2  # the two not yet written, not all three again
    assert ConsentRecord.objects.count() == 3


def test_a_rate_counter_found_without_expiry_gets_django_ratelimits_expiry(
    redis_url, version, client, address, rf
):
    """The script counts as django-ratelimit does (its key, its expiry: period + 5 s) and a
    counter it finds without an expiry (a hashed address kept for ever) gets one."""
    from django_ratelimit.core import EXPIRATION_FUDGE

    redis_client = cache._cache.get_client(write=True)

    def counters() -> list[bytes]:
        return redis_client.keys(cache.make_key("rl:*"))

    post(client, choice(version), address=address)  # the script makes the counter
    (made,) = counters()
    assert 60 < redis_client.ttl(made) <= 60 + EXPIRATION_FUDGE
    request = rf.post("/api/v1/consent", REMOTE_ADDR=address)
    assert get_usage(request, group="consent:post", key="ip", rate="20/m")["count"] == 1
    redis_client.persist(made)
    assert redis_client.ttl(made) == -1
    post(client, choice(version), address=address)
    assert 60 < redis_client.ttl(made) <= 60 + EXPIRATION_FUDGE
    assert get_usage(request, group="consent:post", key="ip", rate="20/m")["count"] == 2


def _unplaced() -> list[dict]:
    from consent.services import UNPLACED_KEY

    client = cache._cache.get_client(write=True)
    return [json.loads(item) for item in client.lrange(cache.make_key(UNPLACED_KEY), 0, -1)]


def test_a_queued_choice_whose_banner_version_is_gone_is_written_once_it_is_back(
    redis_url, version, client, address, caplog
):
    """A restored database without the version the visitor saw: the choice waits in Redis
    (logged) and is written by the first flush after the version is stored again."""
    answer = post(client, choice(version, marketing=True), address=address).json()
    content = BannerVersion.objects.get(version=version).content
    BannerVersion.objects.filter(version=version).delete()
    assert consent_queue_flush() == 1
    assert not ConsentRecord.objects.exists()
    assert [row["consent_id"] for row in _unplaced()] == [answer["consent_id"]]
    assert "event=consent_queue_unknown_version" in caplog.text
    consent_queue_flush()  # still unknown: still waiting
    assert len(_unplaced()) == 1
    BannerVersion.objects.create(version=version, content=content)  # the banner served again
    consent_queue_flush()
    assert ConsentRecord.objects.get().consent_id == answer["consent_id"]
    assert _unplaced() == []


def test_a_choice_set_aside_for_a_lost_banner_version_ends_with_its_retention_period(
    redis_url, version, client, address, time_machine
):
    time_machine.move_to(datetime(2026, 6, 17, 10, tzinfo=UTC), tick=False)
    post(client, choice(version, marketing=True), address=address)
    BannerVersion.objects.filter(version=version).delete()
    consent_queue_flush()
    assert len(_unplaced()) == 1
    time_machine.move_to(datetime(2027, 6, 18, 10, tzinfo=UTC), tick=False)  # rule: 1 year
    consent_queue_flush()
    assert _unplaced() == []
    assert not ConsentRecord.objects.exists()
