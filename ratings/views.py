import functools

from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render

from conditions.models import Page
from conditions.views import page_detail
from dystonia_portal.confirmations import confirm, fragment
from dystonia_portal.errors import ServiceError
from dystonia_portal.ratelimit import rate_limit
from dystonia_portal.readers import address_key, reader_lookup, session_reader_key, wants_json

from .display import reader_rating, summary_figures
from .forms import FeedbackForm, RatingForm
from .models import RatingSummary
from .services import rating_feedback_submit, rating_submit

RATING_SAVED = "Thank you, your rating has been saved."
ASK_WHAT_WAS_WRONG = "You can tell us what was wrong with this page below."
FEEDBACK_SAVED = "Thank you for telling us what was wrong. Our editors will read it."
PAGE_NOT_FOUND = "We could not find that page. It may have been moved or taken down."


def _rate_limits(view):
    """Per reader (account or session: a ward, school or office shares one address and each
    reader there may rate), under a much higher per-address ceiling checked first, since a
    session costs a bot nothing (settings.RATE_LIMITS "rating" and "rating_address")."""
    return rate_limit("rating_address", key=address_key)(rate_limit("rating", key=session_reader_key)(view))


def _method_not_allowed(request):
    message = "This address only accepts a rating sent from the form at the end of a page."
    if wants_json(request):
        response = JsonResponse({"error": message}, status=405)
    else:
        response = render(request, "ratings/method_not_allowed.html", {"message": message}, status=405)
    response["Allow"] = "POST"
    return response


def _published_page(page_id):
    """The live page being rated (drafts cannot be rated), or None."""
    return Page.objects.published().select_related("parent").filter(pk=page_id).first()


def _not_found(request):
    if wants_json(request):
        return JsonResponse({"error": PAGE_NOT_FOUND}, status=404)
    raise Http404(PAGE_NOT_FOUND)


def _invalid(request, page, form, which):
    """The errors where the form was: in place (JSON), or on the page itself with the form as sent.

    Without JavaScript the page is shown again at this address, its rating block holding the
    reader's answers and an error summary (ratings_tags.rating_block reads `ratings_invalid`).
    """
    if wants_json(request):
        errors = [str(error) for errors in form.errors.values() for error in errors]
        return JsonResponse({"error": errors[0], "errors": form.errors}, status=400)
    request.ratings_invalid = {"page_id": page.pk, "which": which, "form": form}
    request.shows_form_errors = True
    if page.parent_id is None:
        response = page_detail(request, page.slug)
    else:
        response = page_detail(request, page.parent.slug, page.slug)
    response.status_code = 400
    return response


def _saved(request, page, text):
    confirm(request, "ratings", text)
    return redirect(page.get_absolute_url() + fragment("ratings"))


def _summary_json(page, *, score, message):
    summary = RatingSummary.objects.filter(page=page).first() or RatingSummary(page=page)
    return JsonResponse(
        {"message": message, "score": score, "show_feedback": score in (1, 2), **summary_figures(summary, page)}
    )


def _posted_to_a_live_page(view):
    """The rating endpoints: POST only (405 otherwise), to a live page (404 otherwise), the view
    then called with the page itself."""

    @functools.wraps(view)
    def endpoint(request, page_id):
        if request.method != "POST":
            return _method_not_allowed(request)
        page = _published_page(page_id)
        if page is None:
            return _not_found(request)
        return view(request, page)

    return endpoint


@_rate_limits
@_posted_to_a_live_page
def rate(request, page):
    """Save this reader's rating of a page (POST only), then go back to the page."""
    form = RatingForm(request.POST)
    if form.is_bot():
        # Look done, store nothing: a bot learns nothing from the answer.
        if wants_json(request):
            return _summary_json(page, score=None, message=RATING_SAVED)
        return _saved(request, page, RATING_SAVED)
    if not form.is_valid():
        return _invalid(request, page, form, "rating")

    score = form.cleaned_data["score"]
    rating_submit(page=page, score=score, **reader_lookup(request, create=True))
    if wants_json(request):
        return _summary_json(page, score=score, message=RATING_SAVED)
    return _saved(request, page, f"{RATING_SAVED} {ASK_WHAT_WAS_WRONG}" if score <= 2 else RATING_SAVED)


@_rate_limits
@_posted_to_a_live_page
def feedback(request, page):
    """Say what was wrong with a page this reader rated 1 or 2 stars (POST only)."""
    form = FeedbackForm(request.POST)
    if form.is_bot():
        if wants_json(request):
            return JsonResponse({"message": FEEDBACK_SAVED})
        return _saved(request, page, FEEDBACK_SAVED)
    if form.is_valid():
        rating = reader_rating(request, page)
        if rating is None:
            form.add_error(None, "You can only tell us what was wrong after rating this page 1 or 2 stars.")
        else:
            try:
                rating_feedback_submit(rating=rating, **form.cleaned_data_for_service())
            except ServiceError as error:
                form.add_error(None, str(error))
    if not form.is_valid():
        return _invalid(request, page, form, "feedback")

    if wants_json(request):
        return JsonResponse({"message": FEEDBACK_SAVED})
    return _saved(request, page, FEEDBACK_SAVED)
