"""The figures ratings are shown as: the rating block (template tag and in-place JSON response) and the admin.

Averages to one decimal, the figures since the page's last review and the Bayesian average
editors rank pages by are worked out here only, so the page and the admin never disagree.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import ExpressionWrapper, F, FloatField, Sum, Value

from accounts.models import member_version
from conditions import page_cache
from dystonia_portal.readers import reader_lookup

from .models import SCORES, Rating, RatingSummary


def reader_rating(request, page, *, remembered: bool = False) -> Rating | None:
    """This reader's rating of `page` with its feedback, in one query (none without a session).

    `remembered`, for showing it: a member's is kept under their own version
    (conditions.page_cache.member_key), so it costs no query until they next rate."""
    reader = reader_lookup(request, create=False)
    if reader is None:
        return None

    def find():
        return (Rating.objects.filter(page=page, **reader).select_related("feedback").first(),)

    if not remembered:
        return find()[0]
    key = page_cache.member_key("ratings:own", page, member_version(request.user))
    return page_cache.get_or_build(key, find)[0]


def ratings_noun(count: int) -> str:
    return "rating" if count == 1 else "ratings"


def one_decimal(total: int, count: int) -> str:
    return str((Decimal(total) / Decimal(count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def average_of(total: int, count: int) -> str:
    """The average score to one decimal ("4.7"), or "" when nobody has rated."""
    return one_decimal(total, count) if count else ""


# Bayesian average for ranking pages: (m * C + total) / (m + count), where the prior
# C is the mean score over every rating of every page and m = 10 ratings' weight.
# A page with few ratings is pulled towards the site-wide mean, so 1 rating of 5
# stars does not outrank 200 ratings averaging 4.8.
PRIOR_WEIGHT = 10


def prior_mean() -> float:
    totals = RatingSummary.objects.aggregate(count=Sum("count"), total=Sum("total"))
    return totals["total"] / totals["count"] if totals["count"] else 3.0


def bayesian_average() -> ExpressionWrapper:
    """Each summary row's Bayesian average, as a database expression to annotate and order by."""
    prior = prior_mean()
    return ExpressionWrapper(
        (Value(PRIOR_WEIGHT * prior) + F("total")) / (Value(float(PRIOR_WEIGHT)) + F("count")),
        output_field=FloatField(),
    )


def since_review_figures(summary: RatingSummary, page) -> dict:
    """The ratings given since `page` was last reviewed: count, total, average, buckets, and the date shown."""
    count, total, buckets = summary.since_review(page.last_reviewed)
    return {
        "reviewed": page.last_reviewed.strftime("%d/%m/%Y"),
        "count": count,
        "total": total,
        "average": average_of(total, count),
        "buckets": buckets,
    }


def summary_figures(summary: RatingSummary, page) -> dict:
    count = summary.count
    buckets = summary.buckets
    rows = []
    for score in reversed(SCORES):
        share = buckets[score] * 100 / count if count else 0
        rows.append(
            {
                "stars": score,
                "label": f"{score} star{'' if score == 1 else 's'}",
                "count": buckets[score],
                "noun": ratings_noun(buckets[score]),
                "share": round(share),
                # Bar widths come in 5% steps as CSS classes: no inline styles under the CSP.
                "width": int(5 * round(share / 5)),
            }
        )
    recent = since_review_figures(summary, page)
    if recent["count"]:
        since = (
            f"Since this page was last reviewed on {recent['reviewed']}: average rating {recent['average']} out of 5, "
            f"based on {recent['count']:,} {ratings_noun(recent['count'])}."
        )
    else:
        since = f"Since this page was last reviewed on {recent['reviewed']}: no ratings yet."
    average = average_of(summary.total, count)
    return {
        "count": count,
        "average": average,
        "average_text": f"Average rating: {average} out of 5" if count else "",
        # Whole stars drawn for the average, for sighted readers only.
        "stars": round(Decimal(average)) if count else 0,
        "count_text": f"Based on {count:,} {ratings_noun(count)}" if count else "No ratings yet",
        "rows": rows,
        "since_text": since,
    }
