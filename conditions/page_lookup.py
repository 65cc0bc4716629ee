"""The condition page's one query: the page, and the versions of everything it shows.

Every view of a condition page starts here, so it is a single SQL statement written out
once per process (building it with the ORM costs more than PostgreSQL takes to run it).
Beside the page's own columns it returns versions, which the keys of the page's cached
fragments carry, so a cached fragment is never stale and costs no query of its own:

- `content_version`: when the guide or any page in it last changed. A condition page shows
  its sub-pages' titles, and sections and related links are edited with their page, which
  moves the page's `updated_at`.
- one per other app that shows something on condition pages: an app's `page_versions.py`
  holds `VERSIONS = {name: SQL}`, each a scalar SQL expression over the page's row, which
  is named `conditions_page` (conditions never imports the other apps).
"""

import functools

from django.core.cache import caches
from django.db.models import Q
from django.http import Http404
from django.middleware.csrf import get_token

from .app_modules import app_modules
from .models import Page

FRAGMENTS = "fragments"
# Stands in for the CSRF token in cached markup; each response puts its own token in its place,
# so a token is never cached or shared.
CSRF_SLOT = "csrf-token-slot-filled-per-response"
TABLE = Page._meta.db_table
GUIDE_ID = f"COALESCE({TABLE}.parent_id, {TABLE}.id)"
CONTENT_VERSION = (
    f"SELECT MAX(family.updated_at) FROM {TABLE} family "  # noqa: S608 - constant SQL, no input
    f"WHERE family.id = {GUIDE_ID} OR family.parent_id = {GUIDE_ID}"
)


@functools.cache
def version_sql() -> dict[str, str]:
    versions = {"content_version": CONTENT_VERSION}
    for module in app_modules("page_versions"):
        versions.update(module.VERSIONS)
    return versions


@functools.cache
def lookup_sql(*, subpage: bool, preview: bool) -> str:
    """The query for a condition page (params: slug) or a sub-page (params: guide slug, slug)."""
    columns = ", ".join(f"({sql}) AS {name}" for name, sql in version_sql().items())
    if subpage:
        source = f"{TABLE} INNER JOIN {TABLE} guide ON guide.id = {TABLE}.parent_id"
        where = ["guide.parent_id IS NULL", "guide.slug = %s", f"{TABLE}.slug = %s"]
        if not preview:
            where += [f"{TABLE}.status = %s", "guide.status = %s"]
    else:
        source = TABLE
        where = [f"{TABLE}.parent_id IS NULL", f"{TABLE}.slug = %s"]
        if not preview:
            where.append(f"{TABLE}.status = %s")
    return f"SELECT {TABLE}.*, {columns} FROM {source} WHERE {' AND '.join(where)}"  # noqa: S608 - constant SQL


def find_page(*, slug: str, subpage_slug: str | None = None, preview: bool = False) -> Page:
    """The live page at this address (drafts too with `preview`), with `versions`; Http404 if none.

    `page.versions` maps each version's name to an opaque string for cache keys. A
    sub-page's guide comes from `guide_family`, so it is cached with the guide's pages.
    """
    params = [slug] if subpage_slug is None else [slug, subpage_slug]
    if not preview:
        params += [Page.Status.PUBLISHED] * (1 if subpage_slug is None else 2)
    found = list(Page.objects.raw(lookup_sql(subpage=subpage_slug is not None, preview=preview), params))
    if not found:
        raise Http404("No page matches the given query.")
    page = found[0]
    page.versions = {name: str(getattr(page, name)).replace(" ", "T") for name in version_sql()}
    if page.parent_id:
        page.parent = guide_family(page)[0]
    return page


def guide_family(page: Page) -> list[Page]:
    """The guide of `page` and all its sub-pages, drafts included, in guide order: one query, then cached."""
    cache = caches[FRAGMENTS]
    guide_id = page.parent_id or page.pk
    key = f"conditions:family:{guide_id}:{page.versions['content_version']}"
    family = cache.get(key)
    if family is None:
        pages = list(Page.objects.filter(Q(pk=guide_id) | Q(parent_id=guide_id)).order_by("order", "pk"))
        guide = next(p for p in pages if p.pk == guide_id)
        family = [guide, *(p for p in pages if p.pk != guide_id)]
        cache.set(key, family)
    return family


def fill_csrf_slot(html: str, request) -> str:
    """Cached markup with this reader's own CSRF token (which also sets their CSRF cookie)."""
    return html.replace(CSRF_SLOT, get_token(request))
