import functools
from dataclasses import dataclass, replace
from datetime import datetime

from django import template
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from accounts.models import member_version
from conditions import page_cache
from dystonia_portal.confirmations import confirmations_for
from dystonia_portal.readers import session_key

from ..forms import CommentForm, form_started_token
from ..models import EDIT_WINDOW, Comment, CommentSettings, Report

register = template.Library()

PER_PAGE = 20
PAGE_PARAMETER = "comments-page"


def _page_href(request, number):
    query = request.GET.copy()
    query[PAGE_PARAMETER] = number
    return f"?{query.urlencode()}#comments"


@dataclass(frozen=True, slots=True)
class Entry:
    """One comment as the thread shows it (comment.html): what every reader sees of it, worked
    out once per version of the thread, and what its actions need, which differ from reader to
    reader."""

    pk: int
    author_id: int | None
    author_name: str
    created_at: datetime
    created_on: str  # "29 March 2014", as the byline says it
    text: str
    clinical_note: str  # the clinical team's note under it, or ""
    report_url: str
    # Posted before the page was last reviewed on `last_reviewed_on` ("" if not).
    last_reviewed_on: str = ""
    # The author's own held or hidden comment, which only they see.
    waiting: bool = False
    hidden: bool = False
    # The whole comment as readers who may report it see it, for a published one.
    html: SafeString = SafeString("")

    # Only the author's actions, worked out when they are shown, so nothing cached names them.
    def can_still_be_edited(self) -> bool:
        return timezone.now() < self.created_at + EDIT_WINDOW

    def edit_url(self) -> str:
        return reverse("comments:edit", args=[self.pk])

    def delete_url(self) -> str:
        return reverse("comments:delete", args=[self.pk])


def _entries(page, comments, *, waiting: bool) -> list[Entry]:
    last_reviewed = page.last_reviewed
    entries = []
    for comment in comments:
        posted_on = timezone.localtime(comment.created_at).date()
        note = None if waiting else comment.clinical_note_shown
        entry = Entry(
            pk=comment.pk,
            author_id=comment.author_id,
            author_name=comment.author_name,
            created_at=comment.created_at,
            created_on=dateformat.format(posted_on, "j F Y"),
            text=comment.text,
            clinical_note=note.text if note is not None else "",
            report_url=comment.get_report_url(),
            last_reviewed_on=(
                dateformat.format(last_reviewed, "j F Y") if last_reviewed and posted_on < last_reviewed else ""
            ),
            waiting=waiting,
            hidden=comment.status == Comment.Status.HIDDEN,
        )
        entries.append(entry if waiting else replace(entry, html=_comment_html(entry, "report")))
    return entries


def _render(template_name, context) -> SafeString:
    return mark_safe(render_to_string(template_name, context))  # noqa: S308 - our own rendered template


def _comment_html(entry: Entry, action: str) -> SafeString:
    """The comment with this reader's `action`: "own" (Change, Delete), "reported" or "report"."""
    if action == "report" and entry.html:
        return entry.html
    return _render("comments/comment.html", {"entry": entry, "action": action})


@dataclass(frozen=True, slots=True)
class ThreadPage:
    """One page of the thread as every reader sees it: its comments, their count and the page links."""

    entries: list[Entry]
    count: int
    closed: bool
    number: int
    pagination: SafeString  # thread_pagination.html


@register.simple_tag(takes_context=True)
def comment_thread(context, page):
    """The guide's comments, newest first, 20 to a page, and the form or a sign-in link.

    Cached in layers (conditions.page_cache), each keyed by the thread's and the guide's
    versions and the comments page:
    - the page of comments (`ThreadPage`: each comment's text and byline rendered once, the
      count and page links), which every reader shares;
    - the whole thread for a signed-out reader, whose thread (no form, no delete links) is
      the same for everyone;
    - for a member, their own thread: the page of comments with their own parts added (their
      actions on each comment: Change and Delete on their own, "You reported this" on those
      they reported; their held and hidden comments on the first page; the form), kept for
      them alone under their own version (`page_cache.member_key`), with slots for their
      tokens. Its key also names their comments they can still change, so the Change links
      go when the edit window closes.

    One query on a miss, for one page of comments with their authors (the count, kept by
    triggers, and the settings come joined to the condition page's own query). A member's
    own parts cost three more, only when their version moved (`_members_own`). A signed-out
    reader with a session costs one (their reports here); if they reported any, the thread
    is theirs alone. `failed_form` in the context is a comment form sent from this page and
    refused: it is shown with its errors and the words as typed, and never cached.
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
    reported = _reported_by_anonymous_reader(request, page) if not user.is_authenticated else None
    confirmations = confirmations_for(request, "comments")

    page_key = None
    if own_link:
        page_key = page_cache.key("comments:page", page, "comment_version", "content_version", extra=number)

    @functools.cache
    def thread_page():
        return page_cache.get_or_build(page_key, lambda: _thread_page(request, page))

    if user.is_authenticated:
        cached = own_link and not confirmations and form is None
        return _members_thread(
            request, user, page, thread_page, page_key, form=form, confirmations=confirmations, cached=cached
        )
    key = None
    if page_cache.shares_fragments(request) and own_link and not reported and not confirmations:
        key = page_cache.key("comments:thread", page, "comment_version", "content_version", extra=number)

    def build():
        context = {
            **_reader_context(request, user, page, thread_page(), form=form, reported=reported or set()),
            "confirmations": confirmations,
        }
        return render_to_string("comments/thread.html", context, request=request)

    return page_cache.get_or_build(key, build)


def _members_thread(request, user, page, thread_page, page_key, *, form, confirmations, cached: bool) -> str:
    """A member's thread: the page of comments (`thread_page()`, kept at `page_key`) with their
    own parts (`_members_own`), kept when `cached`: for every member with nothing of their own
    on it alike, else for them alone under their own version; with slots for their CSRF and
    form tokens."""
    member = member_version(user)
    own_key = page_cache.member_key("comments:own", page, member, "content_version")
    own = page_cache.get_or_build(own_key, lambda: _members_own(user, page))
    key = None
    if cached:
        number = request.GET.get(PAGE_PARAMETER, "1")
        # Who wrote the comments shown and which they are, kept beside them: cheaper to read
        # on every request than the whole page of comments.
        people_key = page_key and f"{page_key}:people"
        shown = page_cache.get_or_build(people_key, lambda: _people_shown(thread_page()))
        if _shows_nothing_of_theirs(user, own, shown):
            # The same for every member with nothing of their own on this page of the thread.
            key = page_cache.key("comments:members-thread", page, "comment_version", "content_version", extra=number)
        else:
            # Their comments still showing a Change link: when an edit window closes, the key moves.
            now = timezone.now()
            editable = ",".join(str(pk) for pk, created_at in own.recent if now < created_at + EDIT_WINDOW)
            key = page_cache.member_key(
                "comments:member-thread",
                page,
                member,
                "comment_version",
                "content_version",
                extra=f"{number}:{editable}",
            )

    def build(slots):
        context = {
            **_reader_context(request, user, page, thread_page(), form=form, own=own, started=slots.get("started")),
            "confirmations": confirmations,
            **slots,
        }
        return render_to_string("comments/thread.html", context, request=request)

    html = page_cache.get_or_build_with_token(key, request, build, {"started": form_started_token})
    return mark_safe(html)  # noqa: S308 - our own rendered template


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


def _thread_page(request, page) -> ThreadPage:
    """The requested page of the thread's published comments: one query."""
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
    pagination = {
        "page_links": page_links,
        "previous_href": _page_href(request, page_obj.previous_page_number()) if page_obj.has_previous() else "",
        "next_href": _page_href(request, page_obj.next_page_number()) if page_obj.has_next() else "",
    }
    return ThreadPage(
        entries=_entries(page, page_obj.object_list, waiting=False),
        count=count,
        closed=closed,
        number=page_obj.number,
        pagination=_render("comments/thread_pagination.html", pagination),
    )


@dataclass(frozen=True, slots=True)
class MembersOwn:
    """A member's own parts of a guide's thread: their comments there waiting for a moderator (held
    or hidden, shown at the top of the first page), the ids of the comments there they reported,
    and (id, posted) of their comments there that could still be changed when this was read."""

    waiting: list[Entry]
    reported: frozenset[int]
    recent: tuple[tuple[int, datetime], ...]


def _reader_context(
    request,
    user,
    page,
    thread_page: ThreadPage,
    *,
    form,
    reported=frozenset(),
    own: MembersOwn | None = None,
    started=None,
):
    """`thread_page` with this reader's own parts: what they can do with each comment (Change
    and Delete their own, report the others or see that they did), their comments waiting
    for a moderator (`own`, for a member), and the form (its timestamp token `started`, a
    kept thread's stand-in, when given, else a fresh one)."""
    entries = thread_page.entries
    if own is not None:
        reported = own.reported
        if thread_page.number == 1:
            entries = [*own.waiting, *entries]
    comments = []
    for entry in entries:
        if user.is_authenticated and entry.author_id == user.pk:
            comments.append(_comment_html(entry, "own"))
        else:
            comments.append(_comment_html(entry, "reported" if entry.pk in reported else "report"))
    closed = thread_page.closed
    if form is None and user.is_authenticated and not closed:
        form = CommentForm()
    back_here = urlencode({"next": page.get_absolute_url() + "#comments"})
    form = None if closed else form
    return {
        "page": page,
        "comments": comments,
        "count": thread_page.count,
        "pagination": thread_page.pagination,
        "closed": closed,
        "form": form,
        "form_fields": _form_fields(form, started=started) if form is not None else "",
        "failed_form": form if form is not None and form.is_bound else None,
        "post_url": reverse("comments:post", args=[page.slug]),
        "sign_in_url": reverse("accounts:signin") + "?" + back_here,
        "sign_up_url": reverse("accounts:signup") + "?" + back_here,
    }


def _form_fields(form: CommentForm, *, started: str | None = None) -> SafeString:
    """The comment form's fields: a form sent back with its errors as it is, a blank one from the
    cache, the same for everyone but the timestamp token each reader gets afresh (or `started`,
    a stand-in for it in a member's kept thread)."""
    if form.is_bound:
        return _render("comments/comment_fields.html", {"form": form})
    html = page_cache.get_or_build_with_slots(
        "comments:blank-form-fields",
        lambda context: render_to_string(
            "comments/comment_fields.html", {"form": CommentForm(started=context.get("started"))}
        ),
        {"started": (lambda: started) if started is not None else form_started_token},
    )
    return mark_safe(html)  # noqa: S308 - our own rendered template


def _members_own(user, page) -> MembersOwn:
    """This member's own parts of `page`'s thread (`MembersOwn`): three plain queries, cheaper for
    the ORM to write than one that would ask all of them, and run only when their version moved."""
    reported = Report.objects.made_by(user=user).filter(comment__page=page).values_list("comment_id", flat=True)
    waiting = _entries(
        page,
        Comment.objects.waiting_for_moderator_to(user, on=page)
        .select_related("author__profile")
        .order_by("-created_at", "-pk"),
        waiting=True,
    )
    published = (
        Comment.objects.visible()
        .filter(page=page, author=user, created_at__gt=timezone.now() - EDIT_WINDOW)
        .values_list("pk", "created_at")
    )
    recent = (*((entry.pk, entry.created_at) for entry in waiting), *published)
    return MembersOwn(waiting=waiting, reported=frozenset(reported), recent=tuple(recent))


@dataclass(frozen=True, slots=True)
class PeopleShown:
    """Who wrote the comments on one page of the thread, and which comments they are."""

    number: int
    authors: frozenset[int]
    comments: frozenset[int]


def _people_shown(thread_page: ThreadPage) -> PeopleShown:
    return PeopleShown(
        number=thread_page.number,
        authors=frozenset(entry.author_id for entry in thread_page.entries if entry.author_id is not None),
        comments=frozenset(entry.pk for entry in thread_page.entries),
    )


def _shows_nothing_of_theirs(user, own: MembersOwn, shown: PeopleShown) -> bool:
    """Whether this page of the thread looks to this member as to any other: none of their
    comments waiting (shown on the first page), none of the comments on it theirs or reported by them."""
    if own.waiting and shown.number == 1:
        return False
    return user.pk not in shown.authors and own.reported.isdisjoint(shown.comments)
