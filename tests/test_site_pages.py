"""The site's own pages (dystonia_portal/views.py): cookies, accessibility statement, contact."""

import re

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PAGES = ["cookies", "accessibility", "contact", "privacy"]


@pytest.mark.parametrize("name", PAGES)
def test_site_pages_are_public_and_cacheable_for_shared_readers(reader, name):
    response = reader.get(reverse(name))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("public, max-age=")
    assert not response.cookies


@pytest.mark.parametrize("name", PAGES)
def test_site_pages_are_private_for_a_signed_in_reader(client_for, commenter, name):
    assert client_for(commenter).get(reverse(name))["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("name", ["accessibility", "contact", "privacy"])
def test_contact_email_comes_from_settings(reader, settings, name):
    settings.CONTACT_EMAIL = "help@dystonia.test"
    html = reader.get(reverse(name)).content.decode()
    assert '<a href="mailto:help@dystonia.test">help@dystonia.test</a>' in html


def test_cookies_page_names_each_cookie_and_its_lifetime_from_settings(reader, settings):
    settings.SESSION_COOKIE_NAME = "dp_session"
    settings.SESSION_COOKIE_AGE = 14 * 24 * 60 * 60
    settings.STAFF_SESSION_IDLE_SECONDS = 3 * 60 * 60
    settings.CSRF_COOKIE_NAME = "dp_csrf"
    settings.CSRF_COOKIE_AGE = 52 * 7 * 24 * 60 * 60
    html = reader.get(reverse("cookies")).content.decode()
    assert '<h3 id="cookie-session">dp_session</h3>' in html
    assert "Up to 14 days after your last visit. Staff are signed out after 3 hours" in html
    assert '<h3 id="cookie-csrf">dp_csrf</h3>' in html
    assert re.search(r"How long it lasts</dt>\s*<dd [^>]*>52 weeks</dd>", html)
    assert '<h3 id="cookie-messages">messages</h3>' in html
    assert '<h3 id="cookie-write-mark">write_mark</h3>' in html
    assert "Set with the dp_session cookie, and changed each time you send us something" in html


def test_every_cookie_the_site_sets_is_on_the_cookies_page(client, commenter, condition):
    """Sign in, rate, use a signed-in form and sign out: each cookie set on the way is listed."""
    set_cookies = set()

    def note(response):
        set_cookies.update(name for name, morsel in response.cookies.items() if morsel.value)
        return response

    note(client.post(reverse("ratings:rate", args=[condition.pk]), {"score": 4}))  # anonymous: a session
    note(client.post(reverse("accounts:signin"), {"username": "commenter", "password": PASSWORD}))
    note(client.get(reverse("accounts:password_change")))  # a signed-in form: the CSRF cookie
    note(client.post(reverse("accounts:signout")))  # "You have signed out": the messages cookie
    # The session, the write mark that comes with it, the CSRF token and the messages.
    assert len(set_cookies) == 4, set_cookies
    html = client.get(reverse("cookies")).content.decode()
    for name in set_cookies:
        assert f">{name}</h3>" in html


def test_accessibility_statement_says_how_to_report_a_problem_and_where_to_go_next(reader):
    html = reader.get(reverse("accessibility")).content.decode()
    assert "<title>Accessibility statement - Dystonia Portal</title>" in html
    assert "WCAG) version 2.2 at level AA" in html
    assert "Tell us about a problem" in html
    assert 'href="https://www.equalityadvisoryservice.com/"' in html


def test_contact_page_offers_no_medical_advice_and_says_where_to_get_help(reader):
    html = reader.get(reverse("contact")).content.decode()
    assert "We cannot give medical advice by email." in html
    assert 'href="tel:111"' in html
