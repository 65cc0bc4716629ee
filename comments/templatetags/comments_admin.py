"""The admin home's moderation summary: what is waiting, and how quickly moderators decide."""

import datetime
import statistics

from django import template
from django.urls import reverse
from django.utils import timezone

from ..models import Comment, ModerationDecision, Report, UrgentItem

register = template.Library()

WINDOWS = (7, 30)


def format_duration(duration: datetime.timedelta | None) -> str:
    if duration is None:
        return "no decisions yet"
    minutes = int(duration.total_seconds() // 60)
    if minutes < 1:
        return "under a minute"
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    shown = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n][:2]
    return " ".join(shown)


def median(durations: list[datetime.timedelta]) -> datetime.timedelta | None:
    return statistics.median(durations) if durations else None


def median_time_to_decision(*, days: int, now) -> datetime.timedelta | None:
    """The median time from a comment coming into the queue to a moderator's decision on it."""
    decided = ModerationDecision.objects.filter(
        created_at__gte=now - datetime.timedelta(days=days), waiting_since__isnull=False
    ).values_list("waiting_since", "created_at")
    return median([decided_at - since for since, decided_at in decided])


def median_time_to_first_action(*, days: int, now) -> datetime.timedelta | None:
    """The median time an urgent item waited for a moderator's first action."""
    acted = UrgentItem.objects.filter(first_action_at__gte=now - datetime.timedelta(days=days)).values_list(
        "opened_at", "first_action_at"
    )
    return median([acted_at - opened for opened, acted_at in acted])


@register.inclusion_tag("admin/comments/moderation_summary.html", takes_context=True)
def moderation_summary(context):
    """What is waiting for moderators, each linked to its filtered queue, and how fast decisions come."""
    user = context["request"].user
    if not user.has_perm("comments.view_comment"):
        return {"shown": False}
    now = timezone.now()
    queue = reverse("admin:comments_comment_changelist")
    decisions = reverse("admin:comments_moderationdecision_changelist")
    urgent_items = reverse("admin:comments_urgentitem_changelist")
    waiting = [
        {
            "label": "Urgent: someone may be at risk",
            "count": UrgentItem.objects.open().count(),
            "url": queue + "?queue=urgent",
            "urgent": True,
        },
        {
            "label": "Open reports",
            "count": Report.objects.filter(status=Report.Status.OPEN).count(),
            "url": queue + "?queue=reported",
        },
        {
            "label": "Held for review",
            "count": Comment.objects.filter(status=Comment.Status.HELD).count(),
            "url": queue + "?queue=held",
        },
    ]
    if user.has_perm("comments.add_clinical_note"):
        medical = Comment.objects.reported().filter(
            reports__status=Report.Status.OPEN, reports__reason=Report.Reason.MEDICAL
        )
        waiting.append(
            {
                "label": "Reported as unsafe medical advice",
                "count": medical.distinct().count(),
                "url": queue + "?queue=reported&reason=medical",
            }
        )
    speed = []
    for days in WINDOWS:
        speed.append(
            {
                "label": f"Median time to decision, last {days} days",
                "value": format_duration(median_time_to_decision(days=days, now=now)),
                "url": decisions + f"?within={days}",
            }
        )
    for days in WINDOWS:
        speed.append(
            {
                "label": f"Median time to first action on urgent items, last {days} days",
                "value": format_duration(median_time_to_first_action(days=days, now=now)),
                "url": urgent_items + "?state=acted",
            }
        )
    return {"shown": True, "waiting": waiting, "speed": speed, "queue_url": queue}
