"""Settings, read from the environment (see .env.example).

The defaults give a working development site on a SQLite file; production sets
DJANGO_DEBUG=off, DJANGO_SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL.
"""

from __future__ import annotations

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# Without DEBUG a missing DJANGO_SECRET_KEY stops the start instead of running with a known key.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", **({"default": "dev-only-insecure-key-change-me"} if DEBUG else {}))

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    "phonenumber_field",
    "sstransfer.apps.SignInThrottleConfig",
    "regions",
    "cases",
    "outbox",
]

MIDDLEWARE = [
    "sstransfer.middleware.RequestLogMiddleware",
    "sstransfer.middleware.DatabaseUnavailableMiddleware",
    "sstransfer.middleware.RefuseNulMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sstransfer.middleware.ContentSecurityPolicyMiddleware",
    "sstransfer.middleware.PrivateNoStoreMiddleware",
    # Last, so that it sees a sign-in refused by its backend after every other middleware ran.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sstransfer.urls"
WSGI_APPLICATION = "sstransfer.wsgi.application"

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
                "regions.context_processors.membership",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has no row locks: a deferred transaction that reads a case and then writes it fails with
    # "database is locked" (a 500) when another request wrote in between. Taking the write lock at BEGIN
    # makes concurrent requests wait their turn (up to the timeout), so racing transitions get one 200
    # and 409s, as on PostgreSQL.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
# A database that is down or hung must fail a request within seconds, not hold a worker until gunicorn kills it
# (docs/deploy.md, "Timeouts").
DATABASE_CONNECT_TIMEOUT = env.int("DATABASE_CONNECT_TIMEOUT", default=5)
DATABASE_STATEMENT_TIMEOUT_MS = env.int("DATABASE_STATEMENT_TIMEOUT_MS", default=15000)
# A statement a connection has run this many times is prepared on the server, which plans it once: at 1,000,000
# cases PostgreSQL spent ~3 ms *planning* a status lookup that executes in 0.1 ms (the case table has some
# thirty indexes, each a path the planner weighs). 0 turns it off (a pooler that cannot keep prepared statements
# per client; docs/deploy.md, "Prepared statements").
DATABASE_PREPARE_THRESHOLD = env.int("DATABASE_PREPARE_THRESHOLD", default=5)


def _with_timeouts(database: dict) -> dict:
    if database["ENGINE"] == "django.db.backends.postgresql":
        options = database.setdefault("OPTIONS", {})
        options.setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT)
        options.setdefault("options", f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}")
        if DATABASE_PREPARE_THRESHOLD:
            # Only statements whose parameters travel apart from their text can be prepared.
            options.setdefault("server_side_binding", True)
            options.setdefault("prepare_threshold", DATABASE_PREPARE_THRESHOLD)
    return database


_with_timeouts(DATABASES["default"])
# An optional read replica for the public lookups and lists (sstransfer.routers; docs/deploy.md, "Read replica").
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = _with_timeouts(env.db("DATABASE_REPLICA_URL"))
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["sstransfer.routers.ReplicaRouter"]
    MIDDLEWARE.insert(MIDDLEWARE.index("sstransfer.middleware.RefuseNulMiddleware") + 1,
                      "sstransfer.routers.ReplicaReadsMiddleware")
# GETs whose reads of cases and reference data the replica serves: the directory, verification, the worklist and
# the API's lists (a second's replication lag is harmless there; a status lookup stays on the primary).
REPLICA_READ_PATHS = [
    r"/", r"/agencies/", r"/verify/[0-9A-Za-z]*/?", r"/api/v1/agencies", r"/api/v1/verify/[0-9A-Za-z]+",
    r"/api/v1/cases",
]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# A Redis that is down or hung fails a request (503) and /readyz within REDIS_TIMEOUT seconds.
REDIS_TIMEOUT = env.float("REDIS_TIMEOUT", default=2)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "sstransfer.cache.SharedClientRedisCache", "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
        },
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sstransfer"}}
# Fragments of pages that depend only on what is in their key (the worklist's filter form for a language and
# its values): rendered once per process, never invalidated (a deployment starts new processes).
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments",
    "TIMEOUT": None, "OPTIONS": {"MAX_ENTRIES": 2000},
}
# The worklist's tab counts are kept in the cache (cases/selectors/freshness.py) only where every app process
# shares it: a process-local cache would not hear of another process's writes.
WORKLIST_COUNTS_CACHED = env.bool("WORKLIST_COUNTS_CACHED", default=bool(REDIS_URL))

# django-axes first: every sign-in path (the clerks' login, the admin, the API token) goes through authenticate(),
# so one counter covers them all. Locked per user name (one name is not tried from a thousand addresses) and per
# address (one address does not try a thousand names), each after SIGN_IN_MAX_FAILURES failures.
AUTHENTICATION_BACKENDS = ["sstransfer.auth_backends.SignInThrottleBackend", "sstransfer.auth_backends.MemberModelBackend"]
AXES_FAILURE_LIMIT = env.int("SIGN_IN_MAX_FAILURES", default=20)
AXES_COOLOFF_TIME = env.float("SIGN_IN_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "sstransfer.auth_views.locked_out"
AXES_IPWARE_PROXY_COUNT = env.int("NUM_PROXIES", default=0) or None
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# Locks are looked at and lifted with `manage.py axes_list_attempts` / `axes_reset_username` (docs/deploy.md).
AXES_ENABLE_ADMIN = False
# Axes stores attempts in the database, where every app server sees them.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
MEDIA_URL = "media/"
# Attachments are personal data: they are served only through permission-checked
# views, never from MEDIA_URL directly.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=5 * 1024 * 1024)

# A phone number typed without a country prefix is a Chinese one; every path validates it the same way.
PHONENUMBER_DEFAULT_REGION = "CN"
# Importing reference data changes it: only administrators who may change the rows may import them.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# A period changes only through the correction service (a reason, the checks of a batch, the case told): the
# history admin's "revert to this version" would bypass all of it.
SIMPLE_HISTORY_REVERT_DISABLED = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="sstransfer <noreply@sstransfer.example>")
# The site's address as its readers reach it: e-mails are written outside any request, and their links
# (a worker's "My case", a clerk's case page) start with it.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Background work (docs/deploy.md, "Processes"). With a broker (Redis in production) `make worker` runs the tasks
# and `make beat` the schedule; without one, tasks run in the process that queues them, so `make run` and the
# tests need nothing else.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=3)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_DEFAULT_QUEUE = "sstransfer"
# Every periodic job, in one place; beat reads it.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "outbox-send-pending": {"task": "outbox.tasks.send_pending_email", "schedule": 60.0},
    # Due-date reminders (cases/services/reminders.py), each morning before the offices open.
    "cases-send-reminders": {"task": "cases.send_reminders", "schedule": crontab(hour=7, minute=30)},
}
# Attempts before a message is given up (it stays in the admin, where it can be queued again).
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=12)
OUTBOX_MAX_DELAY_SECONDS = env.int("OUTBOX_MAX_DELAY_SECONDS", default=3600)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "sstransfer.auth_backends.MemberTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "sstransfer.api.Pagination",
    "DEFAULT_PARSER_CLASSES": [
        "sstransfer.api.StrictJSONParser", "sstransfer.api.StrictFormParser", "sstransfer.api.StrictMultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "sstransfer.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "sstransfer Agency API",
    "DESCRIPTION": "Transfer of social insurance relationships between pooling areas.",
    "VERSION": "1.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TransitionEnum": "cases.api.serializers.TRANSITION_NAMES",
        "AgreementStatusEnum": "cases.models.Agreement.Status",
        "CaseStatusEnum": "cases.models.CaseStatus",
        "FundsStatusEnum": "cases.models.FundsStatus",
    },
    "APPEND_COMPONENTS": {
        "schemas": {
            # Field errors have the fields' names as keys, which no serializer can describe.
            "ValidationError": {
                "type": "object",
                "description": "Either {detail, code} for an unmet rule, or each invalid field with its messages; "
                "a contribution batch's `records` maps each bad row's index to that row's field errors.",
                "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
                "additionalProperties": {
                    "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "object"}],
                },
            },
        },
    },
}

# Failed status lookups (and access-code checks) per client address per hour: after this many for one reference or
# ID number every try at it is refused; after this many in all only wrong ones are, so that a shared mobile-network
# address does not lock real workers out (docs/deploy.md, "Limits").
STATUS_LOOKUP_MAX_FAILURES = env.int("STATUS_LOOKUP_MAX_FAILURES", default=10)
# …and per reference and per ID number from every address together, against guessing from many addresses.
STATUS_LOOKUP_MAX_FAILURES_PER_TARGET = env.int("STATUS_LOOKUP_MAX_FAILURES_PER_TARGET", default=50)
STATUS_LOOKUP_WINDOW_SECONDS = 3600
# Online applications lodged per client address per hour.
ONLINE_APPLICATIONS_PER_ADDRESS = env.int("ONLINE_APPLICATIONS_PER_ADDRESS", default=20)
ONLINE_APPLICATIONS_WINDOW_SECONDS = 3600
# Password-reset e-mails asked for per address and per e-mail address per hour.
PASSWORD_RESETS_PER_HOUR = env.int("PASSWORD_RESETS_PER_HOUR", default=5)
# Reverse proxies in front of the site that append to X-Forwarded-For. With 0 the header is
# ignored (anyone can send it), and the rate limit counts per REMOTE_ADDR.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "sstransfer.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "loggers": {
        "sstransfer.request": {"handlers": ["console"], "level": env.str("REQUEST_LOG_LEVEL", default="INFO"),
                               "propagate": False},
        # Who saw a worker's full ID number, and when.
        "sstransfer.audit": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django": {"handlers": ["console"], "level": "WARNING"},
    },
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Database sessions, read with a compiled statement (sstransfer/sessions.py).
SESSION_ENGINE = "sstransfer.sessions"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
