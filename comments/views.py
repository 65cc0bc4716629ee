import functools

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from conditions.models import Page
from conditions.views import page_with_failed_form
from dystonia_portal.confirmations import confirm, fragment
from dystonia_portal.errors import ServiceError
from dystonia_portal.ratelimit import rate_limit
from dystonia_portal.readers import address_hash, existing_session_key, session_key

from . import services
from .forms import CommentForm, ReportForm
from .models import EDIT_WINDOW, Comment, CommentSettings, Report

NOT_FOUND_COMMENT = "This comment does not exist or has been removed."


def _published_guide(slug):
    return get_object_or_404(Page.objects.published().conditions(), slug=slug)


def _comment_or_404(comments, comment_id):
    """One comment from `comments`, or the same 404 whether the id is hidden from this person or never existed."""
    try:
        return comments.get(pk=comment_id)
    except Comment.DoesNotExist:
        raise Http404(NOT_FOUND_COMMENT) from None


def _needs_help_first(request, text) -> bool:
    """Whether to show where to get help now before anything is sent: the text matches a risk phrase
    and the author has not yet seen the care card for it."""
    return request.POST.get("seen_help") != "yes" and bool(services.risk_phrases_in(text))


def _held_message(comment) -> str:
    if comment.at_risk:
        return (
            "Thank you. A moderator will read your comment soon, before it appears on the page. "
            "If you need help now, call 999 in an emergency, call NHS 111, or call Samaritans free on 116 123."
        )
    if services.looks_personal(comment.text):
        return (
            "Thank you. Your comment will appear once a moderator has checked it, because it may contain "
            "personal details such as an email address or phone number."
        )
    return "Thank you. Your comment will appear once a moderator has checked it."


def _get_help_first(request, form, *, heading, action_url, button, back_url, status=200):
    """The urgent care card, with the author's words kept in the form: they can change them or post."""
    context = {"form": form, "heading": heading, "action_url": action_url, "button": button, "back_url": back_url}
    return render(request, "comments/comment_get_help.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit("comment")
def comment_post(request, slug):
    """The comment form on its own page: where a post lands, and where it comes back to when it fails."""
    page = _published_guide(slug)
    thread = CommentSettings.for_page(page)
    form = CommentForm(request.POST or None)
    help_first = functools.partial(
        _get_help_first,
        request,
        form,
        heading=f"Before you post your comment on {page.title}",
        action_url=reverse("comments:post", args=[page.slug]),
        button="Post comment",
        back_url=page.get_absolute_url() + "#comments",
    )
    if request.method == "POST" and form.is_valid():
        if not thread.closed and _needs_help_first(request, form.cleaned_data["text"]):
            return help_first()
        try:
            comment, created = services.comment_post(page=page, author=request.user, text=form.cleaned_data["text"])
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            if not created:
                confirm(request, "comments", "You have already posted this comment.")
            elif comment.status == Comment.Status.HELD:
                confirm(request, "comments", _held_message(comment))
            else:
                confirm(request, "comments", "Your comment has been posted.")
            return redirect(page.get_absolute_url() + fragment("comments"))
    if form.is_bound and request.POST.get("seen_help") == "yes":
        return help_first(status=400)
    if form.is_bound and request.POST.get("form_page") != "yes":
        # Sent from the condition page: its errors are shown there, under "Add your comment".
        return page_with_failed_form(request, page.slug, form)
    status = 400 if form.is_bound else 200
    return render(
        request, "comments/comment_form.html", {"page": page, "form": form, "closed": thread.closed}, status=status
    )


@require_http_methods(["GET", "POST"])
@login_required
def comment_delete(request, comment_id):
    own = Comment.objects.visible_to(request.user).filter(author=request.user).exclude(status=Comment.Status.REMOVED)
    comment = _comment_or_404(own.select_related("page"), comment_id)
    if request.method == "POST":
        services.comment_delete(comment=comment, user=request.user)
        confirm(request, "comments", "Your comment has been deleted.")
        return redirect(comment.page.get_absolute_url() + fragment("comments"))
    return render(request, "comments/comment_delete.html", {"comment": comment})


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit("comment")
def comment_edit(request, comment_id):
    """The author changes their comment, within 15 minutes of posting it; screened again like a new one."""
    own = Comment.objects.visible_to(request.user).filter(
        author=request.user, status__in=[Comment.Status.PUBLISHED, Comment.Status.HELD]
    )
    comment = _comment_or_404(own.select_related("page"), comment_id)
    form = CommentForm(request.POST or None, initial={"text": comment.text})
    help_first = functools.partial(
        _get_help_first,
        request,
        form,
        heading="Before you save your changes",
        action_url=comment.get_edit_url(),
        button="Save changes",
        back_url=comment.page.get_absolute_url() + "#comments",
    )
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        if comment.can_still_be_edited() and _needs_help_first(request, text):
            return help_first()
        try:
            comment = services.comment_edit(comment=comment, user=request.user, text=text)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            if comment.status == Comment.Status.HELD:
                confirm(request, "comments", _held_message(comment))
            else:
                confirm(request, "comments", "Your comment has been changed.")
            return redirect(comment.page.get_absolute_url() + fragment("comments"))
    if form.is_bound and request.POST.get("seen_help") == "yes":
        return help_first(status=400)
    status = 400 if form.is_bound else 200
    context = {
        "comment": comment,
        "form": form,
        "open": comment.can_still_be_edited(),
        "edit_until": timezone.localtime(comment.created_at + EDIT_WINDOW),
    }
    return render(request, "comments/comment_edit.html", context, status=status)


def _reports_by_reader(request):
    return Report.objects.made_by(user=request.user, session_hash=existing_session_key(request))


@require_http_methods(["GET", "POST"])
@rate_limit("report")
def comment_report(request, comment_id):
    comment = _comment_or_404(
        Comment.objects.reportable_by(request.user).select_related("page", "author__profile"), comment_id
    )
    if request.user.is_authenticated and comment.author_id == request.user.pk:
        # The page offers its author Change and Delete instead; this is someone typing the URL.
        return render(request, "comments/report_own.html", {"comment": comment}, status=403)
    if _reports_by_reader(request).filter(comment=comment).exists():
        return render(request, "comments/report_already.html", {"comment": comment})
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reporter = request.user if request.user.is_authenticated else None
        try:
            services.comment_report(
                comment=comment,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
                reporter=reporter,
                session_hash="" if reporter else session_key(request),
                address_hash=address_hash(request),
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("comments:report_thanks", comment.pk)
    status = 400 if form.is_bound else 200
    return render(request, "comments/report_form.html", {"comment": comment, "form": form}, status=status)


def report_thanks(request, comment_id):
    """Thanks to the reader who reported this comment, and only to them.

    The comment may have been hidden by their report, so the page names only the guide.
    """
    reports = _reports_by_reader(request).filter(
        comment_id=comment_id, comment__page__status=Page.Status.PUBLISHED, comment__page__parent__isnull=True
    )
    report = reports.select_related("comment__page").first()
    if report is None:
        raise Http404(NOT_FOUND_COMMENT)
    return render(request, "comments/report_thanks.html", {"page": report.comment.page})
