import pytest


@pytest.fixture(autouse=True)
def comment_settings(settings):
    """No waiting in tests; each test that checks the timing sets these itself."""
    settings.COMMENT_MIN_SECONDS = 0
    settings.MODERATOR_EMAILS = ["moderators@example.org"]
    settings.REPORTS_TO_HIDE = 3
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Fast hashing: these tests make many accounts and check no password strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()
