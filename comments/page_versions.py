"""The counter that versions what a condition page's comment thread shows, joined by the page's own query.

Database triggers (migration 0004) move `CommentThread.version` in the same transaction as
any write to the page's comments or comment settings, or to the username of anyone who
commented there, however it was made. conditions.page_lookup joins the row to the one query
every condition page runs, so a cached thread costs no query of its own.
"""

from conditions.page_lookup import Counter

# The settings row (closed or open) is joined too, for a thread built afresh.
VERSIONS = {"comment_version": Counter("comment_thread", joins=("comment_settings",))}
