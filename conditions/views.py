import string
from itertools import groupby

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from .forms import SearchForm
from .models import Page
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


def search(request):
    form = SearchForm(request.GET)
    results = None
    status = 200
    if not form.is_bound or "q" not in request.GET:
        form = SearchForm()
    elif form.is_valid():
        terms = form.cleaned_data["q"]
        if terms:
            results = list(Page.objects.published().select_related("parent").search(terms)[:50])
    else:
        status = 400
    return render(request, "conditions/page_search.html", {"form": form, "results": results}, status=status)


def page_detail(request, slug, subpage_slug=None):
    pages = Page.objects.select_related("parent")
    preview = can_preview_drafts(request.user)
    if not preview:
        pages = pages.published()
    if subpage_slug is None:
        page = get_object_or_404(pages, parent__isnull=True, slug=slug)
    else:
        page = get_object_or_404(pages, parent__slug=slug, parent__parent__isnull=True, slug=subpage_slug)

    guide = page.guide
    guide_pages = [guide, *guide.subpages.order_by("order", "pk")]
    if not preview:
        guide_pages = [p for p in guide_pages if p.is_published]
    for guide_page in guide_pages[1:]:
        guide_page.parent = guide  # saves a query per link when building URLs
    if page not in guide_pages:  # pragma: no cover - get_object_or_404 already filtered
        raise Http404
    position = guide_pages.index(page)

    sections = list(page.sections.select_related("read_more"))
    visible_ids = {guide_page.pk for guide_page in guide_pages}
    for section in sections:
        if section.read_more_id not in visible_ids:
            section.read_more = None  # never link readers to a draft
        elif section.read_more is not None:
            section.read_more.parent = guide
    related_links = list(page.related_links.all())

    breadcrumbs = [("Home", reverse("conditions:home")), ("Health A to Z", reverse("conditions:a_to_z"))]
    if not page.is_condition:
        breadcrumbs.append((guide.title, guide.get_absolute_url()))
    contents = [
        {"text": guide_page.nav_title, "href": guide_page.get_absolute_url(), "current": guide_page == page}
        for guide_page in guide_pages
    ]
    previous_page = guide_pages[position - 1] if position > 0 else None
    next_page = guide_pages[position + 1] if position + 1 < len(guide_pages) else None
    context = {
        "page": page,
        "guide": guide,
        "is_preview": not page.is_published or not guide.is_published,
        "breadcrumbs": breadcrumbs,
        "contents": contents if len(contents) > 1 else [],
        "previous": previous_page and {"href": previous_page.get_absolute_url(), "label": previous_page.nav_title},
        "next": next_page and {"href": next_page.get_absolute_url(), "label": next_page.nav_title},
        "sections": sections,
        "related_links": related_links,
        "json_ld": page_json_ld(request, page, guide, sections, breadcrumbs),
    }
    return render(request, "conditions/page_detail.html", context)
