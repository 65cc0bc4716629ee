"""Small helpers to make comments and reports in tests."""

import itertools

from comments.models import Comment, Report
from comments.services import text_hash

_numbers = itertools.count(1)


def make_comment(page, author, text=None, **extra):
    text = text or f"Comment number {next(_numbers)}."
    return Comment.objects.create(page=page, author=author, text=text, text_hash=text_hash(text), **extra)


def report_by_sessions(comment, count, *, reason=Report.Reason.OFFENSIVE, address_hash=None):
    """`count` anonymous readers each report `comment` through the service.

    Each reader is on an address of their own unless `address_hash` puts them all on one.
    """
    from comments.services import comment_report

    reports = []
    for _ in range(count):
        number = next(_numbers)
        reports.append(
            comment_report(
                comment=comment,
                reason=reason,
                session_hash=f"session-{number}",
                address_hash=address_hash or f"address-{number}",
            )
        )
    return reports
