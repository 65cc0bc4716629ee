"""A member's own version moves with every write to what they see of their own, whatever made it.

Database triggers (accounts, ratings and comments migrations), so these use the ORM's every
path: save, delete, `QuerySet.update()` (which sends no signals) and bulk delete.
"""

import pytest
from django.db import connection

from accounts.backends import MemberBackend
from accounts.models import MemberVersion, Profile, member_version
from comments.models import Comment, Report
from ratings.models import Rating, RatingFeedback
from ratings.services import rating_submit
from tests.comments.factories import make_comment

pytestmark = pytest.mark.django_db


def version(user):
    return MemberVersion.objects.get(user=user).version


def moves(user, write):
    before = version(user)
    write()
    return version(user) > before


def test_every_account_gets_its_row_when_it_is_made(django_user_model):
    user = django_user_model.objects.create_user("newcomer", password="unguessable-words-7")
    assert version(user) == 1


def test_their_ratings_move_it_however_they_are_written(commenter, condition):
    assert moves(commenter, lambda: rating_submit(page=condition, user=commenter, score=4))
    ratings = Rating.objects.filter(user=commenter)
    assert moves(commenter, lambda: ratings.update(score=2))
    rating = ratings.get()
    feedback = {"rating": rating, "page": condition, "score": 2, "reason": RatingFeedback.Reason.OTHER}
    assert moves(commenter, lambda: RatingFeedback.objects.create(**feedback))
    assert moves(commenter, lambda: RatingFeedback.objects.filter(rating=rating).update(details="Out of date"))
    assert moves(commenter, lambda: RatingFeedback.objects.filter(rating=rating).delete())
    assert moves(commenter, lambda: ratings.delete())


def test_their_comments_move_it_whoever_changes_them(commenter, condition):
    comment = make_comment(condition, commenter)
    assert version(commenter) > 1
    mine = Comment.objects.filter(pk=comment.pk)
    # A moderator's decision is a write to their comment too.
    assert moves(commenter, lambda: mine.update(status=Comment.Status.HIDDEN))
    assert moves(commenter, lambda: mine.update(status=Comment.Status.PUBLISHED))
    assert moves(commenter, lambda: mine.update(text="Changed words."))
    assert moves(commenter, lambda: mine.delete())


def test_their_reports_move_it(commenter, other_commenter, condition):
    theirs = make_comment(condition, other_commenter)
    report = {"comment": theirs, "reporter": commenter, "reason": Report.Reason.SPAM}
    assert moves(commenter, lambda: Report.objects.create(**report))
    assert moves(commenter, lambda: Report.objects.filter(reporter=commenter).delete())


def test_their_account_and_profile_move_it(commenter, django_user_model):
    assert moves(commenter, lambda: django_user_model.objects.filter(pk=commenter.pk).update(username="renamed"))
    assert moves(commenter, lambda: Profile.objects.filter(user=commenter).update(display_name="New name"))


def test_nobody_elses_writes_move_it(commenter, other_commenter, condition):
    before = version(commenter)
    rating_submit(page=condition, user=other_commenter, score=5)
    rating_submit(page=condition, session_hash="a-reader".ljust(40, "x"), score=3)
    theirs = make_comment(condition, other_commenter)
    Report.objects.create(comment=theirs, session_hash="b-reader".ljust(40, "x"), reason=Report.Reason.SPAM)
    Profile.objects.filter(user=other_commenter).update(display_name="Someone else")
    assert version(commenter) == before


def test_an_account_goes_with_everything_it_wrote_and_its_row(commenter, other_commenter, condition):
    rating_submit(page=condition, user=commenter, score=1)
    make_comment(condition, commenter)
    Report.objects.create(comment=make_comment(condition, other_commenter), reporter=commenter, reason="spam")
    commenter.delete()
    # The row goes with the account: no trigger writes it again as the rows that name the account
    # are changed or deleted (PostgreSQL would refuse the commit; check now, in the test's transaction).
    connection.check_constraints()
    assert not MemberVersion.objects.filter(user_id=commenter.pk).exists()


def test_the_version_names_the_account_and_its_row(commenter):
    row = MemberVersion.objects.get(user=commenter)
    assert member_version(commenter) == f"{commenter.pk}:{row.pk}.{row.version}"


def test_nobody_signed_in_and_an_account_without_its_row_have_no_version(commenter):
    from django.contrib.auth.models import AnonymousUser

    assert member_version(AnonymousUser()) is None
    MemberVersion.objects.filter(user=commenter).delete()
    commenter.refresh_from_db()
    assert member_version(commenter) is None


def test_the_sign_in_backend_reads_the_account_with_its_version_in_one_query(commenter, django_assert_num_queries):
    expected = member_version(commenter)
    with django_assert_num_queries(1):
        user = MemberBackend().get_user(commenter.pk)
        assert member_version(user) == expected
    assert user == commenter and user.get_username() == "commenter"
    assert user.last_login == commenter.last_login and user.is_active is True


def test_the_sign_in_backend_refuses_a_missing_or_inactive_account(commenter, django_user_model):
    assert MemberBackend().get_user(commenter.pk + 1000) is None
    django_user_model.objects.filter(pk=commenter.pk).update(is_active=False)
    assert MemberBackend().get_user(commenter.pk) is None


def test_an_account_without_its_row_still_signs_in(commenter):
    MemberVersion.objects.filter(user=commenter).delete()
    user = MemberBackend().get_user(commenter.pk)
    assert user == commenter
    assert member_version(user) is None
