from django import template
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode

from conditions import page_cache
from dystonia_portal.confirmations import confirmations_for

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

    Three queries whatever the number of comments: the thread's settings, the count
    for pagination, and one page of comments with their authors. When the condition
    page's query brought the thread's version and settings, the count is cached by the
    version, leaving one query; and none for a signed-out reader, since what they see
    (no form, no delete links) is the same for everyone, so it is cached per page, thread
    version and comments page (conditions.page_cache). Signed-in readers get their own
    (their form and delete links).
    """
    request = context["request"]
    user = context["user"]
    number = request.GET.get(PAGE_PARAMETER, "1")
    # Only the thread's own page links are cached, so made-up query strings cannot fill the cache.
    own_link = set(request.GET) <= {PAGE_PARAMETER} and number.isdigit() and len(number) <= 4
    confirmations = confirmations_for(request, "comments")
    key = None
    # A confirmation (dystonia_portal.confirmations) is one reader's: a thread showing one is never cached.
    if page_cache.shares_fragments(request) and own_link and not confirmations:
        key = page_cache.key("comments:thread", page, "comment_version", "content_version", extra=number)

    def build():
        context = {**_thread_context(request, user, page), "confirmations": confirmations}
        return render_to_string("comments/thread.html", context, request=request)

    return page_cache.get_or_build(key, build)


def _thread_facts(page, comments) -> tuple[int, bool]:
    """(published count, closed), cached by the thread's version when the page's query brought it."""

    def build():
        # The condition page's query joined the settings row; elsewhere this reads it.
        thread_settings = getattr(page, "comment_settings", None) or CommentSettings(page=page)
        return comments.count(), thread_settings.closed

    return page_cache.get_or_build(page_cache.key("comments:facts", page, "comment_version"), build)


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
