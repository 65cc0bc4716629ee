import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from accounts import services
from comments.models import Comment, Report
from comments.services import comment_report
from tests.comments.factories import make_comment

from .erasure import places_holding

pytestmark = pytest.mark.django_db


SITE = "https://dystonia.example.org"


NEW_PERSON = {"username": "newperson", "email": "new@example.org", "display_name": "New Person"}


def sign_up(**changes):
    """A sign-up through the service from SITE: New Person, unless `changes` say otherwise."""
    return services.user_sign_up(**NEW_PERSON | {"password": "long-enough-words-1"} | changes, site_url=SITE)


@pytest.fixture(autouse=True)
def mail_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_sign_up_makes_an_inactive_account_with_a_hashed_password_and_emails_a_link(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        user = sign_up()

    assert user.check_password("long-enough-words-1")
    assert user.password != "long-enough-words-1"
    assert not user.is_active
    assert [message.to for message in mail.outbox] == [["new@example.org"]]
    assert mail.outbox[0].subject == "Confirm your Dystonia Portal account"
    assert f"{SITE}/account/create/confirm/" in mail.outbox[0].body


def test_sign_up_with_a_taken_email_makes_nothing_and_tells_the_owner(commenter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = sign_up(username="someone", email="COMMENTER@example.org")

    assert user is None
    assert not get_user_model().objects.filter(username="someone").exists()
    assert [message.to for message in mail.outbox] == [["commenter@example.org"]]
    body = mail.outbox[0].body
    assert "Someone tried to create an account on Dystonia Portal with this email address." in body
    assert "yours, with the username commenter" in body
    assert f"{SITE}/account/sign-in/" in body
    assert "/confirm/" not in body


def test_sign_up_again_before_confirming_sends_the_owner_a_fresh_link(django_capture_on_commit_callbacks):
    sign_up(username="first")
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(username="second", password="long-enough-words-2", display_name="Second")

    assert list(get_user_model().objects.values_list("username", flat=True)) == ["first"]
    assert "You have not confirmed your account yet." in mail.outbox[-1].body
    assert f"{SITE}/account/create/confirm/" in mail.outbox[-1].body


def test_confirming_makes_the_account_usable():
    user = sign_up()
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


# Deleting an account, and erasing a person's data on request


@pytest.fixture
def person(commenter, condition, client_for):
    """The commenter as "Quiet Owl", with a published, a held and a removed comment, a rating
    with feedback, a report, a signed-in session and a failed sign-in on record."""
    from axes.models import AccessAttempt

    from ratings.services import rating_feedback_submit, rating_submit

    commenter.profile.display_name = "Quiet Owl"
    commenter.profile.save()
    make_comment(condition, commenter, text="My neck pulls to the left every morning.")
    make_comment(condition, commenter, text="Ring me, I live on Mill Lane.", status="held")
    make_comment(condition, commenter, text="Withdrawn words about my clinic.", status="removed")
    other = make_comment(condition, None, text="Someone else's comment.")
    comment_report(comment=other, reason=Report.Reason.SPAM, reporter=commenter)
    rating = rating_submit(page=condition, user=commenter, score=2)
    rating_feedback_submit(rating=rating, reason="other", details="Too short.")
    client_for(commenter)
    AccessAttempt.objects.create(
        username=commenter.username,
        ip_address="2001:db8::1",
        user_agent="",
        attempt_time="2026-01-01T00:00Z",
        failures_since_start=1,
    )
    return commenter


PERSONAL = [
    "commenter@example.org",
    "Quiet Owl",
    "Ring me, I live on Mill Lane.",
    "Withdrawn words about my clinic.",
]


def summary_figures(page):
    from ratings.models import RatingSummary

    summary = RatingSummary.objects.get(page=page)
    return (summary.count, summary.total, summary.count_2)


def test_deleting_an_account_with_its_comments_leaves_nothing_that_identifies_the_person(person, condition):
    from axes.models import AccessAttempt

    from accounts.models import Session

    figures = summary_figures(condition)
    assert Session.objects.count() == 1

    services.account_delete(user=person, delete_comments=True)

    for value in [*PERSONAL, "My neck pulls to the left every morning."]:
        assert places_holding(value) == [], value
    assert not get_user_model().objects.filter(username="commenter").exists()
    assert Session.objects.count() == 0
    assert not AccessAttempt.objects.exists()
    assert summary_figures(condition) == figures
    assert Comment.objects.filter(status="removed").count() == 3  # kept for the reports and decisions on them
    assert Comment.objects.get(text="Someone else's comment.").reports.count() == 1


def test_deleting_an_account_but_keeping_comments_keeps_only_the_published_text(person, condition):
    figures = summary_figures(condition)

    services.account_delete(user=person, delete_comments=False)

    for value in PERSONAL:
        assert places_holding(value) == [], value
    kept = Comment.objects.get(text="My neck pulls to the left every morning.")
    assert (kept.status, kept.author_name) == ("published", "A former member")
    assert summary_figures(condition) == figures


def test_erasure_by_a_moderator_is_recorded_without_personal_data(person, moderator):
    from accounts.models import ErasureRecord

    services.account_delete(user=person, delete_comments=True, erased_by=moderator)

    record = ErasureRecord.objects.get()
    assert (record.erased_by, record.comments_deleted) == (moderator, True)
    for value in PERSONAL:
        assert places_holding(value) == [], value


def test_deleting_one_account_leaves_another_persons_records(person, other_commenter, condition):
    make_comment(condition, other_commenter, text="Held words of another person.", status="held")

    services.account_delete(user=person, delete_comments=True)

    assert places_holding("Held words of another person.") == ["comments.Comment.text"]
    assert places_holding("other_commenter@example.org") == ["auth.User.email"]


@pytest.mark.parametrize("delete_comments", [True, False])
def test_deleting_an_account_erases_the_earlier_versions_of_its_comments(commenter, condition, delete_comments):
    from comments.services import comment_edit, comment_post

    held, _ = comment_post(page=condition, author=commenter, text="Ring me on 07700 900123, Quiet Owl.")
    assert held.status == Comment.Status.HELD
    comment_edit(comment=held, user=commenter, text="Ring me, I live on Mill Lane.")
    published, _ = comment_post(page=condition, author=commenter, text="My neck pulls to the left at Mill Lane.")
    comment_edit(comment=published, user=commenter, text="My neck pulls to the left most mornings.")
    assert Comment.objects.get(pk=published.pk).status == Comment.Status.PUBLISHED

    services.account_delete(user=commenter, delete_comments=delete_comments)

    for value in ["07700 900123", "Quiet Owl", "Mill Lane"]:
        assert places_holding(value) == [], value
    held.refresh_from_db()
    assert (held.status, held.author_id) == (Comment.Status.REMOVED, None)
    kept = Comment.objects.filter(text="My neck pulls to the left most mornings.", status="published")
    assert kept.exists() is not delete_comments
