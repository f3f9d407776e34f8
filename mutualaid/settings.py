"""The one settings module. Every deployment difference comes from the environment."""

import sys
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from whitenoise.compress import Compressor

from mutualaid.env import ImproperlyConfiguredEnv, env_bool, env_int, env_list, env_str
from mutualaid.secret_key import secret_key_from_file
from mutualaid.xlsx import SafeXLSX

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
TESTING = "pytest" in sys.modules or env_bool("TESTING", False)

SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
    else:
        # The embedded set-up (`make run`): a key generated on the first start, kept in VAR_DIR.
        SECRET_KEY = secret_key_from_file(VAR_DIR / "secret_key")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Project apps first: their translations take precedence over contrib's for shared words.
    "associations",
    "funds",
    "guarantees",
    "loans",
    "reports",
    "jobs",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "import_export",
    "django_celery_beat",
    "csp",
    "health_check",
    "simple_history",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "mutualaid.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "mutualaid.middleware.RefuseNulBytesMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # A member login opens the member's own pages only (every staff page is a 404).
    "associations.middleware.MembersOwnPagesMiddleware",
    # Names the logged-in user on every history row written during the request.
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "mutualaid.middleware.PermissionsPolicyMiddleware",
    "mutualaid.middleware.PrivateNoStoreMiddleware",
]

ROOT_URLCONF = "mutualaid.urls"
WSGI_APPLICATION = "mutualaid.wsgi.application"

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
                "django.template.context_processors.i18n",
                "associations.context_processors.navigation",
            ],
        },
    },
]

# --- database ---------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
# Persistent connections: each web or worker process keeps its one connection for CONN_MAX_AGE
# seconds (0: a new connection per request) and checks it is alive before reusing it. The pool
# this makes is one connection per gunicorn worker, per Celery worker and for beat (README).
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("CONN_MAX_AGE", 600),
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    settings_for_session = []
    if not env_bool("DATABASE_JIT", False):
        # PostgreSQL's JIT compiles the dashboards' grouped queries for seconds before running
        # them in less (EXPLAIN ANALYZE in the README's performance section): off here.
        settings_for_session.append("-c jit=off")
    # The planner's cost of a random page read against a sequential one: PostgreSQL's default
    # (4) is for spinning disks; on SSD (1.1) an area's dashboard reads its associations' loans
    # by index instead of scanning every loan of the province (README, Performance).
    random_page_cost = env_str("DATABASE_RANDOM_PAGE_COST", "1.1").strip()
    if random_page_cost:  # empty: the server's own setting
        try:
            cost = float(random_page_cost)
        except ValueError:
            raise ImproperlyConfiguredEnv(
                f"DATABASE_RANDOM_PAGE_COST={random_page_cost!r} is not a number"
            ) from None
        settings_for_session.append(f"-c random_page_cost={cost}")
    if settings_for_session:
        DATABASES["default"].setdefault("OPTIONS", {})
        DATABASES["default"]["OPTIONS"]["options"] = " ".join(settings_for_session)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # A village PC runs web and jobs against one file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, Redis, Celery ------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    CELERY_BROKER_URL = REDIS_URL
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # No broker server in the embedded set-up: the worker and web share a spool folder.
    CELERY_BROKER_URL = "filesystem://"
    _spool = VAR_DIR / "celery"
    for _folder in ("queue", "processed", "control"):
        (_spool / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_spool / "queue"),
        "data_folder_out": str(_spool / "queue"),
        "processed_folder": str(_spool / "processed"),
        "control_folder": str(_spool / "control"),  # else kombu writes ./control in the cwd
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", TESTING)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE: dict = {
    # DESIGN §8: public-notice expiry moves approved loans on, every morning and again at noon
    # (the job is idempotent, so a second run or a run after a crash changes nothing twice).
    "loans-expire-notices": {"task": "loans.tasks.expire_notices", "schedule": 6 * 3600},
    "loans-send-reminders": {"task": "loans.tasks.send_reminders", "schedule": 6 * 3600},
    "loans-release-waitlists": {"task": "loans.tasks.release_waitlists", "schedule": 3600},
    # DESIGN §8: last month's supervision reports, on the 2nd (idempotent: made ones are kept).
    "reports-monthly-supervision": {
        "task": "reports.tasks.monthly_supervision_reports",
        "schedule": crontab(day_of_month="2", hour="6", minute="0"),
    },
    # /health/ reads this entry's last run to tell whether beat is alive (mutualaid.health).
    "mutualaid-heartbeat": {"task": "mutualaid.health.heartbeat", "schedule": 60},
}
CELERY_IMPORTS = ["mutualaid.health"]
# Beat writes each sent job's last_run_at back at once (not every 3 minutes), so /health/ sees it.
CELERY_BEAT_SYNC_EVERY = 1
# /health/ reports beat as down after this long without a heartbeat.
HEALTH_BEAT_MAX_SILENCE_MINUTES = env_int("HEALTH_BEAT_MAX_SILENCE_MINUTES", 10)

# --- auth -------------------------------------------------------------------------------
AUTH_USER_MODEL = "associations.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "associations.auth.MobileNumberBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "associations.auth.StaffAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {"login_failed": env_str("LOGIN_RATE_LIMIT", "10/m/ip,5/5m/key")}
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- language and time ------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- static files -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/pico", BASE_DIR / "node_modules" / "@picocss" / "pico" / "css"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
MEDIA_ROOT = VAR_DIR / "media"
WHITENOISE_USE_FINDERS = DEBUG or TESTING
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Served from `collectstatic` output: hashed names cached for a year, gzip-compressed.
    # Debug and tests read the source folders, which have no manifest.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if WHITENOISE_USE_FINDERS
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Only the hashed copies are served (and compressed); source maps are for developer tools and are
# neither compressed nor worth the time it takes (echarts ships 33 MB of them).
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
if WHITENOISE_USE_FINDERS:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on a missing root
SILENCED_SYSTEM_CHECKS = ["staticfiles.W004"] if TESTING else []
# The covering indexes (INCLUDE) are PostgreSQL's answer to a province's reads; on SQLite (`make
# run`, one village's worth of demo data) their key columns are indexed all the same.
SILENCED_SYSTEM_CHECKS += ["models.W040"]

# The admin's exports (areas) are Excel only, written without live formulas (mutualaid.xlsx).
EXPORT_FORMATS = [SafeXLSX]

# --- e-mail -----------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "mutualaid@localhost")

# --- security behind a reverse proxy ----------------------------------------------------
if not DEBUG and not TESTING:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
# HTTPS is the proxy's job; these only tell browsers to keep to it (README: Production).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # container health probes speak plain HTTP
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# Reverse proxies in front of the app whose X-Forwarded-* headers are believed. With none
# (the embedded set-up), a client could claim any address or scheme through those headers.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfiguredEnv(f"TRUSTED_PROXY_COUNT={TRUSTED_PROXY_COUNT} is negative")
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
# The login limit counts per client address: the one the nearest trusted proxy saw.
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env_str("TRUSTED_CLIENT_IP_HEADER", "") or None

# Content-Security-Policy (django-csp 4): pages load only this site's own styles, scripts,
# images and fonts; no inline script or style. `object-src 'self'` lets the browser's PDF
# viewer show the contracts and receipts served inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],  # Pico's form icons are data: SVGs
        "object-src": ["'self'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Features no page uses are switched off for every page (mutualaid.middleware).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools narrate every PDF at INFO; keep their warnings only.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
}

PAGE_SIZE = env_int("PAGE_SIZE", 25)
# A member's own contribution is refunded on exit only after this many months of membership.
MEMBER_REFUND_AFTER_MONTHS = env_int("MEMBER_REFUND_AFTER_MONTHS", 12)

# Expense approval (DESIGN §5): up to these amounts the finance officer, then the chair;
# above the chair's limit the board decides.
EXPENSE_APPROVAL_LIMITS = {"finance_officer": 200, "chair": 1000}

# load_demo builds two years of loan history in the demo county (about 40 s of CPU); tests of
# the other apps' demo parts turn it off (tests/loans/test_demo_loans.py keeps it on).
DEMO_HISTORY = env_bool("DEMO_HISTORY", True)

# A reminder run catches up the days since the last successful run, at most this many.
REMINDER_CATCH_UP_DAYS = env_int("REMINDER_CATCH_UP_DAYS", 7)
# The daily reminder run queues one task per county (workers take them side by side).
REMINDER_FAN_OUT = env_bool("REMINDER_FAN_OUT", True)

# Reminders and notices: "mutualaid.messaging.LogBackend" (default) or ".EmailBackend".
MESSAGE_BACKEND = env_str("MESSAGE_BACKEND", "mutualaid.messaging.LogBackend")
# Members are reached on their mobile: the log by default, "mutualaid.messaging.SmsBackend"
# for the HTTP SMS gateway below.
MEMBER_MESSAGE_BACKEND = env_str("MEMBER_MESSAGE_BACKEND", "mutualaid.messaging.LogBackend")
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_GATEWAY_KEY = env_str("SMS_GATEWAY_KEY", "")
SMS_GATEWAY_SECRET = env_str("SMS_GATEWAY_SECRET", "")
SMS_SIGN_NAME = env_str("SMS_SIGN_NAME", "互助资金")
# Gateway template ids for the texts: before a due date and once overdue.
SMS_TEMPLATES = {
    "reminder_before": env_str("SMS_TEMPLATE_REMINDER_BEFORE", ""),
    "reminder_overdue": env_str("SMS_TEMPLATE_REMINDER_OVERDUE", ""),
}
SMS_TIMEOUT = env_int("SMS_TIMEOUT", 10)
# Tries after the first (a timeout or 5xx), backing off 1, 2, 4 ... minutes up to an hour.
SMS_RETRIES = env_int("SMS_RETRIES", 5)
if MEMBER_MESSAGE_BACKEND.endswith("SmsBackend") and not SMS_GATEWAY_URL:
    raise ImproperlyConfiguredEnv("MEMBER_MESSAGE_BACKEND is the SMS gateway: set SMS_GATEWAY_URL")
