"""Write operations of the cookie consent app.

A first choice (no consent ID yet) may wait in Redis before it reaches the database: the
endpoint counts the client's rate limit and queues the choice in one round trip
(``consent_choice_queue``), and ``consent_queue_flush`` writes the queue into the database:
every 10 seconds (beat, consent/schedule.py) and before anything reads the records (the staff
lookup and proof, the dashboard chart, the purge, a change sent with a consent ID). A flush
renames the queue to a processing key of its own and writes it batch by batch, each batch
committed on its own before it leaves the key (so a flush never runs inside a caller's
transaction: a rollback there would take rows Redis no longer holds); each batch renews the
key's time. A processing key without progress for STALE_SECONDS (its flush died) is taken over
by the next flush where it stopped, and the unique (consent ID, time) keeps a choice written
twice one row. A choice whose banner version the database lacks (a restored database) waits in
UNPLACED_KEY, retried by every flush, until that version is stored again or its retention
period ends. Without Redis, or with Redis unreachable, a choice is written at once.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

import redis
from django.conf import settings
from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.utils import timezone

from registry.models import CookieCategory, RetentionRule

from .models import BannerVersion, ConsentRecord

logger = logging.getLogger(__name__)

CONSENT_ID_BYTES = 16  # 22 URL-safe characters, 128 random bits
QUEUE_KEY = "consent:queue"  # cache keys (the cache's prefix and version added)
PROCESSING_KEY = "consent:processing"  # sorted set: processing key -> when it was taken
UNPLACED_KEY = "consent:unplaced"  # choices whose banner version the database lacks
STALE_SECONDS = 60  # a processing key without progress this long belongs to a flush that died
FLUSH_BATCH = 1000
# Redis down, hung (the cache's socket timeouts) or refusing a write (out of memory, read-only
# replica, a key of another type): the choice is written to the database at once instead.
REDIS_ERRORS = (redis.RedisError,)

# KEYS: the client's rate-limit counter (django-ratelimit's key), the queue. ARGV: the limit
# ('' when limits are off), the counter's expiry, the choice. INCR and EXPIRE as django-ratelimit
# counts (cache.add(key, 1, period + fudge), then incr); a counter found without an expiry gets
# one (it holds a hash of the client's address). The choice is queued only within the limit.
# Returns the count.
COUNT_AND_QUEUE = """
local count = 0
if ARGV[1] ~= '' then
  count = redis.call('INCR', KEYS[1])
  if count == 1 or redis.call('TTL', KEYS[1]) == -1 then
    redis.call('EXPIRE', KEYS[1], ARGV[2])
  end
  if count > tonumber(ARGV[1]) then return count end
end
redis.call('RPUSH', KEYS[2], ARGV[3])
return count
"""

# KEYS: the queue (or a stale processing key), a new processing key, the set of processing
# keys. ARGV: now, '1' when KEYS[1] is a stale processing key to claim. Returns 1 if taken.
TAKE = """
if ARGV[2] == '1' and redis.call('ZREM', KEYS[3], KEYS[1]) == 0 then return 0 end
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RENAME', KEYS[1], KEYS[2])
redis.call('ZADD', KEYS[3], ARGV[1], KEYS[2])
return 1
"""

_scripts: dict[str, Any] = {}  # registered once per process (EVALSHA; loaded again if needed)
_clients: dict[tuple[str, ...], redis.Redis] = {}


def banner_version_ensure(*, version: str, content: dict[str, Any]) -> BannerVersion:
    """Keep what this banner version shows, the first time it is served (idempotent)."""
    found = BannerVersion.objects.filter(version=version).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return BannerVersion.objects.create(version=version, content=content)
    except IntegrityError:  # another request stored it first
        return BannerVersion.objects.get(version=version)


def consent_record_create(
    *,
    consent_id: str | None,
    banner_version: BannerVersion,
    language: str,
    choices: dict[str, bool],
    origin: str,
) -> ConsentRecord:
    """Record a choice made in the banner (Art. 7(1)); no IP address or other request data.

    Consent IDs are made here, never taken from the client: without an ID, or with one no
    record holds (never issued here, or its records already purged), the choice is a new
    consent under a new random ID, which the banner keeps. A choice that refuses a category
    the same ID had granted is recorded as a withdrawal (Art. 7(3)).
    """
    wanted = {c.value: bool(choices.get(c.value)) for c in CookieCategory.optional()}
    previous = ConsentRecord.objects.for_consent_id(consent_id).last() if consent_id else None
    kept_id = previous.consent_id if previous else secrets.token_urlsafe(CONSENT_ID_BYTES)
    withdrawn = previous is not None and any(
        given and not wanted[key] for key, given in previous.choices().items()
    )
    return ConsentRecord.objects.create(
        consent_id=kept_id,
        kind=ConsentRecord.Kind.WITHDRAWAL if withdrawn else ConsentRecord.Kind.CHOICE,
        recorded_at=timezone.now(),
        banner_version=banner_version,
        language=language,
        origin=origin,
        **wanted,
    )


@dataclass(frozen=True)
class FirstChoice:
    """A choice without a consent ID yet: its ID and time are made when it arrives."""

    kind: ClassVar[str] = ConsentRecord.Kind.CHOICE

    consent_id: str
    recorded_at: datetime
    banner_version: BannerVersion
    language: str
    origin: str
    choices: dict[str, bool]

    @classmethod
    def new(
        cls, *, banner_version: BannerVersion, language: str, origin: str, choices: dict
    ) -> FirstChoice:
        wanted = {c.value: bool(choices.get(c.value)) for c in CookieCategory.optional()}
        return cls(
            secrets.token_urlsafe(CONSENT_ID_BYTES),
            timezone.now(),
            banner_version,
            language,
            origin,
            wanted,
        )

    def as_json(self) -> str:
        """What waits in the queue: the record's fields, no request data (no IP address)."""
        return json.dumps(
            {
                "consent_id": self.consent_id,
                "recorded_at": self.recorded_at.isoformat(),
                "banner_version": self.banner_version.pk,
                "version": self.banner_version.version,
                "language": self.language,
                "origin": self.origin,
                **self.choices,
            },
            separators=(",", ":"),
        )

    def record(self) -> ConsentRecord:
        return ConsentRecord(
            consent_id=self.consent_id,
            kind=ConsentRecord.Kind.CHOICE,
            recorded_at=self.recorded_at,
            banner_version=self.banner_version,
            language=self.language,
            origin=self.origin,
            **self.choices,
        )


def queue_cache():
    """The cache that holds the queue: django-ratelimit's, so count and queue are one call."""
    return caches[settings.RATELIMIT_USE_CACHE]


def queue_client() -> redis.Redis | None:
    """A Redis client on the cache's (primary) server when REDIS_URL is set and the cache is
    Redis, else None. One per process and server: making one costs more than a round trip."""
    if not settings.REDIS_URL:
        return None
    backend = queue_cache()
    get_client = getattr(getattr(backend, "_cache", None), "get_client", None)
    if get_client is None:
        return None
    servers = tuple(getattr(backend, "_servers", ()))
    client = _clients.get(servers)
    if client is None:
        client = _clients[servers] = get_client(write=True)  # its pool is thread-safe
    return client


def _script(client: redis.Redis, source: str):
    script = _scripts.get(source)
    if script is None:
        script = _scripts[source] = client.register_script(source)
    return script


def consent_choice_queue(
    *, choice: FirstChoice, client: redis.Redis, rate_key: str | None, limit: int, expiry: int
) -> int:
    """Count the client's rate limit and, within it, queue the choice: one Redis round trip.

    ``rate_key`` is django-ratelimit's cache key for this client and window (None: limits off).
    Returns the count; above ``limit`` nothing was queued. Raises REDIS_ERRORS.
    """
    keys = [rate_key or "", queue_cache().make_key(QUEUE_KEY)]
    args = ["" if rate_key is None else limit, expiry, choice.as_json()]
    return int(_script(client, COUNT_AND_QUEUE)(keys=keys, args=args, client=client))


def consent_choice_store(*, choice: FirstChoice) -> ConsentRecord:
    """Write a first choice at once (Redis unreachable). Had Redis queued it after all, the
    flush finds this row under the same ID and time and adds nothing."""
    record = choice.record()
    ConsentRecord.objects.bulk_create([record], ignore_conflicts=True)
    return record


def consent_queue_flush(*, wait_seconds: float = 0.0) -> int:
    """Write the queued first choices into the database; returns how many were taken.

    Idempotent: each flush takes the queue under a processing key of its own (nothing waits:
    nothing to do), writes it in batches, each committed before it leaves the key, then deletes
    it. Processing keys without progress for STALE_SECONDS, left by a flush that died, are taken
    over first; the choices set aside for a banner version the database lacked are tried again
    last. ``wait_seconds``: how long a reader waits for other flushes still at work, so it sees
    what they are writing. Raises RuntimeError inside a transaction (nothing is lost: the
    choices wait under the processing key for the next flush).
    """
    client = queue_client()
    if client is None:
        return 0
    cache = queue_cache()
    processing = cache.make_key(PROCESSING_KEY)
    taken = 0
    stale_keys: list[bytes] = client.zrangebyscore(  # type: ignore[assignment]
        processing, "-inf", time.time() - STALE_SECONDS
    )
    for stale in stale_keys:
        taken += _take_and_store(client, stale.decode(), claim=True)
    taken += _take_and_store(client, cache.make_key(QUEUE_KEY), claim=False)
    taken += _take_and_store(client, cache.make_key(UNPLACED_KEY), claim=False, retry=True)
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline and client.zcount(
        processing, time.time() - STALE_SECONDS, "+inf"
    ):
        time.sleep(0.02)
    return taken


def consent_queue_flush_for_reading() -> None:
    """Flush before reading the records (staff, dashboard, purge, a change of a choice): what
    the visitor was told is recorded is there. With Redis unreachable, read what is stored."""
    try:
        consent_queue_flush(wait_seconds=2.0)
    except REDIS_ERRORS as exc:
        logger.warning("event=consent_redis_unreachable step=flush error=%s", type(exc).__name__)


def _take_and_store(client: redis.Redis, source: str, *, claim: bool, retry: bool = False) -> int:
    """Take ``source`` and write it; returns how many choices were taken (``retry``, the
    choices set aside for an unknown banner version: how many of them were written)."""
    cache = queue_cache()
    mine = f"{cache.make_key(QUEUE_KEY)}:{uuid.uuid4().hex}"
    keys = [source, mine, cache.make_key(PROCESSING_KEY)]
    args = [time.time(), "1" if claim else ""]
    if not _script(client, TAKE)(keys=keys, args=args, client=client):
        return 0
    taken = 0
    while batch := client.lrange(mine, 0, FLUSH_BATCH - 1):
        written = _store([json.loads(item) for item in batch], client, retry=retry)
        _batch_done(client, mine, len(batch))
        taken += written if retry else len(batch)
    _processing_done(client, mine)
    return taken


def _store(rows: list[dict], client: redis.Redis, *, retry: bool = False) -> int:
    """One batch into the database, committed here (durable: never inside a caller's
    transaction); returns how many rows were written. The banner version is found by its hash,
    not by the row id the choice was queued with: a database restored meanwhile may number its
    rows otherwise. Choices whose version the database lacks are set aside (``retry``: again)."""
    wanted = {row["version"] for row in rows}
    versions = dict(BannerVersion.objects.filter(version__in=wanted).values_list("version", "pk"))
    records, unplaced = [], []
    for row in rows:
        pk = versions.get(row["version"])
        if pk is None:
            unplaced.append(row)
            continue
        records.append(
            ConsentRecord(
                consent_id=row["consent_id"],
                kind=ConsentRecord.Kind.CHOICE,
                recorded_at=datetime.fromisoformat(row["recorded_at"]),
                banner_version_id=pk,
                language=row["language"],
                origin=row["origin"],
                **{c.value: bool(row.get(c.value)) for c in CookieCategory.optional()},
            )
        )
    with transaction.atomic(durable=True):
        ConsentRecord.objects.bulk_create(records, ignore_conflicts=True)
    if unplaced:
        _set_aside(unplaced, client, retry=retry)
    return len(records)


def _set_aside(rows: list[dict], client: redis.Redis, *, retry: bool) -> None:
    """Keep choices whose banner version the database lacks until it is stored again (the
    banner served again after a restore), not past the `cookie-consent` rule's period."""
    rule = (
        RetentionRule.objects.filter(code=ConsentRecord.retention_rule_code, is_active=True)
        .exclude(action=RetentionRule.Action.REVIEW)
        .first()
    )
    cutoff = rule.cutoff(timezone.now()) if rule is not None else None
    waiting = [
        json.dumps(row, separators=(",", ":"))
        for row in rows
        if cutoff is None or datetime.fromisoformat(row["recorded_at"]) > cutoff
    ]
    if waiting:
        client.rpush(queue_cache().make_key(UNPLACED_KEY), *waiting)
    if not retry:
        logger.error("event=consent_queue_unknown_version count=%d", len(rows))
    if len(waiting) < len(rows):
        logger.warning(
            "event=consent_queue_unknown_version_expired count=%d", len(rows) - len(waiting)
        )


def _batch_done(client: redis.Redis, key: str, count: int) -> None:
    """The batch written leaves the processing key, whose time is renewed: a flush that keeps
    writing is not taken for dead, and one that died is taken over where it stopped. Taken over
    meanwhile (the key renamed away), both do nothing."""
    pipe = client.pipeline()  # MULTI/EXEC: one round trip
    pipe.ltrim(key, count, -1)
    pipe.zadd(queue_cache().make_key(PROCESSING_KEY), {key: time.time()}, xx=True)
    pipe.execute()


def _processing_done(client: redis.Redis, key: str) -> None:
    pipe = client.pipeline()  # MULTI/EXEC: one round trip
    pipe.delete(key)
    pipe.zrem(queue_cache().make_key(PROCESSING_KEY), key)
    pipe.execute()
