"""The hide threshold under concurrent reports, with real threads, on PostgreSQL and SQLite."""

import pytest

from comments import services
from comments.models import Comment, Report
from tests.live import raised, run_together

from .factories import make_comment

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_concurrent_reports_never_miss_the_threshold(condition, commenter):
    comment = make_comment(condition, commenter)

    def report(number, start):
        start.wait()
        services.comment_report(
            comment=comment,
            reason=Report.Reason.SPAM,
            session_hash=f"thread-{number}",
            address_hash=f"address-{number}",
        )

    errors = raised(run_together(3, report))
    assert errors == []
    comment.refresh_from_db()
    assert comment.reports.count() == 3
    assert comment.status == Comment.Status.HIDDEN


def test_concurrent_duplicate_reports_by_one_reader_file_one(condition, commenter):
    comment = make_comment(condition, commenter)

    def report(number, start):
        start.wait()
        try:
            services.comment_report(comment=comment, reason=Report.Reason.SPAM, session_hash="same-reader")
        except services.CommentError:
            return "refused"
        return "filed"

    outcomes = run_together(4, report)
    assert sorted(outcomes, key=str) == ["filed", "refused", "refused", "refused"]
    assert comment.reports.count() == 1


def test_the_same_comment_sent_twice_at_once_is_posted_once(condition, commenter):
    def post(number, start):
        start.wait()
        _, created = services.comment_post(page=condition, author=commenter, text="Double click.")
        return created

    outcomes = run_together(3, post)
    assert sorted(outcomes, key=str) == [False, False, True]
    assert Comment.objects.count() == 1


def test_concurrent_realert_runs_send_one_alert_per_item(condition, commenter, settings):
    """The command is safe to run every minute, even when two runs overlap."""
    import datetime

    from django.core import mail
    from django.utils import timezone

    from comments.models import UrgentItem

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MODERATOR_EMAILS = ["moderators@example.org"]
    for number in range(3):
        comment = make_comment(condition, commenter)
        services.comment_report(comment=comment, reason=Report.Reason.AT_RISK, session_hash=f"s{number}")
    UrgentItem.objects.update(opened_at=timezone.now() - datetime.timedelta(hours=1))
    mail.outbox.clear()

    def realert(number, start):
        start.wait()
        return services.urgent_items_realert()

    results = run_together(4, realert)
    errors = raised(results)
    assert errors == []
    # However the runs interleave, each item is claimed by exactly one of them.
    assert sum(results) == 3
    assert len([m for m in mail.outbox if m.subject.startswith("Still waiting")]) == len([r for r in results if r])
    assert UrgentItem.objects.filter(realerted_at__isnull=True).count() == 0


def test_concurrent_at_risk_reports_open_one_urgent_item(condition, commenter):
    from comments.models import UrgentItem

    comment = make_comment(condition, commenter)

    def report(number, start):
        start.wait()
        return services.comment_report(
            comment=comment, reason=Report.Reason.AT_RISK, session_hash=f"r{number}", address_hash=f"a{number}"
        )

    errors = raised(run_together(3, report))
    assert errors == []
    assert UrgentItem.objects.filter(comment=comment).count() == 1
