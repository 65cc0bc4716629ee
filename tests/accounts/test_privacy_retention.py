import datetime
import io

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Profile, Session
from accounts.services import EXPIRED_TEXT
from comments.models import Comment
from comments.services import comment_remove
from tests.comments.factories import make_comment

pytestmark = pytest.mark.django_db

User = get_user_model()
DAY = datetime.timedelta(days=1)


def run():
    out = io.StringIO()
    call_command("privacy_retention", stdout=out)
    return out.getvalue()


@pytest.fixture
def due_and_not_due(condition, commenter, moderator, settings):
    """One of each kind of record just past its period, and one just inside it."""
    now = timezone.now()
    text_age = settings.REMOVED_COMMENT_TEXT_DAYS * DAY
    old_removed = make_comment(condition, commenter, text="Old removed words.", created_at=now - text_age - DAY)
    decision = comment_remove(comment=old_removed, moderator=moderator)
    decision.created_at = now - text_age - DAY
    decision.save()
    # Posted long ago but removed recently: moderators still need its text.
    recently_removed = make_comment(
        condition, commenter, text="Recently removed words.", created_at=now - text_age - DAY
    )
    comment_remove(comment=recently_removed, moderator=moderator)
    make_comment(condition, commenter, text="Old published words.", created_at=now - text_age - DAY)
    make_comment(
        condition,
        commenter,
        text="Old words deleted by the author.",
        status="removed",
        created_at=now - text_age - DAY,
        deleted_by_author_at=now - text_age - DAY,
    )

    unconfirmed_age = settings.UNCONFIRMED_ACCOUNT_DAYS * DAY
    for username, joined, active, last_login in [
        ("never-confirmed", now - unconfirmed_age - DAY, False, None),
        ("just-signed-up", now - unconfirmed_age + DAY, False, None),
        ("banned-long-ago", now - 100 * DAY, False, now - 90 * DAY),
    ]:
        user = User.objects.create_user(
            username=username, email=f"{username}@example.org", is_active=active, last_login=last_login
        )
        User.objects.filter(pk=user.pk).update(date_joined=joined)
        Profile.objects.create(user=user, display_name=username)

    sign_in_age = settings.SIGN_IN_RECORD_DAYS * DAY
    for username, when in [("old-attempt", now - sign_in_age - DAY), ("new-attempt", now - sign_in_age + DAY)]:
        attempt = AccessAttempt.objects.create(
            username=username, ip_address="2001:db8::1", user_agent="", failures_since_start=1
        )
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=when)  # auto_now_add on create
    Session.objects.create(session_key="ended" * 4, session_data="e30:", expire_date=now - DAY)
    Session.objects.create(session_key="current" * 4, session_data="e30:", expire_date=now + DAY)


def test_retention_erases_exactly_what_is_due_and_a_second_run_erases_nothing(due_and_not_due):
    first = run()
    texts = set(Comment.objects.values_list("text", flat=True))
    assert texts == {EXPIRED_TEXT, "Recently removed words.", "Old published words."}
    assert Comment.objects.filter(text=EXPIRED_TEXT).count() == 2
    assert set(User.objects.values_list("username", flat=True)) >= {"just-signed-up", "banned-long-ago", "commenter"}
    assert not User.objects.filter(username="never-confirmed").exists()
    assert not Profile.objects.filter(display_name="never-confirmed").exists()
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["new-attempt"]
    assert list(Session.objects.values_list("session_key", flat=True)) == ["current" * 4]
    assert "2 comment texts, 1 unconfirmed accounts, 1 sign-in records" in first

    second = run()

    assert "0 comment texts, 0 unconfirmed accounts, 0 sign-in records, 0 rate-limit counters" in second
    assert set(Comment.objects.values_list("text", flat=True)) == texts
    assert Session.objects.count() == 1


def test_retention_follows_the_setting(condition, commenter, moderator, settings):
    settings.REMOVED_COMMENT_TEXT_DAYS = 30
    comment = make_comment(condition, commenter, text="Removed a while ago.", created_at=timezone.now() - 40 * DAY)
    decision = comment_remove(comment=comment, moderator=moderator)
    decision.created_at = timezone.now() - 31 * DAY
    decision.save()

    run()

    comment.refresh_from_db()
    assert comment.text == EXPIRED_TEXT
