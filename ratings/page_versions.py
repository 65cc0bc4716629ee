"""The version of what the rating block shows, read with the condition page's own query.

conditions.page_lookup adds this column to the one query every condition page runs, so the
block's cached summary costs no query of its own. A page's summary row is rewritten, and its
`updated_at` moved, by every rating and every rebuild.
"""

from .models import RatingSummary

VERSIONS = {
    "rating_version": (
        f"SELECT summary.updated_at FROM {RatingSummary._meta.db_table} summary "  # noqa: S608 - constant SQL
        "WHERE summary.page_id = conditions_page.id"
    ),
}
