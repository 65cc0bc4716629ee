import datetime

import pytest
from django.db import IntegrityError, transaction

from ratings.models import Rating, RatingFeedback, RatingSummary

pytestmark = pytest.mark.django_db

REVIEWED = datetime.date(2013, 6, 19)


def make_rating(page, **values):
    return Rating.objects.create(page=page, page_reviewed_on=REVIEWED, **{"score": 3, **values})


@pytest.mark.parametrize("score", [0, 6, -1])
def test_database_refuses_score_outside_1_to_5(page, score):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_rating(page, session_hash="a" * 40, score=score)
    assert not Rating.objects.exists()


def test_database_refuses_a_rating_with_both_account_and_session(page, commenter):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_rating(page, user=commenter, session_hash="a" * 40)


def test_database_refuses_a_rating_with_no_reader(page):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_rating(page)


def test_database_allows_one_rating_per_account_per_page(page, commenter):
    make_rating(page, user=commenter)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_rating(page, user=commenter, score=5)
    assert Rating.objects.filter(page=page).count() == 1


def test_database_allows_one_rating_per_session_per_page(page):
    make_rating(page, session_hash="a" * 40)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_rating(page, session_hash="a" * 40, score=5)
    assert Rating.objects.filter(page=page).count() == 1


def test_same_reader_can_rate_each_page(page, commenter):
    subpage = page.subpages.first()
    make_rating(page, user=commenter)
    make_rating(subpage, user=commenter)
    make_rating(page, session_hash="a" * 40)
    make_rating(subpage, session_hash="a" * 40)
    assert Rating.objects.count() == 4


def test_summary_buckets(page):
    summary = RatingSummary(page=page, count=3, total=11, count_3=1, count_4=2)
    assert summary.buckets == {1: 0, 2: 0, 3: 1, 4: 2, 5: 0}


def test_summary_database_refuses_count_that_is_not_the_sum_of_buckets(page):
    with pytest.raises(IntegrityError), transaction.atomic():
        RatingSummary.objects.create(page=page, count=2, total=8, count_4=1)


def test_since_review_figures_are_stored_ones_for_the_current_review(page):
    summary = RatingSummary(page=page, reviewed_on=REVIEWED, recent_count=2, recent_total=9, recent_4=1, recent_5=1)
    assert summary.since_review(REVIEWED) == (2, 9, {1: 0, 2: 0, 3: 0, 4: 1, 5: 1})


def test_since_review_figures_are_empty_after_a_newer_review(page):
    summary = RatingSummary(page=page, reviewed_on=REVIEWED, recent_count=2, recent_total=9, recent_4=1, recent_5=1)
    assert summary.since_review(REVIEWED + datetime.timedelta(days=1)) == (0, 0, dict.fromkeys(range(1, 6), 0))
    assert RatingSummary(page=page).since_review(REVIEWED)[0] == 0


def test_database_refuses_feedback_on_a_high_score(page):
    rating = make_rating(page, session_hash="a" * 40, score=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        RatingFeedback.objects.create(rating=rating, page=page, score=4, reason=RatingFeedback.Reason.OTHER)


def test_database_refuses_handled_feedback_without_a_time(page):
    rating = make_rating(page, session_hash="a" * 40, score=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        RatingFeedback.objects.create(
            rating=rating, page=page, score=1, reason=RatingFeedback.Reason.OTHER, handled=True
        )


def test_str_names_the_score_and_reason(page):
    rating = make_rating(page, session_hash="a" * 40, score=1)
    feedback = RatingFeedback(rating=rating, page=page, score=1, reason=RatingFeedback.Reason.SEEMS_WRONG)
    assert str(rating) == f"1 star: not helpful for {page.pk}"
    assert str(feedback) == "Something on it seems wrong (Dystonia)"
    assert str(RatingSummary(page=page)) == "Ratings of Dystonia"
