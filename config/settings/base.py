"""Settings for weishishi, driven by environment variables.

DATABASE_URL          PostgreSQL in production and tests; an SQLite file when unset
                      (the quick start only: refused when DEBUG is off).
DJANGO_SECRET_KEY     required when DEBUG is off.
DJANGO_DEBUG          "true" to turn debugging on; off by default.
DJANGO_ALLOWED_HOSTS  comma-separated host names.
WEISHISHI_VOTER_KEY   the secret key that hashes voters' identity documents; required when
                      DEBUG is off.
DJANGO_HTTPS          "false" to serve plain HTTP with DEBUG off (benchmarks on 127.0.0.1).
WEISHISHI_TRUSTED_PROXIES  how many reverse proxies stand in front of the app (0 by default):
                      the client's address is read from X-Forwarded-For through that many.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_flag(name, default=False):
    """Return the boolean value of an environment variable such as "true" or "0"."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug"

# The key of the keyed hash (HMAC-SHA256) that stands for a voter's identity document.
# It lives only in the environment: without it the register cannot be linked to anyone.
VOTER_KEY = os.environ.get("WEISHISHI_VOTER_KEY", "")
if not VOTER_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("WEISHISHI_VOTER_KEY must be set when DJANGO_DEBUG is off.")
    VOTER_KEY = "insecure-development-voter-key"

# How many reverse proxies (nginx, a load balancer) append to X-Forwarded-For in front of
# the app; rate limits and the login throttle count by the address they report.
TRUSTED_PROXIES = int(os.environ.get("WEISHISHI_TRUSTED_PROXIES", "0"))

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if host.strip()
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60
    )
}
if not DEBUG and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    raise ImproperlyConfigured(
        "SQLite is only for the quick start: set DATABASE_URL to a PostgreSQL database "
        "when DJANGO_DEBUG is off."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "rounds",
    "proposals",
    "voting",
    "notices",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rounds.text_size.large_text",
            ],
        },
    },
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "rounds.scopes.StaffRoleBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("英文"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Only our own vendored assets; scripts additionally need the per-request nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "voting:stations"

# The login throttle (django-axes) on /accounts/login/ and /admin/login/: five wrong passwords
# for one user name from one address lock that pair for 15 minutes. It counts the pair, not
# the address alone, so one officer who forgot the password does not lock out the others
# who sign in from the same station network.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "rounds.addresses.client_address"
AXES_LOCKOUT_CALLABLE = "rounds.views.login_lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # keep no record of who signed in from where

# Production is served over HTTPS; DJANGO_HTTPS=false serves plain HTTP (a benchmark on
# 127.0.0.1, say) without redirects or secure-only cookies.
if not DEBUG and env_flag("DJANGO_HTTPS", True):
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

CACHES = {
    # In the database, so every worker process sees the same values;
    # `manage.py createcachetable` makes its table.
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "weishishi_cache",
    },
    # What is the same for every request, kept by each process: the station desk's rendered
    # form, a round's ballot items while it is in voting.
    "template_fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # WeasyPrint reports every step of every render at INFO; django-axes writes the user name
    # and address of every failed login at WARNING.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "ERROR"},
    },
}
