"""The hide threshold under concurrent reports, with real threads, on PostgreSQL and SQLite."""

import threading

import pytest
from django.db import connection

from comments import services
from comments.models import Comment, Report

from .factories import make_comment

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_concurrent_reports_never_miss_the_threshold(condition, commenter):
    comment = make_comment(condition, commenter)
    barrier = threading.Barrier(3)
    errors = []

    def report(number):
        try:
            barrier.wait()
            services.comment_report(
                comment=comment,
                reason=Report.Reason.SPAM,
                session_hash=f"thread-{number}",
                address_hash=f"address-{number}",
            )
        except Exception as exc:  # noqa: BLE001 - surfaced by the assert below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=report, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    comment.refresh_from_db()
    assert comment.reports.count() == 3
    assert comment.status == Comment.Status.HIDDEN


def test_concurrent_duplicate_reports_by_one_reader_file_one(condition, commenter):
    comment = make_comment(condition, commenter)
    barrier = threading.Barrier(4)
    outcomes = []

    def report():
        try:
            barrier.wait()
            services.comment_report(comment=comment, reason=Report.Reason.SPAM, session_hash="same-reader")
            outcomes.append("filed")
        except services.CommentError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=report) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["filed", "refused", "refused", "refused"]
    assert comment.reports.count() == 1


def test_the_same_comment_sent_twice_at_once_is_posted_once(condition, commenter):
    barrier = threading.Barrier(3)
    outcomes = []

    def post():
        try:
            barrier.wait()
            _, created = services.comment_post(page=condition, author=commenter, text="Double click.")
            outcomes.append(created)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False, False, True]
    assert Comment.objects.count() == 1


def run_together(count, action):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(action())
        except Exception as exc:  # noqa: BLE001 - surfaced by the caller's assert
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


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

    results, errors = run_together(4, services.urgent_items_realert)
    assert errors == []
    # However the runs interleave, each item is claimed by exactly one of them.
    assert sum(results) == 3
    assert len([m for m in mail.outbox if m.subject.startswith("Still waiting")]) == len([r for r in results if r])
    assert UrgentItem.objects.filter(realerted_at__isnull=True).count() == 0


def test_concurrent_at_risk_reports_open_one_urgent_item(condition, commenter):
    from comments.models import UrgentItem

    comment = make_comment(condition, commenter)
    numbers = iter(range(100))

    def report():
        number = next(numbers)
        return services.comment_report(
            comment=comment, reason=Report.Reason.AT_RISK, session_hash=f"r{number}", address_hash=f"a{number}"
        )

    _, errors = run_together(3, report)
    assert errors == []
    assert UrgentItem.objects.filter(comment=comment).count() == 1
