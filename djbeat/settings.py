"""Settings read from the environment (django-environ).

The embedded default needs no server: SQLite under ``var/`` and kombu's filesystem broker under
``var/broker/``. Set ``DATABASE_URL`` / ``CELERY_BROKER_URL`` for PostgreSQL / RabbitMQ or Redis.
"""

import importlib.util
import warnings
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
# A local `.env` (git-ignored; `make` creates one from `.env.example`) fills in what the real
# environment does not set: real environment variables always win.
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
VAR_DIR = Path(environ.Env().str("BEAT_SYNC_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["localhost", "127.0.0.1", "[::1]"]),
    TIME_ZONE=(str, "UTC"),
)

DEBUG = env("DEBUG")
# ENVIRONMENT=production: refuse to start with DEBUG on, and default to the HTTPS hardening that
# `manage.py check --deploy` asks for (behind a TLS-terminating proxy, set SECURE_PROXY_SSL_HEADER).
PRODUCTION = env.str("ENVIRONMENT", default="development").lower() == "production"
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when ENVIRONMENT=production")
_DEV_SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
# Without a key (DEBUG off), what serves requests refuses to start: the web process (wsgi.py) and
# every management command that runs the system checks (djbeat.checks). The syncer, the worker
# and beat sign nothing and run without one (`syncer validate` in CI needs no secret).
if PRODUCTION and not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured("the development SECRET_KEY cannot be used with DEBUG off")
if PRODUCTION and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured("SECRET_KEY is too weak for production (50+ random characters)")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")

INSTALLED_APPS = [
    # Whitenoise serves static files under runserver too, as it does under gunicorn.
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from STATIC_URL (no CDN)
    "django_celery_beat",
    "syncer",
    "djbeat",
]

MIDDLEWARE = [
    # First: probes answer before the host check and the HTTPS redirect (djbeat.health).
    "djbeat.health.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files from the web process itself (gunicorn in compose and Kubernetes).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "djbeat.urls"
WSGI_APPLICATION = "djbeat.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database(url_name: str, default: str) -> dict[str, Any]:
    """``DATABASE_URL`` as Django's settings, or one line that says what is wrong with it."""
    example = (
        "e.g. postgres://user:pass@host:5432/db, mysql://user:pass@host:3306/db, sqlite:///path"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # django-environ warns, then fails later with a KeyError
        try:
            config: dict[str, Any] = dict(env.db(url_name, default=default))
        except (ValueError, KeyError) as exc:
            raise ImproperlyConfigured(
                f"{url_name} is not a database URL ({exc}): {example}"
            ) from None
    engine = config.get("ENGINE") or ""
    if not engine or importlib.util.find_spec(engine.split(".")[0]) is None:
        raise ImproperlyConfigured(f"{url_name}: unknown database scheme: {example}")
    return config


DATABASES = {"default": _database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.mysql":
    # 4-byte UTF-8 (emoji in a description) for the connection and for the test database, which
    # would otherwise get the server's default character set.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("charset", "utf8mb4")
    DATABASES["default"].setdefault("TEST", {}).setdefault("CHARSET", "utf8mb4")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # web, worker, beat and the syncer share one file: wait for its write lock instead of failing
    # after Python's default 5 s. (The syncer serialises its own writes whatever the settings.)
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", 30)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# `collectstatic` writes here; the image collects into /app/static (outside var/, which may be a
# volume) at build time.
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
# Hashed, compressed names that browsers may cache forever. With DEBUG off they need
# `collectstatic` first (the Dockerfile runs it); with DEBUG on, whitenoise finds the files in
# the apps and the names stay plain.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Celery -------------------------------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _sub in ("queue", "processed", "control"):
        (BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None)
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Worker processes per worker; Celery's default is the machine's CPU count, which in a container is
# the node's, not the pod's share (deploy/k8s sets it).
CELERY_WORKER_CONCURRENCY = env.int("CELERY_WORKER_CONCURRENCY", default=None)
# What tasks print is output, not a problem: log it at INFO (Celery's default is WARNING).
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "INFO"
# The YAML files in schedules/ are the one source of truth: no beat_schedule here.
# The companion scheduler (docs/scheduler.md): django-celery-beat's tables and admin, with a
# leader lease, one send per slot, run policies and reloads in O(change).
CELERY_BEAT_SCHEDULER = "syncer.beat:Scheduler"
# Wake beat at least this often so it notices schedule changes quickly (its default is 5 s).
CELERY_BEAT_MAX_LOOP_INTERVAL = env.int("CELERY_BEAT_MAX_LOOP_INTERVAL", default=5)

# --- Tasks ---------------------------------------------------------------------------------------
WRITE_TO_FILE_DEFAULT_PATH = env.str(
    "WRITE_TO_FILE_PATH", default=str(VAR_DIR / "write_to_file.txt")
)

# --- Syncer --------------------------------------------------------------------------------------
# Its settings (syncer.conf) keep their defaults here: SYNCER_SCHEDULES_DIR is `schedules`,
# relative to where the command runs, and every SYNCER_* environment variable overrides.

# --- REST framework ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "beat-sync periodic tasks API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from drf-spectacular-sidecar's static files: no third-party script runs on the
    # API's origin, and the page works on a network with no way out.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

if not DEBUG:
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if PRODUCTION else 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=PRODUCTION)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=PRODUCTION)
    if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
