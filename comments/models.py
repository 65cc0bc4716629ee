"""Comments on condition pages, readers' reports about them, and moderators' decisions.

Nothing here is ever hard-deleted by a moderator: a removed comment keeps its text,
its reports and the decisions taken on it, and can be reinstated.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Length, Lower
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from simple_history.models import HistoricalRecords

from conditions.models import Page

TEXT_MAX_LENGTH = 2000
DETAILS_MAX_LENGTH = 500
NOTE_MAX_LENGTH = 1000
# An author may change their comment for this long after posting it.
EDIT_WINDOW = datetime.timedelta(minutes=15)


def is_moderator(user) -> bool:
    """Moderators (and superusers) may see every comment, whatever its status.

    Moderators work in the admin, so only staff can be one: checking `is_staff` first spares
    every other member the two permission queries on each page they read.
    """
    return user.is_authenticated and user.is_staff and user.has_perm("comments.view_comment")


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

    def waiting_for_moderator_to(self, user, *, on=None):
        """This person's own comments that readers cannot see while a moderator checks them (held or
        hidden): what visible_to shows them beyond the published ones. None for anyone signed out.

        With `on`, a condition page this person is reading (so one they may see), only the ones
        there: a plain filter, with no need to check that the page is live."""
        if not user.is_authenticated:
            return self.none()
        held_or_hidden = Q(author=user, status__in=[Comment.Status.HELD, Comment.Status.HIDDEN])
        if on is not None:
            return self.filter(held_or_hidden, page=on)
        return self.visible_to(user).filter(held_or_hidden)

    def reportable_by(self, user):
        """Comments this person may report: published ones they can see."""
        return self.visible_to(user).filter(status=Comment.Status.PUBLISHED)

    def needing_review(self):
        """The moderators' queue: held for review, with at least one open report, or urgent."""
        open_reports = Report.objects.filter(comment=OuterRef("pk"), status=Report.Status.OPEN)
        urgent = UrgentItem.objects.open().filter(comment=OuterRef("pk"))
        return self.filter(Q(status=Comment.Status.HELD) | Exists(open_reports) | Exists(urgent))

    def urgent(self):
        """Comments with an urgent item whose clock is still running."""
        return self.filter(Exists(UrgentItem.objects.open().filter(comment=OuterRef("pk"))))

    def reported(self):
        return self.filter(Exists(Report.objects.filter(comment=OuterRef("pk"), status=Report.Status.OPEN)))

    def with_urgent_since(self):
        """Annotate `urgent_since`: when the comment's open urgent item was opened, else None."""
        opened = UrgentItem.objects.open().filter(comment=OuterRef("pk")).values("opened_at")[:1]
        return self.annotate(urgent_since=Subquery(opened, output_field=models.DateTimeField()))

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
    UNBAN = "unban", "Ban lifted"
    SEEN = "seen", "Urgent item seen, nothing changed"


class AuthorReason(models.TextChoices):
    """The reason the author is given when their comment is removed or not published (the comment rules)."""

    PERSONAL = "personal", "It gives personal details"
    OFFENSIVE = "offensive", "It is offensive or abusive"
    MEDICAL = "medical", "It gives unsafe or misleading medical advice"
    SPAM = "spam", "It is spam or advertising"
    OFF_TOPIC = "off_topic", "It is not about living with dystonia"


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
    edited_at = models.DateTimeField("last changed by its author", null=True, blank=True)
    at_risk = models.BooleanField(
        "may be at risk of harm",
        default=False,
        help_text="Its text matched a phrase on the risk phrase list when it was posted or last changed.",
    )

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

    @property
    def clinical_note_shown(self):
        """The clinician's note under this comment, or None."""
        try:
            return self.clinical_note
        except Comment.clinical_note.RelatedObjectDoesNotExist:
            return None

    def get_edit_url(self):
        return reverse("comments:edit", args=[self.pk])

    def can_still_be_edited(self, now=None) -> bool:
        return (now or timezone.now()) < self.created_at + EDIT_WINDOW


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
    author_reason = models.CharField("reason given to the author", max_length=10, choices=AuthorReason, blank=True)
    note = models.TextField("note", max_length=1000, blank=True, help_text="Why, for other moderators.")
    created_at = models.DateTimeField("decided", default=timezone.now)
    waiting_since = models.DateTimeField(
        "waiting since",
        null=True,
        blank=True,
        help_text="When the comment came into the queue (held, or first reported); empty if it was not waiting.",
    )

    class Meta:
        verbose_name = "moderation decision"
        verbose_name_plural = "moderation decisions"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=DecisionOutcome.values), name="comments_decision_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(author_reason__in=[*AuthorReason.values, ""]), name="comments_decision_reason_valid"
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


class RiskPhrase(models.Model):
    """A phrase that suggests someone may be at risk of harm; editors and moderators keep the list."""

    phrase = models.CharField(
        "phrase",
        max_length=100,
        help_text="Matched as whole words, ignoring capitals. A comment that contains it shows the author "
        "where to get help now and is held for urgent review.",
    )
    created_at = models.DateTimeField("added", default=timezone.now)

    class Meta:
        verbose_name = "risk phrase"
        verbose_name_plural = "risk phrases"
        ordering = ["phrase"]
        constraints = [
            models.UniqueConstraint(Lower("phrase"), name="comments_riskphrase_unique_phrase"),
            models.CheckConstraint(condition=~Q(phrase=""), name="comments_riskphrase_not_empty"),
        ]

    def __str__(self):
        return self.phrase


class UrgentItemQuerySet(models.QuerySet):
    def open(self):
        """Still waiting for a moderator's first action: the clock is running."""
        return self.filter(first_action_at__isnull=True)

    def due_for_realert(self, *, now):
        waited = datetime.timedelta(minutes=settings.URGENT_REALERT_MINUTES)
        return self.open().filter(realerted_at__isnull=True, opened_at__lte=now - waited)


class UrgentItem(models.Model):
    """Someone may be at risk of harm: the clock from the first sign to a moderator's first action."""

    class Kind(models.TextChoices):
        REPORT = "report", "Reported: someone may be at risk of harm"
        HELD = "held", "Held: the comment matched a risk phrase"

    comment = models.ForeignKey(Comment, verbose_name="comment", on_delete=models.CASCADE, related_name="urgent_items")
    kind = models.CharField("why", max_length=10, choices=Kind)
    opened_at = models.DateTimeField("opened", default=timezone.now)
    first_action_at = models.DateTimeField("first action", null=True, blank=True)
    first_action_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="first action by",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    realerted_at = models.DateTimeField("moderators alerted again", null=True, blank=True)

    objects = UrgentItemQuerySet.as_manager()

    class Meta:
        verbose_name = "urgent item"
        verbose_name_plural = "urgent items"
        ordering = ["first_action_at", "opened_at"]
        constraints = [
            # One running clock per comment: a second at-risk report joins the item already open.
            models.UniqueConstraint(
                fields=["comment"], condition=Q(first_action_at__isnull=True), name="comments_urgentitem_one_open"
            ),
            models.CheckConstraint(condition=Q(kind__in=["report", "held"]), name="comments_urgentitem_kind_valid"),
            models.CheckConstraint(
                condition=Q(first_action_at__isnull=True) | Q(first_action_at__gte=models.F("opened_at")),
                name="comments_urgentitem_action_after_opening",
            ),
        ]
        indexes = [models.Index(fields=["first_action_at", "opened_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.opened_at:%d/%m/%Y %H:%M})"

    @property
    def time_to_first_action(self) -> datetime.timedelta | None:
        return self.first_action_at - self.opened_at if self.first_action_at else None


class CommentEdit(models.Model):
    """The text a comment had before its author changed it, kept for moderators."""

    comment = models.ForeignKey(Comment, verbose_name="comment", on_delete=models.CASCADE, related_name="edits")
    previous_text = models.TextField("text before the change", max_length=TEXT_MAX_LENGTH)
    edited_at = models.DateTimeField("changed", default=timezone.now)

    class Meta:
        verbose_name = "earlier version of a comment"
        verbose_name_plural = "earlier versions (changed by the author)"
        ordering = ["-edited_at", "-pk"]

    def __str__(self):
        return f"Before {timezone.localtime(self.edited_at):%d/%m/%Y %H:%M}"


class ClinicalNote(models.Model):
    """A clinician's short note shown to every reader under a published comment."""

    comment = models.OneToOneField(
        Comment, verbose_name="comment", on_delete=models.CASCADE, related_name="clinical_note"
    )
    text = models.TextField(
        "note",
        max_length=NOTE_MAX_LENGTH,
        help_text="Shown under the comment as “A note from our clinical team: …”. Plain and short.",
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="written by",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField("added", default=timezone.now)
    updated_at = models.DateTimeField("last changed", default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "clinician's note"
        verbose_name_plural = "clinicians' notes"
        # Notes are written on a comment's admin page through services, never as bare rows.
        default_permissions = ("view",)
        permissions = [("add_clinical_note", "Can add, change and remove a clinician's note under a comment")]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="comments_clinicalnote_text_not_empty"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), NOTE_MAX_LENGTH), name="comments_clinicalnote_max_length"
            ),
        ]

    def __str__(self):
        return Truncator(self.text).chars(60)


class CommentThread(models.Model):
    """A condition page's comment thread version: moves on every change to what the thread shows.

    Database triggers (migration 0008) move it in the same transaction as any write to the
    page's comments, comment settings or clinicians' notes, or to the username of anyone who commented there,
    however it was made, so a cached thread is never stale.
    """

    page = models.OneToOneField(
        "conditions.Page", verbose_name="condition page", on_delete=models.CASCADE, related_name="comment_thread"
    )
    version = models.PositiveBigIntegerField("version", default=1)
    # Kept by triggers too (migration 0010), for the thread's pagination without a count.
    published = models.PositiveIntegerField("published comments", default=0)

    class Meta:
        verbose_name = "comment thread version"
        verbose_name_plural = "comment thread versions"

    def __str__(self):
        return f"Comment thread version {self.version} of {self.page_id}"
