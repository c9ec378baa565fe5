"""Settings, read from the environment alone.

DATABASE_URL  default: SQLite file under var/
REDIS_URL     default: unset, so Celery runs tasks in-process and the cache is local memory
CELERY_BROKER_URL  the broker when REDIS_URL is unset, e.g. filesystem://localhost/ (what `make run` sets):
              tasks go to a worker. Unset too, they run in-process.
CELERY_FILESYSTEM_BROKER_DIR  default var/broker: where a filesystem:// broker keeps its messages and the cache
BATCHING_DELAY_SECONDS  default 2: how long a batching run an LOR queued waits for the LORs that follow
CLOCK_INTERVAL_SECONDS  default unset: every beat job runs at this interval instead of its own
SECRET_KEY    required unless DEBUG is on
DEBUG         "1"/"true" turns it on; default on, so a fresh clone runs with `make run`
ALLOWED_HOSTS comma-separated
SITE_URL      default http://127.0.0.1:8000: the address links in e-mails and webhook events point at
EMAIL_HOST    unset: e-mail is written to files under var/mail/ (EMAIL_FILE_PATH); set: sent by SMTP,
              with EMAIL_PORT (587), EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS ("1"), EMAIL_USE_SSL
DEFAULT_FROM_EMAIL  default fms-review@localhost
WEBHOOK_HTTPS_ONLY, WEBHOOK_ALLOW_PRIVATE_ADDRESSES  default: on and off outside DEBUG, off and on in it
"""
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name, default):
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_flag("DEBUG", "1")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "bins",
    "cases",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "fms_review.middleware.ContentSecurityPolicyMiddleware",
    "fms_review.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "fms_review.middleware.NoStoreWhenSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "fms_review.middleware.DatabaseUnavailableMiddleware",
]

# Sign-in lock-out (django-axes) for the sign-in page, the admin and the API token endpoint alike:
# after AXES_FAILURE_LIMIT failures for one username from one address, an hour's wait.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "cases.shortcuts.sessions.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# How many proxies in front of the app append to X-Forwarded-For (the TLS proxy of docker-compose: one);
# the lock-out and the token throttle key on the address they report (fms_review.clients).
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0" if DEBUG else "1"))
AXES_CLIENT_IP_CALLABLE = "fms_review.clients.client_address"

if not DEBUG:
    # Static files from the image's collectstatic output; in development runserver serves them.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "fms_review.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cases.web.context.role",
            ],
        },
    },
]

FORM_RENDERER = "fms_review.widgets.WidgetRenderer"

WSGI_APPLICATION = "fms_review.wsgi.application"

# Persistent connections: a new PostgreSQL connection costs ~7.5 ms here, and closing after every
# request cut list throughput 3.6x. Bounded so Celery workers do not hold connections forever.
CONN_MAX_AGE = int(os.environ.get("CONN_MAX_AGE", "60"))
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'fms_review.sqlite3'}"),
        conn_max_age=CONN_MAX_AGE,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer fails the request in seconds (503), instead of hanging it.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = int(os.environ.get("DB_CONNECT_TIMEOUT", "3"))
    # No JIT: when row estimates are stale the planner costs the batch queue's subqueries past
    # jit_above_cost and compiling them took 52 of a query's 69 ms; these queries run in milliseconds.
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while seed_demo writes; a busy timeout instead of "database is locked".
    # IMMEDIATE: a transaction takes the write lock when it begins, so two at once queue on the timeout as
    # they do on PostgreSQL's row locks; a deferred one that read first could not upgrade and failed.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # SQLite builds the covering index of a batch's cases without its included columns: still an index.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
if not DEBUG:
    # Hashed, compressed files served by WhiteNoise; the image runs collectstatic at build.
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

# Sessions end after a working day, or when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

if not DEBUG:
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", "1")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the orchestrator probes over plain HTTP
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    X_FRAME_OPTIONS = "DENY"

# Every page is served with this policy (fms_review.middleware); the pages use no inline script or style.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)
# Swagger UI's page bootstraps itself with an inline script.
CONTENT_SECURITY_POLICY_EXCEPTIONS = {"/api/docs/": CONTENT_SECURITY_POLICY.replace(
    "script-src 'self'", "script-src 'self' 'unsafe-inline'").replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")}

REDIS_URL = os.environ.get("REDIS_URL", "")
# A broker that needs no server (filesystem://) lets `make run` run a worker with Celery beat.
CELERY_BROKER_URL = REDIS_URL or os.environ.get("CELERY_BROKER_URL") or "memory://localhost/"
FILESYSTEM_BROKER = CELERY_BROKER_URL.startswith("filesystem:")
FILESYSTEM_BROKER_DIR = Path(os.environ.get("CELERY_FILESYSTEM_BROKER_DIR", BASE_DIR / "var" / "broker"))

if REDIS_URL:
    # Bounded waits, like the broker's below: with Redis down a request goes on without it.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5}}}
elif FILESYSTEM_BROKER:
    # Shared by the web process and the worker: the worker clears tasks.BATCHING_QUEUED where the web
    # process looks for it, so a new LOR queues a run at once instead of after the flag expires.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": FILESYSTEM_BROKER_DIR / "cache"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# A batching run waits this long after the LOR that queued it, gathering the LORs that follow: under a
# burst, one run per LOR spent a worker's 9 ms of CPU on each. Newcomers join a batch seconds later,
# against windows of days. (In-process, without a broker, the run is at once.)
BATCHING_DELAY_SECONDS = float(os.environ.get("BATCHING_DELAY_SECONDS", "2"))

# Celery. No worker can read a memory:// broker, so with it tasks run in-process at the call site.
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL.startswith("memory:")
CELERY_RESULT_BACKEND = None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish to a broker that is down gives up within a second: the beat schedule is the safety net.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
if FILESYSTEM_BROKER:
    CELERY_BROKER_TRANSPORT = "fms_review.broker:Transport"  # kombu's, safe with senders in other processes
    # One folder is both ends of the queue, and kombu does not create it. A message is deleted once
    # taken (store_processed off: kombu then ignores processed_folder), so none pile up.
    broker_messages = FILESYSTEM_BROKER_DIR / "messages"
    broker_messages.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(broker_messages),
        "data_folder_out": str(broker_messages),
        "control_folder": str(FILESYSTEM_BROKER_DIR / "control"),  # the exchanges' bindings
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_BEAT_SCHEDULE = {
    # The outbox's sweep: messages whose after-commit task was lost (broker down), retries due, digests.
    "deliver-notifications": {"task": "cases.tasks.deliver_notifications_task", "schedule": 30.0},
    "notice-reminders": {"task": "cases.tasks.notice_reminders_task", "schedule": 3600.0},
    "build-batches": {"task": "cases.tasks.build_batches_task", "schedule": 300.0},
    "close-review-windows": {"task": "cases.tasks.close_review_windows_task", "schedule": 60.0},
    "clear-notifications": {"task": "cases.tasks.clear_notifications_task", "schedule": 3600.0},
    "expire-offers": {"task": "cases.tasks.expire_offers_task", "schedule": 3600.0},
    "mark-stalled": {"task": "cases.tasks.mark_stalled_task", "schedule": 3600.0},
    "purge-idempotency-keys": {"task": "cases.tasks.purge_idempotency_records_task", "schedule": 3600.0},
}
if os.environ.get("CLOCK_INTERVAL_SECONDS"):
    # To watch the timers fire without waiting an hour (and for tests of the schedule itself).
    for entry in CELERY_BEAT_SCHEDULE.values():
        entry["schedule"] = float(os.environ["CLOCK_INTERVAL_SECONDS"])

# Notifications (cases.notify).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "fms-review@localhost")
EMAIL_DOMAIN = DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"  # the right side of each Message-ID
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_SSL = env_flag("EMAIL_USE_SSL", "0")
    EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS", "0" if EMAIL_USE_SSL else "1")
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
NOTIFY_RETRY_SECONDS = int(os.environ.get("NOTIFY_RETRY_SECONDS", "30"))  # the first retry's wait, then doubling
# How long a deliverer holds the messages it took: a worker killed mid-send leaves them for this long.
NOTIFY_LEASE_SECONDS = int(os.environ.get("NOTIFY_LEASE_SECONDS", "300"))
NOTIFY_RETRY_MAX_SECONDS = 3600
NOTIFY_GIVE_UP_HOURS = 24  # then the message is given up on, and a failing webhook disabled
WEBHOOK_HTTPS_ONLY = env_flag("WEBHOOK_HTTPS_ONLY", "0" if DEBUG else "1")
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_flag("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", "1" if DEBUG else "0")

# A request body over 1 MB is refused with 413 before anything parses it (fms_review.middleware).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

REST_FRAMEWORK = {
    # Deny by default: every view names the roles it serves (cases.api.permissions); nobody else passes.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cases.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["cases.api.permissions.RolePermission"],
    "DEFAULT_PARSER_CLASSES": ["cases.api.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["cases.shortcuts.filtering.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "cases.api.pagination.CasePagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "cases.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"auth": os.environ.get("AUTH_THROTTLE_RATE", "10/minute")},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "fms-review API",
    "DESCRIPTION": "Letters of Request, joint requests and FMS cases for allied liaisons, NSPA and US reviewers.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "cases.api.docs.empty_filters_are_absent"],
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "cases.process.stages.Stage",
        "OutcomeEnum": "cases.models.decision.Outcome",
    },
}

# The most cases one combined review batch holds; overflow opens another batch.
REVIEW_BATCH_SIZE = int(os.environ.get("REVIEW_BATCH_SIZE", "50"))

# How long an API token signs its user in (hours); a password change ends every token sooner.
API_TOKEN_HOURS = int(os.environ.get("API_TOKEN_HOURS", "24"))

# How long an Idempotency-Key is remembered (hours); at least 24 by contract.
IDEMPOTENCY_KEY_HOURS = 24

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # One JSON object per line (LOG_FORMAT=json, the default without DEBUG), for a log pipeline to index.
    "formatters": {"json": {"()": "fms_review.logs.JsonFormatter"}, "plain": {"format": "%(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler",
                             "formatter": os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json")}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # In-process tasks would log a line per request; a worker's log keeps them.
    "loggers": {
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
        "axes": {"level": "WARNING"},
    },
}
