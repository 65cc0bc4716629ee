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
