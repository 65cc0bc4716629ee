import pytest
from django.core.cache import cache

from tests.comments.conftest import use_crispy_stub_until_pack_exists


@pytest.fixture(autouse=True)
def crispy_pack(settings):
    use_crispy_stub_until_pack_exists(settings)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
