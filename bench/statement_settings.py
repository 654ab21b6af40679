"""Production settings with the bench's own URLconf (bench/statement_urls.py)."""

from cdot_privacy.settings import *  # noqa: F403 - the site's settings, one change below

ROOT_URLCONF = "bench.statement_urls"
