"""WCAG 2.2 AA on every public page (axe-core), and no sideways scrolling at 400% zoom.

400% zoom of a 1280px window is a 320px wide viewport (WCAG 1.4.10 Reflow): the
page must fit it without horizontal scrolling. Each page is checked at desktop
width and at 320px, because the NHS.UK header and grid change layout between them.
"""

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, assert_no_horizontal_scroll

pytestmark = pytest.mark.browser

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
}


@pytest.mark.parametrize("path", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_public_page_has_no_axe_violations_and_reflows_at_320px(new_context, path):
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(path)
    expect(page.locator("h1")).to_have_count(1)
    assert_accessible(page)

    page.set_viewport_size({"width": 320, "height": 640})
    assert_no_horizontal_scroll(page)
    assert_accessible(page)


def test_search_error_state_is_announced_and_keeps_the_query(page):
    page.goto("/search/")
    page.get_by_role("main").get_by_role("searchbox").fill("dystonia " * 30)
    page.get_by_role("main").get_by_role("button", name="Search").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link", name="Search for 200 characters or fewer")).to_be_visible()
    expect(page.get_by_role("main").get_by_role("searchbox")).to_have_value("dystonia " * 30)
    assert_accessible(page)
