from pathlib import Path

import pytest
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

CRISPY_STUB = Path(__file__).resolve().parent / "crispy_stub"


def use_crispy_stub_until_pack_exists(settings):
    """Render forms with a minimal stand-in while the project's crispy "nhsuk" pack is not merged yet.

    Once templates/nhsuk/ exists (look branch), this does nothing and the real pack is tested.
    """
    try:
        get_template("nhsuk/field.html")
    except TemplateDoesNotExist:
        settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], CRISPY_STUB]}]


@pytest.fixture(autouse=True)
def crispy_pack(settings):
    use_crispy_stub_until_pack_exists(settings)


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
