"""Ratings of a page ("How helpful is this page?"), their per-page summary, and low-score feedback.

The summary row is what every page view reads: one indexed row per page, kept exact by
`ratings.services.rating_submit` in the same transaction as the rating it counts.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from conditions.models import Page

SCORES = range(1, 6)


class Rating(models.Model):
    """One reader's score for one page: per account when signed in, per session otherwise."""

    class Score(models.IntegerChoices):
        ONE = 1, "1 star: not helpful"
        TWO = 2, "2 stars: slightly helpful"
        THREE = 3, "3 stars: fairly helpful"
        FOUR = 4, "4 stars: helpful"
        FIVE = 5, "5 stars: very helpful"

    page = models.ForeignKey(Page, verbose_name="page", on_delete=models.CASCADE, related_name="ratings")
    # accounts.services.account_delete first turns an account's ratings into anonymous ones
    # (ratings.services.ratings_detach_user); a cascade only happens if a superuser deletes
    # a user in the admin, and `manage.py ratings_rebuild` then corrects the summaries.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="account",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    session_hash = models.CharField(
        "reader's session (keyed hash)",
        max_length=64,
        blank=True,
        default="",
        help_text="A keyed hash of an anonymous reader's session. Never an IP address or the session key itself.",
    )
    score = models.PositiveSmallIntegerField("score", choices=Score)
    page_reviewed_on = models.DateField(
        "page last reviewed at the time", help_text="The page's review date when this score was given."
    )
    created_at = models.DateTimeField("first rated", auto_now_add=True)
    updated_at = models.DateTimeField("last rated", auto_now=True)

    class Meta:
        verbose_name = "rating"
        verbose_name_plural = "ratings"
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="ratings_rating_score_1_to_5"),
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(session_hash="")) | (Q(user__isnull=True) & ~Q(session_hash="")),
                name="ratings_rating_one_reader",
            ),
            models.UniqueConstraint(
                fields=["page", "user"], condition=Q(user__isnull=False), name="ratings_rating_one_per_user"
            ),
            models.UniqueConstraint(
                fields=["page", "session_hash"], condition=~Q(session_hash=""), name="ratings_rating_one_per_session"
            ),
        ]

    def __str__(self):
        return f"{self.get_score_display()} for {self.page_id}"


class RatingSummary(models.Model):
    """Counts for one page, all-time and since the page's last review.

    "Since review" counts the ratings whose `page_reviewed_on` is on or after
    `reviewed_on`; the rating service moves `reviewed_on` to the page's new review
    date (recounting that part) the first time someone rates after a review.
    """

    page = models.OneToOneField(Page, verbose_name="page", on_delete=models.CASCADE, related_name="rating_summary")
    count = models.PositiveIntegerField("ratings", default=0)
    total = models.PositiveBigIntegerField("sum of scores", default=0)
    count_1 = models.PositiveIntegerField("1 star", default=0)
    count_2 = models.PositiveIntegerField("2 stars", default=0)
    count_3 = models.PositiveIntegerField("3 stars", default=0)
    count_4 = models.PositiveIntegerField("4 stars", default=0)
    count_5 = models.PositiveIntegerField("5 stars", default=0)
    reviewed_on = models.DateField("counted since review of", null=True, blank=True)
    recent_count = models.PositiveIntegerField("ratings since review", default=0)
    recent_total = models.PositiveBigIntegerField("sum of scores since review", default=0)
    recent_1 = models.PositiveIntegerField("1 star since review", default=0)
    recent_2 = models.PositiveIntegerField("2 stars since review", default=0)
    recent_3 = models.PositiveIntegerField("3 stars since review", default=0)
    recent_4 = models.PositiveIntegerField("4 stars since review", default=0)
    recent_5 = models.PositiveIntegerField("5 stars since review", default=0)
    updated_at = models.DateTimeField("last changed", auto_now=True)
    # Moved by a database trigger (migration 0003) on every change to the row, however made:
    # the rating block's cache key.
    version = models.PositiveBigIntegerField("version", default=1, editable=False)

    class Meta:
        verbose_name = "page rating summary"
        verbose_name_plural = "page rating summaries"
        ordering = ["page__title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    count=models.F("count_1")
                    + models.F("count_2")
                    + models.F("count_3")
                    + models.F("count_4")
                    + models.F("count_5")
                ),
                name="ratings_summary_count_is_sum_of_buckets",
            ),
            models.CheckConstraint(
                condition=Q(recent_count__lte=models.F("count")), name="ratings_summary_recent_within_all"
            ),
        ]

    def __str__(self):
        return f"Ratings of {self.page}"

    @property
    def buckets(self):
        return {score: getattr(self, f"count_{score}") for score in SCORES}

    def since_review(self, last_reviewed):
        """(count, total, buckets) since the page's current review date.

        When the page has been reviewed again and nobody has rated since, the stored
        figures belong to the older review: nothing has been counted since the new one.
        """
        if self.reviewed_on is None or self.reviewed_on < last_reviewed:
            return 0, 0, dict.fromkeys(SCORES, 0)
        return self.recent_count, self.recent_total, {score: getattr(self, f"recent_{score}") for score in SCORES}


class RatingFeedback(models.Model):
    """Why a reader gave a page 1 or 2 stars. Seen only by editors in the admin."""

    class Reason(models.TextChoices):
        OUT_OF_DATE = "out_of_date", "It is out of date"
        HARD_TO_UNDERSTAND = "hard_to_understand", "It is hard to understand"
        DID_NOT_ANSWER = "did_not_answer", "It did not answer my question"
        SEEMS_WRONG = "seems_wrong", "Something on it seems wrong"
        OTHER = "other", "Something else"

    rating = models.OneToOneField(Rating, verbose_name="rating", on_delete=models.CASCADE, related_name="feedback")
    page = models.ForeignKey(Page, verbose_name="page", on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField("score given", choices=Rating.Score)
    reason = models.CharField("what was wrong", max_length=30, choices=Reason)
    details = models.CharField("details", max_length=500, blank=True)
    created_at = models.DateTimeField("sent", auto_now_add=True)
    handled = models.BooleanField("handled", default=False)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="handled by",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField("handled at", null=True, blank=True)

    class Meta:
        verbose_name = "low rating feedback"
        verbose_name_plural = "low rating feedback"
        ordering = ["handled", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(score__lte=2), name="ratings_feedback_low_scores_only"),
            models.CheckConstraint(
                condition=Q(handled=False, handled_at__isnull=True) | Q(handled=True, handled_at__isnull=False),
                name="ratings_feedback_handled_has_time",
            ),
        ]
        indexes = [models.Index(fields=["handled", "-created_at"], name="ratings_feedback_open_idx")]

    def __str__(self):
        return f"{self.get_reason_display()} ({self.page})"
