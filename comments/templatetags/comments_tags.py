from django import template
from django.core.cache import caches
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode

from .. import page_versions
from ..forms import CommentForm
from ..models import Comment, CommentSettings

register = template.Library()

PER_PAGE = 20
PAGE_PARAMETER = "comments-page"


def _page_href(request, number):
    query = request.GET.copy()
    query[PAGE_PARAMETER] = number
    return f"?{query.urlencode()}#comments"


# A thread is cached by its version (comments/page_versions.py); an author renaming their
# account is the one change the version does not see, so a cached thread lives ten minutes.
THREAD_CACHE_SECONDS = 600


@register.simple_tag(takes_context=True)
def comment_thread(context, page):
    """The guide's comments, newest first, 20 to a page, and the form or a sign-in link.

    Three queries whatever the number of comments: the thread's settings, the count
    for pagination, and one page of comments with their authors. When the condition
    page's query brought the thread's version, that gives the count and the settings,
    leaving one query; and none for an anonymous reader, since what they see
    (no form, no delete links) is the same for everyone, so it is cached per page, thread
    version and query string. Signed-in readers get their own (their form and delete links).
    """
    request = context["request"]
    user = context["user"]
    versions = getattr(page, "versions", None)
    number = request.GET.get(PAGE_PARAMETER, "1")
    # Only the thread's own page links are cached, so made-up query strings cannot fill the cache.
    own_link = set(request.GET) <= {PAGE_PARAMETER} and number.isdigit() and len(number) <= 4
    if user.is_authenticated or versions is None or not own_link:
        return render_to_string("comments/thread.html", _thread_context(request, user, page), request=request)
    cache = caches["fragments"]
    key = (
        f"comments:thread:{page.pk}:{versions['comment_version']}:{versions['content_version']}:"
        f"{request.GET.urlencode()}"
    )
    html = cache.get(key)
    if html is None:
        html = render_to_string("comments/thread.html", _thread_context(request, user, page), request=request)
        cache.set(key, html, THREAD_CACHE_SECONDS)
    return html


def _thread_context(request, user, page):
    versions = getattr(page, "versions", None)
    known = page_versions.parse(versions["comment_version"]) if versions else None
    closed = known.closed if known else CommentSettings.for_page(page).closed
    comments = (
        Comment.objects.visible().filter(page=page).select_related("author__profile").order_by("-created_at", "-pk")
    )
    paginator = Paginator(comments, PER_PAGE)
    if known:
        paginator.count = known.count  # counted by the page's own query a moment ago
    page_obj = paginator.get_page(request.GET.get(PAGE_PARAMETER))
    page_links = []
    if paginator.num_pages > 1:
        for number in paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1):
            if number == Paginator.ELLIPSIS:
                page_links.append({"ellipsis": True})
            else:
                page_links.append(
                    {"number": number, "href": _page_href(request, number), "current": number == page_obj.number}
                )
    back_here = urlencode({"next": page.get_absolute_url() + "#comments"})
    return {
        "page": page,
        "user": user,
        "comments": list(page_obj.object_list),
        "count": paginator.count,
        "page_links": page_links,
        "previous_href": _page_href(request, page_obj.previous_page_number()) if page_obj.has_previous() else "",
        "next_href": _page_href(request, page_obj.next_page_number()) if page_obj.has_next() else "",
        "closed": closed,
        "form": CommentForm() if user.is_authenticated and not closed else None,
        "post_url": reverse("comments:post", args=[page.slug]),
        "sign_in_url": reverse("accounts:signin") + "?" + back_here,
        "sign_up_url": reverse("accounts:signup") + "?" + back_here,
    }
