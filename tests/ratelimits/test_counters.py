"""The rate-limit counter store: atomic counts in fixed windows, in the database or in Redis."""

import io
import time

import pytest
from django.core.management import call_command

from ratelimits.counters import counter_increment, counters_delete_ended, window_bounds
from ratelimits.models import Counter
from tests.live import raised, run_together

# A moment that is a multiple of 600 and of 3600 seconds since the epoch.
WINDOW_START = 1_796_119_200


def test_the_window_is_fixed_on_multiples_of_the_period():
    assert WINDOW_START % 3600 == 0
    assert window_bounds(WINDOW_START + 599.9, 600) == (WINDOW_START, WINDOW_START + 600)
    assert window_bounds(WINDOW_START + 600, 600) == (WINDOW_START + 600, WINDOW_START + 1200)


@pytest.mark.django_db
def test_each_request_counts_once_and_the_next_window_starts_again(clock):
    clock.at(WINDOW_START + 10)
    counts = [counter_increment(key="rating:addr:a", period=600).count for _ in range(3)]
    other = counter_increment(key="rating:addr:b", period=600)
    clock.at(WINDOW_START + 600)
    next_window = counter_increment(key="rating:addr:a", period=600)

    assert counts == [1, 2, 3]
    assert other.count == 1
    assert next_window.count == 1
    assert Counter.objects.get(key="rating:addr:a", window_start=WINDOW_START).count == 3


@pytest.mark.django_db
def test_retry_after_is_the_time_left_in_the_window(clock):
    clock.at(WINDOW_START + 170.2)
    assert counter_increment(key="k", period=600).retry_after == 430
    clock.at(WINDOW_START + 599.5)
    assert counter_increment(key="k", period=600).retry_after == 1


@pytest.mark.django_db
def test_cleanup_deletes_ended_windows_and_never_a_live_one(clock):
    clock.at(WINDOW_START + 10)
    counter_increment(key="ended", period=600)
    clock.at(WINDOW_START + 700)
    counter_increment(key="live", period=600)
    counter_increment(key="live-for-an-hour", period=3600)

    deleted = counters_delete_ended()

    assert deleted == 1
    assert sorted(Counter.objects.values_list("key", flat=True)) == ["live", "live-for-an-hour"]
    # The live counter carries on from where it was.
    assert counter_increment(key="live", period=600).count == 2


@pytest.mark.django_db
def test_cleanup_command_is_safe_to_run_twice(clock):
    clock.at(WINDOW_START + 10)
    counter_increment(key="ended", period=600)
    counter_increment(key="ended-too", period=600)
    clock.at(WINDOW_START + 650)
    counter_increment(key="live", period=600)

    first, second = io.StringIO(), io.StringIO()
    call_command("ratelimits_cleanup", stdout=first)
    call_command("ratelimits_cleanup", stdout=second)

    assert first.getvalue() == "Deleted 2 rate-limit counters whose window had ended.\n"
    assert second.getvalue() == "Deleted 0 rate-limit counters whose window had ended.\n"
    assert list(Counter.objects.values_list("key", "count")) == [("live", 1)]


def count_at_once(number, start):
    """One request's count, once every thread is ready: for run_together."""
    start.wait(timeout=30)
    return counter_increment(key="rating:addr:same", period=3600).count


@pytest.mark.django_db(transaction=True)
def test_simultaneous_requests_never_lose_a_count(clock):
    """Sixty threads, each with its own database connection, count at the same moment."""
    clock.at(WINDOW_START + 1)  # one window for the whole test
    threads_count = 60
    seen = run_together(threads_count, count_at_once)
    errors = raised(seen)

    assert errors == []
    # Each total was handed to exactly one request: no two read the same count.
    assert sorted(seen) == list(range(1, threads_count + 1))
    assert Counter.objects.get(key="rating:addr:same").count == threads_count


# --- Redis (REDIS_URL) --------------------------------------------------------------------


@pytest.fixture
def redis_settings(settings, redis_server):
    import redis

    settings.REDIS_URL = redis_server
    client = redis.Redis.from_url(redis_server)
    client.flushdb()
    return client


def test_with_redis_each_request_counts_once_and_expires_with_its_window(redis_settings, clock):
    # Real time, since Redis expires keys by its own clock.
    now = int(time.time())
    start, end = window_bounds(now, 3600)
    clock.at(now)
    counts = [counter_increment(key="rating:addr:a", period=3600).count for _ in range(3)]
    hit = counter_increment(key="rating:addr:b", period=3600)

    assert counts == [1, 2, 3]
    assert hit.count == 1
    assert hit.retry_after == end - now
    assert redis_settings.get(f"ratelimit:rating:addr:a:{start}") == b"3"
    assert redis_settings.expiretime(f"ratelimit:rating:addr:a:{start}") == end + 1


def test_with_redis_simultaneous_requests_never_lose_a_count(redis_settings):
    threads_count = 60
    seen = run_together(threads_count, count_at_once)

    assert sorted(seen) == list(range(1, threads_count + 1))
