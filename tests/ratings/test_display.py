"""ratings/display.py: the one place rating figures are worked out, for the page and the admin alike."""

import datetime

import pytest

from ratings.admin import RatingSummaryAdmin
from ratings.display import PRIOR_WEIGHT, average_of, prior_mean, since_review_figures, summary_figures
from ratings.models import RatingSummary
from ratings.services import rating_submit

pytestmark = pytest.mark.django_db


def test_average_is_rounded_half_up_to_one_decimal_and_empty_without_ratings():
    assert average_of(14, 3) == "4.7"
    assert average_of(9, 4) == "2.3"  # 2.25 rounds up, not to even
    assert average_of(0, 0) == ""


def test_the_page_and_the_admin_show_the_same_figures_since_review(page):
    for session, score in (("a", 5), ("b", 5), ("c", 4)):
        rating_submit(page=page, session_hash=session * 40, score=score)
    summary = RatingSummary.objects.get(page=page)
    recent = since_review_figures(summary, page)
    assert recent == {
        "reviewed": page.last_reviewed.strftime("%d/%m/%Y"),
        "count": 3,
        "total": 14,
        "average": "4.7",
        "buckets": {1: 0, 2: 0, 3: 0, 4: 1, 5: 2},
    }
    page_text = summary_figures(summary, page)["since_text"]
    admin_text = RatingSummaryAdmin(RatingSummary, None).since_review(summary)
    assert f"average rating {recent['average']} out of 5, based on 3 ratings" in page_text
    assert admin_text == f"4.7 from 3 since {recent['reviewed']} (0 / 0 / 0 / 1 / 2)"


def test_since_review_is_empty_after_the_page_is_reviewed_again(page):
    rating_submit(page=page, session_hash="a" * 40, score=5)
    page.last_reviewed += datetime.timedelta(days=1)
    recent = since_review_figures(RatingSummary.objects.get(page=page), page)
    assert (recent["count"], recent["average"]) == (0, "")


def test_the_prior_is_the_mean_of_every_rating_and_three_before_any(page):
    assert prior_mean() == 3.0
    rating_submit(page=page, session_hash="a" * 40, score=5)
    rating_submit(page=page, session_hash="b" * 40, score=2)
    assert prior_mean() == 3.5
    assert PRIOR_WEIGHT == 10
