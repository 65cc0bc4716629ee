"""Journey 5: a moderator works through the reported queue in the admin; readers see the outcome."""

import re

import pytest
from playwright.sync_api import expect

from comments import services
from comments.models import Comment, Report

from .conftest import admin_sign_in, assert_accessible

pytestmark = pytest.mark.browser

HIDDEN_AUTHOR = "morbitz1"  # reported by three readers, so hidden pending review
REPORTED_AUTHOR = "Brummy40"  # reported once, still on the page


@pytest.fixture
def reported(site, settings):
    settings.REPORTS_TO_HIDE = 3
    hidden = Comment.objects.get(author__username=HIDDEN_AUTHOR)
    for reader in ("reader-a", "reader-b", "reader-c"):
        # Each reader on an address of their own: one address counts once towards hiding (issue 10).
        services.comment_report(
            comment=hidden, reason=Report.Reason.OFFENSIVE, session_hash=reader, address_hash=f"address-{reader}"
        )
    reported = Comment.objects.get(author__username=REPORTED_AUTHOR)
    services.comment_report(comment=reported, reason=Report.Reason.SPAM, session_hash="reader-d")
    hidden.refresh_from_db()
    assert hidden.status == Comment.Status.HIDDEN
    return hidden, reported


def said_on(page, author):
    return page.get_by_text(re.compile(rf"^{author} said on"))


def decide(page, author, action, verb):
    """Tick the author's comment in the queue, choose the action, confirm on the next page."""
    row = page.locator("#result_list tbody tr").filter(has_text=author)
    row.get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label=action)
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{verb} comments")
    page.get_by_label("Note (optional)").fill(f"{verb}d after reading the reports.")
    if verb == "Remove":
        page.get_by_label("Reason the author is given").select_option(label="It is spam or advertising")
    page.get_by_role("button", name=verb, exact=True).click()


def test_moderator_removes_one_comment_and_reinstates_another(page, moderator, reported, new_context):
    reader = new_context().new_page()
    reader.goto("/conditions/dystonia/")
    expect(said_on(reader, HIDDEN_AUTHOR)).to_have_count(0)
    expect(said_on(reader, REPORTED_AUTHOR)).to_be_visible()

    admin_sign_in(page, "moderator")
    page.get_by_role("link", name=re.compile(r"^Comments$")).first.click()

    # The queue opens on what needs review, most reported first, with the reasons.
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(HIDDEN_AUTHOR)
    expect(rows.nth(0)).to_contain_text("Offensive or abusive")
    expect(rows.nth(0)).to_contain_text("3")
    expect(rows.nth(1)).to_contain_text(REPORTED_AUTHOR)
    expect(rows.nth(1)).to_contain_text("Spam or advertising")

    decide(page, REPORTED_AUTHOR, "Remove selected comments", "Remove")
    expect(page.get_by_text("Removed 1 comment.")).to_be_visible()
    decide(page, HIDDEN_AUTHOR, "Reinstate selected comments", "Reinstate")
    expect(page.get_by_text("Reinstated 1 comment.")).to_be_visible()
    expect(page.locator("#result_list tbody tr")).to_have_count(0)

    reader.reload()
    expect(said_on(reader, HIDDEN_AUTHOR)).to_be_visible()
    expect(said_on(reader, REPORTED_AUTHOR)).to_have_count(0)
    expect(
        reader.get_by_role("heading", name=re.compile(r"^The 2 comments posted are personal views"))
    ).to_be_visible()
    assert_accessible(reader)

    # The decision is on the comment's record in the admin, with who made it.
    page.get_by_role("link", name="All comments").click()
    page.locator("#result_list tbody tr").filter(has_text=REPORTED_AUTHOR).get_by_role("link").first.click()
    decisions = page.locator(".inline-group").filter(has_text="moderation decisions")
    expect(decisions).to_contain_text("moderator")
    expect(decisions).to_contain_text("Removed after reading the reports.")
