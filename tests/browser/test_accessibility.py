"""WCAG 2.2 AA on every public page (axe-core), and no sideways scrolling at 400% zoom.

400% zoom of a 1280px window is a 320px wide viewport (WCAG 1.4.10 Reflow): the
page must fit it without horizontal scrolling. Each page is checked at desktop
width and at 320px, because the NHS.UK header and grid change layout between them.
"""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment

from .conftest import assert_accessible, assert_no_horizontal_scroll, axe_violations

pytestmark = pytest.mark.browser


def report_url(author="morbitz1"):
    return Comment.objects.get(author__username=author).get_report_url()


PUBLIC_PAGES = {
    "home": "/",
    "a to z": "/conditions/",
    "condition page": "/conditions/dystonia/",
    "sub-page symptoms": "/conditions/dystonia/symptoms/",
    "sub-page causes": "/conditions/dystonia/causes/",
    "sub-page diagnosis": "/conditions/dystonia/diagnosis/",
    "sub-page treatment": "/conditions/dystonia/treatment/",
    "search form": "/search/",
    "search results": "/search/?q=botulinum",
    "search with no results": "/search/?q=xylophone",
    "search error (over-long query)": "/search/?q=" + "a" * 201,
    "page not found": "/conditions/no-such-condition/",
    "sign in": "/account/sign-in/",
    "create an account": "/account/create/",
    "create an account: check your email": "/account/create/sent/",
    "create an account: link expired": "/account/create/confirm/MQ/bad-token/",
    "create an account: send the link again": "/account/create/resend/",
    "privacy notice": "/privacy/",
    "password reset": "/account/password-reset/",
    "password reset sent": "/account/password-reset/sent/",
    "report a comment": report_url,
    "report thank-you": lambda: report_url().replace("/report/", "/report/thank-you/"),
}


@pytest.mark.parametrize("path", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_public_page_has_no_axe_violations_and_reflows_at_320px(new_context, path):
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(path() if callable(path) else path)
    expect(page.locator("h1")).to_have_count(1)
    assert_accessible_at_both_widths(page)


def assert_accessible_at_both_widths(page):
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 640})
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def error_summary(page):
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_visible()
    return summary


def test_sign_in_error_state(page):
    page.goto("/account/sign-in/")
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(error_summary(page)).to_contain_text("Enter a correct username and password")
    expect(page.get_by_label("Username")).to_have_value("nobody")
    assert_accessible_at_both_widths(page)


def test_sign_up_error_state(page):
    page.goto("/account/create/")
    page.get_by_label("Username").fill("new reader")
    page.get_by_label("Email address").fill("not-an-email")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Enter the password again").fill("different")
    page.get_by_role("button", name="Create account").click()
    summary = error_summary(page)
    expect(summary).to_contain_text("Enter a valid email address")
    expect(page.get_by_label("Email address")).to_have_value("not-an-email")
    # Every message in the summary links to its field, and following it focuses the field.
    summary.get_by_role("link", name="Enter a valid email address").click()
    expect(page.get_by_label("Email address")).to_be_focused()
    assert_accessible_at_both_widths(page)


def test_password_reset_error_state(page):
    page.goto("/account/password-reset/")
    page.get_by_label("Email address").fill("nobody at example")
    page.get_by_role("button").filter(has_text=re.compile(r"\S")).last.click()
    expect(error_summary(page)).to_contain_text("Enter a valid email address")
    assert_accessible_at_both_widths(page)


def test_password_reset_by_email_link(page, commenter, mailoutbox):
    page.goto("/account/sign-in/")
    page.get_by_role("link", name="I have forgotten my password").click()
    page.get_by_label("Email address").fill("commenter@example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/account/password-reset/\S+/", mailoutbox[0].body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    assert_accessible_at_both_widths(page)
    new_password = page.get_by_label("New password", exact=True)
    again = page.get_by_label("New password confirmation")
    new_password.fill("short")
    again.fill("different")
    page.get_by_role("button", name="Save new password").click()
    expect(error_summary(page)).to_be_visible()
    assert_accessible_at_both_widths(page)

    new_password.fill("a-new-and-unusual-passphrase-77")
    again.fill("a-new-and-unusual-passphrase-77")
    page.get_by_role("button", name="Save new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password has been changed")
    assert_accessible_at_both_widths(page)


def test_rating_feedback_error_state_without_javascript(new_context):
    page = new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900}).new_page()
    page.goto("/conditions/dystonia/")
    page.get_by_role("radio", name="1 star: not helpful").check()
    page.get_by_role("button", name="Send rating").click()
    page.get_by_role("radio", name="Something else").check()
    page.get_by_label("Tell us more (optional)").fill("x" * 501)
    page.get_by_role("button", name="Send", exact=True).click()
    expect(error_summary(page)).to_be_visible()
    expect(page.get_by_label("Tell us more (optional)")).to_have_value("x" * 501)
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 640})
    assert_no_horizontal_scroll(page)


def test_report_form_error_state(page):
    page.goto(report_url())
    page.get_by_role("button", name="Send report").click()
    expect(error_summary(page)).to_be_visible()
    expect(page.get_by_role("group", name="Why are you reporting this comment?")).to_be_visible()
    assert_accessible_at_both_widths(page)


def test_rating_error_state_without_javascript(new_context):
    page = new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900}).new_page()
    page.goto("/conditions/dystonia/")
    page.get_by_role("button", name="Send rating").click()
    expect(error_summary(page)).to_be_visible()
    # The page the form was on, with the error summary in the rating block.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dystonia")
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 640})
    assert_no_horizontal_scroll(page)


def test_rating_error_state_with_javascript(page):
    page.goto("/conditions/dystonia/")
    page.get_by_role("region", name="How helpful is this page?").get_by_role("button", name="Send rating").click()
    expect(page.get_by_role("group", name="Add your rating")).to_contain_text(re.compile(r"Error:"))
    assert_accessible_at_both_widths(page)


def test_delete_account_page(signed_in, commenter):
    page = signed_in(commenter, viewport={"width": 1280, "height": 900}).new_page()
    page.goto("/account/delete/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible_at_both_widths(page)
    page.get_by_role("button").filter(has_text=re.compile(r"[Dd]elete")).last.click()
    expect(error_summary(page)).to_contain_text("Enter your password")
    assert_accessible_at_both_widths(page)


def test_search_error_state_is_announced_and_keeps_the_query(page):
    page.goto("/search/")
    page.get_by_role("main").get_by_role("searchbox").fill("dystonia " * 30)
    page.get_by_role("main").get_by_role("button", name="Search").click()

    summary = error_summary(page)
    expect(summary.get_by_role("link", name="Search for 200 characters or fewer")).to_be_visible()
    expect(page.get_by_role("main").get_by_role("searchbox")).to_have_value("dystonia " * 30)
    assert_accessible(page)


def test_axe_check_finds_a_violation_when_there_is_one(page):
    # Guards the harness: zero violations above must mean axe ran and found nothing.
    page.goto("/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/x.png\">')")
    assert [violation["rule"] for violation in axe_violations(page)] == ["image-alt"]
