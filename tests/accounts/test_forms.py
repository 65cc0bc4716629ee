import pytest

from accounts.forms import DeleteAccountForm, SignUpForm, sign_in_username
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_up_needs_an_email_address():
    form = SignUpForm({"username": "x", "password1": "long-enough-words-1", "password2": "long-enough-words-1"})
    assert form.errors["email"] == ["Enter your email address"]


def test_sign_up_applies_djangos_password_validators():
    form = SignUpForm({"username": "jo", "email": "jo@example.org", "password1": "short", "password2": "short"})
    assert any("too short" in error for error in form.errors["password2"])


def test_sign_up_refuses_a_username_already_taken(commenter):
    form = SignUpForm(
        {
            "username": "commenter",
            "email": "other@example.org",
            "password1": "long-enough-words-1",
            "password2": "long-enough-words-1",
        }
    )
    assert "username" in form.errors


def test_delete_account_form_checks_the_password(commenter):
    assert DeleteAccountForm({"password": PASSWORD, "delete_comments": "yes"}, user=commenter).is_valid()
    assert DeleteAccountForm({"password": "nope"}, user=commenter).errors["password"] == [
        "The password is not correct"
    ]
    assert DeleteAccountForm({}, user=commenter).errors["password"] == ["Enter your password"]


def sign_up_form(**data):
    values = {
        "username": "newperson",
        "display_name": "Quiet Owl",
        "email": "new@example.org",
        "password1": "long-enough-words-1",
        "password2": "long-enough-words-1",
    }
    return SignUpForm({**values, **data})


def test_sign_up_asks_for_a_display_name_with_a_hint_about_real_names():
    form = sign_up_form(display_name="")
    assert form.errors["display_name"] == ["Enter a display name"]
    assert form.fields["display_name"].help_text == (
        "Shown with your comments. Do not use your real name if you would rather not be recognised."
    )


@pytest.mark.parametrize("name", ["jo@example.org", "Call 07700 900123"])
def test_sign_up_refuses_a_display_name_with_an_email_address_or_phone_number(name):
    form = sign_up_form(display_name=name)
    assert form.errors["display_name"] == ["Display name must not contain an email address or phone number"]


def test_sign_up_refuses_a_display_name_taken_in_any_letter_case(commenter):
    commenter.profile.display_name = "Quiet Owl"
    commenter.profile.save()
    form = sign_up_form(display_name="QUIET owl")
    assert form.errors["display_name"] == ["That display name is taken. Choose another one"]


@pytest.mark.parametrize(("choice", "deletes"), [("yes", True), ("no", False)])
def test_delete_account_form_says_whether_to_delete_the_comments(commenter, choice, deletes):
    form = DeleteAccountForm({"password": PASSWORD, "delete_comments": choice}, user=commenter)
    assert form.is_valid()
    assert form.cleaned_data["delete_comments"] is deletes


def test_sign_in_username_maps_an_email_in_any_case_to_its_one_account(commenter):
    assert sign_in_username("COMMENTER@example.ORG") == "commenter"
    assert sign_in_username("commenter") == "commenter"


def test_sign_in_username_leaves_a_shared_or_unknown_email_as_one_lower_case_name(commenter, other_commenter):
    other_commenter.email = "commenter@example.org"
    other_commenter.save()
    assert sign_in_username("Commenter@Example.org") == "commenter@example.org"
    assert sign_in_username("Nobody@Example.org") == "nobody@example.org"


def test_sign_in_username_prefers_an_exact_username_to_someone_elses_email(commenter, make_user):
    make_user("commenter@example.org")
    assert sign_in_username("commenter@example.org") == "commenter@example.org"
    # A different case is no username (usernames are case-sensitive), so the email decides.
    assert sign_in_username("Commenter@example.org") == "commenter"
