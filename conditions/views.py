import hashlib
import string
from functools import partial
from itertools import groupby
from urllib.parse import urlencode

from django.core.paginator import EmptyPage
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject, cached_property

from accounts.models import member_version

from . import page_cache
from .forms import SearchForm
from .models import Page
from .page_cache import reads_shared_page
from .page_lookup import find_page, find_page_versions, guide_family
from .search import pages_search, search_version
from .structured_data import page_json_ld


def can_preview_drafts(user):
    return user.is_active and user.is_staff and user.has_perm("conditions.view_page")


def home(request):
    conditions = Page.objects.published().conditions().only("title", "slug", "summary", "parent")
    return render(request, "conditions/home.html", {"conditions": conditions})


def a_to_z(request):
    conditions = Page.objects.published().conditions().only("title", "slug", "summary", "parent").order_by("title")
    groups = [(letter, list(pages)) for letter, pages in groupby(conditions, key=lambda page: page.title[:1].upper())]
    letters_with_pages = {letter for letter, _ in groups}
    letters = [(letter, letter in letters_with_pages) for letter in string.ascii_uppercase]
    context = {"groups": groups, "letters": letters, "breadcrumbs": [("Home", reverse("conditions:home"))]}
    return render(request, "conditions/page_a_to_z.html", context)


def site_map(request):
    """The site map for people (sitemap.xml is for search engines): every live guide with its
    sub-pages, then the site's own pages. One query; public and cacheable like the A to Z."""
    pages = (
        Page.objects.published()
        .select_related("parent")
        .only("title", "short_title", "slug", "order", "parent", "parent__slug", "parent__status")
    )
    subpages = {}
    for page in sorted(pages, key=lambda page: (page.order, page.title)):
        if page.parent_id:
            subpages.setdefault(page.parent_id, []).append(page)
    guides = [
        (guide, subpages.get(guide.pk, []))
        for guide in sorted((page for page in pages if page.parent_id is None), key=lambda page: page.title.lower())
    ]
    context = {"guides": guides, "breadcrumbs": [("Home", reverse("conditions:home"))]}
    return render(request, "conditions/site_map.html", context)


def reads_shared_search(request) -> bool:
    """A shared reader (conditions.page_cache) on a search address: their results page has no
    form of theirs, so it can come whole from the cache."""
    return (
        request.method in ("GET", "HEAD")
        and set(request.GET) <= {"q", "page"}
        and page_cache.is_shared_reader(request)
    )


def search(request):
    form = SearchForm(request.GET)
    found = None
    status = 200
    shared = False
    if not form.is_bound or "q" not in request.GET:
        form = SearchForm()
    elif form.is_valid():
        terms = form.cleaned_data["q"]
        if terms:
            page_number = request.GET.get("page", "1")
            if not page_number.isdigit() or not 1 <= int(page_number) <= 1000:
                raise Http404("No such page of results.")
            # Readers with no session share whole results pages, cached with the search version
            # they were made at (PostgreSQL): one small query says whether one is still right.
            shared = reads_shared_search(request) and connection.vendor == "postgresql"
            if shared:
                address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
                key = "conditions:search:" + hashlib.sha256(address.encode()).hexdigest()
                cached = page_cache.get(key)  # (search version, page)
                if cached is not None and cached[0] is not None and cached[0] == search_version():
                    return HttpResponse(cached[1])
            try:
                found = pages_search(terms=terms, page_number=int(page_number))
            except EmptyPage:
                raise Http404("No such page of results.") from None
    else:
        status = 400
    context = {"form": form, "found": found, "base_query": urlencode({"q": form.cleaned_data["q"]}) if found else ""}
    response = render(request, "conditions/page_search.html", context, status=status)
    if shared and found.version is not None:
        page_cache.put(key, (found.version, response.content.decode()))
    return response


class PageContent:
    """What a condition page shows that is the same for every reader, worked out only when needed.

    The template reads it inside a fragment cache keyed by the page's content version, so on
    a warm cache none of these queries run.
    """

    def __init__(self, request, page, *, preview):
        self.request, self.page, self.guide, self.preview = request, page, page.guide, preview

    @cached_property
    def guide_pages(self):
        guide = self.guide
        guide_pages = [guide, *guide_family(self.page)[1:]]
        if not self.preview:
            guide_pages = [p for p in guide_pages if p.is_published]
        for guide_page in guide_pages[1:]:
            guide_page.parent = guide  # saves a query per link when building URLs
        return guide_pages

    @cached_property
    def sections(self):
        sections = list(self.page.sections.select_related("read_more"))
        visible_ids = {guide_page.pk for guide_page in self.guide_pages}
        for section in sections:
            if section.read_more_id not in visible_ids:
                section.read_more = None  # never link readers to a draft
            elif section.read_more is not None:
                section.read_more.parent = self.guide
        return sections

    @cached_property
    def related_links(self):
        return list(self.page.related_links.all())

    @cached_property
    def contents(self):
        contents = [
            {"text": p.nav_title, "href": p.get_absolute_url(), "current": p == self.page} for p in self.guide_pages
        ]
        return contents if len(contents) > 1 else []

    def _neighbour(self, step):
        position = self.guide_pages.index(self.page) + step
        if 0 <= position < len(self.guide_pages):
            neighbour = self.guide_pages[position]
            return {"href": neighbour.get_absolute_url(), "label": neighbour.nav_title}
        return None

    @cached_property
    def previous(self):
        return self._neighbour(-1)

    @cached_property
    def next(self):
        return self._neighbour(+1)

    @cached_property
    def json_ld(self):
        return page_json_ld(self.request, self.page, self.guide, self.sections, breadcrumbs_for(self.page))


def breadcrumbs_for(page):
    breadcrumbs = [("Home", reverse("conditions:home")), ("Health A to Z", reverse("conditions:a_to_z"))]
    if not page.is_condition:
        breadcrumbs.append((page.guide.title, page.guide.get_absolute_url()))
    return breadcrumbs


def _page_context(request, page, *, preview, failed_form=None):
    guide = page.guide
    content_key = page_cache.content_key(page, preview=preview)
    return {
        "page": page,
        "guide": guide,
        "is_preview": not page.is_published or not guide.is_published,
        # Only the page around the reader's own parts shows them: made only when it is built.
        "breadcrumbs": SimpleLazyObject(lambda: breadcrumbs_for(page)),
        "content": PageContent(request, page, preview=preview),
        "content_version": content_key,
        # Without its counter row the guide's content is never cached (a zero timeout stores nothing).
        "fragment_seconds": page_cache.FRAGMENT_SECONDS if content_key else 0,
        # A form on this page that was sent and refused; the app that owns it shows its errors.
        "failed_form": failed_form,
    }


def page_detail(request, slug, subpage_slug=None):
    """A condition page or sub-page. What is cached, and for whom, is conditions.page_cache's to say."""
    shared = reads_shared_page(request)
    # A shared reader is signed out, so never an editor previewing drafts.
    preview = not shared and can_preview_drafts(request.user)
    # A member's own version, which each of their writes moves (none when previewing drafts).
    writer = None if shared or preview else member_version(request.user)
    # The page's versions alone, in one small query (for a shared reader or a member, none
    # while this process's memo of them can be trusted); for a shared reader, its whole page's key.
    where = {"slug": slug, "subpage_slug": subpage_slug, "preview": preview}
    # (Read already, for a shared reader, when CacheHeadersMiddleware found no page kept.)
    versions = (shared and page_cache.versions_read(request)) or find_page_versions(
        **where, remembered=shared or writer is not None, writer=writer
    )
    whole_page_key = page_cache.page_key(request, versions, preview=preview) if shared else None
    content = page_cache.get(whole_page_key)  # kept encoded, as it is sent
    if content is not None:
        return HttpResponse(content)
    page = find_page(slug=slug, subpage_slug=subpage_slug, preview=preview, versions=versions)
    context = _page_context(request, page, preview=preview)
    # The page around this reader's own parts is kept; a rating sent back with errors is
    # shown on a page rendered whole (it is a POST, never the page's own address).
    frame_key = page_cache.frame_key(request, versions, preview=preview)
    response = HttpResponse(page_cache.render_frame(request, "conditions/page_detail.html", context, frame_key))
    # Kept with how its address finds its versions, so the next shared reader is answered sooner.
    find_versions = partial(find_page_versions, **where, remembered=True)
    page_cache.keep_page(request, whole_page_key, response.content, find_versions)
    return response


def page_with_failed_form(request, slug, form, *, status=400):
    """The condition page again with `form` (sent from it, and refused) showing its errors and the words
    as typed, so errors appear on the page the form was on. Never cached: a refused form is one reader's."""
    preview = can_preview_drafts(request.user)
    page = find_page(slug=slug, subpage_slug=None, preview=preview)
    context = _page_context(request, page, preview=preview, failed_form=form)
    return render(request, "conditions/page_detail.html", context, status=status)
