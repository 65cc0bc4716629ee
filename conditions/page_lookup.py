"""The condition page's lookup: its versions in one small query, then the page with its counter rows.

Every view of a condition page starts here. The page comes with counter rows, whose
versions the keys of the page's cached fragments carry, so a cached fragment is never stale
and costs no query of its own. Database triggers move each counter in the same transaction
as every write that changes what it counts (conditions.version_triggers), so the versions
are exact by construction, whatever made the change:

- `content_version`: the guide's `ContentVersion` row (any page, section or related link of
  the guide, including a sub-page's publish, unpublish, move or delete).
- one per other app that shows something on condition pages: an app's `page_versions.py`
  holds `VERSIONS = {name: Counter(...)}`, each naming a reverse one-to-one relation of
  `Page` to a counter row with a `version` column (conditions never imports the other apps).

A version is "row id.version" (a recreated row has a new id, so a version never repeats).
A missing row is "empty" where that always shows the same (no rating summary: no ratings
counted); otherwise it is None, and what it versions is then never cached.

`find_page_versions` reads only the ids and versions, by SQL the ORM compiles once per
process: enough for the whole page's key (conditions.views.page_detail), so a page served
whole from the cache costs one small query and no ORM work (none for a shared reader while
the process's memo of versions is trusted: conditions.versions_memo). `find_page` then takes the page
and the rows it joins from the cache under those versions (every field they hold moves one),
or reads them in one query.
"""

import functools
from typing import NamedTuple

from django.db import connection
from django.db.models import Q
from django.http import Http404

from . import page_cache, versions_memo
from .app_modules import app_modules
from .models import Page


class Counter(NamedTuple):
    """A page's counter row in another app: its reverse one-to-one name on `Page`."""

    related: str
    # True when a page without the row always shows the same thing (so it may be cached).
    missing_is_empty: bool = False
    # Other one-to-one rows the app reads when its part is built afresh, joined the same way.
    joins: tuple[str, ...] = ()


@functools.cache
def related_versions() -> dict[str, Counter]:
    """Each other app's version name and the counter row that holds it."""
    versions = {}
    for module in app_modules("page_versions"):
        versions.update(module.VERSIONS)
    return versions


def counter_version(row, *, missing_is_empty: bool = False) -> str | None:
    if row is None:
        return "empty" if missing_is_empty else None
    return version_of(row.pk, row.version)


def version_of(row_id: int | None, version: int | None, *, missing_is_empty: bool = False) -> str | None:
    if row_id is None:
        return "empty" if missing_is_empty else None
    return f"{row_id}.{version}"


class PageVersions(NamedTuple):
    """A page's id and versions (`find_page_versions`): enough for page_cache.key and page_key."""

    pk: int
    versions: dict[str, str | None]


# Stand-ins for the address's slugs while the ORM compiles the lookup (`_versions_sql`).
SLUG, SUBPAGE_SLUG = "\x00slug\x00", "\x00subpage\x00"


@functools.cache
def _versions_sql(*, subpage: bool, preview: bool, vendor: str) -> tuple[str, tuple]:
    """The versions lookup as the ORM writes it for `vendor`: (SQL, parameters with the stand-ins)."""
    guide = "parent__" if subpage else ""
    pages = Page.objects.order_by()
    if subpage:
        pages = pages.filter(parent__parent__isnull=True, parent__slug=SLUG, slug=SUBPAGE_SLUG)
        if not preview:
            pages = pages.filter(status=Page.Status.PUBLISHED, parent__status=Page.Status.PUBLISHED)
    else:
        pages = pages.filter(parent__isnull=True, slug=SLUG)
        if not preview:
            pages = pages.filter(status=Page.Status.PUBLISHED)
    columns = ["pk", f"{guide}content_version__pk", f"{guide}content_version__version"]
    for counter in related_versions().values():
        columns += [f"{counter.related}__pk", f"{counter.related}__version"]
    return pages.values_list(*columns).query.sql_with_params()


def find_page_versions(
    *,
    slug: str,
    subpage_slug: str | None = None,
    preview: bool = False,
    remembered: bool = False,
    writer: str | None = None,
) -> PageVersions:
    """What `find_page` would give as `page.pk` and `page.versions`, in one small query; Http404 if no page.

    `remembered`: from this process's memo when it can be trusted (conditions.versions_memo),
    for readers who wrote nothing, as it lags others' changes by a notification's delivery,
    and for a member (`writer`, their own version), whom it never shows a page older than
    their own last write.
    """
    if remembered:
        address = {"slug": slug, "subpage_slug": subpage_slug, "preview": preview}
        return versions_memo.remembered(
            (slug, subpage_slug, preview), lambda: find_page_versions(**address), writer=writer
        )
    sql, params = _versions_sql(subpage=subpage_slug is not None, preview=preview, vendor=connection.vendor)
    values = {SLUG: slug, SUBPAGE_SLUG: subpage_slug}
    with connection.cursor() as cursor:
        cursor.execute(sql, [values.get(param, param) for param in params])
        row = cursor.fetchone()
    if row is None:
        raise Http404("No page matches the given query.")
    page_id, content_id, content_version, *counted = row
    versions = {"content_version": version_of(content_id, content_version)}
    for (name, counter), (row_id, version) in zip(
        related_versions().items(), zip(counted[::2], counted[1::2], strict=True), strict=True
    ):
        versions[name] = version_of(row_id, version, missing_is_empty=counter.missing_is_empty)
    return PageVersions(page_id, versions)


def find_page(
    *, slug: str, subpage_slug: str | None = None, preview: bool = False, versions: PageVersions | None = None
) -> Page:
    """The live page at this address (drafts too with `preview`), with `versions`; Http404 if none.

    Its versions first (`find_page_versions`, unless the caller has them), then the page with
    its guide (for a sub-page) and every counter row: from the cache under those versions,
    since every field of every row it joins moves one of them, or else in one query.
    `page.versions` maps each version's name to an opaque string for cache keys, or None.
    """
    found = versions or find_page_versions(slug=slug, subpage_slug=subpage_slug, preview=preview)
    key = page_cache.key("conditions:page-rows", found, *found.versions, extra=str(preview))
    return page_cache.get_or_build(key, lambda: _page_with_counters(slug, subpage_slug, preview=preview))


def _page_with_counters(slug: str, subpage_slug: str | None, *, preview: bool) -> Page:
    """One query: the page, its guide (for a sub-page) and every counter row, joined."""
    joined = [name for counter in related_versions().values() for name in (counter.related, *counter.joins)]
    pages = Page.objects.order_by().select_related(*joined)
    if subpage_slug is None:
        pages = pages.select_related("content_version").filter(parent__isnull=True, slug=slug)
        if not preview:
            pages = pages.filter(status=Page.Status.PUBLISHED)
    else:
        pages = pages.select_related("parent__content_version").filter(
            parent__parent__isnull=True, parent__slug=slug, slug=subpage_slug
        )
        if not preview:
            pages = pages.filter(status=Page.Status.PUBLISHED, parent__status=Page.Status.PUBLISHED)
    page = next(iter(pages), None)
    if page is None:
        raise Http404("No page matches the given query.")
    page.versions = {"content_version": counter_version(getattr(page.guide, "content_version", None))}
    for name, counter in related_versions().items():
        row = getattr(page, counter.related, None)
        page.versions[name] = counter_version(row, missing_is_empty=counter.missing_is_empty)
    return page


def guide_family(page: Page) -> list[Page]:
    """The guide of `page` and all its sub-pages, drafts included, in guide order: one query, then cached."""
    guide = page.guide

    def build():
        pages = list(Page.objects.filter(Q(pk=guide.pk) | Q(parent_id=guide.pk)).order_by("order", "pk"))
        return [next(p for p in pages if p.pk == guide.pk), *(p for p in pages if p.pk != guide.pk)]

    # Keyed by the guide (a sub-page's family is its guide's) and the guide's content version.
    return page_cache.get_or_build(page_cache.key("conditions:family", page, "content_version", owner=guide), build)
