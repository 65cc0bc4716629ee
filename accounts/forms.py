from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    UserCreationForm,
)

from comments.services import looks_personal

from .models import DISPLAY_NAME_MAX_LENGTH, Profile

User = get_user_model()


EMAIL_MAX_LENGTH = 254


def sign_in_username(typed: str) -> str:
    """The username a sign-in with `typed` (a username or an email address) is for.

    A username is matched exactly first, so an account whose username looks like an email
    address is never signed in to by someone else's email. Otherwise an email address matches,
    ignoring case, when exactly one account uses it; an address two accounts share signs in
    neither (each can still use its username). Anything else is returned unchanged (an email
    address in lower case), so every spelling of one attempt is one name to django-axes.
    """
    if "@" not in typed or User.objects.filter(username=typed).exists():
        return typed
    usernames = list(User.objects.filter(email__iexact=typed).values_list("username", flat=True)[:2])
    return usernames[0] if len(usernames) == 1 else typed.lower()


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account cannot be used.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.label = "Username or email address"
        field.max_length = EMAIL_MAX_LENGTH
        field.widget.attrs["maxlength"] = str(EMAIL_MAX_LENGTH)
        field.error_messages["required"] = "Enter your username or email address"
        self.fields["password"].error_messages["required"] = "Enter your password"

    def clean_username(self):
        # What authentication, django-axes' lockout and its failure records all see: the
        # account's username however the person typed it (dystonia_portal.security.axes_username).
        return sign_in_username(self.cleaned_data["username"])


class SignUpForm(UserCreationForm):
    display_name = forms.CharField(
        label="Display name",
        max_length=DISPLAY_NAME_MAX_LENGTH,
        help_text="Shown with your comments. Do not use your real name if you would rather not be recognised.",
        error_messages={
            "required": "Enter a display name",
            "max_length": f"Display name must be {DISPLAY_NAME_MAX_LENGTH} characters or fewer",
        },
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We only use it to reset your password and to tell you about your comments.",
        error_messages={"required": "Enter your email address", "invalid": "Enter a valid email address"},
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "display_name", "email"]
        help_texts = {
            "username": "You sign in with it. Nobody else sees it. Letters, numbers and @ . + - _ only, "
            "up to 150 characters."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter a username"
        self.fields["password1"].error_messages["required"] = "Enter a password"
        self.fields["password2"].label = "Enter the password again"
        self.fields["password2"].error_messages["required"] = "Enter the password again"

    def clean_display_name(self):
        name = self.cleaned_data["display_name"]
        if looks_personal(name):
            raise forms.ValidationError("Display name must not contain an email address or phone number")
        # Display names are public already, so saying one is taken gives nothing away.
        if Profile.objects.filter(display_name__iexact=name).exists():
            raise forms.ValidationError("That display name is taken. Choose another one")
        return name

    def clean_email(self):
        # Whether an account already uses it is never said here: sign-up answers the same
        # either way and emails the owner instead (accounts.services.user_sign_up).
        return User.objects.normalize_email(self.cleaned_data["email"])


class ResetPasswordForm(PasswordResetForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={"required": "Enter your email address", "invalid": "Enter a valid email address"},
    )


class ResendConfirmationForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={"required": "Enter your email address", "invalid": "Enter a valid email address"},
    )


class ChangePasswordForm(PasswordChangeForm):
    error_messages = {
        "password_mismatch": "The new passwords do not match",
        "password_incorrect": "Your current password is not correct",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        old, new1, new2 = self.fields["old_password"], self.fields["new_password1"], self.fields["new_password2"]
        old.label = "Current password"
        old.widget.attrs.pop("autofocus", None)  # focus goes to the error summary or stays put
        old.error_messages["required"] = "Enter your current password"
        new1.label = "New password"
        new1.error_messages["required"] = "Enter a new password"
        new2.label = "Enter the new password again"
        new2.help_text = ""
        new2.error_messages["required"] = "Enter the new password again"


class DeleteAccountForm(forms.Form):
    delete_comments = forms.TypedChoiceField(
        label="What should happen to your comments?",
        choices=[
            ("yes", "Delete them"),
            ("no", 'Keep the published ones, shown as from "A former member"'),
        ],
        coerce=lambda value: value == "yes",
        initial="yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what should happen to your comments"},
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("The password is not correct")
        return password
