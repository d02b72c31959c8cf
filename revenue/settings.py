"""Settings for Revenue Counter: one module, driven by the environment.

DATABASE_URL   PostgreSQL URL; unset means the embedded server under var/pg (scripts/pg.py)
SECRET_KEY     required when DEBUG is off
DEBUG          "1" for development (the default for `make run`), "0" in production
ALLOWED_HOSTS  comma-separated host names
SESSION_IDLE_MINUTES  sign a user out after this many minutes without a request (default 30)
FISCAL_YEAR_START_MONTH  1-12, the month the city's fiscal year starts (default 7, July)

Sign-in (see "Sign-in and HTTPS" below for the rest):
LOGIN_FAILURE_LIMIT          wrong passwords for one user name before it is locked (default 5)
LOGIN_ADDRESS_FAILURE_LIMIT  wrong passwords from one client address, any user names (default 20)
LOGIN_LOCKOUT_MINUTES        how long a lock lasts after the last failed try (default 30)
LOGIN_HELP_CONTACT           whom the lock-out page tells people to call
TRUSTED_PROXY_COUNT          reverse proxies in front of the app that set X-Forwarded-For (default 0:
                             the client address is the socket's peer, X-Forwarded-For is ignored)
PASSWORD_MIN_LENGTH          (default 12)
OTP_REQUIRED_ROLES           comma-separated role (group) names that must use a second factor;
                             the word "superuser" stands for the system administrators (default none)
SECURE_COOKIES               "0" for a plain-HTTP run (the benchmark): cookies, redirect and HSTS off
SECURE_SSL_REDIRECT, SECURE_HSTS_SECONDS, SECURE_HSTS_INCLUDE_SUBDOMAINS, SECURE_HSTS_PRELOAD
                             on (one year) by default when DEBUG=0 and SECURE_COOKIES is not 0
SECURE_PROXY_SSL_HEADER      "HTTP_X_FORWARDED_PROTO,https" behind a TLS-terminating proxy that sets it
"""

import datetime
import os
import zoneinfo
from pathlib import Path

import dj_database_url
import xstatic.pkg.bootstrap

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in ("1", "true", "yes", "on")


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def env_list(name: str, default: str) -> list[str]:
    return [h.strip() for h in os.environ.get(name, default).split(",") if h.strip()]


def embedded_database_url() -> str:
    port_file = BASE_DIR / "var" / "pg" / "port"
    port = port_file.read_text().strip() if port_file.exists() else "5432"
    return f"postgres://postgres@127.0.0.1:{port}/revenue"


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "crispy_forms",
    "crispy_bootstrap5",
    "procrastinate.contrib.django",
    "revenue",
    "cashiering",
    "parking",
    "receivables",
    "tot",
    "licensing",
    "utility_billing",
    "payables",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "revenue.middleware.RefuseNulMiddleware",  # 400 for a NUL anywhere in the request, before any view
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "revenue.auth.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a lock-out into its page
]

ROOT_URLCONF = "revenue.urls"
WSGI_APPLICATION = "revenue.wsgi.application"

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
                "revenue.context_processors.city",
            ],
            "builtins": [
                "revenue.templatetags.money",
                "revenue.templatetags.ui",
                "revenue.templatetags.letters",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or embedded_database_url(), conn_max_age=60, conn_health_checks=True
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "revenue.auth.NoUserNameValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "revenue.auth.RepeatedPatternValidator"},
]

# --------------------------------------------------------------------------- sign-in and HTTPS
# django-axes counts failed sign-ins in PostgreSQL (every worker sees the same counts). The
# standalone backend comes first: it refuses a locked user name or address before the password
# is even checked, so the right password does not get in while the lock lasts.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "revenue.auth.CounterAxesHandler"  # a limit per user name and one per address
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # by user and by address, each on its own
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
AXES_RESET_ON_SUCCESS = True  # a right password clears that user name's count (not the address's)
AXES_LOCKOUT_CALLABLE = "revenue.auth.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failure kept for the audit (AccessFailureLog)
AXES_VERBOSE = False
LOGIN_HELP_CONTACT = os.environ.get(
    "LOGIN_HELP_CONTACT", "the Revenue Services system administrator (City IT help desk)"
)
# The client's address: the socket's peer, unless the app sits behind proxies that append to
# X-Forwarded-For; then TRUSTED_PROXY_COUNT says how many, and the address is read that many
# entries from the right (what a client wrote itself further left is never believed).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "revenue.auth.client_address"

# A second factor (TOTP, django-otp) for anyone who enrols one; required for these roles.
OTP_REQUIRED_ROLES = env_list("OTP_REQUIRED_ROLES", "")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's secret
OTP_TOTP_ISSUER = os.environ.get("CITY_NAME", "City of Alder Bay") + " Revenue Counter"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions live in the database (app processes stay stateless) and end after inactivity.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# cookies only over HTTPS in production; SECURE_COOKIES=0 for a plain-HTTP run (the benchmark)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
# HTTPS: on by default in production; a plain-HTTP run (SECURE_COOKIES=0) turns it all off.
_HTTPS = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", _HTTPS)
# Behind a proxy that ends TLS: "HTTP_X_FORWARDED_PROTO,https" (the proxy must set the header
# itself and drop any the client sent), or the redirect above would loop.
_proxy_ssl = env_list("SECURE_PROXY_SSL_HEADER", "")
if _proxy_ssl:
    if len(_proxy_ssl) != 2:
        raise RuntimeError("SECURE_PROXY_SSL_HEADER is 'HEADER,value', e.g. HTTP_X_FORWARDED_PROTO,https")
    SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl)

LANGUAGE_CODE = "en-us"
# The city's time zone: every date in the system (due dates, the counter's today, the nightly hour)
# is the city's local date in this zone.
TIME_ZONE = os.environ.get("TIME_ZONE", "America/Los_Angeles")
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise RuntimeError(f"TIME_ZONE={TIME_ZONE!r} is not a time zone name, e.g. America/New_York") from None
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor/bootstrap", xstatic.pkg.bootstrap.BASE_DIR)]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = BASE_DIR / "var" / "mail"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        # the queue says at start-up what it registers; the worker still logs each job it runs
        "procrastinate.blueprints": {"level": "WARNING"},
        "procrastinate.periodic": {"level": "WARNING"},
        "procrastinate.jobs": {"level": "WARNING"},
    },
}

# The city: names printed on documents.
CITY_NAME = os.environ.get("CITY_NAME", "City of Alder Bay")
CITY_DEPARTMENT = os.environ.get("CITY_DEPARTMENT", "Finance Department · Revenue Services")
CITY_ADDRESS = os.environ.get("CITY_ADDRESS", "100 Civic Center Drive, Alder Bay, CA 95000")

FISCAL_YEAR_START_MONTH = env_int("FISCAL_YEAR_START_MONTH", 7)
# The general fund: where city-wide accounts (customer credit, refunds payable) are looked up.
GENERAL_FUND_CODE = os.environ.get("GENERAL_FUND_CODE", "100")

# Background jobs: procrastinate on the same PostgreSQL (no second server). `make run` starts one
# worker beside the web server; in production run `manage.py procrastinate worker` as a service.
PROCRASTINATE_WORKER_DEFAULTS = {"queues": ["jobs", "default"], "concurrency": 1}
UPLOAD_DIR = Path(os.environ.get("UPLOAD_DIR") or BASE_DIR / "var" / "uploads")
# The supervisor the nightly runs (late penalties, plan defaults, license expiry) are recorded under;
# empty: the worker starts no nightly run (the management commands remain for cron).
NIGHTLY_RUNS_AS = os.environ.get("NIGHTLY_RUNS_AS", "")
