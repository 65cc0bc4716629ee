"""The counter that versions what the rating block shows, joined by the condition page's own query.

A database trigger (migration 0003) moves `RatingSummary.version` on every change to the row,
however it was made. conditions.page_lookup joins the row to the one query every condition
page runs, so the block needs no query for its figures. A page with no summary row has had no
rating counted, which always shows the same.
"""

from conditions.page_lookup import Counter

VERSIONS = {"rating_version": Counter("rating_summary", missing_is_empty=True)}
