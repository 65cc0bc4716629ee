"""Journey 3: a new reader signs up, confirms by email, signs in and shares their experience in a comment."""

import re

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.dateformat import format as date_format
from playwright.sync_api import expect

from .conftest import NewReader, assert_accessible, confirmation_path

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_minimum_typing_time")]

READER = NewReader(username="sam_reader", display_name="Sam with CD", password="a-long-and-unusual-passphrase-91")
COMMENT = "My neck spasms eased a lot after my second course of injections.\nAsk your neurologist about it."


def comment_box(page):
    return page.get_by_role("textbox", name="Your comment")


def test_new_reader_signs_up_signs_in_and_comments(page):
    page.goto("/conditions/dystonia/")
    comments = page.get_by_role("region", name=re.compile(r"comments posted are personal views"))
    expect(comments.get_by_role("textbox")).to_have_count(0)
    comments.get_by_role("link", name="create an account").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")
    READER.fill_sign_up(page)
    assert_accessible(page)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    # The link in the email confirms the account.
    (message,) = mail.outbox
    assert message.to == [READER.email]
    page.goto(confirmation_path(message))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your account")
    assert_accessible(page)
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page.get_by_text("Your account has been created and you are signed in.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/conditions/dystonia/"))

    # Sign out, then sign in again from the comments, as a returning reader would.
    page.get_by_role("button", name="Sign out").click()
    page.goto("/conditions/dystonia/")
    page.get_by_role("link", name="Sign in to comment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Username").fill(READER.username)
    page.get_by_label("Password").fill(READER.password)
    assert_accessible(page)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/conditions/dystonia/"))
    expect(page.get_by_role("navigation", name="Account")).to_contain_text(READER.username)

    comment_box(page).fill(COMMENT)
    page.get_by_role("button", name="Post comment").click()

    today = date_format(timezone.localdate(), "j F Y")
    expect(page.get_by_text(f"{READER.display_name} said on {today}", exact=True)).to_be_visible()
    mine = page.get_by_role("article").filter(has_text=f"{READER.display_name} said on {today}")
    expect(mine).to_contain_text("My neck spasms eased a lot after my second course of injections.")
    expect(mine).to_contain_text("Ask your neurologist about it.")
    expect(page.get_by_role("heading", name=re.compile(r"^The 4 comments posted are personal views"))).to_be_visible()
    assert_accessible(page)

    # Too long: the error summary says so, and the reader's words are still in the box.
    too_long = "I have had cervical dystonia for years. " * 60  # 2,400 characters
    comment_box(page).fill(too_long)
    page.get_by_role("button", name="Post comment").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_visible()
    expect(
        summary.get_by_role("link", name=re.compile(r"2000 characters or fewer|2,000 characters or fewer"))
    ).to_be_visible()
    expect(comment_box(page)).to_have_value(too_long)
    assert_accessible(page)

    # The error summary's link takes the reader to the box.
    summary.get_by_role("link").first.click()
    expect(comment_box(page)).to_be_focused()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("width", [1280, 375])
def test_posted_and_deleted_are_confirmed_beside_the_comments_with_focus(signed_in, commenter, javascript, width):
    context = signed_in(commenter, java_script_enabled=javascript, viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto("/conditions/dystonia/")
    confirmation = page.locator("#comments-confirmation")

    comment_box(page).fill("Warm baths help my spasms.")
    page.get_by_role("button", name="Post comment").click()
    expect(page).to_have_url(re.compile(r"/conditions/dystonia/#comments-confirmation$"))
    expect(confirmation).to_contain_text("Your comment has been posted.")
    expect(confirmation).to_be_in_viewport()
    assert page.evaluate("document.activeElement.id") == "comments-confirmation"
    assert page.locator(".nhsuk-notification-banner").count() == 0
    assert_accessible(page)

    page.get_by_role("link", name=re.compile(r"^Delete your comment")).first.click()
    page.get_by_role("button", name="Delete comment").click()
    expect(confirmation).to_contain_text("Your comment has been deleted.")
    expect(confirmation).to_be_in_viewport()
    assert page.evaluate("document.activeElement.id") == "comments-confirmation"
    expect(page.get_by_text("Warm baths help my spasms.")).to_have_count(0)
    assert_accessible(page)
