"""Every test of the condition page's caches again, with this process remembering versions and
listening for PostgreSQL's notifications (conditions.versions_memo), as gunicorn's workers do.

Each write commits here, and each shared reader's request first waits until the listener has
caught up with everything committed before it: a reader who arrives once PostgreSQL has
delivered the change, which is all the memo promises.
"""

import pytest

from conditions import versions_memo
from tests.conditions.test_page_cache import *  # noqa: F403 - the same tests, collected again here
from tests.conftest import caught_up, on_postgresql, rerun_data_migrations

pytestmark = [on_postgresql, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def readers_arrive_after_delivery(listening, monkeypatch, data_migrations):
    rerun_data_migrations(data_migrations)  # the staff groups, which the flush after each test removes
    lookup = versions_memo.memo.lookup

    def after_delivery(key, find, **kwargs):
        caught_up(listening)
        return lookup(key, find, **kwargs)

    monkeypatch.setattr(versions_memo.memo, "lookup", after_delivery)
