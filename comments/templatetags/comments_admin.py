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
        return "none yet"
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


def medians_by_window(pairs, *, now) -> dict[int, datetime.timedelta | None]:
    """For (start, end) pairs, the median of end - start over the ends in each window of WINDOWS days."""
    pairs = list(pairs)
    return {
        days: median([end - start for start, end in pairs if end >= now - datetime.timedelta(days=days)])
        for days in WINDOWS
    }


def median_times_to_decision(*, now) -> dict[int, datetime.timedelta | None]:
    """The median time from a comment coming into the queue to a moderator's decision on it: one query."""
    decided = ModerationDecision.objects.filter(
        created_at__gte=now - datetime.timedelta(days=max(WINDOWS)), waiting_since__isnull=False
    ).values_list("waiting_since", "created_at")
    return medians_by_window(decided, now=now)


def median_times_to_first_action(*, now) -> dict[int, datetime.timedelta | None]:
    """The median time an urgent item waited for a moderator's first action: one query."""
    acted = UrgentItem.objects.filter(first_action_at__gte=now - datetime.timedelta(days=max(WINDOWS))).values_list(
        "opened_at", "first_action_at"
    )
    return medians_by_window(acted, now=now)


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
    to_decision = median_times_to_decision(now=now)
    to_first_action = median_times_to_first_action(now=now)
    speed = [
        {
            "label": f"Median time to decision, last {days} days",
            "value": format_duration(to_decision[days]),
            "url": decisions + f"?within={days}",
        }
        for days in WINDOWS
    ] + [
        {
            "label": f"Median time to first action on urgent items, last {days} days",
            "value": format_duration(to_first_action[days]),
            "url": urgent_items + "?state=acted",
        }
        for days in WINDOWS
    ]
    return {"shown": True, "waiting": waiting, "speed": speed, "queue_url": queue}
