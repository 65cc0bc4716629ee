import re
import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.validators import ProhibitNullCharactersValidator

from .models import DETAILS_MAX_LENGTH, TEXT_MAX_LENGTH, Report

# Control characters other than tab and line feed (carriage returns are normalised away first).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
FORM_SALT = "comments.CommentForm.started"


class PlainTextField(forms.CharField):
    """Text as typed, with browser line endings (\\r\\n) counted as one character, like the textarea does."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Our own validator explains NUL bytes together with the other control characters.
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")


def reject_control_characters(value):
    if CONTROL_CHARACTERS.search(value):
        raise forms.ValidationError(
            "The text contains hidden control characters that cannot be posted. "
            "Remove them, or type the text again rather than pasting it."
        )


def form_started_token() -> str:
    return signing.TimestampSigner(salt=FORM_SALT).sign(str(int(time.time())))


class CommentForm(forms.Form):
    text = PlainTextField(
        label="Your comment",
        help_text="Plain text only. Do not include anyone's name, address, phone number or other personal details.",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        validators=[reject_control_characters],
        error_messages={
            "required": "Enter your comment",
            "max_length": "Your comment must be %(limit_value)d characters or fewer (it has %(show_value)d)",
        },
    )
    # A honeypot: hidden from people, filled in by form-filling robots.
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, started: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Check the token that came in, but always hand out a fresh one, so a form shown
        # again after an error can be sent. (`started`: a stand-in, for a form kept as HTML
        # with a slot for each reader's own token, comments_tags._form_fields.)
        self.initial["started"] = started or form_started_token()
        self._submitted_started = self.data.get(self.add_prefix("started"), "")
        if self.is_bound:
            self.data = self.data.copy()
            self.data[self.add_prefix("started")] = self.initial["started"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            # One error per problem: a comment that needs changing gets only that error, not
            # also a timing one, and the fresh token shown with it lets the corrected one through.
            return cleaned
        if cleaned.get("website"):
            raise forms.ValidationError("Your comment could not be posted. Leave the last field empty.")
        token = self._submitted_started
        try:
            started = int(
                signing.TimestampSigner(salt=FORM_SALT).unsign(token, max_age=settings.COMMENT_MAX_AGE_SECONDS)
            )
        except signing.SignatureExpired:
            raise forms.ValidationError(
                "The form was open for too long. Check your comment and post it again."
            ) from None
        except (signing.BadSignature, ValueError):
            raise forms.ValidationError("Your comment could not be posted. Reload the page and try again.") from None
        if time.time() - started < settings.COMMENT_MIN_SECONDS:
            raise forms.ValidationError("That was very quick. Check your comment and post it again.")
        return cleaned


class HintedRadioSelect(forms.RadioSelect):
    """Radios where some options carry a hint of their own, shown under that option (NHS.UK radios' item hint)."""

    def __init__(self, *args, hints=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.hints = hints or {}

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        option["hint"] = self.hints.get(value, "")
        return option


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why are you reporting this comment?",
        choices=Report.Reason.choices,
        # Beside the option it belongs to, so it is read before the report is sent.
        widget=HintedRadioSelect(hints={Report.Reason.AT_RISK: "If someone is in immediate danger, call 999."}),
        error_messages={
            "required": "Select why you are reporting this comment",
            "invalid_choice": "Select one of the reasons listed",
        },
    )
    details = PlainTextField(
        label="Tell us more (optional)",
        help_text="For example, what is wrong with the comment. Do not include your own personal details.",
        required=False,
        max_length=DETAILS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[reject_control_characters],
        error_messages={"max_length": "Details must be %(limit_value)d characters or fewer (you gave %(show_value)d)"},
    )
