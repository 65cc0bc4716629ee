import pytest
from django.db import IntegrityError, transaction

from comments.models import Comment, CommentSettings, Report

from .factories import make_comment

pytestmark = pytest.mark.django_db


def test_comment_text_longer_than_2000_characters_is_refused_by_the_database(condition, commenter):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_comment(condition, commenter, text="a" * 2001)
    assert not Comment.objects.exists()


def test_comment_text_of_exactly_2000_characters_is_stored(condition, commenter):
    assert len(make_comment(condition, commenter, text="a" * 2000).text) == 2000


def test_empty_comment_text_is_refused_by_the_database(condition, commenter):
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.create(page=condition, author=commenter, text="", text_hash="x")


def test_one_report_per_user_per_comment_is_a_database_rule(condition, commenter, other_commenter):
    comment = make_comment(condition, commenter)
    Report.objects.create(comment=comment, reporter=other_commenter, reason=Report.Reason.SPAM)
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(comment=comment, reporter=other_commenter, reason=Report.Reason.OTHER)
    assert comment.reports.count() == 1


def test_one_report_per_anonymous_session_per_comment_is_a_database_rule(condition, commenter):
    comment = make_comment(condition, commenter)
    Report.objects.create(comment=comment, session_hash="abc", reason=Report.Reason.SPAM)
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(comment=comment, session_hash="abc", reason=Report.Reason.SPAM)


def test_invalid_report_reason_is_refused_by_the_database(condition, commenter):
    comment = make_comment(condition, commenter)
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(comment=comment, session_hash="abc", reason="boring")


def test_author_name_is_a_former_member_once_the_account_is_gone(condition, commenter):
    comment = make_comment(condition, commenter)
    assert comment.author_name == "commenter"
    commenter.delete()
    comment.refresh_from_db()
    assert comment.author is None
    assert comment.author_name == "A former member"


def test_queue_holds_held_comments_and_comments_with_open_reports(condition, commenter):
    quiet = make_comment(condition, commenter)
    held = make_comment(condition, commenter, status=Comment.Status.HELD)
    reported = make_comment(condition, commenter)
    Report.objects.create(comment=reported, session_hash="abc", reason=Report.Reason.SPAM)
    assert set(Comment.objects.needing_review()) == {held, reported}
    assert quiet not in Comment.objects.needing_review()


def test_comment_settings_default_to_open_and_post_moderated(condition):
    thread = CommentSettings.for_page(condition)
    assert thread.pk is None
    assert not thread.closed
    assert not thread.pre_moderate


def test_author_name_is_the_display_name_never_the_username(condition, commenter):
    commenter.profile.display_name = "Quiet Owl"
    commenter.profile.save()
    comment = make_comment(condition, commenter)
    comment = Comment.objects.select_related("author__profile").get(pk=comment.pk)
    assert comment.author_name == "Quiet Owl"


def test_author_name_of_an_account_without_a_profile_is_a_member(condition, django_user_model):
    admin = django_user_model.objects.create_user(username="made-by-createsuperuser")
    assert make_comment(condition, admin).author_name == "A member"


def test_author_name_after_the_account_is_deleted_is_a_former_member(condition, commenter):
    comment = make_comment(condition, commenter)
    commenter.delete()
    comment.refresh_from_db()
    assert comment.author_name == "A former member"


def test_waiting_for_moderator_is_the_persons_own_held_and_hidden_comments_only(
    condition, commenter, other_commenter, moderator, make_page
):
    from django.contrib.auth.models import AnonymousUser

    held = make_comment(condition, commenter, status="held")
    hidden = make_comment(condition, commenter, status="hidden")
    make_comment(condition, commenter, status="published")
    make_comment(condition, commenter, status="removed")
    make_comment(condition, other_commenter, status="held")
    draft = make_page("Draft guide", status="draft")
    make_comment(draft, commenter, status="held")  # on a guide readers cannot see: visible_to leaves it out
    assert set(Comment.objects.waiting_for_moderator_to(commenter)) == {held, hidden}
    assert not Comment.objects.waiting_for_moderator_to(other_commenter).filter(author=commenter).exists()
    assert list(Comment.objects.waiting_for_moderator_to(moderator)) == []
    assert list(Comment.objects.waiting_for_moderator_to(AnonymousUser())) == []


def test_waiting_for_moderator_on_a_page_is_the_persons_own_held_and_hidden_comments_there(
    condition, commenter, other_commenter, make_page
):
    held = make_comment(condition, commenter, status="held")
    hidden = make_comment(condition, commenter, status="hidden")
    make_comment(condition, commenter, status="published")
    make_comment(condition, other_commenter, status="held")
    make_comment(make_page("Another guide"), commenter, status="held")
    assert set(Comment.objects.waiting_for_moderator_to(commenter, on=condition)) == {held, hidden}
    assert (
        set(Comment.objects.waiting_for_moderator_to(other_commenter, on=condition).filter(author=commenter)) == set()
    )
