"""A cheap password hasher for the tests (set by tests/conftest.py).

Django's PBKDF2 at its production cost (over a million iterations) took about 0.23 s of CPU for
every user a test creates or logs in, a large share of the fast loop. This is the same algorithm
under the same name with one iteration: the hash it writes, "pbkdf2_sha256$1$...", is checked by
any stock Django (the iteration count is read from the hash), so a subprocess a test starts (a
real worker, the compose services) still accepts the test's passwords.
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class FastPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = 1
