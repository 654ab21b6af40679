"""What the cookie-consent tests share: a cache of their own per test.

With Redis, a first choice is counted and queued there (consent/services.py); the queue and the
rate-limit counters of one test must not reach the next test's database. Each test gets a key
prefix of its own on this run's Redis database (its keys are deleted at the end), or a fresh
file cache without Redis.
"""

import uuid
from collections.abc import Iterator
from pathlib import Path


def own_cache(settings, tmp_path: Path) -> Iterator[None]:
    if not settings.REDIS_URL:
        settings.CACHES = {
            "default": {
                "BACKEND": "requests_app.cache.AtomicFileBasedCache",
                "LOCATION": str(tmp_path / "cache"),
            }
        }
        yield
        return
    url, prefix = settings.REDIS_URL, f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    yield
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
