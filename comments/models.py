"""Comments on condition pages, readers' reports about them, and moderators' decisions.

Nothing here is ever hard-deleted by a moderator: a removed comment keeps its text,
its reports and the decisions taken on it, and can be reinstated.
"""

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from conditions.models import Page

TEXT_MAX_LENGTH = 2000
DETAILS_MAX_LENGTH = 500


def is_moderator(user) -> bool:
    """Moderators (and superusers) may see every comment, whatever its status."""
    return user.is_authenticated and user.has_perm("comments.view_comment")


class CommentQuerySet(models.QuerySet):
    def visible(self):
        """What readers see on the page."""
        return self.filter(status=Comment.Status.PUBLISHED)

    def visible_to(self, user):
        """The comments this person may see at any URL that takes a comment's id.

        Everyone sees published comments on a published guide; an author also sees their own
        held and hidden ones; moderators see every comment. Anything else is a 404, exactly like
        an id that never existed, so the moderation queue cannot be read by walking ids.
        """
        if is_moderator(user):
            return self.all()
        shown = Q(status=Comment.Status.PUBLISHED)
        if user.is_authenticated:
            shown |= Q(author=user, status__in=[Comment.Status.HELD, Comment.Status.HIDDEN])
        return self.filter(shown, page__status=Page.Status.PUBLISHED, page__parent__isnull=True)

    def reportable_by(self, user):
        """Comments this person may report: published ones they can see."""
        return self.visible_to(user).filter(status=Comment.Status.PUBLISHED)

    def needing_review(self):
        """The moderators' queue: held for review, or with at least one open report."""
        open_reports = Report.objects.filter(comment=OuterRef("pk"), status=Report.Status.OPEN)
        return self.filter(Q(status=Comment.Status.HELD) | Exists(open_reports))

    def with_open_report_count(self):
        return self.annotate(
            open_report_count=Count("reports", filter=Q(reports__status=Report.Status.OPEN), distinct=True)
        )


class CommentStatus(models.TextChoices):
    PUBLISHED = "published", "Published"
    HELD = "held", "Held for review"
    HIDDEN = "hidden", "Hidden pending review"
    REMOVED = "removed", "Removed"


class ReportReason(models.TextChoices):
    OFFENSIVE = "offensive", "Offensive or abusive"
    SPAM = "spam", "Spam or advertising"
    PERSONAL = "personal", "Personal or identifying details"
    MEDICAL = "medical", "Unsafe or misleading medical advice"
    AT_RISK = "at_risk", "Someone may be at risk of harm"
    OTHER = "other", "Something else"


class ReportStatus(models.TextChoices):
    OPEN = "open", "Open"
    UPHELD = "upheld", "Upheld"
    DISMISSED = "dismissed", "Dismissed"


class DecisionOutcome(models.TextChoices):
    REMOVE = "remove", "Removed"
    REINSTATE = "reinstate", "Reinstated"
    BAN = "ban", "Removed and author banned"


class Comment(models.Model):
    Status = CommentStatus

    page = models.ForeignKey(
        "conditions.Page",
        verbose_name="condition page",
        on_delete=models.CASCADE,
        related_name="comments",
        limit_choices_to={"parent__isnull": True},
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="author",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
        help_text="Empty when the author has deleted their account.",
    )
    text = models.TextField("comment", max_length=TEXT_MAX_LENGTH)
    # SHA-256 of the text, so a double-post is found by an indexed equality lookup.
    text_hash = models.CharField("text hash", max_length=64, editable=False, db_index=True)
    status = models.CharField("status", max_length=10, choices=CommentStatus, default=CommentStatus.PUBLISHED)
    created_at = models.DateTimeField("posted", default=timezone.now)
    reinstated_at = models.DateTimeField(
        "last reinstated",
        null=True,
        blank=True,
        help_text="Reports made before this time no longer count towards hiding the comment.",
    )
    deleted_by_author_at = models.DateTimeField("deleted by its author", null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = "comment"
        verbose_name_plural = "comments"
        ordering = ["-created_at", "-pk"]
        permissions = [("ban_commenter", "Can ban a commenter (deactivate the account and remove their comments)")]
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), TEXT_MAX_LENGTH), name="comments_comment_text_max_length"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="comments_comment_text_not_empty"),
            models.CheckConstraint(condition=Q(status__in=CommentStatus.values), name="comments_comment_status_valid"),
        ]
        indexes = [
            # A condition page's thread: one page of comments in the thread's order straight
            # from the index, and (with the author included) the thread's version in
            # comments/page_versions.py counted from the index alone on PostgreSQL.
            models.Index(
                fields=["page", "status", "-created_at", "-id"], include=["author"], name="comments_thread_idx"
            ),
        ]

    def __str__(self):
        return Truncator(self.text).chars(60)

    def get_absolute_url(self):
        return self.page.get_absolute_url() + f"#comment-{self.pk}"

    @property
    def author_name(self):
        """The author's display name: readers never see a username or an email address.

        Select it with the comment (`select_related("author__profile")`): an account with no
        profile (one made by `createsuperuser`, say) is shown as "A member"."""
        if self.author_id is None:
            return "A former member"
        profile = getattr(self.author, "profile", None)
        return profile.display_name if profile is not None else "A member"

    def get_report_url(self):
        return reverse("comments:report", args=[self.pk])

    def get_delete_url(self):
        return reverse("comments:delete", args=[self.pk])


# How much an account's reports weigh towards hiding a comment, from how moderators decided
# its earlier reports (after Discourse's flag accuracy). Until an account has this many
# decided reports it weighs 1, like an anonymous reader.
RECORD_MIN_DECIDED = 3
# The share of upheld reports that weighs exactly 1. Below it the weight falls towards
# RECORD_MIN_WEIGHT (nothing ever upheld); above it it rises towards RECORD_MAX_WEIGHT.
RECORD_NEUTRAL_ACCURACY = 0.7
RECORD_MIN_WEIGHT = 0.25
RECORD_MAX_WEIGHT = 2.0


def report_weight(*, upheld: int, dismissed: int) -> float:
    """The weight of one account's report, given its earlier upheld and dismissed reports."""
    decided = upheld + dismissed
    if decided < RECORD_MIN_DECIDED:
        return 1.0
    accuracy = upheld / decided
    if accuracy >= RECORD_NEUTRAL_ACCURACY:
        share = (accuracy - RECORD_NEUTRAL_ACCURACY) / (1 - RECORD_NEUTRAL_ACCURACY)
        return round(1 + share * (RECORD_MAX_WEIGHT - 1), 2)
    share = accuracy / RECORD_NEUTRAL_ACCURACY
    return round(RECORD_MIN_WEIGHT + share * (1 - RECORD_MIN_WEIGHT), 2)


class ReportQuerySet(models.QuerySet):
    def made_by(self, *, user=None, session_hash: str = ""):
        """The reports this reader made: the account when signed in, else the anonymous session."""
        if user is not None and user.is_authenticated:
            return self.filter(reporter=user)
        if not session_hash:
            return self.none()
        return self.filter(reporter__isnull=True, session_hash=session_hash)

    def with_reporter_record(self):
        """Annotate each report with how moderators decided its reporter's reports on other comments.

        `reporter_upheld` and `reporter_dismissed` are 0 for anonymous reports.
        """
        others = Report.objects.filter(reporter=OuterRef("reporter"), reporter__isnull=False).exclude(
            comment=OuterRef("comment")
        )

        def count(status):
            counted = others.filter(status=status).order_by().values("reporter").annotate(n=Count("pk")).values("n")
            return Coalesce(Subquery(counted, output_field=models.IntegerField()), 0)

        return self.annotate(
            reporter_upheld=count(ReportStatus.UPHELD), reporter_dismissed=count(ReportStatus.DISMISSED)
        )


class Report(models.Model):
    Reason = ReportReason
    Status = ReportStatus

    comment = models.ForeignKey(Comment, verbose_name="comment", on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="reported by",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comment_reports",
    )
    # Anonymous readers are told apart by a keyed hash of their session, never an address.
    session_hash = models.CharField("anonymous reader", max_length=40, blank=True, editable=False)
    # The address the report came from, as a keyed hash: anonymous reports count at most once
    # per address towards hiding a comment, however many sessions one client makes.
    address_hash = models.CharField("reader's address (keyed hash)", max_length=40, blank=True, editable=False)
    reason = models.CharField("reason", max_length=10, choices=ReportReason)
    details = models.TextField("details", max_length=DETAILS_MAX_LENGTH, blank=True)
    status = models.CharField("status", max_length=10, choices=ReportStatus, default=ReportStatus.OPEN)
    created_at = models.DateTimeField("reported", default=timezone.now)
    resolved_at = models.DateTimeField("resolved", null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = "report"
        verbose_name_plural = "reports"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter"],
                condition=Q(reporter__isnull=False),
                name="comments_report_one_per_user",
            ),
            models.UniqueConstraint(
                fields=["comment", "session_hash"],
                condition=~Q(session_hash=""),
                name="comments_report_one_per_session",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("details"), DETAILS_MAX_LENGTH),
                name="comments_report_details_max_length",
            ),
            models.CheckConstraint(condition=Q(reason__in=ReportReason.values), name="comments_report_reason_valid"),
            models.CheckConstraint(condition=Q(status__in=ReportStatus.values), name="comments_report_status_valid"),
            models.CheckConstraint(
                condition=Q(status="open", resolved_at__isnull=True) | Q(~Q(status="open"), resolved_at__isnull=False),
                name="comments_report_resolved_when_closed",
            ),
        ]
        indexes = [models.Index(fields=["comment", "status"])]

    def __str__(self):
        return f"{self.get_reason_display()} ({self.get_status_display().lower()})"

    @property
    def weight(self) -> float:
        """What this report weighs towards hiding its comment (needs with_reporter_record())."""
        if not self.reporter_id:
            return 1.0
        return report_weight(upheld=self.reporter_upheld, dismissed=self.reporter_dismissed)


class ModerationDecision(models.Model):
    """The audit record: who decided what about a comment, when, and why."""

    Outcome = DecisionOutcome

    comment = models.ForeignKey(Comment, verbose_name="comment", on_delete=models.CASCADE, related_name="decisions")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="moderator",
        on_delete=models.SET_NULL,
        null=True,
        related_name="moderation_decisions",
    )
    outcome = models.CharField("outcome", max_length=10, choices=DecisionOutcome)
    note = models.TextField("note", max_length=1000, blank=True, help_text="Why, for other moderators.")
    created_at = models.DateTimeField("decided", default=timezone.now)

    class Meta:
        verbose_name = "moderation decision"
        verbose_name_plural = "moderation decisions"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=DecisionOutcome.values), name="comments_decision_outcome_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_outcome_display()} on {self.created_at:%d/%m/%Y}"


class CommentSettings(models.Model):
    """How a condition page takes comments. No row means the defaults: open, post-moderated."""

    page = models.OneToOneField(
        "conditions.Page",
        verbose_name="condition page",
        on_delete=models.CASCADE,
        related_name="comment_settings",
        limit_choices_to={"parent__isnull": True},
    )
    pre_moderate = models.BooleanField(
        "check comments before they appear",
        default=False,
        help_text="New comments are held until a moderator reinstates them.",
    )
    closed = models.BooleanField(
        "closed to new comments", default=False, help_text="Existing comments stay; nobody can add new ones."
    )

    class Meta:
        verbose_name = "comment settings for a page"
        verbose_name_plural = "comment settings for pages"

    def __str__(self):
        return f"Comment settings: {self.page}"

    @classmethod
    def for_page(cls, page):
        return cls.objects.filter(page=page).first() or cls(page=page)
