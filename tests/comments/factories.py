"""Small helpers to make comments and reports in tests."""

import itertools

from comments.models import Comment, Report
from comments.services import text_hash

_numbers = itertools.count(1)


def make_comment(page, author, text=None, **extra):
    text = text or f"Comment number {next(_numbers)}."
    return Comment.objects.create(page=page, author=author, text=text, text_hash=text_hash(text), **extra)


def report_by_sessions(comment, count, *, reason=Report.Reason.OFFENSIVE):
    """`count` anonymous readers each report `comment` through the service."""
    from comments.services import comment_report

    return [
        comment_report(comment=comment, reason=reason, session_hash=f"session-{next(_numbers)}") for _ in range(count)
    ]
