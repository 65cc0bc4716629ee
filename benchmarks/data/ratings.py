"""Benchmark ratings: 1,000,000 ratings, 200,000 of them on the Dystonia guide.

`python manage.py bench_data` calls `build()` after conditions' benchmark pages exist. The
ratings are loaded with PostgreSQL COPY, then every summary is recounted by the same
function `manage.py ratings_rebuild` uses. The copy of the Dystonia guide gets 10 ratings,
so the benchmark can compare the same page with little data against the real one.
Idempotent: when the benchmark ratings are all there, nothing is loaded again.
"""

import datetime
import random
import time

from django.db import transaction
from django.utils import timezone

from benchmarks.data.conditions import SMALL_COPY_SLUG, copy_rows
from conditions.models import Page
from ratings.models import Rating
from ratings.services import rating_summaries_rebuild

TOTAL = 1_000_000
ON_DYSTONIA = 200_000
ON_SMALL_COPY = 10
PREFIX = "bench-"
# Mostly helpful, as real readers rate a good page.
SCORE_WEIGHTS = [4, 4, 8, 22, 62]


def _plan() -> dict[int, int]:
    """How many ratings each page gets: {page id: count}."""
    dystonia = Page.objects.get(parent=None, slug="dystonia")
    small = Page.objects.get(parent=None, slug=SMALL_COPY_SLUG)
    others = list(
        Page.objects.exclude(pk__in=[dystonia.pk, small.pk])
        .exclude(parent=small)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    rest = TOTAL - ON_DYSTONIA - ON_SMALL_COPY
    plan = {dystonia.pk: ON_DYSTONIA, small.pk: ON_SMALL_COPY}
    for index, page_id in enumerate(others):
        plan[page_id] = rest // len(others) + (1 if index < rest % len(others) else 0)
    return plan


def _rows(plan: dict[int, int]):
    reviewed = dict(Page.objects.filter(pk__in=plan).values_list("pk", "last_reviewed"))
    now = timezone.now().isoformat()
    rng = random.Random(7)  # noqa: S311 - benchmark data, not security
    for page_id, count in plan.items():
        current = reviewed[page_id].isoformat()
        # One in five ratings was given before the page's last review.
        older = (reviewed[page_id] - datetime.timedelta(days=400)).isoformat()
        scores = rng.choices(range(1, 6), weights=SCORE_WEIGHTS, k=count)
        for number, score in enumerate(scores):
            yield (
                page_id,
                None,
                f"{PREFIX}{page_id}-{number}",
                score,
                older if number % 5 == 0 else current,
                now,
                now,
            )


@transaction.atomic
def build(*, stdout) -> None:
    started = time.monotonic()
    existing = Rating.objects.filter(session_hash__startswith=PREFIX).count()
    if existing == TOTAL:
        stdout.write(f"Ratings: all {TOTAL:,} benchmark ratings already there")
        return
    if existing:
        Rating.objects.filter(session_hash__startswith=PREFIX).delete()
    loaded = copy_rows(
        Rating._meta.db_table,
        ["page_id", "user_id", "session_hash", "score", "page_reviewed_on", "created_at", "updated_at"],
        _rows(_plan()),
    )
    stdout.write(f"Ratings: {loaded:,} loaded with COPY ({time.monotonic() - started:.1f}s); recounting summaries")
    rating_summaries_rebuild()
    stdout.write(f"Ratings: summaries recounted ({time.monotonic() - started:.1f}s)")
