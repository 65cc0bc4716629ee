"""Journey 4: three readers report the same comment; after the third it is hidden for review.

Each reader is on an address of their own (sent as X-Forwarded-For through one trusted
proxy): reports from a single address count once, however many sessions it makes.
"""

import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, assert_no_horizontal_scroll

pytestmark = pytest.mark.browser

REPORT_LINK = "Report this content as offensive or unsuitable"
COMMENT_AUTHOR = "morbitz1"  # one of the seed's three comments


def open_report_form(page):
    page.goto("/conditions/dystonia/")
    comment = page.get_by_role("article").filter(has_text=re.compile(rf"\b{COMMENT_AUTHOR} said on"))
    comment.get_by_role("link", name=REPORT_LINK).click()


def report_first_comment(page, *, check_accessible=False):
    open_report_form(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a comment")
    expect(page.get_by_text(re.compile(rf"^{COMMENT_AUTHOR} said on"))).to_be_visible()
    page.get_by_label(re.compile(r"Offensive or abusive", re.IGNORECASE)).check()
    if check_accessible:
        assert_accessible(page)
    page.get_by_role("button", name="Send report").click()


def on_address(number):
    return {"extra_http_headers": {"X-Forwarded-For": f"203.0.113.{number}"}}


def test_three_readers_report_a_comment_and_it_is_hidden(new_context, signed_in, commenter, settings):
    settings.REPORTS_TO_HIDE = 3
    settings.TRUSTED_PROXY_COUNT = 1

    first = new_context(**on_address(1)).new_page()
    first.goto("/conditions/dystonia/")
    expect(first.get_by_text(re.compile(rf"{COMMENT_AUTHOR} said on"))).to_be_visible()
    report_first_comment(first, check_accessible=True)
    expect(first.get_by_role("heading", name="Thank you for your report")).to_be_visible()
    assert_accessible(first)

    # The same reader sees that they reported it instead of the link; at the report address
    # they are told, not counted twice.
    first.goto("/conditions/dystonia/")
    reported = first.get_by_role("article").filter(has_text=re.compile(rf"\b{COMMENT_AUTHOR} said on"))
    expect(reported).to_contain_text("You reported this")
    expect(reported.get_by_role("link", name=REPORT_LINK)).to_have_count(0)
    assert_accessible(first)
    comment_id = reported.get_attribute("id").removeprefix("comment-")
    first.goto(f"/comments/{comment_id}/report/")
    expect(first.get_by_text("You have already reported this comment")).to_be_visible()
    assert_accessible(first)

    second = new_context(**on_address(2)).new_page()
    report_first_comment(second)
    expect(second.get_by_role("heading", name="Thank you for your report")).to_be_visible()
    second.goto("/conditions/dystonia/")
    expect(second.get_by_text(re.compile(rf"{COMMENT_AUTHOR} said on"))).to_be_visible()

    third = signed_in(commenter, **on_address(3)).new_page()
    report_first_comment(third)
    expect(third.get_by_role("heading", name="Thank you for your report")).to_be_visible()

    third.goto("/conditions/dystonia/")
    expect(third.get_by_text(re.compile(rf"{COMMENT_AUTHOR} said on"))).to_have_count(0)
    expect(third.get_by_text(re.compile(r"said on"))).to_have_count(2)
    expect(third.get_by_role("heading", name=re.compile(r"^The 2 comments posted are personal views"))).to_be_visible()


@pytest.mark.parametrize("width", [375, 1280])
def test_an_author_who_types_their_own_comments_report_address_is_told_why_not(signed_in, width):
    from django.contrib.auth import get_user_model

    from comments.models import Comment

    author = get_user_model().objects.get(username=COMMENT_AUTHOR)
    comment = Comment.objects.filter(author=author).first()
    tab = signed_in(author, viewport={"width": width, "height": 900}).new_page()

    tab.goto("/conditions/dystonia/")
    own = tab.locator(f"#comment-{comment.pk}")
    expect(own.get_by_role("link", name=REPORT_LINK)).to_have_count(0)  # the page offers Delete instead

    response = tab.goto(f"/comments/{comment.pk}/report/")
    assert response.status == 403
    expect(tab.get_by_role("heading", level=1)).to_have_text("You cannot report your own comment")
    assert_accessible(tab)
    assert_no_horizontal_scroll(tab, width)
    tab.get_by_role("link", name="Back to your comment on Dystonia").click()
    expect(tab).to_have_url(re.compile(rf"/conditions/dystonia/#comment-{comment.pk}$"))
