"""Many readers rating one page at the same moment lose no update and see no error.

Real threads, on PostgreSQL (row locks) and on SQLite (WAL, IMMEDIATE transactions and a busy
timeout: settings.py), both calling the service and as readers of a live server.
"""

import random
import threading

import pytest
from django.db import connection
from django.db.models import Count, Sum

from ratings.models import Rating, RatingSummary
from ratings.services import rating_submit
from tests.live import LiveReader, run_together

THREADS = 60

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_concurrent_rates_and_re_rates_keep_the_summary_exact(make_page, django_user_model):
    page = make_page("Dystonia")  # no summary row yet: the threads race to create it too
    users = [django_user_model.objects.create(username=f"reader{n}") for n in range(THREADS // 2)]
    # Half signed in, half anonymous; two threads share each of the first few readers, so
    # the same reader's ratings also race with each other.
    readers = [{"user": user} for user in users] + [{"session_hash": f"{n:040d}"} for n in range(THREADS // 2)]
    readers[1] = readers[0]
    readers[-1] = readers[-2]
    start = threading.Barrier(THREADS)
    errors = []

    def reader_rates(reader, seed):
        chance = random.Random(seed)
        try:
            start.wait(timeout=30)
            for _ in range(3):  # a rating, then two re-ratings
                rating_submit(page=page, score=chance.randint(1, 5), **reader)
        except Exception as error:  # reported by the assert below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=reader_rates, args=(reader, n)) for n, reader in enumerate(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    ratings = Rating.objects.filter(page=page)
    actual = ratings.aggregate(count=Count("pk"), total=Sum("score"))
    summary = RatingSummary.objects.get(page=page)
    assert actual["count"] == THREADS - 2  # two readers each had two threads
    assert (summary.count, summary.total) == (actual["count"], actual["total"])
    assert summary.buckets == {score: ratings.filter(score=score).count() for score in range(1, 6)}
    assert (summary.recent_count, summary.recent_total) == (summary.count, summary.total)


def test_forty_readers_rating_at_once_on_the_live_server_all_succeed_and_are_all_counted(
    live_server, make_page, settings
):
    """The attack on `make run` (SQLite) gave 21 to 42 responses of 500 "database is locked"."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "rating": (1000, 600)}  # one address for all
    page = make_page("Dystonia")
    raters = 40

    def rate_then_rate_again(number, start):
        reader = LiveReader(live_server.url)
        reader.get(page.get_absolute_url())
        start.wait(timeout=60)
        first, _ = reader.post(f"/ratings/pages/{page.pk}/rate/", {"score": number % 5 + 1})
        second, _ = reader.post(f"/ratings/pages/{page.pk}/rate/", {"score": (number + 2) % 5 + 1})
        return first, second

    answers = run_together(raters, rate_then_rate_again)

    assert answers == [(302, 302)] * raters
    ratings = Rating.objects.filter(page=page)
    assert ratings.count() == raters
    assert sorted(ratings.values_list("score", flat=True)) == sorted((n + 2) % 5 + 1 for n in range(raters))
    summary = RatingSummary.objects.get(page=page)
    assert (summary.count, summary.total) == (raters, sum((n + 2) % 5 + 1 for n in range(raters)))
    assert summary.buckets == {score: ratings.filter(score=score).count() for score in range(1, 6)}
