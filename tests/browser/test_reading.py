"""Journey 1: a patient reads about dystonia, with a mouse and with the keyboard alone."""

import re

import pytest
from playwright.sync_api import expect

from tests.seed import SEED_HEADINGS

from .conftest import assert_accessible

pytestmark = pytest.mark.browser


# Which element has focus, and whether a sighted keyboard user can see it: NHS.UK
# draws focus as a yellow box-shadow (links, buttons) or a yellow outline (inputs).
FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
    && !/rgba\\(.*,\\s*0\\)$|transparent/.test(style.outlineColor);
  const shadow = style.boxShadow !== "none";
  window.__focused = window.__focused || [];
  window.__focused.push(el);
  return {
    tag: el.tagName.toLowerCase(),
    text: (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 60),
    visible: outline || shadow,
    inMain: !!el.closest("main"),
  };
}"""

# True when every focused element came later in the document than the one before,
# i.e. Tab follows the reading order (no positive tabindex, no CSS reordering traps).
FOCUS_IN_DOCUMENT_ORDER = """() => window.__focused.every((el, i, all) =>
  i === 0 || !!(all[i - 1].compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING))"""


def test_patient_reads_the_dystonia_guide(page):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.get_by_role("link", name="Health A to Z").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Health A to Z")

    page.get_by_role("main").get_by_role("link", name="Dystonia", exact=True).click()
    expect(page).to_have_url(re.compile(r"/conditions/dystonia/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Dystonia")
    expect(page).to_have_title(re.compile(r"^Dystonia"))
    for heading in SEED_HEADINGS:
        expect(page.get_by_role("heading", level=2, name=heading)).to_be_visible()
    expect(page.get_by_text("at least 70,000 people are affected by dystonia in the UK")).to_be_visible()
    expect(page.get_by_text("Page last reviewed: 19/06/2013")).to_be_visible()
    expect(page.get_by_text("Next review due: 19/06/2015")).to_be_visible()

    # A sub-page from the guide's contents list, then back to where the reader was.
    page.get_by_role("navigation", name="Pages in this guide").get_by_role("link", name="Symptoms").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Symptoms of dystonia")
    breadcrumb = page.get_by_role("navigation", name="Breadcrumb")
    expect(breadcrumb.get_by_role("link", name="Dystonia").first).to_be_visible()
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dystonia")

    # The guide's own "Read more" link leads to the same sub-page as the contents list.
    page.get_by_role("link", name=re.compile(r"Read more about how dystonia is treated")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Treating dystonia")
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Dystonia").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dystonia")


def test_search_for_botulinum_finds_the_treatment_section(page):
    page.goto("/")
    search_box = page.get_by_role("banner").get_by_role("searchbox")
    search_box.fill("botulinum")
    search_box.press("Enter")

    expect(page).to_have_url(re.compile(r"/search/\?q=botulinum"))
    expect(page.get_by_role("heading", name=re.compile(r"results? for .botulinum."))).to_be_visible()
    found_in = page.get_by_role("main").get_by_role("link", name="Treating dystonia").first
    expect(found_in).to_be_visible()
    found_in.click()

    expect(page).to_have_url(re.compile(r"/conditions/dystonia/(treatment/)?(#treatment)?$"))
    expect(page.get_by_text("botulinum toxin", exact=False).first).to_be_visible()
    expect(page.get_by_text("botulinum toxin", exact=False).first).to_be_in_viewport()


def test_keyboard_reader_skips_to_content_and_sees_focus_in_reading_order(page):
    page.goto("/conditions/dystonia/")

    # The first Tab reaches the skip link, which appears and is visibly focused.
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    first = page.evaluate(FOCUS_STATE)
    assert first["visible"], f"the skip link has no visible focus: {first}"

    # Enter on it moves the reader past the header: the next Tab lands inside <main>.
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    after_skip = page.evaluate(FOCUS_STATE)
    assert after_skip is not None and after_skip["inMain"], f"after the skip link, focus went to {after_skip}"

    # Tab through the whole page from the top: every stop is visibly focused, in document order.
    page.goto("/conditions/dystonia/")
    stops = []
    for _ in range(80):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        if state is None:
            break
        stops.append(state)
    assert len(stops) >= 10, f"too few focus stops on the condition page: {stops}"
    invisible = [stop for stop in stops if not stop["visible"]]
    assert invisible == [], f"focused but not visibly so: {invisible}"
    assert page.evaluate(FOCUS_IN_DOCUMENT_ORDER), f"Tab order does not follow the page: {stops}"
    texts = [stop["text"] for stop in stops]
    assert texts[0] == "Skip to main content"
    assert "Symptoms" in texts and "Treatment" in texts  # the guide's contents list is reachable

    assert_accessible(page)
