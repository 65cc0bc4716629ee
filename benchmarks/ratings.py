"""Benchmark: does a page with 1,000,000 ratings render as fast as one with 10?

Not a test. Run it against a database of its own (it adds two pages and their ratings):

    createdb -h 127.0.0.1 -p 55432 -U postgres ratings_bench   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:55432/ratings_bench .venv/bin/python benchmarks/ratings.py

It migrates the database, builds a page with 1,000,000 ratings (COPY on PostgreSQL,
bulk_create elsewhere) and one with 10, recounts the summaries, then times with the
Django test client the page GET and the rating POST for both (median of --repeat).
It prints a Markdown table and writes benchmarks/results/ratings.json. The budget:
the 1,000,000-rating page renders in at most 1.2 times the 10-rating page's time.
"""

import argparse
import datetime
import io
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dystonia_portal.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret-key-not-for-any-server")

import warnings  # noqa: E402

import django  # noqa: E402

# WhiteNoise warns that collectstatic has not run; the benchmark serves no static files.
warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from conditions.models import Page, Section  # noqa: E402
from ratings.models import Rating  # noqa: E402
from ratings.services import rating_summaries_rebuild  # noqa: E402

BUDGET = 1.2
RESULTS = ROOT / "benchmarks" / "results" / "ratings.json"
BATCH = 100_000


def configure():
    """What the test suite does for itself: a host name, plain static files, no rate limit."""
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "rating": (10**9, 600)}


def make_page(slug, title):
    Page.objects.filter(parent=None, slug=slug).delete()
    page = Page.objects.create(
        title=title,
        slug=slug,
        summary=f"Benchmark page: {title}.",
        status=Page.Status.PUBLISHED,
        last_reviewed=datetime.date(2013, 6, 19),
        next_review_due=datetime.date(2015, 6, 19),
    )
    for number in range(1, 4):
        Section.objects.create(
            page=page, order=number, heading=f"Part {number}", anchor=f"part-{number}", body="Text."
        )
    return page


def rating_rows(page, count, start=0):
    now = timezone.now().isoformat()
    for n in range(start, start + count):
        # A spread of scores like real pages: mostly 4s and 5s.
        score = (1, 2, 3, 4, 4, 5, 5, 5, 5, 3)[n % 10]
        yield page.pk, f"bench{n:035d}", score, page.last_reviewed.isoformat(), now


def add_ratings(page, count):
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        columns = "(page_id, session_hash, score, page_reviewed_on, created_at, updated_at)"
        for start in range(0, count, BATCH):
            lines = io.StringIO(
                "".join(
                    f"{page_id}\t{session}\t{score}\t{reviewed}\t{now}\t{now}\n"
                    for page_id, session, score, reviewed, now in rating_rows(page, min(BATCH, count - start), start)
                )
            )
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.copy_expert(f"COPY ratings_rating {columns} FROM STDIN", lines)
    else:
        for start in range(0, count, BATCH):
            Rating.objects.bulk_create(
                Rating(page_id=page_id, session_hash=session, score=score, page_reviewed_on=reviewed)
                for page_id, session, score, reviewed, _ in rating_rows(page, min(BATCH, count - start), start)
            )
    return time.perf_counter() - started


def median_ms(action, repeat):
    for _ in range(5):  # warm up caches and the connection
        action()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def measure(page, repeat):
    # A reader who has rated the page, so the block runs both its queries.
    reader = Client()
    assert reader.post(f"/ratings/pages/{page.pk}/rate/", {"score": "4"}).status_code == 302

    def render():
        response = reader.get(page.get_absolute_url())
        assert response.status_code == 200 and b"Average rating:" in response.content

    scores = iter(range(10**9))

    def rate_again():
        response = reader.post(f"/ratings/pages/{page.pk}/rate/", {"score": str(next(scores) % 5 + 1)})
        assert response.status_code == 302

    def rate_new():
        response = Client().post(f"/ratings/pages/{page.pk}/rate/", {"score": "5"})
        assert response.status_code == 302

    return {
        "render_ms": median_ms(render, repeat),
        "re_rate_post_ms": median_ms(rate_again, repeat),
        "new_rating_post_ms": median_ms(rate_new, repeat),
    }


def explain(page):
    """The plans of the block's two queries on the big page, to show they use indexes."""
    if connection.vendor != "postgresql":
        return []
    plans = []
    with connection.cursor() as cursor:
        for sql in (
            "SELECT * FROM ratings_ratingsummary WHERE page_id = %s",
            "SELECT * FROM ratings_rating WHERE page_id = %s AND session_hash = %s",
        ):
            cursor.execute("EXPLAIN " + sql, [page.pk, "bench" + "0" * 35][: sql.count("%s")])
            plans.append(" / ".join(row[0].strip() for row in cursor.fetchall()))
    return plans


def database_name():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    return connection.vendor


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratings", type=int, default=1_000_000, help="ratings on the big page")
    parser.add_argument("--repeat", type=int, default=50, help="timed requests per figure (median)")
    args = parser.parse_args()
    configure()

    call_command("migrate", verbosity=0)
    big, small = make_page("benchmark-million", "Benchmark million"), make_page("benchmark-ten", "Benchmark ten")
    load_seconds = add_ratings(big, args.ratings) + add_ratings(small, 10)
    started = time.perf_counter()
    rating_summaries_rebuild()
    rebuild_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE ratings_rating; ANALYZE ratings_ratingsummary")

    figures = {"big": measure(big, args.repeat), "small": measure(small, args.repeat)}
    ratio = figures["big"]["render_ms"] / figures["small"]["render_ms"]
    result = {
        "date": timezone.now().isoformat(timespec="seconds"),
        "database": database_name(),
        "python": platform.python_version(),
        "repeat": args.repeat,
        "ratings_big": args.ratings,
        "ratings_small": 10,
        "load_seconds": round(load_seconds, 1),
        "rebuild_seconds": round(rebuild_seconds, 2),
        "big": {name: round(value, 2) for name, value in figures["big"].items()},
        "small": {name: round(value, 2) for name, value in figures["small"].items()},
        "render_ratio": round(ratio, 3),
        "budget": BUDGET,
        "within_budget": ratio <= BUDGET,
        "plans": explain(big),
    }

    print(f"Ratings benchmark on {result['database']}, median of {args.repeat} requests each\n")
    print("| page | ratings | page GET (ms) | rating POST, re-rate (ms) | rating POST, new reader (ms) |")
    print("|---|---:|---:|---:|---:|")
    for key, label, count in (("big", "big", args.ratings), ("small", "small", 10)):
        row = result[key]
        print(
            f"| {label} | {count:,} | {row['render_ms']:.2f} | {row['re_rate_post_ms']:.2f} "
            f"| {row['new_rating_post_ms']:.2f} |"
        )
    verdict = "within" if result["within_budget"] else "OVER"
    print(f"\nRender ratio ({args.ratings:,} / 10): {ratio:.3f} ({verdict} the budget of {BUDGET})")
    print(f"Loaded ratings in {result['load_seconds']} s; ratings_rebuild took {result['rebuild_seconds']} s")
    for plan in result["plans"]:
        print(f"Plan: {plan}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"Wrote {RESULTS.relative_to(ROOT)}")
    return 0 if result["within_budget"] else 1


if __name__ == "__main__":
    sys.exit(main())
