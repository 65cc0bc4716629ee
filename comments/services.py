"""Every write to comments, reports and moderation decisions happens here.

The public views and the admin actions call these same functions, so a reader's action
and a moderator's decision can never drift apart.
"""

import datetime
import hashlib
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from conditions.models import Page

from .models import Comment, CommentSettings, ModerationDecision, Report

User = get_user_model()

DUPLICATE_WINDOW = datetime.timedelta(minutes=10)

# Patterns for text that looks like it gives someone's personal details. They are
# deliberately loose: a false match only holds a comment for a moderator to check.
PERSONAL_DETAILS_PATTERNS = [
    # An email address.
    re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),
    # A UK phone number: 07xxx xxxxxx, 01xx / 02x landlines, +44 forms, with spaces or dashes.
    re.compile(r"(?<!\d)(?:\+44\s?\(?0?\)?\s?|0)(?:\d[\s-]?){9,10}(?!\d)"),
    # An NHS number: 10 digits, optionally spaced 3-3-4.
    re.compile(r"(?<!\d)\d{3}[\s-]?\d{3}[\s-]?\d{4}(?!\d)"),
    # A UK postcode, such as SW1A 1AA or NR4 7UY.
    re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE),
]


class CommentError(Exception):
    """A write the rules do not allow; the message is shown to the person as it is."""


def looks_personal(text: str) -> bool:
    return any(pattern.search(text) for pattern in PERSONAL_DETAILS_PATTERNS)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _notify_author(comment: Comment, subject: str, body: str) -> None:
    if comment.author_id and comment.author.email:
        address = comment.author.email
        transaction.on_commit(lambda: send_mail(subject, body, None, [address]))


@transaction.atomic
def comment_post(*, page: Page, author, text: str) -> tuple[Comment, bool]:
    """Post `text` on the guide `page`. Returns (comment, created).

    The same text by the same author within ten minutes is accepted once: the
    earlier comment is returned with created False.
    """
    if not page.is_condition:
        raise CommentError("Comments belong to a condition page, not a sub-page.")
    thread = CommentSettings.for_page(page)
    if thread.closed:
        raise CommentError("Comments are closed on this page.")
    digest = text_hash(text)
    # Lock the author's row so two identical posts sent at once cannot both pass the check.
    User.objects.select_for_update().filter(pk=author.pk).first()
    earlier = (
        Comment.objects.filter(
            page=page, author=author, text_hash=digest, created_at__gte=timezone.now() - DUPLICATE_WINDOW
        )
        .exclude(status=Comment.Status.REMOVED)
        .first()
    )
    if earlier is not None:
        return earlier, False
    held = thread.pre_moderate or looks_personal(text)
    comment = Comment.objects.create(
        page=page,
        author=author,
        text=text,
        text_hash=digest,
        status=Comment.Status.HELD if held else Comment.Status.PUBLISHED,
    )
    return comment, True


@transaction.atomic
def comment_delete(*, comment: Comment, user) -> Comment:
    """The author deletes their own comment: a soft delete, kept for moderators."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.author_id is None or comment.author_id != user.pk:
        raise CommentError("You can only delete your own comments.")
    if comment.status != Comment.Status.REMOVED:
        comment.status = Comment.Status.REMOVED
        comment.deleted_by_author_at = timezone.now()
        comment.save(update_fields=["status", "deleted_by_author_at"])
    return comment


@transaction.atomic
def comment_report(
    *, comment: Comment, reason: str, details: str = "", reporter=None, session_hash: str = "", address_hash: str = ""
) -> Report:
    """File one reader's report; hide the comment once enough different people have reported it.

    Raises CommentError when this reader has already reported the comment.
    """
    if (reporter is None) == (not session_hash):
        raise ValueError("Give exactly one of reporter or session_hash.")
    # Lock the comment so concurrent reports are counted one after another and
    # none of them can miss the threshold.
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.status == Comment.Status.REMOVED:
        raise CommentError("This comment has been removed.")
    try:
        with transaction.atomic():
            report = Report.objects.create(
                comment=comment,
                reporter=reporter,
                session_hash="" if reporter else session_hash,
                address_hash=address_hash,
                reason=reason,
                details=details,
            )
    except IntegrityError as exc:
        raise CommentError("You have already reported this comment.") from exc

    if comment.status == Comment.Status.PUBLISHED and _reported_enough_to_hide(comment):
        comment.status = Comment.Status.HIDDEN
        comment.save(update_fields=["status"])

    if reason == Report.Reason.AT_RISK and settings.MODERATOR_EMAILS:
        body = (
            "A reader has reported that someone may be at risk of harm.\n\n"
            f"Page: {comment.page}\n"
            f"Comment by {comment.author_name}, posted {timezone.localtime(comment.created_at):%d/%m/%Y %H:%M}:\n\n"
            f"{comment.text}\n\n"
            f"Details from the reader: {details or '(none given)'}\n\n"
            "Please review it now in the admin (Comments)."
        )
        recipients = list(settings.MODERATOR_EMAILS)
        transaction.on_commit(lambda: send_mail("Urgent: someone may be at risk of harm", body, None, recipients))
    return report


def _reported_enough_to_hide(comment: Comment) -> bool:
    """Whether the open reports on `comment` come from enough different people to hide it.

    Sessions cost nothing to make, so an anonymous reader counts once per address, and the
    reports must come from at least two different addresses or two different accounts. Each
    account weighs by its record (models.report_weight); anonymous readers weigh 1.
    """
    counted = comment.reports.filter(status=Report.Status.OPEN)
    if comment.reinstated_at is not None:
        counted = counted.filter(created_at__gt=comment.reinstated_at)
    reports = list(counted.with_reporter_record())
    accounts = {report.reporter_id for report in reports if report.reporter_id}
    addresses = {report.address_hash for report in reports if report.address_hash}
    if len(accounts) < 2 and len(addresses) < 2:
        return False
    # One weight per account, and one per anonymous address (or, for reports stored before
    # addresses were recorded, per session).
    weights = {}
    for report in reports:
        reader = report.reporter_id or report.address_hash or f"session:{report.session_hash}"
        weights[reader] = report.weight
    score = sum(weights.values())
    return score >= settings.REPORTS_TO_HIDE


def _resolve_reports(comment: Comment, status: str, now) -> None:
    comment.reports.filter(status=Report.Status.OPEN).update(status=status, resolved_at=now)


@transaction.atomic
def comment_remove(*, comment: Comment, moderator, note: str = "") -> ModerationDecision:
    """Remove a comment (soft delete), uphold its open reports, record it and tell the author."""
    comment = Comment.objects.select_for_update(of=("self",)).select_related("author", "page").get(pk=comment.pk)
    now = timezone.now()
    comment.status = Comment.Status.REMOVED
    comment.save(update_fields=["status"])
    _resolve_reports(comment, Report.Status.UPHELD, now)
    decision = ModerationDecision.objects.create(
        comment=comment, moderator=moderator, outcome=ModerationDecision.Outcome.REMOVE, note=note, created_at=now
    )
    _notify_author(
        comment,
        "Your comment has been removed",
        f"Your comment on the {comment.page} page has been removed by a moderator because it "
        "broke the rules for comments.\n\n"
        f"Your comment:\n\n{comment.text}\n",
    )
    return decision


@transaction.atomic
def comment_reinstate(*, comment: Comment, moderator, note: str = "") -> ModerationDecision:
    """Publish a held, hidden or removed comment and dismiss its open reports.

    Reports made before now no longer count towards hiding it again.
    """
    comment = Comment.objects.select_for_update(of=("self",)).select_related("author").get(pk=comment.pk)
    if comment.deleted_by_author_at is not None:
        raise CommentError("Its author deleted this comment, so it cannot be reinstated.")
    if comment.author_id is not None and not comment.author.is_active:
        raise CommentError("The author of this comment is banned, so it cannot be reinstated.")
    now = timezone.now()
    comment.status = Comment.Status.PUBLISHED
    comment.reinstated_at = now
    comment.save(update_fields=["status", "reinstated_at"])
    _resolve_reports(comment, Report.Status.DISMISSED, now)
    return ModerationDecision.objects.create(
        comment=comment, moderator=moderator, outcome=ModerationDecision.Outcome.REINSTATE, note=note, created_at=now
    )


@transaction.atomic
def user_ban(*, user, moderator, note: str = "", comment: Comment | None = None) -> list[ModerationDecision]:
    """Deactivate the account and remove every comment it posted, each with a decision record.

    `comment`, the comment that led to the ban, gets a record even if it was already removed.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_staff or user.is_superuser:
        raise CommentError("Staff accounts cannot be banned here.")
    now = timezone.now()
    user.is_active = False
    user.save(update_fields=["is_active"])
    decisions = []
    for posted in Comment.objects.select_for_update().filter(author=user).exclude(status=Comment.Status.REMOVED):
        posted.status = Comment.Status.REMOVED
        posted.save(update_fields=["status"])
        _resolve_reports(posted, Report.Status.UPHELD, now)
        decisions.append(
            ModerationDecision.objects.create(
                comment=posted, moderator=moderator, outcome=ModerationDecision.Outcome.BAN, note=note, created_at=now
            )
        )
    if comment is not None and comment.pk not in {decision.comment_id for decision in decisions}:
        decisions.append(
            ModerationDecision.objects.create(
                comment=comment, moderator=moderator, outcome=ModerationDecision.Outcome.BAN, note=note, created_at=now
            )
        )
    if user.email:
        address = user.email
        transaction.on_commit(
            lambda: send_mail(
                "Your account has been closed",
                "A moderator has closed your Dystonia Portal account because of comments that broke "
                "the rules for comments. Your comments have been removed.\n",
                None,
                [address],
            )
        )
    return decisions
