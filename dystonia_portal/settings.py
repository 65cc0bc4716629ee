"""
Settings for the Dystonia Portal, read from the environment.

Every value has a safe default for local use except SECRET_KEY, which must be
set whenever DEBUG is off. `.env.example` lists the variables; a `.env` file
beside manage.py is read if present (never commit one).
"""

import datetime
from email.utils import parseaddr
from pathlib import Path

import environ
from csp.constants import NONCE
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
# Where readers write to the people who run the site: shown on the contact page, the
# accessibility statement and the privacy notice. The default is a placeholder to replace.
CONTACT_EMAIL = env("CONTACT_EMAIL", default="contact@dystonia.example.org")
if "@" not in CONTACT_EMAIL or any(character.isspace() for character in CONTACT_EMAIL):
    raise ImproperlyConfigured("Set CONTACT_EMAIL to one email address, such as team@dystonia.example.org.")

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
    "csp",
    "axes",
    "conditions",
    "ratings",
    "accounts",
    "comments",
    "ratelimits",
]

MIDDLEWARE = [
    "dystonia_portal.middleware.RequestIdMiddleware",
    "dystonia_portal.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "dystonia_portal.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside CacheHeadersMiddleware, which answers a kept page's shared readers itself.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Outside the session and CSRF middleware, so it sees every cookie they set.
    "conditions.page_cache.CacheHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Each browser's write mark, under which accounts.sessions remembers its session.
    "accounts.middleware.WriteMarkMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Fetch Metadata for every form; Django's token as well for signed-in readers.
    "dystonia_portal.csrf.CrossOriginProtectionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the account read in the session's own query (accounts.sessions).
    "accounts.middleware.AuthenticationMiddleware",
    "accounts.middleware.SessionIdleTimeoutMiddleware",
    "dystonia_portal.middleware.LazyMessageMiddleware",
    "dystonia_portal.middleware.EditHistoryMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
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
                # After Django's: no storage made for a page with no message waiting.
                "dystonia_portal.context_processors.messages",
                "dystonia_portal.context_processors.site",
                "dystonia_portal.context_processors.debug_warning",
                # Last: signed-out readers' forms carry no CSRF token.
                "dystonia_portal.csrf.csrf_token",
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
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers from several threads or workers: WAL lets readers run beside a
    # writer; IMMEDIATE takes the write lock when a transaction starts, so two transactions
    # never deadlock upgrading a read lock ("database is locked"); a writer waits up to 20
    # seconds for the lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        **DATABASES["default"].get("OPTIONS", {}),
    }
    # The test database is a file beside the real one, never in memory, so that threads and
    # a live server in the tests share it as gunicorn workers would.
    _sqlite_name = str(DATABASES["default"]["NAME"])
    if _sqlite_name and _sqlite_name != ":memory:" and not _sqlite_name.startswith("file:"):
        _sqlite_path = Path(_sqlite_name)
        DATABASES["default"].setdefault("TEST", {}).setdefault(
            "NAME", str(_sqlite_path.with_name(f"test_{_sqlite_path.name}"))
        )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
# One language: Django skips its translation machinery (reverse() alone is three times faster).
USE_I18N = False
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

# Requests allowed per reader (account, or keyed hash of the address, unless the scope says
# otherwise) per window: scope: (requests, seconds). Every write endpoint names its scope here.
RATE_LIMITS = {
    # Ratings and rating feedback count per account, or per session when signed out: a ward,
    # school or office behind one address is many readers, and a session can rate each page
    # once anyway. Sessions cost a bot nothing, so each address also has a ceiling: 100 readers
    # behind it can each rate and change their mind a few times in ten minutes (500), while a
    # bot sending more than about one a second is stopped.
    "rating": (20, 600),
    "rating_address": (500, 600),
    "comment": (5, 600),
    "report": (10, 600),
    "signup": (5, 3600),
    # Each one sends an email to whoever owns the address given.
    "signup_resend": (3, 3600),
    "signin": (20, 600),
    "password_reset": (5, 3600),
    # The password check before deleting an account: guessing it there is as bad as at sign-in.
    "account_delete": (5, 600),
    # And the current password when changing it.
    "password_change": (5, 600),
}

# Sessions end after a while without a request (accounts.middleware.SessionIdleTimeoutMiddleware):
# a reader's 30 days after their last visit, a staff member's (editors, moderators, admins)
# after 2 hours. `manage.py clearsessions`, run daily, deletes the ended ones.
SESSION_COOKIE_AGE = 30 * 24 * 60 * 60
STAFF_SESSION_IDLE_SECONDS = 2 * 60 * 60

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
# An urgent item (someone may be at risk of harm) still untouched after this many minutes
# alerts MODERATOR_EMAILS once more (`manage.py alert_urgent_comments`, run every minute).
URGENT_REALERT_MINUTES = env_setting("URGENT_REALERT_MINUTES", int, 30)
if URGENT_REALERT_MINUTES < 1:
    raise ImproperlyConfigured("URGENT_REALERT_MINUTES must be 1 or more.")
# The site's address as readers reach it, for links in emails sent outside a request.
SITE_URL = env("DJANGO_SITE_URL", default="http://localhost:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("Set DJANGO_SITE_URL to the site's address, such as https://dystonia.example.org.")
# The comment form carries a signed timestamp: a post sooner than this after the form
# was shown is treated as a bot, and a form older than the maximum must be sent again.
COMMENT_MIN_SECONDS = env_setting("COMMENT_MIN_SECONDS", int, 3)
COMMENT_MAX_AGE_SECONDS = env_setting("COMMENT_MAX_AGE_SECONDS", int, 24 * 60 * 60)

# Retention (`manage.py privacy_retention`, run daily; the privacy notice reads these values).
# The text of a removed or declined comment is kept this long for moderators, then erased.
REMOVED_COMMENT_TEXT_DAYS = env_setting("REMOVED_COMMENT_TEXT_DAYS", int, 365)
# An account whose email address was never confirmed is deleted after this many days.
UNCONFIRMED_ACCOUNT_DAYS = env_setting("UNCONFIRMED_ACCOUNT_DAYS", int, 7)
# Failed sign-in records (django-axes) are deleted after this many days.
SIGN_IN_RECORD_DAYS = env_setting("SIGN_IN_RECORD_DAYS", int, 30)
for _name in ("REMOVED_COMMENT_TEXT_DAYS", "UNCONFIRMED_ACCOUNT_DAYS", "SIGN_IN_RECORD_DAYS"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be 1 or more (a number of days).")

# --- Serving behind a proxy, HTTPS and security headers ---------------------------------

# How many reverse proxies (nginx, a load balancer) stand in front of gunicorn. Each appends
# the address it saw to X-Forwarded-For; only that many entries from the right are trusted,
# so a client cannot choose the address its rate limits and lockouts are counted against.
TRUSTED_PROXY_COUNT = env_setting("DJANGO_TRUSTED_PROXY_COUNT", int, 0)

# Behind HTTPS (the proxy terminates TLS and sets X-Forwarded-Proto): redirect plain HTTP,
# send Strict-Transport-Security, and mark cookies Secure. Off for local use over HTTP.
SECURE_SSL = env_setting("DJANGO_SECURE_SSL", bool, False)
if SECURE_SSL:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    # Load balancers probe over plain HTTP; the health check answers them without a redirect.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_setting("DJANGO_HSTS_SECONDS", int, 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_setting("DJANGO_HSTS_INCLUDE_SUBDOMAINS", bool, True)
    SECURE_HSTS_PRELOAD = env_setting("DJANGO_HSTS_PRELOAD", bool, True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Only signed-in readers' forms carry a token (dystonia_portal.csrf); scripts send it in the
# form's body, never reading the cookie.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "dystonia_portal.csrf.csrf_failure"

# django-permissions-policy: the site uses none of these browser features.
PERMISSIONS_POLICY = {
    "camera": [],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
    "interest-cohort": [],
}

# django-csp 4: everything from our own origin, nothing inline. A template that truly needs an
# inline script (the nhsuk-frontend "js-enabled" snippet) writes <script nonce="{{ request.csp_nonce }}">;
# the nonce is only added to the header on pages that use it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}

# --- Sign-in brute force: django-axes ---------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.MemberBackend",
]
# Five wrong passwords for one account from one address lock that pair for an hour; the
# account stays open from elsewhere. Staff unlock early in the admin (Access attempts).
AXES_FAILURE_LIMIT = env_setting("DJANGO_AXES_FAILURE_LIMIT", int, 5)
AXES_COOLOFF_TIME = datetime.timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
# Renders the template above, adding Retry-After (the seconds left in the cool-off).
AXES_LOCKOUT_CALLABLE = "dystonia_portal.security.lockout_response"
# Never store an address: axes records a keyed hash of it, shaped as an IPv6 address so it
# fits axes' address column, and keeps no log of successful sign-ins.
AXES_CLIENT_IP_CALLABLE = "dystonia_portal.security.hashed_client_address"
AXES_DISABLE_ACCESS_LOG = True
# Usernames are cut to 150 characters before axes stores them (a longer one is hostile).
AXES_USERNAME_CALLABLE = "dystonia_portal.security.axes_username"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "password1", "password2", "email"]

# --- Cache, sessions and shared state ---------------------------------------------------

# Rate-limit counters live in the database (the ratelimits app), or in Redis with REDIS_URL,
# never in a cache that could evict them. With REDIS_URL (several hosts behind a load
# balancer) Redis also holds the cache and the session cache. Otherwise DJANGO_CACHE picks:
# "database" (the default) serves every worker on one host (`manage.py createcachetable`,
# run by `make run` and `make serve`); "memory" is per process, so only for one process:
# the test run (pyproject.toml sets it) or runserver.
REDIS_URL = env("REDIS_URL", default="")
CACHE_KIND = env("DJANGO_CACHE", default="database")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "accounts.cached_sessions"
elif CACHE_KIND == "database":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache"}}
elif CACHE_KIND == "memory":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured('Set DJANGO_CACHE to "database" or "memory" (or set REDIS_URL).')
if not REDIS_URL:
    # Django's database sessions in accounts.Session, each read with its account in one query
    # (accounts/sessions.py; with Redis, accounts/cached_sessions.py on the same table).
    SESSION_ENGINE = "accounts.sessions"

# Rendered parts of condition pages, per gunicorn worker, in memory (conditions/page_cache.py):
# each key carries the versions of the content it shows, counter rows moved by database
# triggers with every write, so a change is never served stale and nothing needs sharing
# between workers. MAX_ENTRIES caps memory (a whole page is
# about 40 kB, so about 80 MB per worker at most).
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
    "TIMEOUT": 86400,
    "OPTIONS": {"MAX_ENTRIES": 2000},
}

# How long an HTTP cache (nginx in front, a CDN, a browser) may keep a page for readers with
# no session (conditions.page_cache): the longest a change takes to reach them. After that it
# may serve the old copy for PAGE_CACHE_STALE_SECONDS more while it fetches a new one.
PAGE_CACHE_SECONDS = env_setting("DJANGO_PAGE_CACHE_SECONDS", int, 10)
PAGE_CACHE_STALE_SECONDS = env_setting("DJANGO_PAGE_CACHE_STALE_SECONDS", int, 30)
# On PostgreSQL each process remembers pages' versions for readers with no session, and a
# thread LISTENs for the NOTIFY every version change sends (conditions.versions_memo), so
# their cached pages cost no query. The tests turn it off: their transactions never commit.
PAGE_VERSIONS_LISTEN = env_setting(
    "DJANGO_PAGE_VERSIONS_LISTEN", bool, DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
)

# --- Logging and error mail -------------------------------------------------------------


def parse_admins(value: list) -> list:
    """DJANGO_ADMINS="Ann <ann@example.org>,bob@example.org" as Django's (name, email) pairs."""
    admins = []
    for entry in value:
        name, address = parseaddr(entry)
        if "@" not in address:
            raise ImproperlyConfigured(f"DJANGO_ADMINS has an entry that is not an email address: {entry!r}")
        admins.append((name or address, address))
    return admins


ADMINS = parse_admins(env_setting("DJANGO_ADMINS", list, []))

LOG_LEVEL = env("DJANGO_LOG_LEVEL", default="INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured("Set DJANGO_LOG_LEVEL to one of DEBUG, INFO, WARNING, ERROR or CRITICAL.")

# One JSON line per record on stderr (gunicorn passes it on); an error response's line carries
# the request id, method, path, status and duration. Error mail goes to ADMINS when set.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "dystonia_portal.logs.RequestIdFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {"json": {"()": "dystonia_portal.logs.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.request": {"handlers": ["console", "mail_admins"], "level": "WARNING", "propagate": False},
        "django.security": {"handlers": ["console", "mail_admins"], "level": "WARNING", "propagate": False},
        # SQL with parameters could carry what people typed; never log it below WARNING.
        "django.db.backends": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
