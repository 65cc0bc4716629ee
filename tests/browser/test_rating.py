"""Journey 2: a patient says how helpful the page is, with JavaScript, without it, and by keyboard alone."""

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, assert_accessible_without_javascript, assert_no_horizontal_scroll

pytestmark = pytest.mark.browser

QUESTION = "How helpful is this page?"
GROUP = "Add your rating"  # the radios' legend: the question itself is the block's heading, asked once
LABELS = {1: "1 star: not helpful", 2: "2 stars: slightly helpful", 4: "4 stars: helpful", 5: "5 stars: very helpful"}


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
    group = page.get_by_role("group", name=GROUP)
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
    # Focus stays where the keyboard user was, in the block, and the confirmation is in view.
    assert page.evaluate("document.activeElement.name") == "score"
    expect(page.locator("#rating-confirmation")).to_be_in_viewport()

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


# Confirmations where the reader is, focus, errors in place, at desktop and phone widths

WIDTHS = [
    pytest.param({"width": 1280, "height": 900}, id="1280"),
    pytest.param({"width": 375, "height": 667}, id="375"),
]
SAVED = "Thank you, your rating has been saved."
FEEDBACK_SAVED = "Thank you for telling us what was wrong. Our editors will read it."


def focused(page) -> dict:
    """Where focus is: the element's id, tag and whether it is inside the rating block."""
    return page.evaluate(
        "() => ({id: document.activeElement.id, tag: document.activeElement.tagName,"
        " inBlock: Boolean(document.activeElement.closest('#rating')),"
        " classes: document.activeElement.className})"
    )


def expect_confirmation(page, text):
    confirmation = page.locator("#rating-confirmation")
    expect(confirmation).to_contain_text(text)
    expect(confirmation).to_be_in_viewport()
    # Said once: the block shows it in one place only.
    assert rating_block(page).inner_text().count(text) == 1
    return confirmation


def guide_with_javascript(new_context, viewport):
    """The guide at `viewport`, marked so `window.__notReloaded` is still true only if nothing reloads it."""
    page = new_context(viewport=viewport).new_page()
    page.goto("/conditions/dystonia/")
    page.evaluate("window.__notReloaded = true")
    return page


def send_feedback(page, reason):
    """Tick `reason` in the follow-up question, send it, and expect its confirmation; the question returned."""
    follow_up = page.get_by_role("group", name="What was wrong with this page?")
    follow_up.get_by_role("radio", name=reason).check()
    rating_block(page).get_by_role("button", name="Send", exact=True).click()
    expect_confirmation(page, FEEDBACK_SAVED)
    return follow_up


@pytest.mark.parametrize("viewport", WIDTHS)
def test_without_javascript_each_confirmation_lands_in_view_with_focus(new_context, viewport):
    page = new_context(java_script_enabled=False, viewport=viewport).new_page()
    page.goto("/conditions/dystonia/")

    choose_and_submit(page, 1)
    expect(page).to_have_url(re.compile(r"/conditions/dystonia/#rating-confirmation$"))
    expect_confirmation(page, SAVED)
    assert focused(page)["id"] == "rating-confirmation"
    assert page.locator(".nhsuk-notification-banner").count() == 0
    assert_accessible_without_javascript(page)

    follow_up = send_feedback(page, "It is out of date")
    assert focused(page)["id"] == "rating-confirmation"
    expect(follow_up).to_be_hidden()
    assert_accessible_without_javascript(page)


@pytest.mark.parametrize("viewport", WIDTHS)
def test_in_place_rating_and_feedback_keep_focus_in_the_block_and_confirm_once(new_context, viewport):
    page = guide_with_javascript(new_context, viewport)

    page.get_by_role("group", name=GROUP).get_by_role("radio", name=LABELS[1]).check()
    send = rating_block(page).get_by_role("button", name="Send rating")
    send.focus()
    page.keyboard.press("Enter")
    expect_confirmation(page, SAVED)
    assert focused(page) == {**focused(page), "inBlock": True, "tag": "BUTTON"}, "focus left the rating block"
    assert page.evaluate("window.__notReloaded === true")
    assert_accessible(page)

    follow_up = send_feedback(page, "It is hard to understand")
    expect(follow_up).to_be_hidden()
    # The form it was in has gone: focus is on the confirmation, still in the block.
    assert focused(page)["id"] == "rating-confirmation"
    assert page.evaluate("window.__notReloaded === true")
    assert_accessible(page)


@pytest.mark.parametrize("viewport", WIDTHS)
def test_empty_feedback_with_javascript_errors_in_place_with_the_text_kept(new_context, viewport):
    page = guide_with_javascript(new_context, viewport)
    choose_and_submit(page, 2)
    details = rating_block(page).get_by_label("Tell us more (optional)")
    details.fill("Some words I typed.")

    rating_block(page).get_by_role("button", name="Send", exact=True).click()

    error = rating_block(page).locator("#rating-feedback-reason-error")
    expect(error).to_contain_text("Select what was wrong with this page")
    expect(error).to_be_in_viewport()
    assert page.evaluate("window.__notReloaded === true"), "empty feedback opened another page"
    assert rating_block(page).inner_text().count("Select what was wrong with this page") == 1
    assert page.evaluate("document.activeElement.name") == "reason"
    expect(details).to_have_value("Some words I typed.")
    assert_accessible(page)


@pytest.mark.parametrize("viewport", WIDTHS)
def test_empty_feedback_without_javascript_errors_on_the_page_with_the_summary(new_context, viewport):
    page = new_context(java_script_enabled=False, viewport=viewport).new_page()
    page.goto("/conditions/dystonia/")
    choose_and_submit(page, 2)
    rating_block(page).get_by_label("Tell us more (optional)").fill("Some words I typed.")

    rating_block(page).get_by_role("button", name="Send", exact=True).click()

    summary = rating_block(page).locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Select what was wrong with this page")
    expect(summary).to_be_in_viewport()
    assert "nhsuk-error-summary" in focused(page)["classes"]
    expect(page.get_by_role("heading", level=1)).to_have_text("Dystonia")
    expect(rating_block(page).get_by_label("Tell us more (optional)")).to_have_value("Some words I typed.")
    assert_accessible_without_javascript(page)


def test_the_too_many_ratings_message_appears_once(page, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "rating": (1, 600)}
    page.goto("/conditions/dystonia/")
    choose_and_submit(page, 4)
    page.get_by_role("group", name=GROUP).get_by_role("radio", name=LABELS[5]).check()
    rating_block(page).get_by_role("button", name="Send rating").click()

    message = "You have done this too many times in a short while."
    expect(page.locator("#rating-confirmation")).to_contain_text(message)
    assert rating_block(page).inner_text().count(message) == 1
    assert_accessible(page)


@pytest.mark.parametrize("viewport", [{"width": 320, "height": 640}, {"width": 375, "height": 667}])
def test_the_average_stays_whole_on_a_phone(new_context, viewport):
    page = new_context(viewport=viewport).new_page()
    page.goto("/conditions/dystonia/")
    text = rating_block(page).locator("[data-rating-average]")
    expect(text).to_be_visible()
    # One line each: the stars, then "Average rating: 4.3 out of 5", never broken between them.
    line_height = page.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)", text.element_handle())
    assert text.bounding_box()["height"] < 1.5 * line_height
    assert_no_horizontal_scroll(page, width=viewport["width"])
