import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from comments.forms import form_started_token
from comments.models import Comment
from conditions.models import Page
from ratings.services import rating_submit
from tests.comments.factories import make_comment
from tests.conftest import PASSWORD

from .erasure import places_holding

pytestmark = pytest.mark.django_db

User = get_user_model()
SIGN_IN = reverse("accounts:signin")
SIGN_UP = reverse("accounts:signup")
RESET = reverse("accounts:password_reset")
DELETE = reverse("accounts:delete")
NEW_PASSWORD = "a-brand-new-passphrase-77"


@pytest.fixture(autouse=True)
def mail_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


# Sign up


@pytest.fixture
def sign_up(django_capture_on_commit_callbacks):
    """POST the sign-up form; emails go out once the transaction commits, as in production."""

    def post(client, **data):
        values = {
            "username": "newperson",
            "display_name": "Hopeful",
            "email": "new@example.org",
            "password1": NEW_PASSWORD,
        }
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(SIGN_UP, {**values, "password2": NEW_PASSWORD, **data})

    return post


def confirm_link(message):
    return re.search(r"http://testserver(/account/create/confirm/\S+)", message.body).group(1)


def test_sign_up_emails_a_link_that_confirms_signs_in_and_returns_to_the_page(reader, condition, sign_up, settings):
    settings.COMMENT_MIN_SECONDS = 0
    response = sign_up(reader, next="/conditions/dystonia/#comments")

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup_sent")
    sent = reader.get(response["Location"]).content.decode()
    assert "We have sent a link to the email address you gave." in sent
    user = User.objects.get(username="newperson")
    assert (user.email, user.is_active) == ("new@example.org", False)
    assert user.check_password(NEW_PASSWORD)
    assert "_auth_user_id" not in reader.session
    assert [message.to for message in mail.outbox] == [["new@example.org"]]

    link = confirm_link(mail.outbox[0])
    page = reader.get(link).content.decode()
    assert "Your username will be newperson." in page
    assert 'name="next" value="/conditions/dystonia/#comments"' in page
    User.objects.get(username="newperson").refresh_from_db()
    assert not User.objects.get(username="newperson").is_active  # opening the link changes nothing

    response = reader.post(link, {"next": "/conditions/dystonia/#comments"})

    assert response["Location"] == "/conditions/dystonia/#comments-confirmation"
    assert User.objects.get(username="newperson").is_active
    page = reader.get("/conditions/dystonia/").content.decode()
    assert "Signed in as </span>newperson" in page
    assert "<textarea" in page
    reader.post("/comments/dystonia/add/", {"text": "Hello all.", "started": form_started_token()})
    page = reader.get("/conditions/dystonia/").content.decode()
    assert "Hopeful said on" in page
    assert "newperson said on" not in page
    # The link is used up.
    used = reader.post(link)
    assert used.status_code == 400
    assert "This link has expired" in used.content.decode()


def test_a_wrong_confirmation_link_says_it_has_expired(reader, db):
    response = reader.get(reverse("accounts:signup_confirm", args=["MQ", "bad-token"]))
    assert response.status_code == 400
    assert "This link has expired" in response.content.decode()


def test_a_confirmation_link_cannot_bring_back_an_account_an_admin_turned_off(reader, commenter):
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from accounts.tokens import signup_token

    reader.post(SIGN_IN, {"username": "commenter", "password": PASSWORD})
    reader.logout()
    commenter.refresh_from_db()
    commenter.is_active = False
    commenter.save()
    link = reverse(
        "accounts:signup_confirm",
        args=[urlsafe_base64_encode(force_bytes(commenter.pk)), signup_token.make_token(commenter)],
    )

    response = reader.post(link)

    assert response.status_code == 400
    commenter.refresh_from_db()
    assert not commenter.is_active


def test_an_unconfirmed_account_cannot_sign_in(reader, sign_up):
    sign_up(reader)
    response = reader.post(SIGN_IN, {"username": "newperson", "password": NEW_PASSWORD})
    assert "Enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in reader.session


def test_sign_up_page_shows_the_form(reader):
    html = reader.get(SIGN_UP).content.decode()
    assert "Create an account" in html
    assert 'name="password2"' in html


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"username": "", "email": "a@example.org"}, "Enter a username"),
        ({"username": "x", "email": "not-an-email"}, "Enter a valid email address"),
        ({"username": "x", "email": "a@example.org", "password1": "password", "password2": "password"}, "too common"),
        (
            {"username": "x", "email": "a@example.org", "password1": "12345678901", "password2": "12345678901"},
            "numeric",
        ),
        ({"username": "x", "email": "a@example.org", "password2": "different-thing-99"}, "didn"),
    ],
)
def test_sign_up_with_bad_input_explains_and_keeps_what_was_typed(reader, data, error):
    data = {"display_name": "Someone", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, **data}
    response = reader.post(SIGN_UP, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert error in html
    if data["email"]:
        assert data["email"] in html
    assert not User.objects.filter(username=data["username"]).exists()


def test_sign_up_with_a_taken_email_looks_exactly_like_success_and_emails_the_owner(reader, commenter, sign_up):
    """The attack: sign-up said "An account already uses this email address", so it told
    anyone whether an address is registered."""
    taken = sign_up(reader, username="someone", email="COMMENTER@example.org")
    taken_page = reader.get(taken["Location"]).content.decode()
    fresh = sign_up(Client(), username="another", email="another@example.org")

    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"])
    assert taken_page == Client().get(fresh["Location"]).content.decode()
    assert "already" not in taken_page
    assert not User.objects.filter(username="someone").exists()
    assert [message.to for message in mail.outbox] == [["commenter@example.org"], ["another@example.org"]]
    assert "Someone tried to create an account" in mail.outbox[0].body


def test_sign_up_with_a_taken_username_still_says_so(reader, commenter, sign_up):
    response = sign_up(reader, username="commenter", email="fresh@example.org")
    assert response.status_code == 400
    assert "A user with that username already exists." in response.content.decode()


def test_sign_up_ignores_an_off_site_next(reader, sign_up):
    sign_up(reader, next="https://evil.example/")
    link = confirm_link(mail.outbox[0])
    assert "evil" not in link
    response = reader.post(link, {"next": "https://evil.example/"})
    assert response["Location"] == reverse("conditions:home")


def test_sign_up_is_rate_limited(reader, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": (1, 3600)}
    reader.post(SIGN_UP, {"username": ""})
    assert reader.post(SIGN_UP, {"username": ""}).status_code == 429


# Sign in and out


def test_sign_in_returns_to_a_same_site_next(reader, commenter):
    response = reader.post(
        SIGN_IN, {"username": "commenter", "password": PASSWORD, "next": "/conditions/dystonia/#comments"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/conditions/dystonia/#comments"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example", "//evil.example/conditions/", "javascript:alert(1)"]
)
def test_sign_in_never_follows_an_off_site_next(reader, commenter, next_url):
    response = reader.post(SIGN_IN, {"username": "commenter", "password": PASSWORD, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == reverse("conditions:home")


def test_sign_in_page_carries_next_through_the_form(reader):
    html = reader.get(SIGN_IN + "?next=/conditions/dystonia/").content.decode()
    assert 'name="next" value="/conditions/dystonia/"' in html
    assert "I have forgotten my password" in html


def test_sign_in_with_a_wrong_password_explains_and_keeps_the_username(reader, commenter):
    response = reader.post(SIGN_IN, {"username": "commenter", "password": "wrong"})
    html = response.content.decode()
    assert response.status_code == 200  # Django's LoginView re-renders the form
    assert "There is a problem" in html
    assert "Enter a correct username and password" in html
    assert 'value="commenter"' in html
    assert "_auth_user_id" not in reader.session


def test_sign_in_is_rate_limited(reader, commenter, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signin": (2, 600)}
    for _ in range(2):
        reader.post(SIGN_IN, {"username": "commenter", "password": "wrong"})
    response = reader.post(SIGN_IN, {"username": "commenter", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in reader.session


def test_sign_in_with_the_email_address_in_any_case_signs_in_that_account(reader, commenter):
    response = reader.post(SIGN_IN, {"username": "  Commenter@EXAMPLE.org ", "password": PASSWORD})
    assert response.status_code == 302
    assert reader.session["_auth_user_id"] == str(commenter.pk)


def test_sign_in_page_asks_for_a_username_or_email_address(reader):
    html = reader.get(SIGN_IN).content.decode()
    assert "Username or email address" in html
    assert 'maxlength="254"' in html


def test_a_wrong_password_by_email_gets_the_unchanged_error_that_names_nobody(reader, commenter):
    by_email = reader.post(SIGN_IN, {"username": "commenter@example.org", "password": "wrong"}).content.decode()
    unknown = reader.post(SIGN_IN, {"username": "nobody@example.org", "password": "wrong"}).content.decode()
    error = "Enter a correct username and password. Both are case-sensitive."
    assert error in by_email
    assert error in unknown
    assert "_auth_user_id" not in reader.session


def test_an_email_two_accounts_share_signs_in_neither_but_each_username_still_works(
    reader, commenter, other_commenter
):
    other_commenter.email = "Commenter@example.org"
    other_commenter.save()
    for password_of in (commenter, other_commenter):  # both have PASSWORD: neither may be guessed at
        response = reader.post(SIGN_IN, {"username": "commenter@example.org", "password": PASSWORD})
        assert response.status_code == 200
        assert "Enter a correct username and password" in response.content.decode()
        assert "_auth_user_id" not in reader.session, password_of
    reader.post(SIGN_IN, {"username": "other_commenter", "password": PASSWORD})
    assert reader.session["_auth_user_id"] == str(other_commenter.pk)


def test_a_username_that_is_someone_elses_email_address_signs_in_only_its_own_account(
    reader, commenter, make_user, django_user_model
):
    lookalike = make_user("commenter@example.org")
    lookalike.set_password("the-lookalikes-own-passphrase-1")
    lookalike.save()
    # commenter's password, typed with commenter's email: that text is the lookalike's username.
    reader.post(SIGN_IN, {"username": "commenter@example.org", "password": PASSWORD})
    assert "_auth_user_id" not in reader.session
    reader.post(SIGN_IN, {"username": "commenter@example.org", "password": "the-lookalikes-own-passphrase-1"})
    assert reader.session["_auth_user_id"] == str(lookalike.pk)


def test_sign_in_rate_limit_counts_username_and_email_attempts_together(reader, commenter, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signin": (2, 600)}
    reader.post(SIGN_IN, {"username": "commenter", "password": "wrong"})
    reader.post(SIGN_IN, {"username": "COMMENTER@example.org", "password": "wrong"})
    response = reader.post(SIGN_IN, {"username": "commenter@example.org", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in reader.session


def test_sign_out_needs_a_post_and_signs_out(client_for, commenter):
    client = client_for(commenter)
    assert client.get(reverse("accounts:signout")).status_code == 405
    response = client.post(reverse("accounts:signout"))
    assert response["Location"] == reverse("conditions:home")
    assert "_auth_user_id" not in client.session


def test_signing_out_says_so_on_the_page_it_lands_on_and_keeps_it_out_of_shared_caches(client_for, commenter, db):
    client = client_for(commenter)
    response = client.post(reverse("accounts:signout"), follow=True)
    assert response.redirect_chain == [(reverse("conditions:home"), 302)]
    html = response.content.decode()
    assert "You have signed out." in html
    assert response["Cache-Control"] == "private, no-store"
    # Said once: the next page is the ordinary shared one (with the emptied cookies gone, as a browser drops them).
    for name in [name for name, morsel in client.cookies.items() if not morsel.value]:
        del client.cookies[name]
    again = client.get(reverse("conditions:home"))
    assert "You have signed out." not in again.content.decode()
    assert again["Cache-Control"].startswith("public")


def test_signing_out_when_not_signed_in_says_nothing(reader, db):
    response = reader.post(reverse("accounts:signout"), follow=True)
    assert "You have signed out." not in response.content.decode()


def test_sign_out_without_csrf_token_is_refused(commenter):
    client = Client(enforce_csrf_checks=True)
    client.force_login(commenter)
    assert client.post(reverse("accounts:signout")).status_code == 403
    assert "_auth_user_id" in client.session


# Header


def test_header_offers_sign_in_and_create_an_account_to_anonymous_readers(reader, condition):
    html = reader.get("/conditions/dystonia/").content.decode()
    assert 'href="/account/sign-in/?next=/conditions/dystonia/">Sign in</a>' in html
    assert 'href="/account/create/?next=/conditions/dystonia/">Create an account</a>' in html


def test_header_shows_the_username_and_a_sign_out_button(client_for, commenter, condition):
    html = client_for(commenter).get("/conditions/dystonia/").content.decode()
    assert "Signed in as </span>commenter" in html
    assert 'href="/account/">Your account</a>' in html
    sign_out = r"<form [^>]*action=\"/account/sign-out/\" method=\"post\"[^>]*>\s*<input type=\"hidden\" name=\"csrf"
    assert re.search(sign_out, html)


def test_header_offers_your_account_and_nothing_about_deleting(client_for, commenter, condition):
    html = client_for(commenter).get("/conditions/dystonia/").content.decode()
    header = html[html.index("<header") : html.index("</header>")]
    assert "Your account" in header
    assert reverse("accounts:delete") not in header
    assert "elete" not in header


# Password reset


def test_password_reset_emails_a_link_that_sets_a_new_password(reader, commenter):
    response = reader.post(RESET, {"email": "commenter@example.org"}, follow=True)
    assert "Check your email" in response.content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["commenter@example.org"]
    link = re.search(r"http://testserver(/account/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form = reader.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = reader.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    assert "Your password has been changed" in done.content.decode()
    commenter.refresh_from_db()
    assert commenter.check_password(NEW_PASSWORD)


def test_password_reset_does_not_reveal_whether_an_email_is_registered(reader, commenter):
    known = reader.post(RESET, {"email": "commenter@example.org"}, follow=True)
    unknown = reader.post(RESET, {"email": "nobody@example.org"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert known.content.decode().count("Check your email") == unknown.content.decode().count("Check your email")
    assert [message.to for message in mail.outbox] == [["commenter@example.org"]]


def test_password_reset_with_a_bad_email_explains(reader):
    response = reader.post(RESET, {"email": "not an email"})
    assert "Enter a valid email address" in response.content.decode()
    assert 'value="not an email"' in response.content.decode()
    assert mail.outbox == []


def test_password_reset_link_that_is_wrong_says_it_has_expired(reader):
    response = reader.get(reverse("accounts:password_reset_confirm", args=["MQ", "bad-token"]))
    assert "This link has expired" in response.content.decode()


def test_password_reset_is_rate_limited(reader, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset": (1, 3600)}
    reader.post(RESET, {"email": "a@example.org"})
    assert reader.post(RESET, {"email": "a@example.org"}).status_code == 429


# Deleting an account


def test_delete_page_says_what_happens_to_comments(client_for, commenter, condition):
    make_comment(condition, commenter)
    html = client_for(commenter).get(DELETE).content.decode()
    for shown in [
        "Delete your account",
        "you have posted 1",
        "a former member",
        # Deleting the comments too is the choice already made.
        'name="delete_comments" type="radio" value="yes" checked>',
        'name="delete_comments" type="radio" value="no">',
    ]:
        assert shown in html


def test_delete_page_counts_only_comments_that_still_exist(client_for, commenter, condition):
    make_comment(condition, commenter, text="Still on the page.")
    make_comment(condition, commenter, text="Waiting for a moderator.", status="held")
    deleted = make_comment(condition, commenter, text="Deleted by me.")
    make_comment(condition, commenter, text="Taken down by a moderator.", status="removed")
    client = client_for(commenter)
    client.post(reverse("comments:delete", args=[deleted.pk]))
    html = client.get(DELETE).content.decode()
    assert "you have posted 2" in html


def test_delete_page_with_only_deleted_comments_gives_no_count(client_for, commenter, condition):
    deleted = make_comment(condition, commenter, text="Deleted by me.")
    client = client_for(commenter)
    client.post(reverse("comments:delete", args=[deleted.pk]))
    html = client.get(DELETE).content.decode()
    assert "you have posted" not in html
    assert "You can delete your comments too, or keep" in html


def test_deleting_an_account_deletes_its_comments_by_default(client_for, commenter, condition):
    make_comment(condition, commenter, text="My experience.")
    client = client_for(commenter)
    response = client.post(DELETE, {"password": PASSWORD, "delete_comments": "yes"}, follow=True)
    assert "Your account has been deleted." in response.content.decode()
    page = client.get("/conditions/dystonia/").content.decode()
    assert "My experience." not in page
    assert "A former member said on" not in page
    assert places_holding("My experience.") == []


def test_deleting_an_account_needs_a_choice_about_the_comments(client_for, commenter):
    response = client_for(commenter).post(DELETE, {"password": PASSWORD})
    assert response.status_code == 400
    assert "Choose what should happen to your comments" in response.content.decode()
    assert User.objects.filter(username="commenter").exists()


def test_deleting_an_account_can_keep_comments_as_from_a_former_member(client_for, commenter, condition):
    comment = make_comment(condition, commenter, text="My experience.")
    client = client_for(commenter)
    response = client.post(DELETE, {"password": PASSWORD, "delete_comments": "no"}, follow=True)
    assert "Your account has been deleted." in response.content.decode()
    assert not User.objects.filter(username="commenter").exists()
    comment.refresh_from_db()
    assert comment.author is None
    assert comment.status == Comment.Status.PUBLISHED
    page = client.get("/conditions/dystonia/").content.decode()
    assert "A former member said on" in page
    assert "My experience." in page


def test_deleting_an_account_needs_the_right_password(client_for, commenter):
    response = client_for(commenter).post(DELETE, {"password": "wrong"})
    assert response.status_code == 400
    assert "The password is not correct" in response.content.decode()
    assert User.objects.filter(username="commenter").exists()


def test_guessing_the_password_to_delete_an_account_is_rate_limited(client_for, commenter, settings, clock):
    clock.at(1_796_119_200)  # the first second of a 10-minute window
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "account_delete": (2, 600)}
    client = client_for(commenter)
    assert [client.post(DELETE, {"password": "wrong"}).status_code for _ in range(3)] == [400, 400, 429]
    response = client.post(DELETE, {"password": PASSWORD})
    assert response.status_code == 429
    assert "Please wait 10 minutes and try again." in response.content.decode()
    assert User.objects.filter(username="commenter").exists()


def test_anonymous_reader_cannot_open_delete_account(reader):
    response = reader.get(DELETE)
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)


# The privacy notice


def test_privacy_notice_states_the_periods_the_code_uses(reader, settings):
    settings.REMOVED_COMMENT_TEXT_DAYS = 183
    settings.UNCONFIRMED_ACCOUNT_DAYS = 5
    settings.SIGN_IN_RECORD_DAYS = 14
    html = reader.get(reverse("privacy")).content.decode()
    for period in [
        "for 6 months (183 days)",
        "not confirmed within 5 days is deleted",
        "Records of failed attempts to sign in are deleted after 14 days.",
        "up to 30 days after your last visit",
        "Staff are signed out after 2 hours",
        "We do not store your IP address.",
    ]:
        assert period in html


def test_privacy_notice_is_linked_from_the_footer_and_sign_up(reader):
    link = f'href="{reverse("privacy")}"'
    assert link in reader.get("/").content.decode()
    assert link in reader.get(SIGN_UP).content.decode()


# Sending the confirmation link again

RESEND = reverse("accounts:signup_resend")


def test_resending_emails_a_fresh_link_that_confirms(reader, sign_up, django_capture_on_commit_callbacks):
    sign_up(reader)
    with django_capture_on_commit_callbacks(execute=True):
        response = reader.post(RESEND, {"email": "NEW@example.org"})

    assert response["Location"] == reverse("accounts:signup_sent")
    assert [message.to for message in mail.outbox] == [["new@example.org"], ["new@example.org"]]
    reader.post(confirm_link(mail.outbox[1]))
    assert User.objects.get(username="newperson").is_active


def test_resending_for_an_unknown_or_confirmed_address_answers_the_same_and_sends_nothing(
    reader, commenter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        unknown = reader.post(RESEND, {"email": "nobody@example.org"})
        confirmed = reader.post(RESEND, {"email": "commenter@example.org"})
    assert unknown["Location"] == confirmed["Location"] == reverse("accounts:signup_sent")
    assert mail.outbox == []


def test_resending_with_a_bad_email_explains(reader):
    response = reader.post(RESEND, {"email": "not an email"})
    assert response.status_code == 400
    assert "Enter a valid email address" in response.content.decode()


def test_resending_is_rate_limited(reader, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup_resend": (2, 3600)}
    codes = [reader.post(RESEND, {"email": "a@example.org"}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]


def test_the_sent_and_expired_pages_offer_to_send_the_link_again(reader):
    assert f'href="{RESEND}"' in reader.get(reverse("accounts:signup_sent")).content.decode()
    assert f'href="{RESEND}"' in reader.get("/account/create/confirm/MQ/bad-token/").content.decode()


# Every page of the auth views is named after the site


@pytest.mark.parametrize(
    ("url", "title"),
    [
        (SIGN_IN, "Sign in"),
        (RESET, "Reset your password"),
        (reverse("accounts:password_reset_done"), "Check your email"),
        (reverse("accounts:password_reset_confirm", args=["MQ", "set-password"]), "Choose a new password"),
        (reverse("accounts:password_reset_complete"), "Your password has been changed"),
        (reverse("accounts:password_change"), "Change your password"),
    ],
)
def test_auth_pages_are_titled_and_headed_with_the_site_name_not_the_host(client_for, commenter, settings, url, title):
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    client = client_for(commenter) if url == reverse("accounts:password_change") else Client()
    html = client.get(url, HTTP_HOST="127.0.0.1:8300").content.decode()
    assert f"<title>{title} - Dystonia Portal</title>" in html
    assert re.search(r'class="nhsuk-header__service-name[^"]*"[^>]*>Dystonia Portal</a>', html)
    assert "127.0.0.1:8300" not in html


# Your account


@pytest.fixture
def commenter_records(commenter, other_commenter, make_page, condition):
    """The commenter's comments in each state (one deleted by them), ratings of three pages, and someone else's."""
    make_comment(condition, commenter, "My published words.")
    make_comment(condition, commenter, "My words waiting for review.", status=Comment.Status.HELD)
    make_comment(condition, commenter, "My reported words.", status=Comment.Status.HIDDEN)
    make_comment(condition, commenter, "My removed words.", status=Comment.Status.REMOVED)
    make_comment(
        condition,
        commenter,
        "Words I deleted.",
        status=Comment.Status.REMOVED,
        deleted_by_author_at="2026-01-01T00:00Z",
    )
    make_comment(condition, other_commenter, "Their words.", status=Comment.Status.HELD)
    subpages = list(Page.objects.filter(parent=condition).order_by("order"))
    for score, page in enumerate([condition, *subpages[:2]], start=3):
        rating_submit(page=page, user=commenter, score=score)
    rating_submit(page=subpages[2], user=other_commenter, score=1)
    return condition


def test_account_page_lists_your_comments_with_their_status_and_your_ratings(
    client_for, commenter, commenter_records, django_assert_num_queries
):
    client = client_for(commenter)
    # 1. the session with the user  2. the profile (display name)  3. the comments with their
    # pages  4. the ratings with their pages and those pages' parents
    with django_assert_num_queries(4):
        response = client.get(reverse("accounts:account"))
    html = response.content.decode()
    for text, status in [
        ("My published words.", "Published"),
        ("My words waiting for review.", "Waiting for a moderator"),
        ("My reported words.", "Hidden while a moderator checks it"),
        ("My removed words.", "Removed by a moderator"),
    ]:
        item = re.search(r"<li class=\"app-account-list__item\">(?:(?!</li>).)*" + re.escape(text), html, re.S)
        assert item and status in item.group(0), text
    assert "Words I deleted." not in html
    assert "Their words." not in html
    # Deletable while it is on the site (published, held or hidden), not once removed.
    mine = Comment.objects.filter(author=commenter)
    for comment in mine.exclude(status=Comment.Status.REMOVED):
        assert f'href="/conditions/dystonia/#comment-{comment.pk}"' in html
        assert f'href="/comments/{comment.pk}/delete/">Delete<span' in html
    for comment in mine.filter(status=Comment.Status.REMOVED):
        assert f"/comments/{comment.pk}/delete/" not in html
    assert "Dystonia</a>:\n        3 out of 5" in html
    assert "Symptoms of dystonia</a>:\n        4 out of 5" in html
    assert "Causes of dystonia</a>:\n        5 out of 5" in html
    assert "1 out of 5" not in html
    assert 'href="/account/password/">Change your password</a>' in html


def test_account_page_links_only_to_rated_pages_readers_can_open(client_for, commenter, commenter_records):
    """A published sub-page whose guide went back to draft is a 404, so its title is shown unlinked."""
    symptoms = Page.objects.get(parent=commenter_records, slug="symptoms")
    causes = Page.objects.get(parent=commenter_records, slug="causes")
    Page.objects.filter(pk=causes.pk).update(status=Page.Status.DRAFT)
    client = client_for(commenter)

    html = client.get(reverse("accounts:account")).content.decode()
    assert "Causes of dystonia:\n        5 out of 5" in html  # its own draft: no link
    assert "Symptoms of dystonia</a>:\n        4 out of 5" in html

    Page.objects.filter(pk=commenter_records.pk).update(status=Page.Status.DRAFT)
    html = client.get(reverse("accounts:account")).content.decode()
    assert "Dystonia:\n        3 out of 5" in html
    assert "Symptoms of dystonia:\n        4 out of 5" in html  # published, but its guide is not
    assert client.get(symptoms.get_absolute_url()).status_code == 404  # which is why
    assert f'href="{symptoms.get_absolute_url()}"' not in html


def test_account_page_says_when_there_is_nothing_yet(client_for, commenter):
    html = client_for(commenter).get(reverse("accounts:account")).content.decode()
    assert "You have not posted any comments." in html
    assert "You have not rated any pages while signed in." in html


def test_account_page_shows_the_newest_and_points_to_your_data_for_the_rest(
    client_for, commenter, condition, monkeypatch
):
    from accounts import views

    monkeypatch.setattr(views, "ACCOUNT_LIST_LENGTH", 2)
    for number in range(3):
        make_comment(condition, commenter, f"Comment {number}.")
    html = client_for(commenter).get(reverse("accounts:account")).content.decode()
    assert "Your 2 newest comments." in html
    assert "Comment 0." not in html


def test_anonymous_reader_is_sent_to_sign_in_from_your_account_and_change_password(reader):
    for name in ("accounts:account", "accounts:password_change"):
        response = reader.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(f"{SIGN_IN}?next=")


# Change password

CHANGE = reverse("accounts:password_change")


def test_changing_password_keeps_you_signed_in_and_says_so_on_your_account(client_for, commenter):
    client = client_for(commenter)
    response = client.post(
        CHANGE,
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("accounts:account"), 302)]
    assert "Your password has been changed." in response.content.decode()
    commenter.refresh_from_db()
    assert commenter.check_password(NEW_PASSWORD)
    assert client.session["_auth_user_id"] == str(commenter.pk)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (
            {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
            "Your current password is not correct",
        ),
        (
            {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": "different"},
            "The new passwords do not match",
        ),
        ({"old_password": "", "new_password1": "", "new_password2": ""}, "Enter your current password"),
    ],
)
def test_changing_password_with_bad_input_explains_in_the_error_summary(client_for, commenter, data, error):
    response = client_for(commenter).post(CHANGE, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Change your password - Dystonia Portal</title>" in html
    summary = html[html.index("nhsuk-error-summary") : html.index("<h1>")]
    assert error in summary
    commenter.refresh_from_db()
    assert commenter.check_password(PASSWORD)


def test_guessing_the_current_password_is_rate_limited(client_for, commenter, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_change": (2, 600)}
    client = client_for(commenter)
    for _ in range(2):
        client.post(CHANGE, {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    response = client.post(
        CHANGE, {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 429
    commenter.refresh_from_db()
    assert commenter.check_password(PASSWORD)


def test_account_created_is_confirmed_where_the_new_member_lands(reader, condition, sign_up, settings):
    settings.COMMENT_MIN_SECONDS = 0
    sign_up(reader, next="/conditions/dystonia/#comments")
    link = confirm_link(mail.outbox[0])

    response = reader.post(link, {"next": "/conditions/dystonia/#comments"}, follow=True)

    assert response.redirect_chain[-1][0] == "/conditions/dystonia/#comments-confirmation"
    html = response.content.decode()
    comments = html[html.index('<section class="app-comments"') :]
    assert 'id="comments-confirmation" role="status" aria-live="polite" tabindex="-1" autofocus' in comments
    assert "Your account has been created and you are signed in." in comments
    assert "nhsuk-notification-banner" not in html


def test_account_created_without_a_page_to_return_to_is_confirmed_at_the_top_of_home(reader, db, sign_up):
    sign_up(reader)
    link = confirm_link(mail.outbox[0])

    response = reader.post(link, follow=True)

    assert response.redirect_chain[-1][0] == "/"
    html = response.content.decode()
    banner = html[html.index("nhsuk-notification-banner") :]
    assert "Your account has been created and you are signed in." in banner
