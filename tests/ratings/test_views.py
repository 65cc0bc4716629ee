import datetime

import pytest
from django.test import Client

from accounts.models import Session
from conditions.models import Page
from dystonia_portal.readers import keyed_hash
from ratings.models import Rating, RatingFeedback, RatingSummary
from ratings.services import rating_submit
from tests.conftest import app_section, confirmation_opening

from .conftest import scores

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def rate_url(page):
    return f"/ratings/pages/{page.pk}/rate/"


def feedback_url(page):
    return f"/ratings/pages/{page.pk}/feedback/"


def refused_feedback(client, page, rate, data):
    """Rate the page 1 star, then send feedback the form refuses: the 400 page's HTML, nothing stored."""
    rate(page, "1")
    response = client.post(feedback_url(page), data)
    assert response.status_code == 400
    assert not RatingFeedback.objects.exists()
    return response.content.decode()


def summary_figures(page):
    summary = RatingSummary.objects.get(page=page)
    return summary.count, summary.total, summary.buckets


# Rating without JavaScript: POST, redirect back to the page, confirmation


def test_anonymous_reader_rates_and_is_sent_back_to_the_page(client, page, rate):
    response = rate(page, "4")

    assert response.status_code == 302
    assert response["Location"] == "/conditions/dystonia/#rating-confirmation"
    rating = Rating.objects.get()
    assert (rating.page, rating.score, rating.user, rating.page_reviewed_on) == (page, 4, None, page.last_reviewed)
    assert summary_figures(page) == (1, 4, {1: 0, 2: 0, 3: 0, 4: 1, 5: 0})

    html = client.get(response["Location"]).content.decode()
    assert "Thank you, your rating has been saved." in html
    assert "Average rating: 4.0 out of 5" in html
    assert "Based on 1 rating" in html
    assert "You gave this page 4 stars. You can change your rating." in html
    assert 'value="4" class="nhsuk-radios__input" id="rating-score_3" required checked' in html


def test_anonymous_rating_stores_a_keyed_hash_of_the_session_and_no_address(client, page, rate):
    rate(page, "5", REMOTE_ADDR="203.0.113.9")

    rating = Rating.objects.get()
    session_key = client.session.session_key
    assert rating.session_hash == keyed_hash(session_key)[:40]
    stored = " ".join(str(value) for value in Rating.objects.values().get().values())
    assert session_key not in stored
    assert "203.0.113.9" not in stored


def test_anonymous_reader_rating_again_replaces_their_score(client, page, rate):
    rate(page, "5")
    response = rate(page, "2")

    assert response.status_code == 302
    assert scores(page) == [2]
    assert summary_figures(page) == (1, 2, {1: 0, 2: 1, 3: 0, 4: 0, 5: 0})
    assert "You gave this page 2 stars." in client.get(page.get_absolute_url()).content.decode()


def test_different_anonymous_readers_each_count(page, rate):
    rate(page, "5")
    Client().post(rate_url(page), {"score": "3"})

    assert scores(page) == [3, 5]
    assert summary_figures(page)[:2] == (2, 8)


def test_signed_in_reader_has_one_rating_across_devices(client_for, commenter, page):
    client_for(commenter).post(rate_url(page), {"score": "5"})
    other_device = Client()
    other_device.force_login(commenter)
    other_device.post(rate_url(page), {"score": "3"})

    rating = Rating.objects.get()
    assert (rating.user, rating.session_hash, rating.score) == (commenter, "", 3)
    assert summary_figures(page)[:2] == (1, 3)


def test_signed_in_and_anonymous_readers_are_counted_apart(client_for, commenter, page):
    Client().post(rate_url(page), {"score": "1"})
    client_for(commenter).post(rate_url(page), {"score": "5"})

    assert sorted(Rating.objects.values_list("score", "user")) == [(1, None), (5, commenter.pk)]


def test_sub_page_has_its_own_ratings(client, page, rate):
    subpage = page.subpages.get(slug="symptoms")

    response = rate(subpage, "2")

    assert response["Location"] == "/conditions/dystonia/symptoms/#rating-confirmation"
    assert Rating.objects.get().page == subpage
    assert not RatingSummary.objects.filter(page=page).exists()
    assert "Based on 1 rating" in client.get(subpage.get_absolute_url()).content.decode()
    assert "No ratings yet" in client.get(page.get_absolute_url()).content.decode()


def test_rating_post_query_count(client_for, commenter, page, django_assert_num_queries):
    rating_submit(page=page, session_hash="a" * 40, score=3)
    rating_submit(page=page, session_hash="b" * 40, score=4)
    rating_submit(page=page, session_hash="c" * 40, score=5)
    client = client_for(commenter)

    for score in ("4", "2"):  # a new rating, then rating again
        # 1 session with the account, 2 the address's rate-limit counter and 3 the account's (each
        # one INSERT ... ON CONFLICT ... RETURNING), 4 page, 5 SAVEPOINT (the test's transaction; BEGIN
        # in production), 6 summary row SELECT ... FOR UPDATE, 7 the reader's earlier rating, 8 INSERT
        # or UPDATE the rating, 9 UPDATE the summary with F() arithmetic, 10 RELEASE SAVEPOINT
        with django_assert_num_queries(10):
            response = client.post(rate_url(page), {"score": score})
        assert response.status_code == 302
    assert summary_figures(page)[:2] == (4, 14)


# Rating with JavaScript: the same endpoint answers JSON


def test_in_place_rating_answers_with_the_new_summary(client, page, rate):
    rating_submit(page=page, session_hash="a" * 40, score=5)

    response = rate(page, "2", **JSON)

    assert response.status_code == 200
    data = response.json()
    assert data["message"] == "Thank you, your rating has been saved."
    assert (data["score"], data["show_feedback"], data["count"]) == (2, True, 2)
    assert data["average_text"] == "Average rating: 3.5 out of 5"
    assert data["count_text"] == "Based on 2 ratings"
    assert [(row["stars"], row["count"], row["width"]) for row in data["rows"]] == [
        (5, 1, 50),
        (4, 0, 0),
        (3, 0, 0),
        (2, 1, 50),
        (1, 0, 0),
    ]
    assert data["since_text"] == (
        "Since this page was last reviewed on 19/06/2013: average rating 3.5 out of 5, based on 2 ratings."
    )
    assert scores(page) == [2, 5]


def test_in_place_rating_with_a_high_score_does_not_ask_what_was_wrong(page, rate):
    assert rate(page, "5", **JSON).json()["show_feedback"] is False


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"score": "0"}, "Select a rating from 1 to 5 stars"),
        ({"score": "6"}, "Select a rating from 1 to 5 stars"),
        ({"score": "-1"}, "Select a rating from 1 to 5 stars"),
        ({"score": "3.5"}, "Select a rating from 1 to 5 stars"),
        ({"score": "abc"}, "Select a rating from 1 to 5 stars"),
        ({}, "Select how helpful this page is, from 1 to 5 stars"),
    ],
)
def test_bad_score_without_javascript_shows_the_error_on_the_page_and_stores_nothing(client, page, data, message):
    response = client.post(rate_url(page), data)

    assert response.status_code == 400
    html = response.content.decode()
    # The page the form was on, its rating block holding the error summary, which takes focus.
    assert "<title>Error: Dystonia - " in html
    assert "Related information" in html  # the guide itself, not a page of its own
    block = html[html.index('<section class="app-rating"') :]
    assert '<div class="nhsuk-error-summary" data-module="nhsuk-error-summary" tabindex="-1" autofocus>' in block
    assert '<h2 class="nhsuk-error-summary__heading">There is a problem</h2>' in block
    assert f'<a href="#rating-score_0">{message}</a>' in block
    assert "nhsuk-form-group--error" in block
    assert 'id="rating-score-error"' in block
    # One error for the one problem: in the summary and at the question, nowhere else.
    assert html.count(message) == 2
    assert "<title>Error: " in html
    assert not Rating.objects.exists()
    assert not RatingSummary.objects.exists()


@pytest.mark.parametrize("score", ["0", "6", "-1", "3.5", "abc", None])
def test_bad_score_in_place_answers_a_json_error(page, rate, score):
    response = rate(page, score, **JSON)

    assert response.status_code == 400
    assert response.json()["error"].startswith("Select")
    assert not Rating.objects.exists()


def test_bad_score_keeps_the_readers_earlier_rating(client, page, rate):
    rate(page, "4")
    response = rate(page, "9")

    assert response.status_code == 400
    assert scores(page) == [4]
    assert summary_figures(page)[:2] == (1, 4)


def test_unknown_page_is_not_found(page, rate):
    missing = Page(pk=page.pk + 1000)

    assert rate(missing, "4").status_code == 404
    response = rate(missing, "4", **JSON)
    assert response.status_code == 404
    assert response.json() == {"error": "We could not find that page. It may have been moved or taken down."}
    assert not Rating.objects.exists()


def test_draft_page_and_page_under_a_draft_guide_cannot_be_rated(page, make_page, rate):
    draft = make_page("Draft condition", status=Page.Status.DRAFT)
    Page.objects.filter(pk=page.pk).update(status=Page.Status.DRAFT)
    subpage_of_draft = page.subpages.first()

    assert rate(draft, "4").status_code == 404
    assert rate(subpage_of_draft, "4").status_code == 404
    assert not Rating.objects.exists()


def test_get_on_the_rating_address_is_refused_with_a_sentence(client, page):
    response = client.get(rate_url(page))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "This address only accepts a rating sent from the form at the end of a page." in response.content.decode()
    assert client.get(rate_url(page), **JSON).json()["error"].startswith("This address only accepts")
    assert not Rating.objects.exists()
    assert not RatingSummary.objects.exists()


def test_a_rating_sent_from_another_website_is_refused(page):
    client = Client(enforce_csrf_checks=True)

    response = client.post(rate_url(page), {"score": "4"}, headers={"Sec-Fetch-Site": "cross-site"})

    assert response.status_code == 403
    assert "The form was sent from another website." in response.content.decode()
    assert not Rating.objects.exists()


def test_a_signed_out_readers_form_carries_no_token_and_works_from_this_site(page):
    client = Client(enforce_csrf_checks=True)
    html = client.get(page.get_absolute_url()).content.decode()
    assert "csrfmiddlewaretoken" not in html

    response = client.post(rate_url(page), {"score": "4"}, headers={"Sec-Fetch-Site": "same-origin"})

    assert response.status_code == 302
    assert scores(page) == [4]


def test_a_signed_in_readers_rating_needs_their_token(page, commenter):
    client = Client(enforce_csrf_checks=True)
    client.force_login(commenter)
    same_origin = {"Sec-Fetch-Site": "same-origin"}
    assert client.post(rate_url(page), {"score": "4"}, headers=same_origin).status_code == 403
    html = client.get(page.get_absolute_url()).content.decode()
    token = html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]

    response = client.post(rate_url(page), {"score": "4", "csrfmiddlewaretoken": token}, headers=same_origin)

    assert response.status_code == 302
    assert scores(page) == [4]


def test_too_many_ratings_get_a_429_page_or_json_error(settings, page, rate):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "rating": (2, 600)}
    rate(page, "1")
    rate(page, "2")

    response = rate(page, "5")
    assert response.status_code == 429
    assert "You have done this too many times in a short while." in response.content.decode()
    response = rate(page, "5", **JSON)
    assert response.status_code == 429
    assert response.json()["error"].startswith("You have done this too many times")
    assert scores(page) == [2]


def test_honeypot_submission_looks_done_but_stores_nothing(client, page):
    response = client.post(rate_url(page), {"score": "5", "website": "spam"})

    assert response.status_code == 302
    assert response["Location"] == "/conditions/dystonia/#rating-confirmation"
    assert "Thank you, your rating has been saved." in client.get(response["Location"]).content.decode()
    assert not Rating.objects.exists()

    response = client.post(rate_url(page), {"score": "5", "website": "spam"}, **JSON)
    assert response.status_code == 200
    assert response.json()["count_text"] == "No ratings yet"
    assert not Rating.objects.exists()


# "What was wrong with this page?" after 1 or 2 stars


def test_low_score_asks_what_was_wrong(client, page, rate):
    html = client.get(page.get_absolute_url()).content.decode()
    assert '<div class="app-rating__feedback" data-rating-feedback hidden>' in html

    rate(page, "2")

    html = client.get(page.get_absolute_url()).content.decode()
    assert '<div class="app-rating__feedback" data-rating-feedback>' in html
    assert "What was wrong with this page?" in html
    assert "Do not include personal details" in html
    assert "You can enter up to 500 characters" in html


def test_high_score_does_not_ask_what_was_wrong(client, page, rate):
    rate(page, "4")
    html = client.get(page.get_absolute_url()).content.decode()
    assert '<div class="app-rating__feedback" data-rating-feedback hidden>' in html


def test_reader_says_what_was_wrong_and_editors_get_it(client, page, rate):
    rate(page, "1")

    response = client.post(feedback_url(page), {"reason": "out_of_date", "details": "The treatment part is old."})

    assert response.status_code == 302
    assert response["Location"] == "/conditions/dystonia/#rating-confirmation"
    feedback = RatingFeedback.objects.get()
    assert (feedback.page, feedback.score, feedback.reason, feedback.details, feedback.handled) == (
        page,
        1,
        "out_of_date",
        "The treatment part is old.",
        False,
    )
    assert feedback.rating == Rating.objects.get()
    html = client.get(response["Location"]).content.decode()
    assert "Thank you for telling us what was wrong. Our editors will read it." in html
    assert '<div class="app-rating__feedback" data-rating-feedback hidden>' in html


def test_feedback_in_place_answers_json(client, page, rate):
    rate(page, "2")
    response = client.post(feedback_url(page), {"reason": "seems_wrong", "details": ""}, **JSON)
    assert response.json() == {"message": "Thank you for telling us what was wrong. Our editors will read it."}
    assert RatingFeedback.objects.get().reason == "seems_wrong"


def test_over_long_feedback_is_refused_and_kept_for_the_reader(client, page, rate):
    details = "This is far too long. " * 30  # 660 characters

    html = refused_feedback(client, page, rate, {"reason": "hard_to_understand", "details": details})

    assert '<a href="#rating-feedback-details">Details must be 500 characters or fewer</a>' in html
    assert details.strip() in html
    assert (
        'value="hard_to_understand" class="nhsuk-radios__input" id="rating-feedback-reason_1" required checked' in html
    )


def test_feedback_without_a_reason_is_refused(client, page, rate):
    html = refused_feedback(client, page, rate, {"reason": "", "details": "Kept text"})

    assert '<a href="#rating-feedback-reason_0">Select what was wrong with this page</a>' in html
    assert "Kept text" in html


def test_feedback_needs_the_readers_own_low_rating(client, page, rate):
    Client().post(rate_url(page), {"score": "1"})  # somebody else's low rating

    response = client.post(feedback_url(page), {"reason": "other"})
    assert response.status_code == 400
    assert "You can only tell us what was wrong after rating this page 1 or 2 stars." in response.content.decode()

    rate(page, "5")
    response = client.post(feedback_url(page), {"reason": "other"}, **JSON)
    assert response.status_code == 400
    assert response.json()["error"] == "You can only tell us what was wrong after rating this page 1 or 2 stars."
    assert not RatingFeedback.objects.exists()


def test_feedback_get_draft_and_honeypot(client, page, make_page, rate):
    rate(page, "1")
    assert client.get(feedback_url(page)).status_code == 405
    draft = make_page("Draft condition", status=Page.Status.DRAFT)
    assert client.post(feedback_url(draft), {"reason": "other"}).status_code == 404

    response = client.post(feedback_url(page), {"reason": "other", "website": "https://spam.example"})
    assert response.status_code == 302
    assert not RatingFeedback.objects.exists()


def test_rating_a_page_reviewed_since_records_the_new_review_date(client, page, rate):
    rate(page, "5")
    page.last_reviewed, page.next_review_due = datetime.date(2014, 2, 1), datetime.date(2016, 2, 1)
    page.save()

    Client().post(rate_url(page), {"score": "3"})

    assert sorted(Rating.objects.values_list("page_reviewed_on", flat=True)) == [
        datetime.date(2013, 6, 19),
        datetime.date(2014, 2, 1),
    ]
    html = client.get(page.get_absolute_url()).content.decode()
    assert "Based on 2 ratings" in html
    assert "Since this page was last reviewed on 01/02/2014: average rating 3.0 out of 5, based on 1 rating." in html


def test_reading_a_page_creates_no_session(page):
    client = Client()
    response = client.get(page.get_absolute_url())
    assert "sessionid" not in response.cookies
    assert not Session.objects.exists()


def test_feedback_post_query_count(client_for, commenter, page, django_assert_num_queries):
    for session in ("a", "b", "c"):
        rating_submit(page=page, session_hash=session * 40, score=1)
    client = client_for(commenter)
    client.post(rate_url(page), {"score": "2"})

    # 1 session with the account, 2 the address's rate-limit counter and 3 the account's (each
    # one INSERT ... ON CONFLICT ... RETURNING), 4 page, 5 this reader's rating with its feedback
    # (LEFT JOIN), 6 SAVEPOINT for the service (BEGIN in production), 7 SAVEPOINT for
    # update_or_create, 8 the feedback row SELECT ... FOR UPDATE, 9 SAVEPOINT for the insert,
    # 10 INSERT the feedback, 11-13 RELEASE the three SAVEPOINTs (the last one is COMMIT in production)
    with django_assert_num_queries(13):
        response = client.post(feedback_url(page), {"reason": "other", "details": ""})
    assert response.status_code == 302
    assert RatingFeedback.objects.get().rating.user == commenter


# Confirmations beside the block (dystonia_portal.confirmations), never in a shared cache


def rating_section(html):
    return app_section(html, "rating")


CONFIRMATION_OPENING = confirmation_opening("rating")


def test_rating_confirmation_is_beside_the_block_with_focus_not_in_the_top_banner(client, page, rate):
    response = rate(page, "4")

    assert response["Location"].endswith("#rating-confirmation")
    html = client.get(response["Location"]).content.decode()
    block = rating_section(html)
    assert CONFIRMATION_OPENING in block
    assert (
        '<span class="nhsuk-u-visually-hidden">Success: </span><p>Thank you, your rating has been saved.</p>' in block
    )
    assert html.count("Thank you, your rating has been saved.") == 1
    assert "nhsuk-notification-banner" not in html
    # Shown once: the next page has an empty confirmation region, without autofocus.
    again = rating_section(client.get(page.get_absolute_url()).content.decode())
    assert "Thank you" not in again
    assert "autofocus" not in again


def test_low_score_confirmation_says_what_comes_next(client, page, rate):
    html = rating_section(client.get(rate(page, "2")["Location"]).content.decode())
    assert "Thank you, your rating has been saved. You can tell us what was wrong with this page below." in html
    # The confirmation comes straight before the question it points to.
    assert html.index("rating-confirmation") < html.index("What was wrong with this page?")


def test_feedback_confirmation_is_beside_the_block_not_in_the_top_banner(client, page, rate):
    rate(page, "1")
    client.get(page.get_absolute_url())  # the rating's confirmation, seen

    response = client.post(feedback_url(page), {"reason": "out_of_date"})

    assert response["Location"] == "/conditions/dystonia/#rating-confirmation"
    html = client.get(response["Location"]).content.decode()
    assert CONFIRMATION_OPENING in rating_section(html)
    assert "Thank you for telling us what was wrong. Our editors will read it." in rating_section(html)
    assert "nhsuk-notification-banner" not in html


def test_confirmation_never_reaches_a_cached_block_or_page_another_reader_gets(client, page):
    # A shared reader fills the page and block caches first.
    assert "Thank you" not in Client().get(page.get_absolute_url()).content.decode()

    # A reader whose rating is taken as a bot's (honeypot) has no rating of their own, so their
    # block is otherwise the shared one: the confirmation must not come from or go into the cache.
    response = client.post(rate_url(page), {"score": "5", "website": "spam"})
    mine = client.get(response["Location"])
    assert "Thank you, your rating has been saved." in rating_section(mine.content.decode())
    assert mine["Cache-Control"] == "private, no-store"

    for reader in (Client(), Client(), client):
        html = reader.get(page.get_absolute_url()).content.decode()
        assert "Thank you" not in html
        assert "autofocus" not in rating_section(html)


def test_a_form_sent_back_with_errors_is_never_cached_for_another_reader(client, page):
    Client().get(page.get_absolute_url())  # the shared block, cached

    sent_back = client.post(rate_url(page), {"score": "9"})
    assert "There is a problem" in sent_back.content.decode()

    for reader in (Client(), client):
        html = reader.get(page.get_absolute_url()).content.decode()
        assert "There is a problem" not in html
        assert "nhsuk-form-group--error" not in html


# Errors: in place with JavaScript, on the page the form was on without it


def test_empty_feedback_without_javascript_is_shown_on_the_page_with_the_text_kept(client, page, rate):
    html = refused_feedback(client, page, rate, {"reason": "", "details": "The dose table is wrong."})

    assert "<title>Error: Dystonia - " in html
    block = rating_section(html)
    assert 'data-module="nhsuk-error-summary" tabindex="-1" autofocus>' in block
    assert '<a href="#rating-feedback-reason_0">Select what was wrong with this page</a>' in block
    assert html.count("Select what was wrong with this page") == 2  # the summary and the question
    assert "The dose table is wrong.</textarea>" in block
    assert '<div class="app-rating__feedback" data-rating-feedback>' in block


def test_empty_feedback_in_place_answers_each_fields_error(client, page, rate):
    rate(page, "1")

    response = client.post(feedback_url(page), {"reason": "", "details": "x" * 501}, **JSON)

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "reason": ["Select what was wrong with this page"],
        "details": ["Details must be 500 characters or fewer"],
    }
    assert not RatingFeedback.objects.exists()


# Fair limits: per reader (session or account), with a ceiling per address


def test_a_hundred_readers_behind_one_address_can_each_rate(page, clock):
    clock.at(1_796_119_201)  # one window for the whole test
    ward = "198.51.100.20"

    statuses = [Client().post(rate_url(page), {"score": "4"}, REMOTE_ADDR=ward).status_code for _ in range(100)]

    assert statuses == [302] * 100
    assert Rating.objects.filter(page=page).count() == 100


def test_one_reader_is_limited_by_their_session_whatever_their_address(client, page, settings, clock):
    clock.at(1_796_119_201)
    limit, _ = settings.RATE_LIMITS["rating"]
    for number in range(limit):
        assert client.post(rate_url(page), {"score": "4"}, REMOTE_ADDR=f"203.0.113.{number}").status_code == 302

    response = client.post(rate_url(page), {"score": "5"}, REMOTE_ADDR="203.0.113.200")

    assert response.status_code == 429
    assert scores(page) == [4]
    assert Client().post(rate_url(page), {"score": "5"}).status_code == 302  # another reader is not


def test_a_bot_minting_sessions_is_stopped_at_its_addresss_ceiling(page, settings, clock):
    clock.at(1_796_119_201)
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "rating_address": (30, 600)}
    bot = "192.0.2.66"
    statuses = [Client().post(rate_url(page), {"score": "1"}, REMOTE_ADDR=bot).status_code for _ in range(31)]

    assert statuses == [302] * 30 + [429]
    assert Rating.objects.count() == 30
    # The ceiling is checked first: the refused request started no session.
    assert Session.objects.count() == 30
    assert Client().post(rate_url(page), {"score": "5"}, REMOTE_ADDR="192.0.2.67").status_code == 302
