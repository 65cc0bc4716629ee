import pytest
from django.core.cache import caches


@pytest.fixture(autouse=True)
def empty_caches():
    """Each test starts with cold caches, so "cold" and "warm" mean what they say."""
    for alias in caches:
        caches[alias].clear()
    yield
    for alias in caches:
        caches[alias].clear()
