"""`manage.py check --deploy` is clean with the production environment the README documents."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)

# The variables the README asks for (values are examples, as in .env.example).
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "kq3v8Zp1-example-only-Lr6dTn0wYc2eHs9uJb4aXf7gMi5oQtRlVzKy-Nd",
    "DJANGO_ALLOWED_HOSTS": "dystonia.example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://dystonia.example.org",
    "DJANGO_SECURE_SSL": "true",
    "DJANGO_TRUSTED_PROXY_COUNT": "1",
    "DJANGO_ADMIN_PATH": "staff-7f3a/",
    "DJANGO_ADMINS": "Site team <site-team@example.org>",
    "DATABASE_URL": "postgres://dystonia:example-password@127.0.0.1:5432/dystonia",
}

# Runs the real settings module from the environment. Only STATICFILES_DIRS is pointed at an
# empty folder, so the check does not depend on `npm run build` having run first.
CHECK = """
import sys, django
from django.conf import settings
django.setup()
settings.STATICFILES_DIRS = [sys.argv[1]]
from django.core.management import call_command
call_command("check", deploy=True, fail_level="WARNING")
"""


def run_deploy_check(tmp_path, **overrides):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    env.update(PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="dystonia_portal.settings", **overrides)
    return subprocess.run(  # noqa: S603 - fixed command line
        [sys.executable, "-c", CHECK, str(tmp_path)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_in_production(tmp_path):
    result = run_deploy_check(tmp_path)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_is_clean_with_redis(tmp_path):
    result = run_deploy_check(tmp_path, REDIS_URL="redis://127.0.0.1:6379/0")

    assert result.returncode == 0, result.stderr


def test_deploy_check_warns_without_https(tmp_path):
    result = run_deploy_check(tmp_path, DJANGO_SECURE_SSL="false")

    assert result.returncode != 0
    for warning in ["security.W004", "security.W008", "security.W012", "security.W016"]:
        assert warning in result.stderr


def test_deploy_check_warns_about_a_short_secret_key(tmp_path):
    result = run_deploy_check(tmp_path, DJANGO_SECRET_KEY="short")

    assert "security.W009" in result.stderr


def test_settings_refuse_to_start_without_a_secret_key(tmp_path):
    result = run_deploy_check(tmp_path, DJANGO_SECRET_KEY="")

    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY to a long random string" in result.stderr


def test_settings_refuse_a_contact_email_that_is_not_one_address(tmp_path):
    result = run_deploy_check(tmp_path, CONTACT_EMAIL="team at example, help@example.org")

    assert result.returncode != 0
    assert "Set CONTACT_EMAIL to one email address" in result.stderr


def test_manage_py_says_which_setting_is_missing_instead_of_models_not_loaded():
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    result = subprocess.run(  # noqa: S603 - fixed command line
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "manage.py: Set DJANGO_SECRET_KEY to a long random string, or set DJANGO_DEBUG=true for local use."
    )
    assert "AppRegistryNotReady" not in result.stderr


SHOW_STATE = """
import django
from django.conf import settings
django.setup()
print(settings.CACHES["default"]["BACKEND"], settings.SESSION_ENGINE, settings.SECURE_HSTS_SECONDS)
"""


def show_state(**overrides):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    env.update(PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="dystonia_portal.settings", **overrides)
    result = subprocess.run(  # noqa: S603 - fixed command line
        [sys.executable, "-c", SHOW_STATE], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_one_host_without_redis_shares_its_cache_and_sessions_through_the_database():
    # Per-process memory would give each gunicorn worker its own cached pages and sessions.
    # (Rate limits are counted in their own table, ratelimits.counters, not in the cache.)
    assert show_state() == [
        "django.core.cache.backends.db.DatabaseCache",
        "accounts.sessions",  # Django's database sessions, each read with its account
        "31536000",
    ]


def test_redis_url_moves_the_cache_and_sessions_to_redis():
    assert show_state(REDIS_URL="redis://cache.internal:6379/0")[:2] == [
        "django.core.cache.backends.redis.RedisCache",
        "accounts.cached_sessions",  # Django's cached_db, on the same table
    ]
