"""`make screenshots`: full-page pictures of the site as readers, commenters and moderators see it.

Not part of the test run (the name does not match `test_*.py`); `make screenshots` runs it
with pytest, which collects a file named on its command line, so it gets the same live
server, demo content and browser as the browser tests. The PNGs go to docs/screenshots/.
"""

from pathlib import Path

import pytest
from django.conf import settings

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
