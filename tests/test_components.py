"""templates/base.html, templates/components/ and the compiled stylesheet.

The components produce NHS.UK frontend 10.6.1 markup; the base page carries no NHS logo,
no inline script or style (a strict CSP needs no nonce), and the Arial font stack.
"""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.core.paginator import Paginator
from django.template.loader import render_to_string

CSS = Path(settings.BASE_DIR) / "static" / "css" / "main.css"


def pages_of(count, current):
    return Paginator(list(range(count * 10)), 10).get_page(current)


def numbers_shown(html):
    return [int(number) for number in re.findall(r'aria-label="Page (\d+)"', html)]


@pytest.mark.django_db
def test_every_page_has_skip_link_header_search_menu_and_footer(reader, condition):
    html = reader.get("/conditions/dystonia/", {"q": "neck"}).content.decode()

    assert '<a class="nhsuk-skip-link" data-module="nhsuk-skip-link" href="#maincontent">' in html
    assert '<main class="nhsuk-main-wrapper" id="maincontent">' in html
    assert 'class="nhsuk-header__service-name app-header__site-name" href="/">Dystonia Portal</a>' in html
    assert '<form class="nhsuk-header__search-form" id="search" action="/search/" method="get" novalidate>' in html
    assert 'name="q" type="search" autocomplete="off" placeholder="Search" value="neck"' in html
    assert 'aria-current="true"><strong class="nhsuk-header__navigation-item-current-fallback">Health A to Z' in html
    # The footer's site map is the one for people; sitemap.xml stays for crawlers (robots.txt names it).
    assert '<a class="nhsuk-footer__list-item-link" href="/site-map/">Site map</a>' in html
    for href, text in [
        ("/contact/", "Contact us"),
        ("/accessibility/", "Accessibility statement"),
        ("/privacy/", "Privacy"),
        ("/cookies/", "Cookies"),
    ]:
        assert f'<a class="nhsuk-footer__list-item-link" href="{href}">{text}</a>' in html
    assert 'class="nhsuk-breadcrumb"' in html


@pytest.mark.django_db
def test_pages_carry_no_nhs_logo_inline_script_or_inline_style(reader, condition):
    for path in ("/", "/conditions/", "/conditions/dystonia/", "/conditions/dystonia/symptoms/", "/search/?q=x"):
        html = reader.get(path).content.decode()

        assert "nhsuk-header__logo" not in html
        assert 'aria-label="NHS"' not in html
        assert "style=" not in html
        # Every <script> is a file, except JSON-LD data, which is not run.
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/ld+json"' in tag, tag


@pytest.mark.django_db
def test_js_enabled_script_comes_first_and_frontend_is_a_module(reader):
    html = reader.get("/").content.decode()

    body = html[html.index("<body>") :]
    assert body.index('<script src="/static/js/js-enabled.js"></script>') < body.index("nhsuk-skip-link")
    assert '<script type="module" src="/static/js/main.js"></script>' in html
    assert 'from "./vendor/nhsuk-frontend.min.js"' in (Path(settings.BASE_DIR) / "static/js/main.js").read_text()


@pytest.mark.django_db
def test_messages_show_as_notification_banners(rf):
    request = rf.get("/")
    html = render_to_string(
        "base.html",
        {
            "messages": [
                Message(constants.SUCCESS, "Your comment was sent."),
                Message(constants.INFO, "Comments close at midnight."),
            ]
        },
        request=request,
    )

    assert (
        '<div class="nhsuk-notification-banner nhsuk-notification-banner--success" '
        'data-module="nhsuk-notification-banner" role="alert" aria-labelledby="nhsuk-notification-banner-title-1">'
    ) in html
    assert '<p class="nhsuk-notification-banner__heading">Your comment was sent.</p>' in html
    assert 'role="region" aria-labelledby="nhsuk-notification-banner-title-2"' in html
    assert re.search(r'id="nhsuk-notification-banner-title-2">\s*Important\s*</h2>', html)


@pytest.mark.django_db
def test_confirmations_for_a_block_are_left_out_of_the_top_banner(rf):
    html = render_to_string(
        "base.html",
        {
            "messages": [
                Message(constants.SUCCESS, "Thank you, your rating has been saved.", "beside-block ratings"),
                Message(constants.SUCCESS, "Your account has been deleted."),
            ]
        },
        request=rf.get("/"),
    )

    assert "Thank you, your rating has been saved." not in html
    assert '<p class="nhsuk-notification-banner__heading">Your account has been deleted.</p>' in html


def test_confirmation_region_is_always_there_and_takes_focus_only_with_something_to_say():
    empty = render_to_string("components/confirmation.html", {"confirmation_id": "rating-confirmation", "texts": []})
    assert empty.strip() == (
        '<div class="app-confirmation" id="rating-confirmation" role="status" aria-live="polite" tabindex="-1" '
        "data-confirmation></div>"
    )

    html = render_to_string(
        "components/confirmation.html",
        {"confirmation_id": "comments-confirmation", "texts": ["Your comment has been posted."]},
    )
    assert (
        'id="comments-confirmation" role="status" aria-live="polite" tabindex="-1" autofocus data-confirmation>'
        in html
    )
    assert (
        '<div class="nhsuk-inset-text app-confirmation__body"><span class="nhsuk-u-visually-hidden">Success: </span>'
        "<p>Your comment has been posted.</p></div>"
    ) in html


def test_breadcrumb_lists_ancestors_and_backs_to_the_nearest():
    html = render_to_string(
        "components/breadcrumb.html", {"crumbs": [("Home", "/"), ("Dystonia", "/conditions/dystonia/")]}
    )

    assert html.count('<li class="nhsuk-breadcrumb__list-item">') == 2
    assert (
        '<a class="nhsuk-back-link" href="/conditions/dystonia/">'
        '<span class="nhsuk-u-visually-hidden">Back to </span>Dystonia</a>'
    ) in html
    assert render_to_string("components/breadcrumb.html", {"crumbs": []}).strip() == ""


def test_previous_next_pagination():
    html = render_to_string(
        "components/pagination.html",
        {"previous": {"href": "/causes/", "label": "Causes"}, "next": None},
    )

    assert 'class="nhsuk-pagination__link nhsuk-pagination__link--prev" href="/causes/" rel="prev"' in html
    assert 'Previous<span class="nhsuk-u-visually-hidden"> page</span>' in html
    assert '<span class="nhsuk-pagination__page">Causes</span>' in html
    assert 'rel="next"' not in html


@pytest.mark.parametrize(
    ("current", "shown", "ellipses"),
    [
        (1, [1, 2, 20], 1),
        (7, [1, 6, 7, 8, 20], 2),
        (19, [1, 18, 19, 20], 1),
        (20, [1, 19, 20], 1),
    ],
)
def test_numbered_pagination_shows_ends_and_neighbours(current, shown, ellipses):
    html = render_to_string(
        "components/pagination_numbered.html", {"page_obj": pages_of(20, current), "base_query": "sort=newest"}
    )

    assert numbers_shown(html) == shown
    assert html.count("nhsuk-pagination__item--ellipsis") == ellipses
    assert f'href="?sort=newest&amp;page={current}" aria-label="Page {current}" aria-current="page"' in html
    assert ('rel="prev"' in html) == (current > 1)
    assert ('rel="next"' in html) == (current < 20)


def test_numbered_pagination_without_query_and_with_anchor():
    html = render_to_string(
        "components/pagination_numbered.html", {"page_obj": pages_of(3, 2), "base_query": "", "anchor": "comments"}
    )

    assert numbers_shown(html) == [1, 2, 3]
    assert '<a href="?page=1#comments" class="nhsuk-pagination__previous" rel="prev">' in html
    assert '<a href="?page=3#comments" class="nhsuk-pagination__next" rel="next">' in html


def test_numbered_pagination_is_absent_for_a_single_page():
    html = render_to_string("components/pagination_numbered.html", {"page_obj": pages_of(1, 1), "base_query": ""})

    assert "nhsuk-pagination" not in html


def test_inset_text_warning_callout_and_review_date():
    inset = render_to_string("components/inset_text.html", {"text": "Comments are checked first."})
    assert '<span class="nhsuk-u-visually-hidden">Information: </span>' in inset
    assert "<p>Comments are checked first.</p>" in inset

    callout = render_to_string(
        "components/warning_callout.html", {"heading": "Draft preview", "text": "Only editors."}
    )
    assert '<div class="nhsuk-card nhsuk-card--warning">' in callout
    assert '<span class="nhsuk-u-visually-hidden">Important: </span>Draft preview' in callout
    assert '<p class="nhsuk-card__description">Only editors.</p>' in callout

    dates = render_to_string(
        "components/review_date.html",
        {"last_reviewed": datetime.date(2013, 6, 19), "next_review_due": datetime.date(2015, 6, 19)},
    )
    assert "Page last reviewed: 19/06/2013" in dates
    assert "Next review due: 19/06/2015" in dates


def test_compiled_css_uses_arial_and_never_frutiger():
    assert CSS.exists(), "Build the stylesheet first: npm run build (make test does it)"
    css = CSS.read_text()

    assert "html{font-family:arial,sans-serif}" in css
    assert "Frutiger" not in css
    assert "@font-face" not in css
    assert ".app-a-to-z__empty{" in css
    assert ".app-source-note{" in css
