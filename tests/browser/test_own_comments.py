"""Journey (issue 15, "Your own content"): a commenter's comment is held for review; they see it
in the thread marked "Waiting for a moderator", nobody else does, and they delete it."""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment

from .conftest import assert_accessible, assert_no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_minimum_typing_time")]

HELD = "Botox helped me a lot. Ring me on 07700 900123 if you want to talk about it."


@pytest.mark.parametrize("width", [1280, 375])
def test_a_held_comment_is_shown_to_its_author_waiting_and_can_be_deleted(
    signed_in, new_context, make_user, width, tmp_path
):
    viewport = {"width": width, "height": 900}
    writer = make_user("sam_writer")
    page = signed_in(writer, viewport=viewport).new_page()
    page.goto("/conditions/dystonia/")

    # An empty comment: one error, in the error summary beside the form, on this same page.
    page.get_by_role("button", name="Post comment").click()
    expect(page).to_have_title(re.compile(r"^Error: Dystonia"))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("listitem")).to_have_count(1)
    expect(summary.get_by_role("link", name="Enter your comment")).to_be_visible()
    expect(page.get_by_text("That was very quick")).to_have_count(0)
    expect(page.get_by_role("heading", name="Add your comment")).to_be_visible()
    assert_accessible(page)

    # A comment with a phone number in it is held for a moderator.
    page.get_by_role("textbox", name="Your comment").fill(HELD)
    page.get_by_role("button", name="Post comment").click()
    comment = Comment.objects.get(author=writer)
    assert comment.status == Comment.Status.HELD
    mine = page.locator(f"#comment-{comment.pk}")
    expect(mine).to_contain_text("Waiting for a moderator")
    expect(mine).to_contain_text("Only you can see this comment. It will appear on the page once a moderator")
    expect(mine).to_contain_text(HELD)
    expect(mine.get_by_role("link", name=re.compile("Report this content"))).to_have_count(0)
    mine.scroll_into_view_if_needed()
    assert_accessible(page)
    if width == 375:
        assert_no_horizontal_scroll(page, width=375)
    mine.screenshot(path=tmp_path / f"waiting-for-a-moderator-{width}.png")

    # Another reader does not see it.
    other = new_context(viewport=viewport).new_page()
    other.goto("/conditions/dystonia/")
    expect(other.get_by_text("Ring me on 07700 900123")).to_have_count(0)
    expect(other.get_by_text("Waiting for a moderator")).to_have_count(0)

    # The author deletes it.
    mine.get_by_role("link", name=re.compile(r"^Delete")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete your comment")
    expect(page.get_by_text("It is waiting for a moderator and only you can see it.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Delete comment").click()
    expect(page).to_have_url(re.compile(r"/conditions/dystonia/"))
    expect(page.get_by_text("Ring me on 07700 900123")).to_have_count(0)
    expect(page.get_by_text("Waiting for a moderator")).to_have_count(0)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED
    assert_accessible(page)
