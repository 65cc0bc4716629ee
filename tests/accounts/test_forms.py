import pytest

from accounts.forms import DeleteAccountForm, SignUpForm
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
    assert DeleteAccountForm({"password": PASSWORD}, user=commenter).is_valid()
    assert DeleteAccountForm({"password": "nope"}, user=commenter).errors["password"] == [
        "The password is not correct"
    ]
    assert DeleteAccountForm({}, user=commenter).errors["password"] == ["Enter your password"]
