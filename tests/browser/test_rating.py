"""Journey 2: a patient says how helpful the page is, with JavaScript, without it, and by keyboard alone."""

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible

pytestmark = pytest.mark.browser

QUESTION = "How helpful is this page?"
LABELS = {1: "1 star: not helpful", 4: "4 stars: helpful", 5: "5 stars: very helpful"}


def rating_block(page):
    return page.get_by_role("region", name=QUESTION)


def rating_count(page) -> int:
    """The count the reader is shown: "Based on 87 ratings", "Based on 1 rating" or "No ratings yet"."""
    summary = rating_block(page).get_by_text(re.compile(r"^(Based on [\d,]+ ratings?|No ratings yet)$"))
    expect(summary).to_be_visible()
    match = re.search(r"Based on ([\d,]+) ratings?", summary.inner_text())
    return int(match.group(1).replace(",", "")) if match else 0


def expect_count(page, count):
    noun = "rating" if count == 1 else "ratings"
    expect(rating_block(page).get_by_text(f"Based on {count:,} {noun}", exact=True)).to_be_visible()


def distribution(page) -> dict[int, int]:
    """The "All ratings" rows as {stars: count}, read from the text each row shows."""
    rows = {}
    for text in rating_block(page).get_by_role("listitem").all_inner_texts():
        match = re.match(r"\s*(\d) stars?\s+([\d,]+)", text)
        if match:
            rows[int(match.group(1))] = int(match.group(2).replace(",", ""))
    assert sorted(rows) == [1, 2, 3, 4, 5], f"the All ratings rows read {rows}"
    return rows


def expect_average_matches(page):
    """The average shown is the one the distribution shown gives, to one decimal place."""
    rows = distribution(page)
    average = Decimal(sum(stars * count for stars, count in rows.items())) / sum(rows.values())
    shown = average.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    expect(rating_block(page).get_by_text(f"Average rating: {shown} out of 5", exact=True)).to_be_visible()


def choose_and_submit(page, stars):
    group = page.get_by_role("group", name=QUESTION)
    group.get_by_role("radio", name=LABELS[stars]).check()
    rating_block(page).get_by_role("button", name="Send rating").click()
    # Wait until the page says the score was saved (in place or after the redirect), so
    # what is read next is the answer to this rating, not the one before.
    noun = "star" if stars == 1 else "stars"
    expect(group.get_by_text(f"You gave this page {stars} {noun}.", exact=False)).to_be_visible()


def test_rating_in_place_with_javascript_then_changing_it(page):
    page.goto("/conditions/dystonia/")
    before = rating_count(page)
    page.evaluate("window.__notReloaded = true")

    rows_before = distribution(page)

    choose_and_submit(page, 4)
    expect_count(page, before + 1)
    expect(rating_block(page).get_by_role("status")).to_contain_text(re.compile(r"\S"))
    assert page.evaluate("window.__notReloaded === true"), "the page reloaded; it should update in place"
    assert distribution(page) == {**rows_before, 4: rows_before[4] + 1}
    expect_average_matches(page)

    choose_and_submit(page, 5)
    expect_count(page, before + 1)
    assert page.evaluate("window.__notReloaded === true")
    assert distribution(page) == {**rows_before, 5: rows_before[5] + 1}
    expect_average_matches(page)
    assert_accessible(page)

    # Reloading shows the same figures and the reader's own score selected.
    page.reload()
    assert rating_count(page) == before + 1
    expect(page.get_by_role("radio", name=LABELS[5])).to_be_checked()


def test_rating_without_javascript_posts_and_comes_back(new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/conditions/dystonia/")
    before = rating_count(page)

    choose_and_submit(page, 4)
    expect(page).to_have_url(re.compile(r"/conditions/dystonia/(#.*)?$"))
    assert rating_count(page) == before + 1
    expect(page.get_by_role("radio", name=LABELS[4])).to_be_checked()

    choose_and_submit(page, 5)
    assert rating_count(page) == before + 1
    expect(page.get_by_role("radio", name=LABELS[5])).to_be_checked()
    assert_accessible(page)


def test_rating_with_the_keyboard_alone(page):
    page.goto("/conditions/dystonia/")
    before = rating_count(page)

    # Tab until a star radio has focus, as a keyboard user would.
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type === 'radio'"):
            break
    else:
        pytest.fail("Tab never reached the rating radios")
    page.keyboard.press("Space")  # selects the focused (first) score
    for _ in range(3):
        page.keyboard.press("ArrowDown")  # radios: arrows move the selection within the group
    expect(page.get_by_role("radio", name=LABELS[4])).to_be_checked()
    page.keyboard.press("Enter")
    expect(page.get_by_text("You gave this page 4 stars.", exact=False)).to_be_visible()
    expect_count(page, before + 1)

    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name=LABELS[5])).to_be_checked()
    page.keyboard.press("Enter")
    expect(page.get_by_text("You gave this page 5 stars.", exact=False)).to_be_visible()
    expect_average_matches(page)
    assert rating_count(page) == before + 1


def test_a_score_of_one_asks_what_was_wrong(page):
    page.goto("/conditions/dystonia/")
    follow_up = page.get_by_role("group", name="What was wrong with this page?")
    expect(follow_up).to_be_hidden()

    choose_and_submit(page, 1)
    expect(rating_block(page).get_by_role("status")).to_contain_text("Thank you, your rating has been saved.")
    expect(follow_up).to_be_visible()
    follow_up.get_by_role("radio", name="It is hard to understand").check()
    rating_block(page).get_by_label("Tell us more (optional)").fill("The part about causes uses words I did not know.")
    assert_accessible(page)
    rating_block(page).get_by_role("button", name="Send", exact=True).click()
    expect(rating_block(page).get_by_role("status")).to_contain_text("Thank you for telling us what was wrong.")


def test_a_score_of_one_asks_what_was_wrong_without_javascript(new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/conditions/dystonia/")
    choose_and_submit(page, 1)
    follow_up = page.get_by_role("group", name="What was wrong with this page?")
    expect(follow_up).to_be_visible()
    follow_up.get_by_role("radio", name="It is out of date").check()
    rating_block(page).get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text("Thank you for telling us what was wrong. Our editors will read it.")).to_be_visible()
    assert_accessible(page)
