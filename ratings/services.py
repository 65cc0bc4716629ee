"""Writes for ratings. Views and admin actions both call these, so they cannot drift apart."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from conditions.models import Page
from dystonia_portal.errors import ServiceError
from dystonia_portal.readers import keyed_hash

from .models import SCORES, Rating, RatingFeedback, RatingSummary

LOW_SCORES = (1, 2)


class RatingError(ServiceError):
    """A rating or feedback the rules do not allow."""


def _recount(*, page: Page, reviewed_on, all_time: bool) -> dict:
    """Summary figures counted afresh from the raw ratings: the since-review part, or all."""
    recent = Q(page_reviewed_on__gte=reviewed_on)
    figures = {
        "recent_count": Count("pk", filter=recent),
        "recent_total": Coalesce(Sum("score", filter=recent), 0),
        **{f"recent_{score}": Count("pk", filter=recent & Q(score=score)) for score in SCORES},
    }
    if all_time:
        figures.update(
            count=Count("pk"),
            total=Coalesce(Sum("score"), 0),
            **{f"count_{score}": Count("pk", filter=Q(score=score)) for score in SCORES},
        )
    return {"reviewed_on": reviewed_on, **Rating.objects.filter(page=page).aggregate(**figures)}


@transaction.atomic
def rating_submit(*, page: Page, user=None, session_hash: str = "", score: int) -> Rating:
    """Record `score` as this reader's rating of `page`, replacing any earlier one.

    The page's summary row is locked first, so concurrent raters of one page queue
    on it and every change is applied as database-side arithmetic: no update is lost,
    and re-rating moves one count between buckets without growing the total count.
    """
    if type(score) is not int or score not in SCORES:  # not bool, float or str
        raise RatingError("Select a rating from 1 to 5 stars.")
    if (user is None) == (not session_hash):
        raise ValueError("Give exactly one of user or session_hash.")
    reader = {"user": user} if user is not None else {"session_hash": session_hash}
    reviewed_on = page.last_reviewed

    # One query in the usual case; inserting the row also locks it until commit.
    summary, created = RatingSummary.objects.select_for_update().get_or_create(page=page)
    changes = {}
    if created or summary.reviewed_on != reviewed_on:
        # First rating since the page was reviewed (again): recount the since-review part;
        # a new summary row counts whatever ratings are already there (normally none).
        changes = _recount(page=page, reviewed_on=reviewed_on, all_time=created)

    rating = Rating.objects.filter(page=page, **reader).first()
    if rating is None:
        rating = Rating.objects.create(page=page, score=score, page_reviewed_on=reviewed_on, **reader)
        delta = {"count": 1, "total": score, f"count_{score}": 1}
        delta.update({"recent_count": 1, "recent_total": score, f"recent_{score}": 1})
    else:
        old_score, was_recent = rating.score, rating.page_reviewed_on >= reviewed_on
        rating.score, rating.page_reviewed_on = score, reviewed_on
        rating.save(update_fields=["score", "page_reviewed_on", "updated_at"])
        delta = {"total": score - old_score}
        if old_score != score:
            delta.update({f"count_{old_score}": -1, f"count_{score}": 1})
        if was_recent:
            delta["recent_total"] = score - old_score
            if old_score != score:
                delta.update({f"recent_{old_score}": -1, f"recent_{score}": 1})
        else:
            delta.update({"recent_count": 1, "recent_total": score, f"recent_{score}": 1})

    for name, step in delta.items():
        # A recount above already holds the new absolute value; add the step to it.
        changes[name] = changes[name] + step if name in changes else F(name) + step
    RatingSummary.objects.filter(pk=summary.pk).update(**changes, updated_at=timezone.now())
    return rating


@transaction.atomic
def ratings_detach_user(*, user) -> int:
    """Keep a departing account's ratings as anonymous ones, so every summary stays exact.

    Each rating gets a keyed hash that no session can produce ("former-user:<id>"), so
    the one-rating-per-reader constraint still holds and no count or sum changes.
    """
    reader = keyed_hash(f"former-user:{user.pk}")[:40]
    return Rating.objects.filter(user=user).update(user=None, session_hash=reader)


@transaction.atomic
def rating_feedback_submit(*, rating: Rating, reason: str, details: str = "") -> RatingFeedback:
    """Store why a reader gave 1 or 2 stars; sending it again replaces what they said before."""
    if rating.score not in LOW_SCORES:
        raise RatingError("You can only tell us what was wrong after rating this page 1 or 2 stars.")
    if reason not in RatingFeedback.Reason.values:
        raise RatingError("Select what was wrong with this page.")
    if len(details) > 500:
        raise RatingError("Details must be 500 characters or fewer.")
    feedback, _ = RatingFeedback.objects.update_or_create(
        rating=rating,
        defaults={
            "page_id": rating.page_id,
            "score": rating.score,
            "reason": reason,
            "details": details,
            "handled": False,
            "handled_by": None,
            "handled_at": None,
        },
    )
    return feedback


@transaction.atomic
def rating_feedback_mark_handled(*, feedback, by) -> int:
    """Mark the given feedback (a queryset) handled by `by`; returns how many changed."""
    return feedback.filter(handled=False).update(handled=True, handled_by=by, handled_at=timezone.now())


@dataclass(frozen=True)
class SummaryDrift:
    page_id: int
    page: str
    changes: dict  # field name: (stored value, value counted from the ratings)

    def __str__(self):
        changed = "; ".join(f"{name} was {was}, now {now}" for name, (was, now) in self.changes.items())
        return f"{self.page} (page {self.page_id}): {changed}"


SUMMARY_FIELDS = [
    "count",
    "total",
    *(f"count_{score}" for score in SCORES),
    "reviewed_on",
    "recent_count",
    "recent_total",
    *(f"recent_{score}" for score in SCORES),
]


@transaction.atomic
def rating_summaries_rebuild() -> list[SummaryDrift]:
    """Recount every page's summary from the raw ratings; return what had drifted."""
    summaries = {summary.page_id: summary for summary in RatingSummary.objects.select_for_update()}
    recent = Q(page_reviewed_on__gte=F("page__last_reviewed"))
    counted = (
        Rating.objects.values("page_id")
        .order_by("page_id")
        .annotate(
            count=Count("pk"),
            total=Sum("score"),
            **{f"count_{score}": Count("pk", filter=Q(score=score)) for score in SCORES},
            reviewed_on=F("page__last_reviewed"),
            recent_count=Count("pk", filter=recent),
            recent_total=Coalesce(Sum("score", filter=recent), 0),
            **{f"recent_{score}": Count("pk", filter=recent & Q(score=score)) for score in SCORES},
        )
    )
    actual = {row.pop("page_id"): row for row in counted}
    pages = Page.objects.filter(pk__in=set(summaries) | set(actual)).select_related("parent")
    drifts = []
    for page in pages:
        summary = summaries.get(page.pk) or RatingSummary(page=page)
        values = actual.get(page.pk) or dict.fromkeys(SUMMARY_FIELDS, 0) | {"reviewed_on": page.last_reviewed}
        shown = _figures_shown(summary, page)
        changes = {name: (shown[name], values[name]) for name in shown if shown[name] != values[name]}
        if summary.pk is None or changes or summary.reviewed_on != page.last_reviewed:
            for name in SUMMARY_FIELDS:
                setattr(summary, name, values[name])
            summary.save()
        if changes:
            drifts.append(SummaryDrift(page_id=page.pk, page=str(page), changes=changes))
    return drifts


def _figures_shown(summary: RatingSummary, page: Page) -> dict:
    """The figures a summary gives readers of `page` today (see RatingSummary.since_review)."""
    recent_count, recent_total, recent = summary.since_review(page.last_reviewed)
    return {
        "count": summary.count,
        "total": summary.total,
        **{f"count_{score}": count for score, count in summary.buckets.items()},
        "recent_count": recent_count,
        "recent_total": recent_total,
        **{f"recent_{score}": count for score, count in recent.items()},
    }
