"""What the rating block shows, shared by the template tag and the in-place (JSON) response."""

from decimal import ROUND_HALF_UP, Decimal

from dystonia_portal.readers import reader_lookup

from .models import SCORES, Rating, RatingSummary


def reader_rating(request, page) -> Rating | None:
    """This reader's rating of `page` with its feedback, in one query (none without a session)."""
    reader = reader_lookup(request, create=False)
    if reader is None:
        return None
    return Rating.objects.filter(page=page, **reader).select_related("feedback").first()


def ratings_noun(count: int) -> str:
    return "rating" if count == 1 else "ratings"


def one_decimal(total: int, count: int) -> str:
    return str((Decimal(total) / Decimal(count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


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
    reviewed = page.last_reviewed.strftime("%d/%m/%Y")
    recent_count, recent_total, _ = summary.since_review(page.last_reviewed)
    if recent_count:
        average = one_decimal(recent_total, recent_count)
        since = (
            f"Since this page was last reviewed on {reviewed}: average rating {average} out of 5, "
            f"based on {recent_count:,} {ratings_noun(recent_count)}."
        )
    else:
        since = f"Since this page was last reviewed on {reviewed}: no ratings yet."
    average = one_decimal(summary.total, count) if count else ""
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
