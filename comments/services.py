"""Every write to comments, reports and moderation decisions happens here.

The public views and the admin actions call these same functions, so a reader's action
and a moderator's decision can never drift apart.
"""

import datetime
import hashlib
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from conditions.models import Page
from dystonia_portal.errors import ServiceError

from .models import (
    AuthorReason,
    ClinicalNote,
    Comment,
    CommentEdit,
    CommentSettings,
    ModerationDecision,
    Report,
    RiskPhrase,
    UrgentItem,
)

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


class CommentError(ServiceError):
    """A write to comments, reports or moderation that the rules do not allow."""


def looks_personal(text: str) -> bool:
    return any(pattern.search(text) for pattern in PERSONAL_DETAILS_PATTERNS)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def risk_phrases_in(text: str) -> list[str]:
    """The phrases on the risk phrase list that `text` contains, as whole words, ignoring capitals."""
    found = []
    for phrase in RiskPhrase.objects.values_list("phrase", flat=True):
        words = [re.escape(word) for word in phrase.split()]
        if words and re.search(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", text, re.IGNORECASE):
            found.append(phrase)
    return found


def site_url(path: str) -> str:
    return settings.SITE_URL + path


def _rules_footer() -> str:
    return f"\n\nThe comment rules: {site_url(reverse('comments:rules'))}\n"


def _send_after_commit(subject: str, body: str, recipients: list[str]) -> None:
    if recipients:
        transaction.on_commit(lambda: send_mail(subject, body, None, recipients))


def _notify_author(comment: Comment, subject: str, body: str) -> None:
    """Email the comment's author (if they still have an account with an address), with the rules."""
    if comment.author_id and comment.author.email:
        _send_after_commit(subject, body + _rules_footer(), [comment.author.email])


def _admin_link(comment: Comment) -> str:
    return site_url(reverse("admin:comments_comment_change", args=[comment.pk]))


def _open_urgent_item(comment: Comment, kind: str, now) -> bool:
    """Start the clock on `comment` unless one is already running (the caller holds the comment's lock)."""
    if UrgentItem.objects.open().filter(comment=comment).exists():
        return False
    UrgentItem.objects.create(comment=comment, kind=kind, opened_at=now)
    return True


def _stop_the_clock(comment: Comment, moderator, now) -> None:
    """A moderator acted on `comment`: its running urgent item records the time to first action."""
    UrgentItem.objects.open().filter(comment=comment).update(first_action_at=now, first_action_by=moderator)


def _alert_moderators_held_at_risk(comment: Comment) -> None:
    body = (
        "A comment that suggests someone may be at risk of harm has been held for urgent review. "
        "Its author saw where to get help now before posting it.\n\n"
        f"Page: {comment.page}\n"
        f"Comment by {comment.author_name}:\n\n{comment.text}\n\n"
        f"Review it now: {_admin_link(comment)}\n"
    )
    _send_after_commit("Urgent: a comment may mean someone is at risk of harm", body, list(settings.MODERATOR_EMAILS))


def clinical_reviewers():
    """Active accounts given the permission to add a clinician's note, by a group or directly."""
    permission = Permission.objects.filter(content_type__app_label="comments", codename="add_clinical_note")
    return (
        User.objects.filter(Q(groups__permissions__in=permission) | Q(user_permissions__in=permission))
        .filter(is_active=True)
        .exclude(email="")
        .distinct()
    )


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
    at_risk = bool(risk_phrases_in(text))
    held = thread.pre_moderate or looks_personal(text) or at_risk
    comment = Comment.objects.create(
        page=page,
        author=author,
        text=text,
        text_hash=digest,
        status=Comment.Status.HELD if held else Comment.Status.PUBLISHED,
        at_risk=at_risk,
    )
    if at_risk:
        _open_urgent_item(comment, UrgentItem.Kind.HELD, comment.created_at)
        _alert_moderators_held_at_risk(comment)
    return comment, True


@transaction.atomic
def comment_edit(*, comment: Comment, user, text: str) -> Comment:
    """The author changes their comment within 15 minutes of posting it.

    The new text is screened like a new comment (personal details, risk phrases) and the
    old text is kept for moderators. A held comment stays held until a moderator checks it.
    """
    comment = Comment.objects.select_for_update(of=("self",)).select_related("page", "author").get(pk=comment.pk)
    if comment.author_id is None or comment.author_id != user.pk:
        raise CommentError("You can only change your own comments.")
    if comment.status not in (Comment.Status.PUBLISHED, Comment.Status.HELD):
        raise CommentError("This comment cannot be changed while a moderator is checking it. You can delete it.")
    now = timezone.now()
    if not comment.can_still_be_edited(now):
        raise CommentError(
            "You can only change a comment in the 15 minutes after you post it. "
            "You can delete it and post a new one instead."
        )
    if text == comment.text:
        return comment
    CommentEdit.objects.create(comment=comment, previous_text=comment.text, edited_at=now)
    at_risk = bool(risk_phrases_in(text))
    comment.text = text
    comment.text_hash = text_hash(text)
    comment.edited_at = now
    comment.at_risk = comment.at_risk or at_risk
    if looks_personal(text) or at_risk:
        comment.status = Comment.Status.HELD
    comment.save(update_fields=["text", "text_hash", "edited_at", "at_risk", "status"])
    if at_risk and _open_urgent_item(comment, UrgentItem.Kind.HELD, now):
        _alert_moderators_held_at_risk(comment)
    return comment


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


OWN_COMMENT_REPORT = "You cannot report your own comment. You can change or delete it instead."


@transaction.atomic
def comment_report(
    *, comment: Comment, reason: str, details: str = "", reporter=None, session_hash: str = "", address_hash: str = ""
) -> Report:
    """File one reader's report; hide the comment once enough different people have reported it.

    Raises CommentError when this reader has already reported the comment, or wrote it.
    """
    if (reporter is None) == (not session_hash):
        raise ValueError("Give exactly one of reporter or session_hash.")
    # Lock the comment so concurrent reports are counted one after another and
    # none of them can miss the threshold.
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.status == Comment.Status.REMOVED:
        raise CommentError("This comment has been removed.")
    if reporter is not None and comment.author_id == reporter.pk:
        raise CommentError(OWN_COMMENT_REPORT)
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
        _notify_author(
            comment,
            "Your comment has been hidden while we check it",
            f"Several readers reported your comment on the {comment.page} page, so we have hidden it "
            "until a moderator has checked it. If it keeps to the comment rules, we will put it back "
            "and tell you.\n\n"
            f"Your comment:\n\n{comment.text}",
        )

    if reason == Report.Reason.AT_RISK:
        _open_urgent_item(comment, UrgentItem.Kind.REPORT, report.created_at)
        body = (
            "A reader has reported that someone may be at risk of harm.\n\n"
            f"Page: {comment.page}\n"
            f"Comment by {comment.author_name}, posted {timezone.localtime(comment.created_at):%d/%m/%Y %H:%M}:\n\n"
            f"{comment.text}\n\n"
            f"Details from the reader: {details or '(none given)'}\n\n"
            f"Review it now: {_admin_link(comment)}\n"
        )
        _send_after_commit("Urgent: someone may be at risk of harm", body, list(settings.MODERATOR_EMAILS))
    elif (
        reason == Report.Reason.MEDICAL
        and not comment.reports.filter(status=Report.Status.OPEN, reason=Report.Reason.MEDICAL)
        .exclude(pk=report.pk)
        .exists()
    ):
        # The first open report of unsafe advice goes to the people who can answer it with a note.
        body = (
            "A reader has reported a comment as unsafe or misleading medical advice. You can answer it "
            "with a clinician's note, or ask a moderator to remove it.\n\n"
            f"Page: {comment.page}\n"
            f"Comment by {comment.author_name}:\n\n{comment.text}\n\n"
            f"Details from the reader: {details or '(none given)'}\n\n"
            f"Open it: {_admin_link(comment)}\n"
        )
        recipients = list(clinical_reviewers().values_list("email", flat=True))
        _send_after_commit("A comment may give unsafe medical advice", body, recipients)
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


def _waiting_since(comment: Comment):
    """When `comment` came into the queue: held, or first reported and still open; None if not waiting."""
    times = list(comment.reports.filter(status=Report.Status.OPEN).values_list("created_at", flat=True))
    if comment.status == Comment.Status.HELD:
        times.append(comment.edited_at or comment.created_at)
    return min(times, default=None)


def _decide(comment: Comment, *, moderator, outcome: str, note: str, author_reason: str, now) -> ModerationDecision:
    """Record a decision (with how long the comment waited) and stop any urgent clock on it."""
    decision = ModerationDecision.objects.create(
        comment=comment,
        moderator=moderator,
        outcome=outcome,
        note=note,
        author_reason=author_reason,
        created_at=now,
        waiting_since=_waiting_since(comment),
    )
    _stop_the_clock(comment, moderator, now)
    return decision


def _reason_sentence(author_reason: str) -> str:
    if not author_reason:
        return "it does not keep to the comment rules"
    label = AuthorReason(author_reason).label
    return label[0].lower() + label[1:]


@transaction.atomic
def comment_remove(
    *,
    comment: Comment,
    moderator,
    note: str = "",
    author_reason: str = "",
    outcome: str = ModerationDecision.Outcome.REMOVE,
) -> ModerationDecision:
    """Remove a comment (soft delete), or decline a held one; uphold its open reports, record it, tell the author.

    user_ban removes each of the author's comments through here with `outcome` BAN: the
    decision says so, and the author is told once, about the ban, not about each comment.
    """
    comment = Comment.objects.select_for_update(of=("self",)).select_related("author", "page").get(pk=comment.pk)
    if comment.status == Comment.Status.REMOVED:
        raise CommentError("This comment has already been removed.")
    now = timezone.now()
    was_held = comment.status == Comment.Status.HELD
    decision = _decide(comment, moderator=moderator, outcome=outcome, note=note, author_reason=author_reason, now=now)
    comment.status = Comment.Status.REMOVED
    comment.save(update_fields=["status"])
    _resolve_reports(comment, Report.Status.UPHELD, now)
    if outcome == ModerationDecision.Outcome.BAN:
        return decision
    reason = _reason_sentence(author_reason)
    if was_held:
        _notify_author(
            comment,
            "Your comment has not been published",
            f"A moderator has checked your comment on the {comment.page} page and has not published it, "
            f"because {reason}.\n\n"
            f"Your comment:\n\n{comment.text}",
        )
    else:
        _notify_author(
            comment,
            "Your comment has been removed",
            f"A moderator has removed your comment on the {comment.page} page, because {reason}.\n\n"
            f"Your comment:\n\n{comment.text}",
        )
    return decision


@transaction.atomic
def comment_reinstate(*, comment: Comment, moderator, note: str = "") -> ModerationDecision:
    """Publish a held, hidden or removed comment (or keep a reported one) and dismiss its open reports.

    Reports made before now no longer count towards hiding it again.
    """
    comment = Comment.objects.select_for_update(of=("self",)).select_related("author", "page").get(pk=comment.pk)
    if comment.deleted_by_author_at is not None:
        raise CommentError("Its author deleted this comment, so it cannot be reinstated.")
    if comment.author_id is not None and not comment.author.is_active:
        raise CommentError("The author of this comment is banned, so it cannot be reinstated.")
    now = timezone.now()
    before = comment.status
    decision = _decide(
        comment,
        moderator=moderator,
        outcome=ModerationDecision.Outcome.REINSTATE,
        note=note,
        author_reason="",
        now=now,
    )
    comment.status = Comment.Status.PUBLISHED
    comment.reinstated_at = now
    comment.save(update_fields=["status", "reinstated_at"])
    _resolve_reports(comment, Report.Status.DISMISSED, now)
    if before == Comment.Status.HELD:
        _notify_author(
            comment,
            "Your comment has been published",
            f"A moderator has checked your comment on the {comment.page} page and published it.\n\n"
            f"See it on the page: {site_url(comment.get_absolute_url())}\n\n"
            f"Your comment:\n\n{comment.text}",
        )
    elif before in (Comment.Status.HIDDEN, Comment.Status.REMOVED):
        _notify_author(
            comment,
            "Your comment is back on the page",
            f"A moderator has checked your comment on the {comment.page} page and put it back.\n\n"
            f"See it on the page: {site_url(comment.get_absolute_url())}\n\n"
            f"Your comment:\n\n{comment.text}",
        )
    return decision


@transaction.atomic
def urgent_item_close(*, comment: Comment, moderator, note: str = "") -> ModerationDecision:
    """A moderator has seen an urgent item and nothing about the comment needs to change.

    For when no other decision applies (the author has deleted the comment, say) or the
    moderator has acted outside the site: it stops the clock and is recorded like any decision.
    The reports on a comment that is already removed are upheld with it.
    """
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if not UrgentItem.objects.open().filter(comment=comment).exists():
        raise CommentError("This comment has no urgent item waiting.")
    now = timezone.now()
    decision = _decide(
        comment, moderator=moderator, outcome=ModerationDecision.Outcome.SEEN, note=note, author_reason="", now=now
    )
    if comment.status == Comment.Status.REMOVED:
        # Already off the page (its author deleted it): no other decision can close its reports.
        _resolve_reports(comment, Report.Status.UPHELD, now)
    return decision


def ban_would_remove(user) -> int:
    """How many comments banning `user` would remove."""
    return Comment.objects.filter(author=user).exclude(status=Comment.Status.REMOVED).count()


@transaction.atomic
def user_ban(
    *, user, moderator, note: str = "", comment: Comment | None = None, author_reason: str = ""
) -> list[ModerationDecision]:
    """Deactivate the account and remove every comment it posted, each with a decision record.

    `comment`, the comment that led to the ban, gets a record even if it was already removed.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_staff or user.is_superuser:
        raise CommentError("Staff accounts cannot be banned here.")
    if not user.is_active:
        raise CommentError("This author is already banned.")
    now = timezone.now()
    user.is_active = False
    user.save(update_fields=["is_active"])
    # Lock every comment of theirs at once, in one order, before removing them one by one.
    posted_comments = Comment.objects.select_for_update().filter(author=user).exclude(status=Comment.Status.REMOVED)
    decisions = [
        comment_remove(
            comment=posted,
            moderator=moderator,
            note=note,
            author_reason=author_reason,
            outcome=ModerationDecision.Outcome.BAN,
        )
        for posted in posted_comments
    ]
    if comment is not None and comment.pk not in {decision.comment_id for decision in decisions}:
        decisions.append(
            _decide(
                comment,
                moderator=moderator,
                outcome=ModerationDecision.Outcome.BAN,
                note=note,
                author_reason=author_reason,
                now=now,
            )
        )
    if user.email:
        reason = f", because {_reason_sentence(author_reason)}" if author_reason else ""
        _send_after_commit(
            "Your account has been closed",
            "A moderator has closed your Dystonia Portal account because of comments that broke "
            f"the comment rules{reason}. Your comments have been removed." + _rules_footer(),
            [user.email],
        )
    return decisions


@transaction.atomic
def user_unban(*, user, moderator, comment: Comment, note: str = "") -> ModerationDecision:
    """Lift a ban: the account can sign in again. Its removed comments stay removed until reinstated one by one."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        raise CommentError("This author is not banned.")
    now = timezone.now()
    user.is_active = True
    user.save(update_fields=["is_active"])
    decision = _decide(
        comment, moderator=moderator, outcome=ModerationDecision.Outcome.UNBAN, note=note, author_reason="", now=now
    )
    if user.email:
        _send_after_commit(
            "Your account has been reopened",
            "A moderator has reopened your Dystonia Portal account. You can sign in and comment again. "
            "Comments that were removed stay removed." + _rules_footer(),
            [user.email],
        )
    return decision


def _check_clinical(user) -> None:
    if not user.has_perm("comments.add_clinical_note"):
        raise CommentError("Only the clinical team can add a clinician's note.")


@transaction.atomic
def clinical_note_save(*, comment: Comment, user, text: str) -> ClinicalNote:
    """Add or change the clinician's note under a published comment; its history keeps every version."""
    _check_clinical(user)
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.status != Comment.Status.PUBLISHED:
        raise CommentError("A clinician's note can only go under a published comment.")
    text = text.strip()
    if not text:
        raise CommentError("Enter the note.")
    now = timezone.now()
    note = ClinicalNote.objects.filter(comment=comment).first() or ClinicalNote(comment=comment, created_at=now)
    if note.pk and note.text == text:
        return note
    note.text = text
    note.written_by = user
    note.updated_at = now
    note._history_user = user
    note.save()
    _stop_the_clock(comment, user, now)
    return note


@transaction.atomic
def clinical_note_remove(*, comment: Comment, user) -> None:
    """Take the clinician's note off a comment; its history keeps what it said, who wrote it and who removed it."""
    _check_clinical(user)
    note = ClinicalNote.objects.select_for_update().filter(comment=comment).first()
    if note is None:
        raise CommentError("This comment has no clinician's note.")
    note._history_user = user
    note.delete()


def urgent_items_realert(*, now=None) -> int:
    """Alert MODERATOR_EMAILS again, once, about each urgent item still untouched after the set time.

    Safe to run every minute and from several machines at once: an item is claimed by
    setting its `realerted_at` only where it is still empty, so only one run sends about it.
    Returns how many items were in the alert.
    """
    now = now or timezone.now()
    claimed = []
    with transaction.atomic():
        for item in UrgentItem.objects.due_for_realert(now=now).select_related("comment__page", "comment__author"):
            if UrgentItem.objects.filter(pk=item.pk, realerted_at__isnull=True).update(realerted_at=now):
                claimed.append(item)
        if claimed and settings.MODERATOR_EMAILS:
            lines = []
            for item in claimed:
                waited = int((now - item.opened_at).total_seconds() // 60)
                lines.append(
                    f"- {item.get_kind_display()}, waiting {waited} minutes, on the {item.comment.page} page "
                    f"(comment by {item.comment.author_name}): {_admin_link(item.comment)}"
                )
            count = len(claimed)
            body = (
                f"{'This urgent item has' if count == 1 else f'These {count} urgent items have'} waited more than "
                f"{settings.URGENT_REALERT_MINUTES} minutes without a moderator acting. Someone may be at risk of "
                "harm: please look now.\n\n" + "\n".join(lines) + "\n"
            )
            _send_after_commit("Still waiting: someone may be at risk of harm", body, list(settings.MODERATOR_EMAILS))
    return len(claimed)
