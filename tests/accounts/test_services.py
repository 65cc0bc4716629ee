import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from accounts import services
from comments.models import Report
from tests.comments.factories import make_comment

pytestmark = pytest.mark.django_db


SITE = "https://dystonia.example.org"


@pytest.fixture(autouse=True)
def mail_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_sign_up_makes_an_inactive_account_with_a_hashed_password_and_emails_a_link(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        user = services.user_sign_up(
            username="newperson",
            email="new@example.org",
            password="long-enough-words-1",
            display_name="New Person",
            site_url=SITE,
        )

    assert user.check_password("long-enough-words-1")
    assert user.password != "long-enough-words-1"
    assert not user.is_active
    assert [message.to for message in mail.outbox] == [["new@example.org"]]
    assert mail.outbox[0].subject == "Confirm your Dystonia Portal account"
    assert f"{SITE}/account/create/confirm/" in mail.outbox[0].body


def test_sign_up_with_a_taken_email_makes_nothing_and_tells_the_owner(commenter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = services.user_sign_up(
            username="someone",
            email="COMMENTER@example.org",
            password="long-enough-words-1",
            display_name="New Person",
            site_url=SITE,
        )

    assert user is None
    assert not get_user_model().objects.filter(username="someone").exists()
    assert [message.to for message in mail.outbox] == [["commenter@example.org"]]
    body = mail.outbox[0].body
    assert "Someone tried to create an account on Dystonia Portal with this email address." in body
    assert "yours, with the username commenter" in body
    assert f"{SITE}/account/sign-in/" in body
    assert "/confirm/" not in body


def test_sign_up_again_before_confirming_sends_the_owner_a_fresh_link(django_capture_on_commit_callbacks):
    services.user_sign_up(
        username="first",
        email="new@example.org",
        password="long-enough-words-1",
        display_name="New Person",
        site_url=SITE,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.user_sign_up(
            username="second",
            email="new@example.org",
            password="long-enough-words-2",
            display_name="Second",
            site_url=SITE,
        )

    assert list(get_user_model().objects.values_list("username", flat=True)) == ["first"]
    assert "You have not confirmed your account yet." in mail.outbox[-1].body
    assert f"{SITE}/account/create/confirm/" in mail.outbox[-1].body


def test_confirming_makes_the_account_usable():
    user = services.user_sign_up(
        username="newperson",
        email="new@example.org",
        password="long-enough-words-1",
        display_name="New Person",
        site_url=SITE,
    )
    services.user_confirm(user=user)
    user.refresh_from_db()
    assert user.is_active


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
