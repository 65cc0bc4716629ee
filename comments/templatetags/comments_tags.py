from django import template
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.http import urlencode

from ..forms import CommentForm
from ..models import Comment, CommentSettings

register = template.Library()

PER_PAGE = 20
PAGE_PARAMETER = "comments-page"


def _page_href(request, number):
    query = request.GET.copy()
    query[PAGE_PARAMETER] = number
    return f"?{query.urlencode()}#comments"


@register.inclusion_tag("comments/thread.html", takes_context=True)
def comment_thread(context, page):
    """The guide's comments, newest first, 20 to a page, and the form or a sign-in link.

    Three queries whatever the number of comments: the thread's settings, the count
    for pagination, and one page of comments with their authors.
    """
    request = context["request"]
    user = context["user"]
    thread = CommentSettings.for_page(page)
    comments = Comment.objects.visible().filter(page=page).select_related("author").order_by("-created_at", "-pk")
    paginator = Paginator(comments, PER_PAGE)
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
        "closed": thread.closed,
        "form": CommentForm() if user.is_authenticated and not thread.closed else None,
        "post_url": reverse("comments:post", args=[page.slug]),
        "sign_in_url": reverse("accounts:signin") + "?" + back_here,
        "sign_up_url": reverse("accounts:signup") + "?" + back_here,
    }
