from django import template
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode

from conditions import page_cache
from dystonia_portal.confirmations import confirmations_for
from dystonia_portal.readers import session_key

from ..forms import CommentForm
from ..models import Comment, CommentSettings, Report

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
    (conditions.page_cache). Signed-in readers get their own (their form, delete links, which
    comments they reported, and on the first page one more query for their own comments
    waiting for a moderator). A signed-out reader with a session costs one query (their
    reports here); if they reported any, they get their own thread too. `failed_form` in the
    context is a comment form sent from this page and refused: it is shown with its errors
    and the words as typed.
    """
    request = context["request"]
    user = context["user"]
    failed_form = context.get("failed_form")
    form = failed_form if isinstance(failed_form, CommentForm) else None
    number = request.GET.get(PAGE_PARAMETER, "1")
    # Only the thread's own page links are cached, so made-up query strings cannot fill the cache.
    own_link = set(request.GET) <= {PAGE_PARAMETER} and number.isdigit() and len(number) <= 4
    # A signed-out reader who reported comments here sees "You reported this" on them, and a
    # confirmation (dystonia_portal.confirmations) is one reader's: a thread showing either is
    # theirs alone, so it is never the cached one (nor the whole page: they have a session).
    reported = _reported_by_anonymous_reader(request, page) if not user.is_authenticated else set()
    confirmations = confirmations_for(request, "comments")
    key = None
    if page_cache.shares_fragments(request) and own_link and not reported and not confirmations:
        key = page_cache.key("comments:thread", page, "comment_version", "content_version", extra=number)

    def build():
        context = {
            **_thread_context(request, user, page, form=form, reported=reported),
            "confirmations": confirmations,
        }
        return render_to_string("comments/thread.html", context, request=request)

    return page_cache.get_or_build(key, build)


def _reported_by_anonymous_reader(request, page) -> set[int]:
    """The ids of this page's comments that this signed-out reader reported (by their session):
    no query for a reader without a session, one otherwise."""
    session = getattr(request, "session", None)
    if session is None or session.session_key is None:
        return set()
    reports = Report.objects.made_by(session_hash=session_key(request)).filter(comment__page=page)
    return set(reports.values_list("comment_id", flat=True))


def _thread_facts(page, comments) -> tuple[int, bool]:
    """(published count, closed): from the thread and settings rows the condition page's query
    joined (the triggers keep the count), else read here."""
    thread = getattr(page, "comment_thread", None)
    thread_settings = getattr(page, "comment_settings", None) or CommentSettings(page=page)
    return (thread.published if thread is not None else comments.count()), thread_settings.closed


def _thread_context(request, user, page, *, form, reported):
    comments = (
        Comment.objects.visible()
        .filter(page=page)
        .select_related("author__profile", "clinical_note")
        .order_by("-created_at", "-pk")
    )
    count, closed = _thread_facts(page, comments)
    if user.is_authenticated:
        # Whether this member reported each comment, in the same query as the comments.
        comments = comments.annotate(
            reported_by_reader=Exists(Report.objects.made_by(user=user).filter(comment=OuterRef("pk")))
        )
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
    shown = list(page_obj.object_list)
    if user.is_authenticated:
        reported = {comment.pk for comment in shown if comment.reported_by_reader}
    # The author's own held and hidden comments, at the top of the thread's first page: one query.
    waiting = []
    if user.is_authenticated and page_obj.number == 1:
        waiting = list(
            Comment.objects.waiting_for_moderator_to(user)
            .filter(page=page)
            .select_related("author__profile")
            .order_by("-created_at", "-pk")
        )
    if form is None and user.is_authenticated and not closed:
        form = CommentForm()
    return {
        "page": page,
        "user": user,
        "comments": shown,
        "waiting": waiting,
        "reported": reported,
        "count": paginator.count,
        "page_links": page_links,
        "previous_href": _page_href(request, page_obj.previous_page_number()) if page_obj.has_previous() else "",
        "next_href": _page_href(request, page_obj.next_page_number()) if page_obj.has_next() else "",
        "closed": closed,
        "form": None if closed else form,
        "failed_form": form if form is not None and form.is_bound else None,
        "post_url": reverse("comments:post", args=[page.slug]),
        "sign_in_url": reverse("accounts:signin") + "?" + back_here,
        "sign_up_url": reverse("accounts:signup") + "?" + back_here,
    }
