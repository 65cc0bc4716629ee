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


@pytest.mark.parametrize("width", [1280, 375])
def test_rating_confirmation_beside_the_block(new_context, shoot, width):
    """Without JavaScript, after the redirect: the whole block, its confirmation (focused) under the form."""
    page = new_context(java_script_enabled=False, viewport={"width": width, "height": 900}).new_page()
    page.goto("/conditions/dystonia/")
    block = page.get_by_role("region", name="How helpful is this page?")
    block.get_by_role("radio", name="4 stars: helpful").check()
    block.get_by_role("button", name="Send rating").click()
    expect(page.locator("#rating-confirmation")).to_contain_text("Thank you, your rating has been saved.")
    shoot(page, f"rating-confirmation-{width}", block)


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


def test_clinical_review(new_context, shoot, signed_in, editor, reviewer):
    from django.utils import timezone

    from conditions import services
    from conditions.models import Page

    guide = Page.objects.get(parent=None, slug="dystonia")
    revision = services.revision_start(guide=guide, user=editor)
    content = revision.content
    treatment = next(s for s in content["pages"][0]["sections"] if s["anchor"] == "treatment")
    treatment["body"] = (
        treatment["body"].replace("There's no cure for dystonia", "There's no cure for dystonia yet")
        + "\n\nBotulinum toxin injections are usually repeated every 3 months."
    )
    services.revision_save(revision=revision, user=editor, content=content, edit_version=1)
    services.revision_submit(
        revision=revision, user=editor, change_summary="Added how often botulinum toxin injections are given."
    )
    change = f"/{settings.ADMIN_PATH}conditions/guiderevision/{revision.pk}/change/"

    reviewing = signed_in(reviewer, viewport={"width": 1280, "height": 900}).new_page()
    reviewing.goto(f"/{settings.ADMIN_PATH}")
    shoot(reviewing, "admin-review-counts", reviewing.locator("#review-counts"))
    reviewing.goto(change)
    expect(reviewing.locator(".portal-diff ins").first).to_be_visible()
    shoot(reviewing, "admin-review-diff")

    services.revision_send_back(
        revision=revision, reviewer=reviewer, comment="Say who gives the injections: a specialist, not a GP."
    )
    editing = signed_in(editor, viewport={"width": 1280, "height": 900}).new_page()
    editing.goto(change)
    shoot(editing, "admin-review-sent-back", editing.locator("#content"))
    editing.get_by_role("button", name="Edit the draft").click()
    editing.get_by_role("group", name="Section: Treating dystonia").scroll_into_view_if_needed()
    editing.wait_for_load_state("networkidle")
    editing.screenshot(path=OUT / "admin-review-edit.png", animations="disabled")

    services.revision_submit(revision=revision, user=editor, change_summary="Said a specialist gives them.")
    services.revision_approve(
        revision=revision, reviewer=reviewer, role="Consultant neurologist", sources_checked="NICE CKS: Dystonia"
    )
    reviewing.goto(f"/{settings.ADMIN_PATH}conditions/guiderevision/guide/{guide.pk}/history/")
    shoot(reviewing, "admin-review-history", reviewing.locator("#content"))

    reader = new_context(viewport={"width": 1024, "height": 768}).new_page()
    reader.goto("/conditions/dystonia/")
    expect(reader.locator(".app-review-date")).to_contain_text(f"{timezone.localdate():%d/%m/%Y}")
    shoot(reader, "review-date-after-sign-off", reader.locator(".app-review-date"))


def test_account_page(signed_in, shoot, commenter):
    from conditions.models import Page
    from ratings.services import rating_submit
    from tests.comments.factories import make_comment

    guide = Page.objects.get(parent=None, slug="dystonia")
    make_comment(guide, commenter, "Stretching in the morning helps my neck.")
    make_comment(guide, commenter, "Has anyone tried a neck brace at night?", status=Comment.Status.HELD)
    rating_submit(page=guide, user=commenter, score=4)
    for width, height in ((1280, 900), (375, 740)):
        page = signed_in(commenter, viewport={"width": width, "height": height}).new_page()
        page.goto("/account/")
        expect(page.get_by_text("Waiting for a moderator")).to_be_visible()
        shoot(page, f"account-{width}")
