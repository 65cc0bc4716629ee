"""Journey 6: a change to the Dystonia guide goes through clinical review before readers see it.

An editor changes the treatment section and sends it for review; a clinical reviewer reads
the differences and sends it back with a comment; the editor fixes it; the reviewer approves;
readers then see the new text and the new "Page last reviewed" date. axe checks every admin
page on the way (the change, the draft editor, the admin index, history and compare).
"""

import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import assert_accessible

pytestmark = pytest.mark.browser

ADMIN = f"/{settings.ADMIN_PATH}"
FIRST_TRY = "Botulinum toxin injections cure dystonia in most people."
FIXED = (
    "Botulinum toxin injections ease the muscle spasms of dystonia in most people. They are repeated every 3 months."
)
COMMENT = "Botulinum toxin does not cure dystonia. Say that it eases the spasms, and how often it is given."


def desktop(signed_in, user):
    return signed_in(user, viewport={"width": 1280, "height": 900}).new_page()


def open_the_change(page):
    page.goto(f"{ADMIN}conditions/guiderevision/")
    page.get_by_role("link", name=re.compile(r"^Dystonia, version 2")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dystonia: version 2")


def edit_treatment(page, text):
    page.get_by_role("button", name="Edit the draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the draft: Dystonia")
    assert_accessible(page)
    treatment = page.get_by_role("group", name="Section: Treating dystonia")
    treatment.get_by_label("Text").fill(text)
    page.get_by_role("button", name="Save the draft").click()
    expect(page.locator(".messagelist")).to_contain_text("Draft saved.")


def submit(page, why):
    page.get_by_label("What changed and why").fill(why)
    page.get_by_role("button", name="Send for clinical review").click()
    expect(page.locator(".messagelist")).to_contain_text("Sent for clinical review.")
    expect(page.locator(".portal-review-state")).to_have_text("Waiting for clinical review")


def test_a_change_is_reviewed_sent_back_fixed_approved_and_then_shown(signed_in, new_context, editor, reviewer):
    # The editor starts a change from the guide's own page in the admin.
    editing = desktop(signed_in, editor)
    editing.goto(f"{ADMIN}conditions/page/")
    editing.get_by_role("link", name="Dystonia", exact=True).click()
    expect(editing.get_by_role("heading", level=2, name="Changing this guide")).to_be_visible()
    # No axe run here: this is Django's own change form, and on it axe-core's script adds a
    # <style> element that the site's CSP refuses (seen with a securitypolicyviolation listener:
    # the source is axe.min.js), which would be reported as the site's error.
    editing.get_by_role("button", name="Change this guide").click()
    expect(editing.get_by_role("heading", level=1)).to_have_text("Dystonia: version 2")
    assert_accessible(editing)
    edit_treatment(editing, FIRST_TRY)
    submit(editing, "Added what botulinum toxin does.")

    # The reviewer finds it from the admin index and reads the differences.
    reviewing = desktop(signed_in, reviewer)
    reviewing.goto(ADMIN)
    counts = reviewing.get_by_role("table", name="Clinical review")
    expect(counts.get_by_role("row", name=re.compile("Waiting for clinical review"))).to_contain_text("1")
    assert_accessible(reviewing)
    counts.get_by_role("link", name="Waiting for clinical review").click()
    reviewing.get_by_role("link", name=re.compile(r"^Dystonia, version 2")).click()
    changes = reviewing.locator(".portal-diff")
    expect(changes.locator("ins")).to_contain_text(FIRST_TRY)
    expect(changes.locator("del").first).to_contain_text(
        "There's no cure for dystonia, but the condition can usually be"
    )
    assert_accessible(reviewing)
    reviewing.get_by_label("What needs changing").fill(COMMENT)
    reviewing.get_by_role("button", name="Send back").click()
    expect(reviewing.locator(".messagelist")).to_contain_text("Sent back to the editor with your comment.")

    # Readers still see the approved guide.
    reading = new_context(viewport={"width": 1280, "height": 900}).new_page()
    reading.goto("/conditions/dystonia/")
    expect(reading.get_by_role("region", name="Treating dystonia")).not_to_contain_text(FIRST_TRY)

    # The editor reads the comment, fixes the text and sends it again.
    open_the_change(editing)
    sent_back = editing.locator(".portal-review-sent-back")
    expect(sent_back.get_by_role("heading", name=re.compile("Sent back by reviewer"))).to_be_visible()
    expect(sent_back).to_contain_text(COMMENT)
    assert_accessible(editing)
    edit_treatment(editing, FIXED)
    submit(editing, "Fixed as asked: it eases the spasms; injections every 3 months.")

    # The reviewer approves, recording their role and what they checked.
    open_the_change(reviewing)
    expect(reviewing.locator(".portal-diff ins")).to_contain_text(FIXED)
    reviewing.get_by_label("Your role").fill("Consultant neurologist")
    reviewing.get_by_label("Sources checked").fill("NICE CKS: Dystonia\nBNF: botulinum toxin type A")
    reviewing.get_by_role("button", name="Approve").click()
    expect(reviewing.locator(".messagelist")).to_contain_text("Approved and published.")
    expect(reviewing.locator(".portal-review-state")).to_have_text("Published")

    # Readers see the new text and the date of the sign-off. The earlier reader's own browser
    # may keep its copy for the page's max-age (10 s, as any HTTP cache may), so a reader with a
    # fresh browser looks; the server's copy follows the publication at once.
    reading = new_context(viewport={"width": 1280, "height": 900}).new_page()
    reading.goto("/conditions/dystonia/")
    treatment = reading.get_by_role("region", name="Treating dystonia")
    expect(treatment).to_contain_text(FIXED)
    expect(treatment).not_to_contain_text("There's no cure for dystonia, but the condition can usually be")
    expect(reading.locator(".app-review-date")).to_contain_text(f"Page last reviewed: {timezone.localdate():%d/%m/%Y}")

    # The guide's history has both versions; comparing them shows the change.
    reviewing.get_by_role("link", name="All versions of Dystonia").click()
    expect(reviewing.get_by_role("heading", level=1)).to_have_text("Versions of Dystonia")
    expect(reviewing.locator("#content-main tbody tr").first).to_contain_text("reviewer (Consultant neurologist)")
    assert_accessible(reviewing)
    for label, number in (("Compare version", 1), ("with version", 2)):
        choices = reviewing.get_by_label(label)
        choices.select_option(label=choices.locator("option", has_text=f"Version {number},").inner_text())
    reviewing.get_by_role("button", name="Compare").click()
    expect(reviewing.get_by_role("heading", name="What changed from version 1 to version 2")).to_be_visible()
    expect(reviewing.locator(".portal-diff ins")).to_contain_text(FIXED)
    assert_accessible(reviewing)
