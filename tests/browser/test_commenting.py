"""Journey 3: a new reader signs up, signs in and shares their experience in a comment."""

import re

import pytest
from django.utils import timezone
from django.utils.dateformat import format as date_format
from playwright.sync_api import expect

from .conftest import assert_accessible

pytestmark = pytest.mark.browser

USERNAME = "sam_reader"
PASSWORD = "a-long-and-unusual-passphrase-91"
COMMENT = "My neck spasms eased a lot after my second course of injections.\nAsk your neurologist about it."


@pytest.fixture(autouse=True)
def no_minimum_typing_time(settings):
    # The comment form rejects posts made faster than a person could type; a browser test types at once.
    settings.COMMENT_MIN_SECONDS = 0


def test_new_reader_signs_up_signs_in_and_comments(new_context):
    page = new_context().new_page()
    page.goto("/conditions/dystonia/")
    page.get_by_role("link", name=re.compile(r"^Sign in")).first.click()
    page.get_by_role("link", name=re.compile(r"create an account|sign up|register", re.IGNORECASE)).first.click()

    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label(re.compile(r"^Email")).fill(f"{USERNAME}@example.org")
    page.get_by_label(re.compile(r"^Password$|^Create a password", re.IGNORECASE)).fill(PASSWORD)
    page.get_by_label(re.compile(r"confirm|again", re.IGNORECASE)).fill(PASSWORD)
    assert_accessible(page)
    page.get_by_role("button", name=re.compile(r"create|sign up|register", re.IGNORECASE)).click()
    expect(page.get_by_role("alert")).to_have_count(0)

    # A new visit: sign in from the condition page and come back to it.
    page = new_context().new_page()
    page.goto("/conditions/dystonia/")
    page.get_by_role("link", name=re.compile(r"^Sign in")).first.click()
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill(PASSWORD)
    assert_accessible(page)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/conditions/dystonia/"))

    comment_box = page.get_by_role("textbox", name=re.compile(r"comment", re.IGNORECASE))
    comment_box.fill(COMMENT)
    page.get_by_role("button", name=re.compile(r"comment", re.IGNORECASE)).click()

    today = date_format(timezone.localdate(), "j F Y")
    said = page.get_by_text(f"{USERNAME} said on {today}")
    expect(said).to_be_visible()
    expect(page.get_by_text("My neck spasms eased a lot after my second course of injections.")).to_be_visible()
    assert_accessible(page)

    # Too long: the error summary says so, and the reader's words are still in the box.
    too_long = "I have had cervical dystonia for years. " * 60  # 2,400 characters
    comment_box = page.get_by_role("textbox", name=re.compile(r"comment", re.IGNORECASE))
    comment_box.fill(too_long)
    page.get_by_role("button", name=re.compile(r"comment", re.IGNORECASE)).click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("2,000")
    expect(page.get_by_role("textbox", name=re.compile(r"comment", re.IGNORECASE))).to_have_value(too_long)
    assert_accessible(page)
