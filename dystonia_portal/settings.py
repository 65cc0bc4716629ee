"""
Settings for the Dystonia Portal, read from the environment.

Every value has a safe default for local use except SECRET_KEY, which must be
set whenever DEBUG is off. `.env.example` lists the variables; a `.env` file
beside manage.py is read if present (never commit one).
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")


def env_setting(name, cast, default):
    """Read one variable, turning a malformed value into a sentence at start-up."""
    try:
        return env(name, cast=cast, default=default)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"The environment variable {name} has a bad value: {exc}") from exc


DEBUG = env_setting("DJANGO_DEBUG", bool, False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set DJANGO_SECRET_KEY to a long random string, or set DJANGO_DEBUG=true for local use."
        )
    SECRET_KEY = "insecure-local-development-key-never-used-in-production"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_setting("DJANGO_ALLOWED_HOSTS", list, ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_setting("DJANGO_CSRF_TRUSTED_ORIGINS", list, [])

SITE_NAME = "Dystonia Portal"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "crispy_forms",
    "simple_history",
    "conditions",
    "ratings",
    "accounts",
    "comments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "dystonia_portal.urls"

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
                "dystonia_portal.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "dystonia_portal.wsgi.application"

# SQLite beside the code is the embedded default; production sets DATABASE_URL
# to a PostgreSQL URL (postgres://user:password@host:5432/name).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections, checked before reuse so a database restart heals.
    DATABASES["default"]["CONN_MAX_AGE"] = env_setting("DJANGO_CONN_MAX_AGE", int, 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["nhsuk"]
CRISPY_TEMPLATE_PACK = "nhsuk"

# Editors and moderators use the admin; its path can be moved off the default.
ADMIN_PATH = env("DJANGO_ADMIN_PATH", default="admin/")

# Requests allowed per reader (account, or keyed hash of the address) per window:
# scope: (requests, seconds). Every write endpoint names its scope here.
RATE_LIMITS = {
    "rating": (20, 600),
    "comment": (5, 600),
    "report": (10, 600),
    "signup": (5, 3600),
    "signin": (20, 600),
    "password_reset": (5, 3600),
}

# Accounts: where sign-in lives and where people land after signing in or out.
# LoginView follows `next` only when it is on this site.
LOGIN_URL = "accounts:signin"
LOGIN_REDIRECT_URL = "conditions:home"
LOGOUT_REDIRECT_URL = "conditions:home"

# Email (password resets, moderation notices). The console backend prints mail for
# local use; set EMAIL_URL for real delivery, for example
# smtp+tls://user:password@smtp.example.org:587 (django-environ's email URL format).
_email_url = env("EMAIL_URL", default="")
if _email_url:
    try:
        globals().update(env.email_url("EMAIL_URL"))
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(f"The environment variable EMAIL_URL has a bad value: {exc}") from exc
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Dystonia Portal <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Comments and moderation.
# A published comment is hidden pending review once this many readers have reported it
# (reports made before a moderator reinstated it do not count).
REPORTS_TO_HIDE = env_setting("REPORTS_TO_HIDE", int, 3)
if REPORTS_TO_HIDE < 1:
    raise ImproperlyConfigured("REPORTS_TO_HIDE must be 1 or more.")
# Who is emailed at once about a "someone may be at risk of harm" report (comma-separated).
MODERATOR_EMAILS = env_setting("MODERATOR_EMAILS", list, [])
# The comment form carries a signed timestamp: a post sooner than this after the form
# was shown is treated as a bot, and a form older than the maximum must be sent again.
COMMENT_MIN_SECONDS = env_setting("COMMENT_MIN_SECONDS", int, 3)
COMMENT_MAX_AGE_SECONDS = env_setting("COMMENT_MAX_AGE_SECONDS", int, 24 * 60 * 60)

# The default cache is Django's per-process memory cache until a shared one is configured.
# "fragments" holds rendered parts of pages, per gunicorn worker: each key carries the
# version of the content it shows (conditions.views.page_query), so a change is never
# served stale and nothing needs sharing between workers. Memory is capped by MAX_ENTRIES.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
        "TIMEOUT": 86400,
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}
