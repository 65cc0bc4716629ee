"""Journey: a commenter signs in with their email address, finds their comments (one waiting for a
moderator) and ratings on "Your account", changes their password and signs out; and the pages a
public health site needs (site map, accessibility statement, cookies, contact) at 1280px, 375px
and 320px, with axe finding nothing and no sideways scrolling."""

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from conditions.models import Page
from ratings.services import rating_submit
from tests.comments.factories import make_comment
from tests.conftest import PASSWORD

from .conftest import assert_accessible, assert_no_horizontal_scroll

pytestmark = pytest.mark.browser

WIDTHS = [(1280, 900), (375, 740), (320, 640)]
NEW_PASSWORD = "a-brand-new-passphrase-77"


def assert_accessible_at_every_width(page):
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        assert_no_horizontal_scroll(page, width)
        assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture
def commenter_with_records(commenter):
    guide = Page.objects.get(parent=None, slug="dystonia")
    make_comment(guide, commenter, "Stretching in the morning helps me.")
    make_comment(guide, commenter, "A very long word: " + "neck" * 60, status=Comment.Status.HELD)
    rating_submit(page=guide, user=commenter, score=4)
    return commenter


SITE_PAGES = {
    "site map": ("/site-map/", "Site map"),
    "accessibility statement": ("/accessibility/", "Accessibility statement"),
    "cookies": ("/cookies/", "Cookies"),
    "contact": ("/contact/", "Contact us"),
}


@pytest.mark.parametrize(("path", "heading"), SITE_PAGES.values(), ids=SITE_PAGES.keys())
def test_site_page_is_in_the_footer_accessible_and_reflows(page, path, heading):
    page.goto("/")
    page.get_by_role("contentinfo").get_by_role("link", name=heading, exact=True).click()
    expect(page).to_have_url(f"{page.url.split('/', 3)[0]}//{page.url.split('/', 3)[2]}{path}")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible_at_every_width(page)


def test_back_to_top_by_keyboard_returns_to_the_header(page):
    page.goto("/site-map/")
    back = page.get_by_role("link", name="Back to top")
    back.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("window.scrollY === 0")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('header') !== null")


def test_account_page_shows_comments_ratings_and_no_deleting_in_the_header(signed_in, commenter_with_records):
    page = signed_in(commenter_with_records, viewport={"width": 1280, "height": 900}).new_page()
    page.goto("/conditions/dystonia/")
    header = page.get_by_role("banner")
    expect(header).not_to_contain_text("Delete")
    header.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    comments = page.get_by_role("list", name="Your comments")
    expect(comments.get_by_role("listitem").filter(has_text="Stretching")).to_contain_text("Published")
    expect(comments.get_by_role("listitem").filter(has_text="A very long word")).to_contain_text(
        "Waiting for a moderator"
    )
    expect(page.get_by_role("list", name="Your ratings")).to_contain_text("Dystonia: 4 out of 5")
    assert_accessible_at_every_width(page)


def test_commenter_signs_in_by_email_changes_password_and_signs_out(page, commenter):
    page.goto("/conditions/dystonia/")
    page.get_by_role("banner").get_by_role("link", name="Sign in").click()
    page.get_by_label("Username or email address").fill("Commenter@Example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title("Dystonia - Dystonia Portal")

    page.get_by_role("link", name="Your account").click()
    page.get_by_role("link", name="Change your password").click()
    expect(page).to_have_title("Change your password - Dystonia Portal")
    page.get_by_role("button", name="Change password").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_contain_text("Enter your current password")
    # nhsuk-frontend's error summary script moves focus to the summary itself.
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()
    assert_accessible_at_every_width(page)

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Enter the new password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.get_by_text("Your password has been changed.")).to_be_in_viewport()

    page.get_by_role("button", name="Sign out").click()
    confirmation = page.get_by_text("You have signed out.")
    expect(confirmation).to_be_visible()
    expect(confirmation).to_be_in_viewport()
    expect(page.get_by_role("banner").get_by_role("link", name="Sign in")).to_be_visible()
