"""Journey (issue 14): a commenter at risk is shown where to get help, a moderator sees it first,
publishes it and adds a clinician's note, and a signed-out reader sees the note."""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment

from .conftest import admin_sign_in, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_minimum_typing_time")]

COMMENT = "Some days the spasms are so bad I want to end my life. Does anyone else feel this way?"
NOTE = "If you feel like this, you are not alone. Talk to your GP, or call Samaritans free on 116 123."


@pytest.mark.parametrize("width", [1280, 375])
def test_at_risk_comment_to_care_card_to_urgent_queue_to_clinicians_note(
    signed_in, new_context, make_user, width, tmp_path
):
    # Pictures to look at for layout (docs/screenshots/ holds copies from a reviewed run).
    shots = tmp_path
    viewport = {"width": width, "height": 900}
    writer = make_user("sam_writer")
    # A moderator who is also a clinical reviewer: the Clinical reviewers group holds add_clinical_note.
    make_user("moderator", groups=["Moderators", "Clinical reviewers"], is_staff=True)

    # The commenter writes; before anything is sent they see where to get help now.
    page = signed_in(writer, viewport=viewport).new_page()
    page.goto("/conditions/dystonia/")
    page.get_by_role("textbox", name="Your comment").fill(COMMENT)
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Before you post your comment on Dystonia")
    card = page.locator(".nhsuk-card--care--urgent")
    expect(card).to_contain_text("Get help now")
    expect(card.get_by_role("link", name="999")).to_have_attribute("href", "tel:999")
    expect(card.get_by_role("link", name="NHS 111")).to_have_attribute("href", "tel:111")
    expect(card.get_by_role("link", name="116 123")).to_have_attribute("href", "tel:116123")
    assert not Comment.objects.filter(author=writer).exists()  # nothing sent yet
    assert_accessible(page)
    page.screenshot(path=shots / f"care-card-{width}.png", full_page=True)

    expect(page.get_by_role("textbox", name="Your comment")).to_have_value(COMMENT)
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("A moderator will read your comment soon")).to_be_visible()
    assert Comment.objects.get(author=writer).status == Comment.Status.HELD
    assert_accessible(page)

    # The moderator finds it first in the queue, with how long it has waited.
    admin = new_context(viewport=viewport).new_page()
    admin_sign_in(admin, "moderator")
    summary = admin.locator(".portal-moderation")
    expect(summary).to_contain_text("1 Urgent: someone may be at risk")
    assert_accessible(admin)
    admin.screenshot(path=shots / f"admin-home-{width}.png", full_page=True)
    summary.get_by_role("link", name=re.compile("Urgent: someone may be at risk")).click()
    first = admin.locator("#result_list tbody tr").first
    expect(first).to_contain_text("Some days the spasms are so bad")
    expect(first).to_contain_text(re.compile(r"Urgent, waiting (under a minute|\d+ minutes?)"))
    assert_accessible(admin)
    admin.screenshot(path=shots / f"urgent-queue-{width}.png", full_page=True)
    if width == 1280:
        # Every column is in view: the table is no wider than its box, and the last column
        # ends before the filters begin.
        widths = admin.evaluate(
            "(() => { const box = document.querySelector('#changelist .results');"
            " const last = [...document.querySelectorAll('#result_list thead th')].pop();"
            " const filter = document.querySelector('#changelist-filter');"
            " return [box.scrollWidth, box.clientWidth, last.getBoundingClientRect().right,"
            " filter.getBoundingClientRect().left]; })()"
        )
        scroll_width, client_width, last_right, filter_left = widths
        assert scroll_width <= client_width, f"the queue is cut off at 1280px: {widths}"
        assert last_right <= filter_left, f"the queue runs under the filters at 1280px: {widths}"
        expect(admin.locator("#result_list thead")).to_contain_text("Posted")

    first.get_by_role("link").first.click()
    expect(admin.locator(".portal-urgent")).to_contain_text("Your first decision stops the clock")
    expect(admin.get_by_role("button", name="Save")).to_have_count(0)
    assert_accessible(admin)
    admin.screenshot(path=shots / f"comment-decisions-{width}.png", full_page=True)
    admin.locator(".portal-decisions").get_by_role("link", name="Publish", exact=True).click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Reinstate comments")
    assert_accessible(admin)
    admin.get_by_label("Note (optional)").fill("Published: they asked for others' experience.")
    admin.get_by_role("button", name="Reinstate").click()
    expect(admin.get_by_text("Reinstated 1 comment.")).to_be_visible()

    admin.get_by_role("link", name="Add a clinician's note").click()
    assert_accessible(admin)
    admin.get_by_label("A note from our clinical team").fill(NOTE)
    admin.get_by_role("button", name="Save note").click()
    expect(admin.get_by_text("The clinician's note is saved")).to_be_visible()
    comment = Comment.objects.get(author=writer)
    item = comment.urgent_items.get()
    assert item.first_action_at is not None and item.time_to_first_action is not None

    # A signed-out reader sees the comment with the note under it.
    reader = new_context(viewport=viewport).new_page()
    reader.goto("/conditions/dystonia/")
    article = reader.locator(f"#comment-{comment.pk}")
    expect(article).to_contain_text("Some days the spasms are so bad")
    expect(article.locator(".nhsuk-inset-text")).to_contain_text(f"A note from our clinical team: {NOTE}")
    assert_accessible(reader)
    article.screenshot(path=shots / f"clinical-note-{width}.png")

    reader.goto("/comments/rules/")
    expect(reader.get_by_role("heading", level=1)).to_have_text("Comment rules")
    assert_accessible(reader)


@pytest.mark.parametrize("width", [1280, 375])
def test_author_changes_their_comment_within_15_minutes(signed_in, make_user, width):
    writer = make_user("sam_writer")
    page = signed_in(writer, viewport={"width": width, "height": 900}).new_page()
    page.goto("/conditions/dystonia/")
    page.get_by_role("textbox", name="Your comment").fill("Injections every 12 weeks help me.")
    page.get_by_role("button", name="Post comment").click()
    mine = page.get_by_role("article").filter(has_text="sam_writer said on")
    mine.get_by_role("link", name=re.compile(r"^Change")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your comment")
    expect(page.get_by_text(re.compile(r"You can change it until \d\d:\d\d"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("textbox", name="Your comment").fill("Injections every 10 weeks help me.")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Your comment has been changed.")).to_be_visible()
    expect(page.get_by_role("article").filter(has_text="sam_writer said on")).to_contain_text(
        "Injections every 10 weeks help me."
    )
    comment = Comment.objects.get(author=writer)
    assert comment.edits.get().previous_text == "Injections every 12 weeks help me."
    assert_accessible(page)
