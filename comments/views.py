from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from conditions.models import Page
from dystonia_portal.ratelimit import address_hash, rate_limit, session_key

from . import services
from .forms import CommentForm, ReportForm
from .models import Comment, CommentSettings, Report

NOT_FOUND_COMMENT = "This comment does not exist or has been removed."


def _published_guide(slug):
    return get_object_or_404(Page.objects.published().conditions(), slug=slug)


def _comment_or_404(comments, comment_id):
    """One comment from `comments`, or the same 404 whether the id is hidden from this person or never existed."""
    try:
        return comments.get(pk=comment_id)
    except Comment.DoesNotExist:
        raise Http404(NOT_FOUND_COMMENT) from None


def _reader_session_hash(request) -> str:
    """The anonymous reader's session hash, without starting a session for someone who has none."""
    if request.user.is_authenticated or request.session.session_key is None:
        return ""
    return session_key(request)


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit("comment")
def comment_post(request, slug):
    """The comment form on its own page: where a post lands, and where it comes back to when it fails."""
    page = _published_guide(slug)
    thread = CommentSettings.for_page(page)
    form = CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            comment, created = services.comment_post(page=page, author=request.user, text=form.cleaned_data["text"])
        except services.CommentError as exc:
            form.add_error(None, str(exc))
        else:
            if not created:
                messages.info(request, "You have already posted this comment.")
            elif comment.status == Comment.Status.HELD:
                messages.info(
                    request,
                    "Thank you. Your comment will appear once a moderator has checked it"
                    + (
                        ", because it may contain personal details such as an email address or phone number."
                        if services.looks_personal(comment.text)
                        else "."
                    ),
                )
            else:
                messages.success(request, "Your comment has been posted.")
            published = comment.status == Comment.Status.PUBLISHED
            return redirect(comment.get_absolute_url() if published else page.get_absolute_url() + "#comments")
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
        messages.success(request, "Your comment has been deleted.")
        return redirect(comment.page.get_absolute_url() + "#comments")
    return render(request, "comments/comment_delete.html", {"comment": comment})


def _reports_by_reader(request):
    return Report.objects.made_by(user=request.user, session_hash=_reader_session_hash(request))


@require_http_methods(["GET", "POST"])
@rate_limit("report")
def comment_report(request, comment_id):
    comment = _comment_or_404(
        Comment.objects.reportable_by(request.user).select_related("page", "author__profile"), comment_id
    )
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
        except services.CommentError as exc:
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
