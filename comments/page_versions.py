"""The version of what a condition page's comment thread shows, read with the page's own query.

conditions.page_lookup adds this column to the one query every condition page runs, so a
cached thread costs no query of its own, and a thread built afresh needs neither its count
nor its settings row. The thread shows the published comments and whether the page is
closed to comments; the version changes when either does: a comment is posted, hidden,
removed, reinstated or deleted (the count, the highest id or the sum of ids moves), an
author's account is deleted (fewer comments have an author), or comments close.

Its form is "count:highest id:sum of ids:comments with an author:open or closed".
"""

from typing import NamedTuple

from .models import Comment, CommentSettings

VERSIONS = {
    "comment_version": (
        "SELECT COUNT(*) || ':' || COALESCE(MAX(c.id), 0) || ':' || COALESCE(SUM(c.id), 0) || ':' "  # noqa: S608
        "|| COUNT(c.author_id) || ':' || COALESCE(("
        f"SELECT CASE WHEN s.closed THEN 'closed' ELSE 'open' END FROM {CommentSettings._meta.db_table} s "
        "WHERE s.page_id = conditions_page.id), 'open') "
        f"FROM {Comment._meta.db_table} c "
        f"WHERE c.page_id = conditions_page.id AND c.status = '{Comment.Status.PUBLISHED}'"
    ),
}


class ThreadVersion(NamedTuple):
    count: int
    closed: bool


def parse(version: str) -> ThreadVersion:
    count, _highest, _total, _with_author, state = version.split(":")
    return ThreadVersion(count=int(count), closed=state == "closed")
