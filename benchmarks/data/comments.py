"""Benchmark comments: 20,000 on the Dystonia guide, 200 of them with an open report.

`python manage.py bench_data` calls `build()` after the benchmark users exist. The text
says it is benchmark filler: it never reads as anyone's health experience. The copy of the
Dystonia guide gets 20 comments, one page of them, so the benchmark can compare the same
page with little data against the real one: both show 20 comments, and only the data
behind them differs. Idempotent: comments already there are not made again.
"""

import datetime
import hashlib
import time

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from benchmarks.data.conditions import SMALL_COPY_SLUG
from comments.models import Comment, Report
from conditions.models import Page

ON_DYSTONIA = 20_000
REPORTED = 200
ON_SMALL_COPY = 20
TEXT = "Benchmark filler comment {number}, written by the load test and not by a person."


def _comments(page, count, authors):
    start = timezone.now() - datetime.timedelta(days=730)
    step = datetime.timedelta(days=730) / count
    comments = []
    for number in range(1, count + 1):
        text = TEXT.format(number=number)
        comments.append(
            Comment(
                page=page,
                author=authors[number % len(authors)],
                text=text,
                text_hash=hashlib.sha256(text.encode()).hexdigest(),
                created_at=start + step * number,
            )
        )
    return Comment.objects.bulk_create(comments, batch_size=1000)


@transaction.atomic
def build(*, stdout) -> None:
    started = time.monotonic()
    authors = list(get_user_model().objects.filter(username__startswith="bench-reader-").order_by("username"))
    made = 0
    for slug, count, reported in (("dystonia", ON_DYSTONIA, REPORTED), (SMALL_COPY_SLUG, ON_SMALL_COPY, 0)):
        page = Page.objects.get(parent=None, slug=slug)
        if Comment.objects.filter(page=page, text__startswith="Benchmark filler comment").exists():
            continue
        comments = _comments(page, count, authors)
        # Reports come from other benchmark readers, one each: not enough to hide a comment.
        Report.objects.bulk_create(
            Report(comment=comment, reporter=authors[(index + 1) % len(authors)], reason=Report.Reason.SPAM)
            for index, comment in enumerate(comments[:reported])
        )
        made += len(comments)
    total = Comment.objects.filter(text__startswith="Benchmark filler comment").count()
    stdout.write(f"Comments: {made:,} made, {total:,} benchmark comments ({time.monotonic() - started:.1f}s)")
