import time

import pytest
from django.core import signing

from comments.forms import FORM_SALT, CommentForm, ReportForm, form_started_token


def post(text, **extra):
    return CommentForm({"text": text, "website": "", "started": form_started_token(), **extra})


def test_valid_text_is_kept_as_typed_with_windows_line_endings_made_plain():
    form = post("Line one\r\nLine two\r\n\r\n<b>bold</b>")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["text"] == "Line one\nLine two\n\n<b>bold</b>"


def test_line_breaks_count_as_one_character_each():
    assert post("a" * 1000 + "\r\n" + "b" * 999).is_valid()


def test_2001_characters_are_refused_with_the_count():
    form = post("a" * 2001)
    assert form.errors["text"] == ["Your comment must be 2000 characters or fewer (it has 2001)"]


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t "])
def test_empty_or_whitespace_only_text_is_refused(text):
    assert post(text).errors["text"] == ["Enter your comment"]


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f", "\x0b"])
def test_nul_and_control_characters_are_refused(character):
    form = post(f"Hello{character}there")
    assert "hidden control characters" in form.errors["text"][0]


def test_tabs_and_line_breaks_are_allowed():
    assert post("Column\tvalue\nNext line").is_valid()


def test_filled_honeypot_is_refused():
    form = post("Hello", website="http://spam.example")
    assert not form.is_valid()
    assert "could not be posted" in form.non_field_errors()[0]


def test_post_faster_than_a_person_could_type_is_refused(settings):
    settings.COMMENT_MIN_SECONDS = 3
    form = post("Hello")
    assert form.non_field_errors() == ["That was very quick. Check your comment and post it again."]


def test_form_older_than_the_maximum_age_is_refused(settings):
    settings.COMMENT_MAX_AGE_SECONDS = 60
    # A form shown two minutes ago: both the value and the signature's own timestamp are old.
    signer = signing.TimestampSigner(salt=FORM_SALT)
    signer.timestamp = lambda: signing.b62_encode(int(time.time()) - 120)
    old = signer.sign(str(int(time.time()) - 120))
    form = CommentForm({"text": "Hello", "website": "", "started": old})
    assert form.non_field_errors() == ["The form was open for too long. Check your comment and post it again."]


@pytest.mark.parametrize("started", ["", "123", "123:abc:def"])
def test_missing_or_forged_timestamp_is_refused(started):
    form = CommentForm({"text": "Hello", "website": "", "started": started})
    assert "Reload the page" in form.non_field_errors()[0]


def test_a_form_shown_again_carries_a_fresh_timestamp():
    stale = "123:abc:def"
    form = CommentForm({"text": "Hello", "website": "", "started": stale})
    form.is_valid()
    assert form["started"].value() != stale
    assert form["text"].value() == "Hello"


def test_report_reason_must_be_one_of_the_list():
    form = ReportForm({"reason": "boring", "details": ""})
    assert form.errors["reason"] == ["Select one of the reasons listed"]


def test_report_reason_is_required():
    assert ReportForm({"details": "x"}).errors["reason"] == ["Select why you are reporting this comment"]


def test_report_details_are_limited_to_500_characters():
    form = ReportForm({"reason": "spam", "details": "a" * 501})
    assert form.errors["details"] == ["Details must be 500 characters or fewer (you gave 501)"]


# One error per problem


@pytest.mark.parametrize("text", ["", "a" * 2001, "Hello\x00there"])
def test_text_that_needs_changing_gets_its_own_error_only_even_when_sent_quickly(settings, text):
    settings.COMMENT_MIN_SECONDS = 3
    form = post(text)
    assert not form.is_valid()
    assert form.non_field_errors() == []
    assert len(form.errors["text"]) == 1


def test_a_quick_empty_post_with_a_forged_timestamp_still_says_only_enter_your_comment():
    form = CommentForm({"text": "", "website": "", "started": "forged"})
    assert form.errors == {"text": ["Enter your comment"]}


def test_the_at_risk_reason_carries_the_999_sentence_as_its_own_hint():
    html = str(ReportForm()["reason"])
    form = ReportForm()
    hints = {choice.data["value"]: choice.data["hint"] for choice in form["reason"]}
    assert hints["at_risk"] == "If someone is in immediate danger, call 999."
    assert {value for value, hint in hints.items() if hint} == {"at_risk"}
    assert html  # the widget renders as Django's own radios where the NHS.UK pack is not used
