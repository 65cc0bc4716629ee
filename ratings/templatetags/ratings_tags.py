from django import template
from django.urls import reverse

from ratings.display import reader_rating, summary_figures
from ratings.forms import FeedbackForm, RatingForm
from ratings.models import RatingSummary

register = template.Library()


@register.inclusion_tag("ratings/rating_block.html", takes_context=True)
def rating_block(context, page):
    """ "How helpful is this page?" for `page`: two queries at most, and never a write.

    1. the page's summary row; 2. this reader's own rating with its feedback (skipped
    for an anonymous reader with no session, whose session is not created here).
    """
    if not (page.is_published and (page.parent_id is None or page.parent.is_published)):
        # An editor previewing a draft: the rating endpoints refuse drafts, so offer no form.
        return {"page": page, "live": False}
    summary = RatingSummary.objects.filter(page=page).first() or RatingSummary(page=page)
    own = reader_rating(context["request"], page)
    has_feedback = own is not None and hasattr(own, "feedback")
    return {
        "page": page,
        "live": True,
        "figures": summary_figures(summary, page),
        "form": RatingForm(initial={"score": own.score} if own else None),
        "own_score": own.score if own else None,
        "show_feedback": own is not None and own.score <= 2 and not has_feedback,
        "feedback_form": FeedbackForm(),
        "rate_url": reverse("ratings:rate", args=[page.pk]),
        "feedback_url": reverse("ratings:feedback", args=[page.pk]),
    }
