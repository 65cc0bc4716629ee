import datetime
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.db import connection
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from accounts.models import Session
from accounts.sessions import SessionStore
from conditions.models import Page
from ratings.models import Rating, RatingSummary
from ratings.services import rating_submit, rating_summaries_rebuild

pytestmark = pytest.mark.django_db

HOLE_LINE = '{% hole "ratings/page_rating.html" %}'
TAG_LINE = "{% load ratings_tags %}{% rating_block page %}"


def add_ratings(page, distribution, *, reviewed_on=None):
    """Ratings from many anonymous readers, {score: how many}, then summaries recounted."""
    ratings = [
        Rating(
            page=page,
            score=score,
            session_hash=f"{page.pk}-{score}-{n}",
            page_reviewed_on=reviewed_on or page.last_reviewed,
        )
        for score, how_many in distribution.items()
        for n in range(how_many)
    ]
    Rating.objects.bulk_create(ratings)
    rating_summaries_rebuild()


def block_html(client, page):
    html = client.get(page.get_absolute_url()).content.decode()
    start = html.index('<section class="app-rating"')
    return html[start : html.index("</section>", start)]


def test_block_shows_the_seed_wording_with_average_count_and_distribution(client, page):
    add_ratings(page, {5: 50, 4: 20, 3: 10, 2: 4, 1: 3})

    html = block_html(client, page)

    assert '<h2 id="rating-heading">How helpful is this page?</h2>' in html
    assert "Average rating: 4.3 out of 5" in html
    assert "Based on 87 ratings" in html
    assert "All ratings" in html
    assert "Add your rating" in html
    rows = [
        ("5", "5 stars", 50, 55),
        ("4", "4 stars", 20, 25),
        ("3", "3 stars", 10, 10),
        ("2", "2 stars", 4, 5),
        ("1", "1 star", 3, 5),
    ]
    positions = []
    for stars, label, count, width in rows:
        row = html.split(f'data-rating-row="{stars}">', 1)[1].split("</li>", 1)[0]
        assert f'<span class="app-rating-distribution__label">{label}</span>' in row
        assert f"app-rating-bar__fill--{width}" in row
        assert f"<span data-rating-row-count>{count}</span>" in row
        positions.append(html.index(f'data-rating-row="{stars}"'))
    assert positions == sorted(positions)  # 5 stars first, down to 1
    assert 'style="' not in html
    assert "Since this page was last reviewed on 19/06/2013: average rating 4.3 out of 5, based on 87 ratings." in html


def test_block_says_one_rating_in_the_singular(client, page):
    add_ratings(page, {3: 1})
    html = block_html(client, page)
    assert "Based on 1 rating" in html
    assert "Average rating: 3.0 out of 5" in html
    assert (
        '<span data-rating-row-count>1</span><span class="nhsuk-u-visually-hidden" data-rating-row-noun> rating</span>'
        in html
    )


def test_unrated_page_shows_no_ratings_yet_and_the_form_only(client, page):
    html = block_html(client, page)
    assert '<p class="app-rating__count" data-rating-count>No ratings yet</p>' in html
    assert '<p class="app-rating__average" data-rating-average-line hidden>' in html
    # No table of zeros: the distribution is there for ratings.js to fill in, hidden.
    assert '<div class="app-rating__distribution" data-rating-distribution hidden>' in html
    assert "data-rating-form" in html
    assert not RatingSummary.objects.exists()  # reading never writes


def test_rated_page_shows_the_distribution(client, page):
    add_ratings(page, {4: 1})
    assert '<div class="app-rating__distribution" data-rating-distribution>' in block_html(client, page)


def test_block_asks_how_helpful_the_page_is_once(client, page):
    html = block_html(client, page)
    assert html.count("How helpful is this page?") == 1
    assert '<h2 id="rating-heading">How helpful is this page?</h2>' in html


def test_block_rounds_the_average_half_up(client, page):
    add_ratings(page, {4: 1, 5: 3})  # 4.75
    assert "Average rating: 4.8 out of 5" in block_html(client, page)


def test_since_review_figures_count_only_ratings_since_the_last_review(client, page):
    add_ratings(page, {5: 3}, reviewed_on=datetime.date(2012, 1, 1))
    add_ratings(page, {1: 1})

    html = block_html(client, page)

    assert "Based on 4 ratings" in html
    assert "Average rating: 4.0 out of 5" in html
    assert "Since this page was last reviewed on 19/06/2013: average rating 1.0 out of 5, based on 1 rating." in html


def test_fieldset_has_a_legend_and_five_labelled_radios(client, page):
    html = block_html(client, page)

    assert '<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Add your rating</legend>' in html
    labels = ["1 star: not helpful", "2 stars: slightly helpful", "3 stars: fairly helpful", "4 stars: helpful"]
    labels.append("5 stars: very helpful")
    for index, label in enumerate(labels):
        assert (
            f'<input type="radio" name="score" value="{index + 1}" class="nhsuk-radios__input" '
            f'id="rating-score_{index}"' in html
        )
        assert (
            f'<label class="nhsuk-label nhsuk-radios__label" for="rating-score_{index}">'
            f'<span class="app-stars app-stars--{index + 1}" aria-hidden="true"></span> {label}</label>'
        ) in html
    assert "checked" not in html
    assert 'aria-live="polite"' in html
    assert 'type="submit"' in html
    assert "/static/js/ratings.js" in html


def test_signed_in_reader_sees_their_score_selected(client_for, commenter, page):
    rating_submit(page=page, user=commenter, score=4)
    html = block_html(client_for(commenter), page)
    assert 'value="4" class="nhsuk-radios__input" id="rating-score_3" required checked' in html
    assert html.count("checked") == 1


def test_block_adds_one_query_to_the_page(client_for, commenter, page, settings, tmp_path):
    for score, session in ((5, "a"), (4, "b"), (2, "c")):
        rating_submit(page=page, session_hash=session * 40, score=score)
    rating_submit(page=page, user=commenter, score=3)
    client = client_for(commenter)

    with CaptureQueriesContext(connection) as with_block:
        html = client.get(page.get_absolute_url()).content.decode()
    assert "Based on 4 ratings" in html

    # The same page template with the block's hole taken out, found first.
    template = Path(django_settings.BASE_DIR, "templates", "conditions", "page_detail.html").read_text()
    assert HOLE_LINE in template
    (tmp_path / "conditions").mkdir()
    (tmp_path / "conditions" / "page_detail.html").write_text(template.replace(HOLE_LINE, ""))
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    caches["fragments"].clear()  # compare cold with cold
    with CaptureQueriesContext(connection) as without_block:
        html = client.get(page.get_absolute_url()).content.decode()
    assert "How helpful is this page?" not in html

    # The block's own: this reader's rating (with its feedback). The summary row comes joined
    # to the condition page's own query (ratings/page_versions.py), block or no block.
    without = {query["sql"] for query in without_block.captured_queries}
    added = [sql for sql in (query["sql"] for query in with_block.captured_queries) if 'FROM "ratings_' in sql]
    assert not any('FROM "ratings_' in sql for sql in without)
    assert len(with_block) == len(without_block) + 1
    assert len(added) == 1
    assert 'FROM "ratings_rating"' in added[0]


def test_page_query_count_is_pinned(client_for, commenter, page, django_assert_num_queries):
    for score, session in ((5, "a"), (4, "b"), (2, "c")):
        rating_submit(page=page, session_hash=session * 40, score=score)
    rating_submit(page=page, user=commenter, score=1)
    client = client_for(commenter)
    # 1 session with the account and its own version (accounts.sessions), 2 the page's
    # versions, 3 the page joined with its counter rows and rating summary, 4 the guide and its
    # sub-pages, 5 sections, 6 related links, 7 this reader's rating with its feedback (LEFT
    # JOIN); the thread's count comes with the page, and with no comments there is no list
    # query; their own parts of the thread: 8 which comments here they reported, 9 their own
    # comments here waiting for a moderator (waiting_for_moderator_to; not staff, so no
    # permission queries), 10 those they can still change.
    with django_assert_num_queries(10):
        response = client.get(page.get_absolute_url())
    assert "Based on 4 ratings" in response.content.decode()
    # Again: the page and what it joins come from the cache under its versions; so do the
    # guide's content, the rating block for this score and this member's own parts, kept
    # under their own version, which has not moved.
    with django_assert_num_queries(2):  # 1 session with the account, 2 versions
        response = client.get(page.get_absolute_url())
    assert "Based on 4 ratings" in response.content.decode()


def test_anonymous_reader_without_a_session_costs_one_query_and_gets_no_session(page):
    add_ratings(page, {4: 3})
    request = RequestFactory().get(page.get_absolute_url())
    request.user = AnonymousUser()
    request.session = SessionStore()

    with CaptureQueriesContext(connection) as queries:
        html = Template(TAG_LINE).render(Context({"request": request, "page": page}))

    assert "Based on 3 ratings" in html
    assert len(queries) == 1  # the summary row only
    assert request.session.session_key is None
    assert not Session.objects.exists()


def test_anonymous_reader_with_a_session_sees_their_score(page):
    client = Client()
    client.post(f"/ratings/pages/{page.pk}/rate/", {"score": "2"})
    html = block_html(client, page)
    assert 'value="2" class="nhsuk-radios__input" id="rating-score_1" required checked' in html
    assert "You gave this page 2 stars." in html


def test_editor_previewing_a_draft_gets_no_rating_form_and_no_queries(client_for, superuser, make_page):
    draft = make_page("Draft condition", status=Page.Status.DRAFT)
    html = block_html(client_for(superuser), draft)

    assert "Readers can rate this page once it is published." in html
    assert "data-rating-form" not in html

    request = RequestFactory().get("/")
    request.user, request.session = superuser, SessionStore()
    with CaptureQueriesContext(connection) as queries:
        Template(TAG_LINE).render(Context({"request": request, "page": draft}))
    assert len(queries) == 0
