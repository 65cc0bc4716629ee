from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe

from conditions import page_cache
from dystonia_portal.confirmations import confirmations_for
from ratings.display import reader_rating, summary_figures
from ratings.forms import FeedbackForm, RatingForm
from ratings.models import RatingSummary

register = template.Library()


def _figures(page):
    """The summary's figures: the condition page's query joined the summary row (one query otherwise)."""
    return summary_figures(getattr(page, "rating_summary", None) or RatingSummary(page=page), page)


def _context(request, page, own, *, confirmations, invalid):
    has_feedback = own is not None and hasattr(own, "feedback")
    which = invalid["which"] if invalid else None
    return {
        "page": page,
        "live": True,
        # Lazy: a block served from the cache never works the figures out.
        "figures": SimpleLazyObject(lambda: _figures(page)),
        "form": invalid["form"] if which == "rating" else RatingForm(initial={"score": own.score} if own else None),
        "own_score": own.score if own else None,
        "show_feedback": which == "feedback" or (own is not None and own.score <= 2 and not has_feedback),
        "feedback_form": invalid["form"] if which == "feedback" else FeedbackForm(),
        # The form sent without JavaScript that had problems, for the error summary.
        "invalid_form": invalid["form"] if invalid else None,
        "confirmations": confirmations,
        "rate_url": reverse("ratings:rate", args=[page.pk]),
        "feedback_url": reverse("ratings:feedback", args=[page.pk]),
        "request": request,
    }


@register.simple_tag(takes_context=True)
def rating_block(context, page):
    """ "How helpful is this page?" for `page`: at most two queries, none when cached, and never a write.

    1. the page's summary row (none when the condition page's query joined it); 2. this
    reader's own rating with its feedback (skipped for an anonymous reader with no session,
    whose session is not created here, and for a member whose own version has not moved
    since it was last read: ratings.display.reader_rating).

    The block depends only on the summary and on the reader's score (and whether they have
    said what was wrong), so it is cached per page, summary version and score
    (conditions.page_cache): signed-out readers' blocks have no CSRF token
    (dystonia_portal.csrf), and signed-in readers' keep a slot for theirs. A confirmation
    (dystonia_portal.confirmations) and a form sent back with errors are one reader's, and
    never cached.
    """
    request = context["request"]
    if not page.is_live:
        # An editor previewing a draft: the rating endpoints refuse drafts, so offer no form.
        return render_to_string("ratings/rating_block.html", {"page": page, "live": False})
    own = reader_rating(request, page, remembered=True)
    confirmations = confirmations_for(request, "ratings")
    invalid = getattr(request, "ratings_invalid", None)
    if invalid is not None and invalid["page_id"] != page.pk:
        invalid = None
    shared = page_cache.shares_fragments(request)
    key = None
    # A confirmation or a form as one reader sent it is theirs alone: that block is never cached.
    if not confirmations and invalid is None:
        score = f"{own.score}:{hasattr(own, 'feedback')}" if own is not None else "none"
        reader = "reader" if shared else "member"
        key = page_cache.key("ratings:block", page, "rating_version", "content_version", extra=f"{reader}:{score}")

    def build(extra_context):
        context = _context(request, page, own, confirmations=confirmations, invalid=invalid)
        return render_to_string("ratings/rating_block.html", {**context, **extra_context}, request=request)

    if shared:
        html = page_cache.get_or_build(key, lambda: build({}))
    else:
        html = page_cache.get_or_build_with_token(key, request, build)
    return mark_safe(html)  # noqa: S308 - our own rendered template
