"""Journey 6: an editor changes a section's text in the admin; readers see it; the history says who."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from .conftest import admin_sign_in

pytestmark = pytest.mark.browser

NEW_TEXT = "Most people with focal dystonia find their symptoms settle within about five years."


def test_editor_changes_a_section_and_the_history_shows_who(page, editor):
    admin_sign_in(page, "editor")

    page.get_by_role("link", name=re.compile(r"^Pages?$")).first.click()
    page.get_by_role("link", name="Dystonia", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Change page")

    # The section inline whose heading is "Outlook": its body textarea shares the form prefix.
    heading_names = page.locator("input[name$='-heading']").evaluate_all(
        "inputs => inputs.filter(i => i.value === 'Outlook').map(i => i.name)"
    )
    assert len(heading_names) == 1, heading_names
    body = page.locator(f"textarea[name='{heading_names[0].removesuffix('-heading')}-body']")
    body.fill(NEW_TEXT)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist, .success").first).to_contain_text("was changed successfully")

    page.goto("/conditions/dystonia/")
    outlook = page.get_by_role("region", name="Outlook")
    expect(outlook).to_contain_text(NEW_TEXT)
    expect(outlook).not_to_contain_text("Dystonia is an unpredictable condition")

    # The page's history in the admin names the editor who made the change.
    page.goto(f"/{settings.ADMIN_PATH}")
    page.get_by_role("link", name=re.compile(r"^Pages?$")).first.click()
    page.get_by_role("link", name="Dystonia", exact=True).click()
    page.get_by_role("link", name="History").click()
    rows = page.locator("#content tbody tr")  # newest change first
    expect(rows.first).to_contain_text("editor")
    expect(rows.first).to_contain_text("Changed")
