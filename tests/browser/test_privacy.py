"""Journey: a reader signs up under a display name, comments, downloads their data, and deletes
the account with its comments; the page no longer shows them."""

import json
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from .conftest import NewReader, assert_accessible, confirmation_path

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_minimum_typing_time")]

READER = NewReader(username="private_reader", display_name="Blue Heron", password="a-long-and-unusual-passphrase-73")
COMMENT = "Warm baths help my foot dystonia in the evenings."


def assert_accessible_at_phone_width_too(page):
    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 740})
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_reader_comments_under_a_display_name_downloads_their_data_and_deletes_it_all(page):
    page.goto("/account/create/")
    READER.fill_sign_up(page)
    expect(page.get_by_text("Do not use your real name if you would rather not be recognised.")).to_be_visible()
    assert_accessible_at_phone_width_too(page)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    (message,) = mail.outbox
    page.goto(confirmation_path(message))
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page.get_by_text("Your account has been created and you are signed in.")).to_be_visible()

    page.goto("/conditions/dystonia/")
    page.get_by_role("textbox", name="Your comment").fill(COMMENT)
    page.get_by_role("button", name="Post comment").click()
    mine = page.get_by_role("article").filter(has_text=COMMENT)
    expect(mine).to_contain_text(f"{READER.display_name} said on")
    expect(page.get_by_role("main")).not_to_contain_text(READER.username)

    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    assert_accessible_at_phone_width_too(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download your data").click()
    download = download_info.value
    assert download.suggested_filename == "your-dystonia-portal-data.json"
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["account"]["display_name"] == READER.display_name
    assert [comment["text"] for comment in data["comments"]] == [COMMENT]

    page.get_by_role("link", name="View your data").click()
    expect(page.get_by_role("main")).to_contain_text(COMMENT)
    assert_accessible_at_phone_width_too(page)

    page.goto("/account/delete/")
    expect(page.get_by_role("radio", name="Delete them")).to_be_checked()
    assert_accessible_at_phone_width_too(page)
    page.get_by_label("Your password").fill(READER.password)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("Your account has been deleted.")).to_be_visible()

    page.goto("/conditions/dystonia/")
    expect(page.get_by_role("main")).not_to_contain_text(COMMENT)
    expect(page.get_by_role("main")).not_to_contain_text(READER.display_name)
    expect(page.get_by_role("link", name="Sign in to comment")).to_be_visible()
