"""Everything the site holds about one account, for "Download your data" (a subject access request).

A read, not a write, so not in services.py. Only the account's own records: each query filters
on the user. Moderators' notes and names are not included: they are about moderation, not the person.
"""

from django.db.models import Prefetch

from comments.models import Comment, ModerationDecision, Report
from ratings.models import Rating


def _when(value):
    return value.isoformat() if value else None


def your_data(*, user) -> dict:
    profile = getattr(user, "profile", None)
    decisions = ModerationDecision.objects.order_by("created_at", "pk")
    comments = (
        Comment.objects.filter(author=user)
        .select_related("page")
        .prefetch_related(Prefetch("decisions", queryset=decisions))
        .order_by("created_at", "pk")
    )
    ratings = Rating.objects.filter(user=user).select_related("page", "feedback").order_by("created_at", "pk")
    reports = Report.objects.filter(reporter=user).select_related("comment__page").order_by("created_at", "pk")
    return {
        "account": {
            "username": user.get_username(),
            "email": user.email,
            "display_name": profile.display_name if profile else None,
            "joined": _when(user.date_joined),
            "last_signed_in": _when(user.last_login),
            "email_confirmed": user.is_active or user.last_login is not None,
        },
        "comments": [
            {
                "page": comment.page.title,
                "address": comment.get_absolute_url(),
                "text": comment.text,
                "status": comment.get_status_display(),
                "posted": _when(comment.created_at),
                "deleted_by_you": _when(comment.deleted_by_author_at),
                "moderation_decisions": [
                    {"outcome": decision.get_outcome_display(), "decided": _when(decision.created_at)}
                    for decision in comment.decisions.all()
                ],
            }
            for comment in comments
        ],
        "ratings": [
            {
                "page": rating.page.title,
                "score": rating.score,
                "first_rated": _when(rating.created_at),
                "last_rated": _when(rating.updated_at),
                "feedback": _feedback(rating),
            }
            for rating in ratings
        ],
        "reports": [
            {
                "comment": report.comment.get_absolute_url(),
                "reason": report.get_reason_display(),
                "details": report.details,
                "status": report.get_status_display(),
                "reported": _when(report.created_at),
            }
            for report in reports
        ],
    }


def _feedback(rating):
    try:
        feedback = rating.feedback
    except Rating.feedback.RelatedObjectDoesNotExist:
        return None
    return {"reason": feedback.get_reason_display(), "details": feedback.details, "sent": _when(feedback.created_at)}
