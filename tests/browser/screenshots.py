"""`make screenshots`: full-page pictures of the site as readers, commenters and moderators see it.

Not part of the test run (the name does not match `test_*.py`); `make screenshots` runs it
with pytest, which collects a file named on its command line, so it gets the same live
server, demo content and browser as the browser tests. The PNGs go to docs/screenshots/.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from comments import services
from comments.models import Comment, Report

from .conftest import admin_sign_in

pytestmark = pytest.mark.browser

OUT = Path(settings.BASE_DIR) / "docs" / "screenshots"


@pytest.fixture
def shoot(new_context):
    OUT.mkdir(parents=True, exist_ok=True)

    def shoot(page, name, locator=None):
        page.wait_for_load_state("networkidle")
        target = OUT / f"{name}.png"
        if locator is None:
            page.screenshot(path=target, full_page=True, animations="disabled")
        else:
            locator.scroll_into_view_if_needed()
            locator.screenshot(path=target, animations="disabled")
        return target

    return shoot


@pytest.fixture
def desktop(new_context):
    return new_context(viewport={"width": 1024, "height": 768}).new_page()


def test_home_page(desktop, shoot):
    desktop.goto("/")
    shoot(desktop, "home")


def test_dystonia_page(desktop, shoot):
    desktop.goto("/conditions/dystonia/")
    shoot(desktop, "dystonia")


def test_rating_block_after_rating(desktop, shoot):
    desktop.goto("/conditions/dystonia/")
    block = desktop.get_by_role("region", name="How helpful is this page?")
    block.get_by_role("radio", name="5 stars: very helpful").check()
    block.get_by_role("button", name="Send rating").click()
    expect(block.get_by_role("status")).to_contain_text("Thank you, your rating has been saved.")
    shoot(desktop, "rating-after-rating", block)


def test_comments_and_report_form(desktop, shoot):
    desktop.goto("/conditions/dystonia/")
    comments = desktop.get_by_role("region", name=re.compile(r"comments posted are personal views"))
    shoot(desktop, "comments", comments)
    comments.get_by_role("link", name="Report this content as offensive or unsuitable").first.click()
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Report a comment")
    shoot(desktop, "report-form")


def test_admin_moderation_queue(new_context, shoot, moderator):
    desktop = new_context(viewport={"width": 1440, "height": 900}).new_page()  # room for every queue column
    for number, comment in enumerate(Comment.objects.order_by("created_at")):
        reasons = [Report.Reason.OFFENSIVE, Report.Reason.MEDICAL, Report.Reason.SPAM][: number + 1]
        for reader, reason in enumerate(reasons):
            services.comment_report(comment=comment, reason=reason, session_hash=f"r{number}-{reader}")
    admin_sign_in(desktop, "moderator")
    desktop.get_by_role("link", name=re.compile(r"^Comments$")).first.click()
    expect(desktop.locator("#result_list tbody tr")).to_have_count(3)
    shoot(desktop, "admin-moderation-queue")
