"""The site in a real browser: Debian's Chromium driven by Playwright, axe-core for WCAG 2.2 AA.

One browser for the whole session, a fresh browser context (cookies, storage) per test.
The site is served by pytest-django's `live_server`, which serves static files itself, so
the CSS must be built first (`make test` runs `npm run build`). Each test gets the demo
content loaded into the live server's database.

Locally a missing Chromium, axe-core or built CSS skips these tests with the reason; in CI
(`CI=true`) each is a failure. Playwright itself is pinned in requirements-dev.txt.
"""

import io
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections
from django.test import Client
from playwright.sync_api import expect, sync_playwright

from tests.conftest import PASSWORD, rerun_data_migrations

# CSP refusals that are known and harmless, as (part of the page URL, part of the message).
# django-simple-history 3.13's admin history page (simple_history/object_history_list.html)
# writes <p class="paginator" style="border-top: 0">; the policy drops that border rule and
# nothing else. Every other refusal fails the test.
# axe-core itself, on admin pages that load Django's forms.css: it reads that sheet's
# `@import url("widgets.css")` by adding a <style> of its own (for css-orientation-lock), which
# the policy refuses. Matched by the exact hashes of axe's two <style> elements, nothing wider.
KNOWN_CSP_REFUSALS = [
    ("/history/", "Applying inline style violates"),
    (f"/{settings.ADMIN_PATH}", "sha256-bM6i/Qb6snN4zpfDg6WZt+vuPtz+OLCqu86Osj+sOCo="),
    (f"/{settings.ADMIN_PATH}", "sha256-6V0jFG+sl4XTL422gIA4M3FiBc2Xb3Wm+wY/koWzLvs="),
]

# Playwright's sync API runs an asyncio event loop in this thread; Django then refuses
# database calls from it unless told this is deliberate (pytest-django's advice).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_PATH = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_URL = "/__browser-tests__/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CSS_PATH = Path(settings.BASE_DIR) / "static" / "css" / "main.css"


def unavailable(reason):
    """Fail in CI, skip locally: a browser suite that silently skips proves nothing."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser(django_db_setup, django_db_blocker):
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).exists():
        unavailable("Chromium is not installed: apt-get install chromium")
    if not AXE_PATH.exists():
        unavailable(f"axe-core is missing at {AXE_PATH}: run npm ci")
    if not CSS_PATH.exists():
        unavailable(f"The CSS is not built at {CSS_PATH}: run npm run build (make test does)")
    with django_db_blocker.unblock():
        # Django keeps connections in context-local storage, and starting Playwright's event
        # loop gives this thread a new context (and so new connections). Close this context's
        # connections now rather than leave them open, unused, for the rest of the run.
        for connection in connections.all(initialized_only=True):
            if not connection.in_atomic_block:
                connection.close()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Sign-ups, sign-ins and personas hash passwords; the slow default hasher costs seconds a test.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]


@dataclass(frozen=True)
class NewReader:
    """Someone a journey signs up through the create-an-account form."""

    username: str
    display_name: str
    password: str

    @property
    def email(self):
        return f"{self.username}@example.org"

    def fill_sign_up(self, page):
        page.get_by_label("Username").fill(self.username)
        page.get_by_label("Display name").fill(self.display_name)
        page.get_by_label("Email address").fill(self.email)
        page.get_by_label("Password", exact=True).fill(self.password)
        page.get_by_label("Enter the password again").fill(self.password)


def confirmation_path(message):
    """The path of the confirm-your-account link in a sign-up email."""
    return re.search(r"https?://[^/\s]+(/account/create/confirm/\S+)", message.body).group(1)


@pytest.fixture
def no_minimum_typing_time(settings):
    """For the files that post comments (`pytest.mark.usefixtures`): the comment form rejects posts
    made faster than a person could type, and a browser test types at once."""
    settings.COMMENT_MIN_SECONDS = 0


@pytest.fixture(autouse=True)
def site(browser, live_server, transactional_db, data_migrations):
    """The live site with the demo content, its URL returned; set up first in every browser test.

    Live-server tests empty the database after each test (a flush, not a rollback), which
    also removes the groups the data migrations made; the data migrations run again here,
    before any persona joins a group, whatever transactional test ran before. The cache
    holds rate-limit counters, and every browser reader shares 127.0.0.1, so each test
    starts with none.
    """
    rerun_data_migrations(data_migrations)
    cache.clear()
    call_command("load_demo", stdout=io.StringIO())
    return live_server.url


@pytest.fixture
def new_context(browser, site):
    """Make browser contexts on the live site (a reader each); all closed after the test.

    Every page's uncaught JavaScript errors and Content Security Policy refusals are
    collected, and the test fails if there were any: a real browser is the only place
    these show.
    """
    contexts = []
    problems = []

    def refused(page, message):
        if message.type != "error" or "Content Security Policy" not in message.text:
            return False
        # axe-core, the tests' own checker, sets inline styles while it measures (Chromium 150
        # reports them): a refusal of the test's tool, not of anything the site sends.
        if message.location.get("url", "").endswith(AXE_URL):
            return False
        return not any(part in page.url and text in message.text for part, text in KNOWN_CSP_REFUSALS)

    def watch(page):
        page.on("pageerror", lambda error: problems.append(f"{page.url}: JavaScript error: {error}"))
        page.on(
            "console",
            lambda message: problems.append(f"{page.url}: {message.text}") if refused(page, message) else None,
        )

    def make(**options):
        context = browser.new_context(base_url=site, **options)
        context.set_default_timeout(10_000)
        context.on("page", watch)
        context.javascript_off = options.get("java_script_enabled") is False
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert problems == [], "the browser reported errors:\n" + "\n".join(problems)


@pytest.fixture
def page(new_context):
    """One anonymous reader's tab, desktop width."""
    return new_context(viewport={"width": 1280, "height": 900}).new_page()


@pytest.fixture
def signed_in(new_context, site):
    """A browser context with `user` already signed in (their session cookie set)."""

    def make(user, **options):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context = new_context(**options)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": site}])
        return context

    return make


def axe_violations(page, *, disabled_rules=()):
    """Run axe-core on the page as it is now; return the violations, summarised for a failure message.

    axe is served from the site's own origin (a routed URL) rather than injected inline,
    so the site's Content Security Policy stays on while it runs.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.route(f"**{AXE_URL}", lambda route: route.fulfill(path=AXE_PATH, content_type="text/javascript"))
        page.add_script_tag(url=AXE_URL)
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}}
    if disabled_rules:
        options["rules"] = {rule: {"enabled": False} for rule in disabled_rules}
    result = page.evaluate("options => axe.run(document, options)", options)
    return [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [{"target": node["target"], "html": node["html"][:200]} for node in violation["nodes"]],
        }
        for violation in result["violations"]
    ]


def assert_accessible(page):
    if getattr(page.context, "javascript_off", False):
        return assert_accessible_without_javascript(page)
    violations = axe_violations(page)
    assert violations == [], f"axe-core found WCAG 2.2 AA violations on {page.url}: {violations}"


def assert_no_horizontal_scroll(page, width=320):
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways at {width}px: content is {scroll_width}px wide"


def assert_accessible_without_javascript(page):
    """axe is JavaScript, so it cannot run in a tab with JavaScript off: check that tab's page
    (its HTML exactly as served, with the site's CSS) in a tab where only axe may run."""
    html, url = page.content(), page.url

    def serve(route):
        if route.request.url == url:
            route.fulfill(body=html, content_type="text/html; charset=utf-8")
        elif route.request.resource_type == "script":
            route.abort()
        else:
            route.continue_()

    context = page.context.browser.new_context(viewport=page.viewport_size)
    try:
        snapshot = context.new_page()
        snapshot.route("**/*", serve)
        snapshot.goto(url)
        violations = axe_violations(snapshot)
    finally:
        context.close()
    assert violations == [], f"axe-core found WCAG 2.2 AA violations on {url} (JavaScript off): {violations}"


def admin_sign_in(page, username):
    """Sign in through the admin's own login form, as staff do."""
    page.goto(f"/{settings.ADMIN_PATH}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(re.compile(rf"Welcome,\s*{username}", re.IGNORECASE))).to_be_visible()
