from django import template
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode

from conditions import page_cache

from ..forms import CommentForm
from ..models import Comment, CommentSettings

register = template.Library()

PER_PAGE = 20
PAGE_PARAMETER = "comments-page"


def _page_href(request, number):
    query = request.GET.copy()
    query[PAGE_PARAMETER] = number
    return f"?{query.urlencode()}#comments"


@register.simple_tag(takes_context=True)
def comment_thread(context, page):
    """The guide's comments, newest first, 20 to a page, and the form or a sign-in link.

    One query whatever the number of comments, for one page of comments with their authors:
    the thread's count (kept by triggers) and settings come joined to the condition page's
    own query. None for a signed-out reader, since what they see (no form, no delete links)
    is the same for everyone, so it is cached per page, thread version and comments page
    (conditions.page_cache). Signed-in readers get their own (their form and delete links).
    """
    request = context["request"]
    user = context["user"]
    number = request.GET.get(PAGE_PARAMETER, "1")
    # Only the thread's own page links are cached, so made-up query strings cannot fill the cache.
    own_link = set(request.GET) <= {PAGE_PARAMETER} and number.isdigit() and len(number) <= 4
    key = None
    if page_cache.shares_fragments(request) and own_link:
        key = page_cache.key("comments:thread", page, "comment_version", "content_version", extra=number)
    return page_cache.get_or_build(
        key, lambda: render_to_string("comments/thread.html", _thread_context(request, user, page), request=request)
    )


def _thread_facts(page, comments) -> tuple[int, bool]:
    """(published count, closed): from the thread and settings rows the condition page's query
    joined (the triggers keep the count), else read here."""
    thread = getattr(page, "comment_thread", None)
    thread_settings = getattr(page, "comment_settings", None) or CommentSettings(page=page)
    return (thread.published if thread is not None else comments.count()), thread_settings.closed


def _thread_context(request, user, page):
    comments = (
        Comment.objects.visible()
        .filter(page=page)
        .select_related("author__profile", "clinical_note")
        .order_by("-created_at", "-pk")
    )
    count, closed = _thread_facts(page, comments)
    paginator = Paginator(comments, PER_PAGE)
    paginator.count = count
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
