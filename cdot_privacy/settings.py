"""Settings for cdot-privacy: one file, every deployment difference from the environment.

Two ways to run (see docs/ARCHITECTURE.md):
- embedded (default): SQLite in WAL mode, Celery over kombu's filesystem transport, no servers;
- production (DEPLOYMENT=production): PostgreSQL, Redis, SECRET_KEY and ALLOWED_HOSTS required,
  secure cookies, HSTS and SSL redirect on.
"""

import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEPLOYMENT = env.str("DEPLOYMENT", default="embedded")
if DEPLOYMENT not in {"embedded", "production"}:
    raise ImproperlyConfigured("DEPLOYMENT must be 'embedded' or 'production'")
PRODUCTION = DEPLOYMENT == "production"

# Where the embedded run keeps its database, broker folder, uploads and footage.
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)


def _embedded_secret_key() -> str:
    """A key generated once per machine for the embedded run, never used in production."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")  # required: raises ImproperlyConfigured when missing
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="") or _embedded_secret_key()
    ALLOWED_HOSTS = env.list(
        "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"]
    )
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])


def _embedded_suppression_key() -> str:
    """The suppression list's own HMAC key, generated once for the embedded run (var/)."""
    key_file = VAR_DIR / "suppression_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


# Keyed hash of suppressed / withdrawn e-mail addresses (records.normalise.email_hash). Its own
# key, never SECRET_KEY: rotating the session key must not unsuppress anyone. Required in
# production; rotation: docs/OPERATIONS.md ("Suppression key").
if PRODUCTION:
    SUPPRESSION_KEY = env.str("SUPPRESSION_KEY")
else:
    SUPPRESSION_KEY = env.str("SUPPRESSION_KEY", default="") or _embedded_suppression_key()
SUPPRESSION_KEY_FALLBACKS = env.list("SUPPRESSION_KEY_FALLBACKS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute base of the links in e-mails and PDFs. Production requires it; the embedded run
# follows PORT (bin/run serves there), so a README run on another port sends working links.
if PRODUCTION:
    SITE_URL = env.str("SITE_URL").rstrip("/")
else:
    SITE_URL = env.str(
        "SITE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}"
    ).rstrip("/")

INSTALLED_APPS = [
    "modeltranslation",  # before admin, so translated fields show in it
    "cdot_privacy.admin_apps.StaffAdminConfig",  # django.contrib.admin with the staff site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # backup codes (issue 17 point 5)
    "axes",
    "cdot_privacy",
    "registry",
    "records",
    "retention",
    "requests_app",
    "breaches",
    "processor",
    "statement",
    "consent",
    "django_ratelimit",  # registers its cache system checks
    "ninja",  # the API docs use its bundled Swagger UI files (no CDN, CSP-safe)
]
# django-ratelimit warns (W001) about any backend outside its short list. Both of ours have
# atomic add/incr that keep the expiry (Redis INCR; requests_app.cache's flock), which its
# E003 check is about; tests/requests/test_requests_hostile.py proves exact counts across processes.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

MIDDLEWARE = [
    "cdot_privacy.limits.RequestBodyLimitMiddleware",  # 413 before anything reads the body
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "cdot_privacy.urls"
WSGI_APPLICATION = "cdot_privacy.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + IMMEDIATE: runserver and the Celery worker write at the same time without
    # "database is locked" (DEFERRED transactions upgrade their lock too late).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Lets parallel test runs on one PostgreSQL server use their own test database.
if env.str("TEST_DATABASE_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits, debounce) ----------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that hangs fails a request's cache step within seconds (the consent POST
            # then writes at once) instead of holding a worker thread until gunicorn's timeout.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
else:
    CACHES = {
        "default": {
            # FileBasedCache with atomic add/incr (flock): rate limits count exactly.
            "BACKEND": "requests_app.cache.AtomicFileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Auth and staff security ----------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The client address behind the reverse proxy: X-Forwarded-For is read only from these CIDRs
# (cdot_privacy/client_ip.py). One helper for the lockout, the rate limits and their logs.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
AXES_CLIENT_IP_CALLABLE = "cdot_privacy.client_ip.client_ip"
RATELIMIT_IP_META_KEY = "cdot_privacy.client_ip.client_ip"
# django-ratelimit's defaults, declared: the cookie-consent queue shares its cache and counter
# (consent/services.py queue_cache, consent/api.py _rate_key).
RATELIMIT_ENABLE = True
RATELIMIT_USE_CACHE = "default"
STAFF_2FA = env.bool("STAFF_2FA", default=PRODUCTION)
OTP_TOTP_ISSUER = "C-DOT privacy"
# Nobody, not even a superuser, reads a colleague's TOTP secret or QR code in the admin.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# An enrolment code (cdot_privacy/two_factor.py) opens device enrolment for this long.
OTP_ENROLMENT_CODE_HOURS = 24
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 2)  # inactivity expiry
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
LOGIN_URL = "admin:login"

# --- Security headers -----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=PRODUCTION)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=PRODUCTION)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
if env.bool("TRUST_X_FORWARDED_PROTO", default=False):  # behind a TLS-terminating proxy
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Health probes come over plain HTTP from inside the deployment.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
MODELTRANSLATION_DEFAULT_LANGUAGE = "nl"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("nl",)
TIME_ZONE = "Europe/Brussels"  # legal periods are Brussels calendar terms; storage is UTC
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# collectstatic keeps only the hashed copies (every page links them through {% static %}) and
# does not compress source maps (only a browser's developer tools read them): 58 s -> 12 s of
# CPU and 31 -> 13 MB of static files in the image (docs/OPERATIONS.md).
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
if DEBUG or not PRODUCTION:
    # No collectstatic needed for the embedded run and the tests. WhiteNoise looks a static file
    # up when it is asked for (AUTOREFRESH) instead of listing every app's static files when its
    # middleware starts: each test client starts the middleware again, and the listing cost
    # 12 ms each time (~400 clients in the fast test loop).
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media-not-served/"
# ID copies and access packages: outside every web root, served only through staff views.
PRIVATE_STORAGE_DIR = Path(env.str("PRIVATE_STORAGE_DIR", default=str(VAR_DIR / "private")))
CAMERA_FOOTAGE_DIR = Path(env.str("CAMERA_FOOTAGE_DIR", default=str(VAR_DIR / "footage")))
# Whole request bodies: refused with 413 on their declared length before anything reads them
# (cdot_privacy/limits.py). The form takes an ID copy of at most 5 MB; API bodies are small JSON.
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=6 * 1024 * 1024)
API_BODY_MAX_BYTES = env.int("API_BODY_MAX_BYTES", default=256 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

# --- E-mail ---------------------------------------------------------------------------------
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="privacy@c-dot.be")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_DIR = VAR_DIR / "celery-broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
else:
    # kombu's filesystem transport: no server for the embedded run (~30 tasks/s, polls 1/s).
    CELERY_BROKER_DIR.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR),
        "data_folder_out": str(CELERY_BROKER_DIR),
        # kombu's exchange tables: in the broker folder, not a control/ folder in the cwd.
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
        "polling_interval": 1,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # with reject-on-worker-lost: tasks must be idempotent
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
if REDIS_URL:
    # Redis hands a task nobody acknowledged (its worker was killed) to another worker after
    # visibility_timeout. It must outlast the longest task (any task ends by the hard time
    # limit) or a running purge would be started twice. E-mails do not wait for it: the
    # outbox's flush (records/outbox.py, every minute) sends what a killed worker left.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 5 * 60}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"  # crontabs are written in UTC
CELERY_ENABLE_UTC = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
DJANGO_CELERY_BEAT_TZ_AWARE = True
# A beat older than this makes /healthz unhealthy (the heartbeat runs every minute).
HEARTBEAT_MAX_AGE_SECONDS = env.int("HEARTBEAT_MAX_AGE_SECONDS", default=180)

# --- Logging (structured, no personal data: log ids, never e-mails or names) ----------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "kv": {"format": "time=%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "kv"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # WeasyPrint's fontTools fallback (no libharfbuzz-subset0) logs ~40 lines per font.
        "fontTools": {"level": "WARNING"},
    },
}

# Any service this test run must have: a missing one fails instead of skipping.
REQUIRE_SERVICES = env.bool("REQUIRE_SERVICES", default=False)

# --- Limits and delays the apps read (every setting the code reads is declared here) ---------
# The public request form: per client IP and per e-mail address (django-ratelimit rates).
# Empty (as docker-compose.yml passes an unset variable) means the default.
REQUESTS_RATE_PER_IP = env.str("REQUESTS_RATE_PER_IP", default="") or "10/h"
REQUESTS_RATE_PER_EMAIL = env.str("REQUESTS_RATE_PER_EMAIL", default="") or "3/d"
# Consent records the banner may post per client and minute.
CONSENT_RATE_PER_MINUTE = env.int("CONSENT_RATE_PER_MINUTE", default=20)
# A burst of register changes publishes the statement once, this long after the last one.
STATEMENT_PUBLISH_DEBOUNCE_SECONDS = env.int("STATEMENT_PUBLISH_DEBOUNCE_SECONDS", default=30)
# How long a rendered statement page is reused in a web process (0: every request renders).
STATEMENT_PAGE_CACHE_SECONDS = env.float(
    "STATEMENT_PAGE_CACHE_SECONDS", default=10.0 if PRODUCTION else 0.0
)
# The erasure ledger file (records/ledger.py); empty: PRIVATE_STORAGE_DIR/erasure-ledger/.
ERASURE_LEDGER_PATH = env.str("ERASURE_LEDGER_PATH", default="")
