import pytest
from django.contrib.auth import get_user_model

from accounts import services
from comments.models import Report
from tests.comments.factories import make_comment

pytestmark = pytest.mark.django_db


def test_user_create_stores_a_hashed_password():
    user = services.user_create(username="newperson", email="new@example.org", password="long-enough-words-1")
    assert user.check_password("long-enough-words-1")
    assert user.password != "long-enough-words-1"


def test_account_delete_keeps_comments_and_reports_without_the_person(condition, commenter, other_commenter):
    comment = make_comment(condition, commenter)
    report = Report.objects.create(comment=comment, reporter=commenter, reason=Report.Reason.SPAM)
    services.account_delete(user=commenter)
    assert not get_user_model().objects.filter(username="commenter").exists()
    comment.refresh_from_db()
    report.refresh_from_db()
    assert comment.author is None
    assert report.reporter is None


def test_account_delete_keeps_ratings_so_page_figures_do_not_change(condition, commenter):
    from ratings.models import Rating, RatingSummary
    from ratings.services import rating_submit

    rating_submit(page=condition, user=commenter, score=2)
    rating_submit(page=condition, session_hash="a" * 40, score=5)

    services.account_delete(user=commenter)

    summary = RatingSummary.objects.get(page=condition)
    assert (summary.count, summary.total) == (2, 7)
    assert sorted(Rating.objects.filter(page=condition).values_list("score", flat=True)) == [2, 5]
    assert not Rating.objects.filter(user__isnull=False).exists()
