import csv
import io

import pytest
from django.contrib.auth.models import Group

from ratings.display import PRIOR_WEIGHT
from ratings.models import Rating, RatingFeedback
from ratings.services import rating_feedback_submit, rating_submit

pytestmark = pytest.mark.django_db

SUMMARIES = "/admin/ratings/ratingsummary/"
FEEDBACK = "/admin/ratings/ratingfeedback/"
RATINGS = "/admin/ratings/rating/"


@pytest.fixture
def rated(page):
    """The guide rated 5, 5, 4 and its Symptoms page rated 1 with feedback."""
    subpage = page.subpages.get(slug="symptoms")
    for session, score in (("a", 5), ("b", 5), ("c", 4)):
        rating_submit(page=page, session_hash=session * 40, score=score)
    low = rating_submit(page=subpage, session_hash="d" * 40, score=1)
    rating_feedback_submit(rating=low, reason="out_of_date", details="Mentions a withdrawn medicine.")
    return page, subpage


def test_summaries_list_shows_average_count_bayesian_distribution_and_since_review(client_for, superuser, rated):
    html = client_for(superuser).get(SUMMARIES).content.decode()

    # Prior: the mean of every rating (15 / 4 = 3.75), weighted as 10 ratings.
    prior = 15 / 4
    assert f"{(PRIOR_WEIGHT * prior + 14) / (PRIOR_WEIGHT + 3):.2f}" in html  # the guide: 3.98
    assert f"{(PRIOR_WEIGHT * prior + 1) / (PRIOR_WEIGHT + 1):.2f}" in html  # Symptoms: 3.50
    assert "4.7" in html
    assert "0 / 0 / 0 / 1 / 2" in html
    assert "4.7 from 3 since 19/06/2013 (0 / 0 / 0 / 1 / 2)" in html
    assert "Bayesian average (for ranking)" in html


def test_summaries_can_be_ranked_by_bayesian_average(client_for, superuser, rated):
    page, subpage = rated
    client = client_for(superuser)
    html = client.get(SUMMARIES + "?o=4").content.decode()  # the Bayesian column, ascending
    assert html.index("Dystonia: Symptoms of dystonia") < html.index('">Dystonia</a>')
    html = client.get(SUMMARIES + "?o=-4").content.decode()
    assert html.index('">Dystonia</a>') < html.index("Dystonia: Symptoms of dystonia")


def test_summaries_export_as_csv(client_for, superuser, rated):
    page, subpage = rated
    client = client_for(superuser)
    ids = [str(summary.pk) for summary in (page.rating_summary, subpage.rating_summary)]

    response = client.post(SUMMARIES, {"action": "export_csv", "_selected_action": ids})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:5] == ["page", "address", "ratings", "average", "Bayesian average"]
    assert rows[1][:4] == ["Dystonia", "/conditions/dystonia/", "3", "4.7"]
    assert rows[1][5:10] == ["0", "0", "0", "1", "2"]
    assert rows[1][10:13] == ["2013-06-19", "3", "4.7"]
    assert rows[2][:4] == ["Dystonia: Symptoms of dystonia", "/conditions/dystonia/symptoms/", "1", "1.0"]


def test_ratings_cannot_be_added_changed_or_deleted(client_for, superuser, rated):
    client = client_for(superuser)
    rating = Rating.objects.filter(score=4).get()

    assert client.get(RATINGS + "add/").status_code == 403
    response = client.get(f"{RATINGS}{rating.pk}/change/")
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    response = client.post(f"{RATINGS}{rating.pk}/change/", {"score": "1"})
    assert response.status_code == 403
    assert client.post(f"{RATINGS}{rating.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Rating.objects.get(pk=rating.pk).score == 4
    html = client.get(RATINGS).content.decode()
    assert "Not signed in" in html
    assert "a" * 40 not in html  # the session hash is not shown


def test_summaries_cannot_be_changed(client_for, superuser, rated):
    page, _ = rated
    client = client_for(superuser)
    assert client.get(SUMMARIES + "add/").status_code == 403
    response = client.post(f"{SUMMARIES}{page.rating_summary.pk}/change/", {"count": "99"})
    assert response.status_code == 403
    page.rating_summary.refresh_from_db()
    assert page.rating_summary.count == 3


def test_editor_reads_feedback_and_marks_it_handled(client_for, editor, rated):
    client = client_for(editor)
    feedback = RatingFeedback.objects.get()

    html = client.get(FEEDBACK).content.decode()
    assert "Mentions a withdrawn medicine." in html
    assert "It is out of date" in html
    assert "Mark as handled" in html

    response = client.post(FEEDBACK, {"action": "mark_handled", "_selected_action": [feedback.pk]}, follow=True)

    assert "Marked 1 item of feedback as handled." in response.content.decode()
    feedback.refresh_from_db()
    assert (feedback.handled, feedback.handled_by) == (True, editor)
    assert feedback.handled_at is not None


def test_editor_cannot_edit_feedback_or_see_single_ratings(client_for, editor, rated):
    client = client_for(editor)
    feedback = RatingFeedback.objects.get()

    response = client.post(f"{FEEDBACK}{feedback.pk}/change/", {"details": "Edited"})
    assert response.status_code == 403
    assert client.post(f"{FEEDBACK}{feedback.pk}/delete/", {"post": "yes"}).status_code == 403
    assert RatingFeedback.objects.get().details == "Mentions a withdrawn medicine."
    assert client.get(RATINGS).status_code == 403
    assert client.get(SUMMARIES).status_code == 200


def test_editors_group_gets_exactly_the_ratings_permissions_it_needs(db):
    codenames = set(
        Group.objects.get(name="Editors")
        .permissions.filter(content_type__app_label="ratings")
        .values_list("codename", flat=True)
    )
    assert codenames == {"view_ratingfeedback", "change_ratingfeedback", "view_ratingsummary"}


def test_people_without_permission_are_kept_out(client, client_for, commenter, rated):
    assert client.get(FEEDBACK).status_code == 302  # to sign in
    assert client_for(commenter).get(FEEDBACK).status_code == 302
