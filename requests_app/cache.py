"""A file-based cache whose `add` and `incr` are atomic across processes, for rate limits in
the embedded run (no Redis). Production uses Redis (settings.CACHES when REDIS_URL is set).

Django's FileBasedCache implements `incr` as get + set: two processes (runserver threads,
gunicorn workers) can lose increments, and `set` resets the expiry to the default timeout,
so a "3 per day" window would restart every 5 minutes. Here both run under an exclusive
`flock` on one lock file in the cache folder, and `incr` keeps the entry's expiry.
tests/requests/test_requests_hostile.py proves the count is exact with several processes.
"""

import fcntl
import os
import pickle
import time
import zlib
from contextlib import contextmanager

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache


class AtomicFileBasedCache(FileBasedCache):
    @contextmanager
    def _exclusive(self):
        os.makedirs(self._dir, 0o700, exist_ok=True)
        with open(os.path.join(self._dir, "atomic.lock"), "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with self._exclusive():
            return super().add(key, value, timeout, version)

    def incr(self, key, delta=1, version=None):
        with self._exclusive():
            filename = self._key_to_file(key, version)
            try:
                with open(filename, "rb") as handle:
                    expiry = pickle.load(handle)  # noqa: S301  # nosec B301 - own private cache file
                    if expiry is not None and expiry < time.time():
                        raise ValueError(f"Key '{key}' not found")
                    value = pickle.loads(zlib.decompress(handle.read()))  # noqa: S301  # nosec B301
            except FileNotFoundError:
                raise ValueError(f"Key '{key}' not found") from None
            new_value = value + delta
            timeout = None if expiry is None else max(expiry - time.time(), 0.001)
            self.set(key, new_value, timeout, version)
            return new_value
