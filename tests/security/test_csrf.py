"""Every URL the project routes refuses a cross-site POST, and a signed-in POST without a token.

The URLs come from the URLconf itself, so an endpoint added later is covered without
anyone remembering to list it here. Signed-out readers' forms carry no token: the browser's
Fetch Metadata (or Origin) header protects them (dystonia_portal/csrf.py).
"""

import pytest
from django.conf import settings
from django.test import Client

from .conftest import PARAMETER_VALUES, every_url, iter_url_patterns, url_parameters

# Views that may take a POST without a token. Keep empty unless there is a reason in writing.
CSRF_EXEMPT = set()


def test_every_url_has_a_name_so_the_tests_can_find_it():
    # The admin's own unnamed patterns only redirect to named ones.
    unnamed = [
        str(pattern.pattern)
        for name, pattern in iter_url_patterns()
        if (name == "" or name.endswith(":")) and name != "admin:"
    ]
    assert unnamed == []


def test_every_url_parameter_has_a_value():
    names = {key for _, pattern in iter_url_patterns() for key in url_parameters(pattern)[0]}

    assert names - PARAMETER_VALUES.keys() == set()


def test_the_enumeration_finds_the_public_and_admin_urls():
    names = {name for name, _ in every_url()}

    assert {"conditions:search", "conditions:detail", "healthz", "admin:login", "admin:conditions_page_add"} <= names


CROSS_SITE = [
    pytest.param({"Sec-Fetch-Site": "cross-site"}, id="fetch-metadata-cross-site"),
    pytest.param({"Sec-Fetch-Site": "same-site"}, id="fetch-metadata-same-site"),
    pytest.param({"Origin": "https://evil.example"}, id="origin-of-another-site"),
    pytest.param({"Origin": "null"}, id="opaque-origin"),
]


@pytest.mark.parametrize("headers", CROSS_SITE)
@pytest.mark.parametrize(("name", "path"), every_url())
def test_cross_site_post_is_refused_for_a_reader(db, condition, name, path, headers):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        path, {"text": "hello", "score": "5", "username": "admin", "password": "x"}, headers=headers
    )

    if name in CSRF_EXEMPT:
        return
    assert response.status_code == 403, f"{name} ({path}) answered {response.status_code}"
    assert "The form was sent from another website." in response.content.decode()


@pytest.mark.parametrize(("name", "path"), every_url())
def test_post_without_csrf_token_is_refused_for_a_signed_in_superuser(db, condition, superuser, name, path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)

    response = client.post(path, {"text": "hello", "score": "5", "title": "Changed", "post": "yes"})

    if name in CSRF_EXEMPT:
        return
    assert response.status_code == 403, f"{name} ({path}) answered {response.status_code}"


def test_a_forged_admin_delete_changes_nothing(db, condition, superuser):
    from conditions.models import Page

    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    before = Page.objects.count()

    response = client.post(f"/{settings.ADMIN_PATH}conditions/page/{condition.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert Page.objects.count() == before


def test_signing_in_from_this_site_needs_no_token(db, superuser):
    client = Client(enforce_csrf_checks=True)
    assert "csrfmiddlewaretoken" not in client.get(f"/{settings.ADMIN_PATH}login/").content.decode()
    assert not client.cookies

    response = client.post(
        f"/{settings.ADMIN_PATH}login/",
        {"username": "admin", "password": "correct-horse-battery-staple-42"},
        headers={"Sec-Fetch-Site": "same-origin"},
    )

    assert response.status_code == 302


@pytest.mark.parametrize(
    ("site", "status", "deleted"),
    [("same-origin", 302, True), ("cross-site", 403, False)],
    ids=["with-the-token-accepted", "with-the-token-from-another-site-still-refused"],
)
def test_a_signed_in_post_with_the_token(db, superuser, condition, site, status, deleted):
    from conditions.models import Page

    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    url = f"/{settings.ADMIN_PATH}conditions/page/{condition.pk}/delete/"
    html = client.get(url).content.decode()
    token = html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]

    response = client.post(url, {"post": "yes", "csrfmiddlewaretoken": token}, headers={"Sec-Fetch-Site": site})

    assert response.status_code == status
    assert Page.objects.filter(pk=condition.pk).exists() is not deleted


def test_forged_comment_rating_and_report_write_nothing(db, condition, commenter, other_commenter, settings):
    from comments.forms import form_started_token
    from comments.models import Comment, Report
    from comments.services import comment_post
    from ratings.models import Rating

    settings.COMMENT_MIN_SECONDS = 0
    comment, _ = comment_post(page=condition, author=other_commenter, text="Botox helped me.")
    client = Client(enforce_csrf_checks=True)
    client.force_login(commenter)

    responses = [
        client.post(f"/comments/{condition.slug}/add/", {"text": "Forged.", "started": form_started_token()}),
        client.post(f"/ratings/pages/{condition.pk}/rate/", {"score": "1"}),
        client.post(f"/comments/{comment.pk}/report/", {"reason": Report.Reason.values[0]}),
        client.post("/account/delete/", {"password": "correct-horse-battery-staple-42"}),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403, 403]
    assert Comment.objects.count() == 1
    assert Rating.objects.count() == 0
    assert Report.objects.count() == 0
    commenter.refresh_from_db()
    assert commenter.is_active


def test_forged_rating_report_and_sign_up_from_another_site_write_nothing(db, condition, commenter):
    from django.contrib.auth import get_user_model

    from comments.models import Report
    from ratings.models import Rating
    from tests.comments.factories import make_comment

    comment = make_comment(condition, commenter)
    client = Client(enforce_csrf_checks=True)
    evil = {"Origin": "https://evil.example"}
    users = get_user_model().objects.count()

    responses = [
        client.post(f"/ratings/pages/{condition.pk}/rate/", {"score": "1"}, headers=evil),
        client.post(f"/comments/{comment.pk}/report/", {"reason": Report.Reason.values[0]}, headers=evil),
        client.post(
            "/account/create/",
            {"username": "forged", "email": "f@example.org", "password1": "x" * 20, "password2": "x" * 20},
            headers=evil,
        ),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403]
    assert Rating.objects.count() == 0
    assert Report.objects.count() == 0
    assert get_user_model().objects.count() == users


# The check itself (dystonia_portal.csrf.cross_origin_refusal), header by header.


@pytest.mark.parametrize(
    ("headers", "refused"),
    [
        ({"Sec-Fetch-Site": "same-origin"}, False),
        ({"Sec-Fetch-Site": "none"}, False),  # typed in or a bookmark
        ({"Sec-Fetch-Site": "same-site"}, True),  # another subdomain is another site's code
        ({"Sec-Fetch-Site": "cross-site"}, True),
        ({"Sec-Fetch-Site": "cross-site", "Origin": "http://testserver"}, True),  # Fetch Metadata wins
        ({"Sec-Fetch-Site": "same-origin", "Origin": "https://evil.example"}, False),
        ({"Origin": "http://testserver"}, False),  # an older browser, this site
        ({"Origin": "https://testserver"}, False),  # the host is what counts (behind a TLS proxy)
        ({"Origin": "http://TESTSERVER"}, False),
        ({"Origin": "https://evil.example"}, True),
        ({"Origin": "http://testserver.evil.example"}, True),
        ({"Origin": "http://testserver:8080"}, True),
        ({"Origin": "null"}, True),
        ({}, False),  # no browser sent this: curl, a monitoring probe
    ],
)
def test_cross_origin_check(rf, headers, refused):
    from dystonia_portal.csrf import cross_origin_refusal

    request = rf.post("/ratings/pages/1/rate/", headers=headers)
    assert (cross_origin_refusal(request) is not None) is refused


@pytest.mark.parametrize("method", ["get", "head", "options"])
def test_safe_methods_are_never_refused(rf, method):
    from dystonia_portal.csrf import cross_origin_refusal

    request = getattr(rf, method)("/", headers={"Sec-Fetch-Site": "cross-site"})
    assert cross_origin_refusal(request) is None


def test_a_trusted_origin_may_post(rf, settings):
    from dystonia_portal.csrf import cross_origin_refusal

    settings.CSRF_TRUSTED_ORIGINS = ["https://forms.example.org"]
    request = rf.post("/", headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://forms.example.org"})
    assert cross_origin_refusal(request) is None
    request = rf.post("/", headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://other.example.org"})
    assert cross_origin_refusal(request) is not None


def test_a_form_token_is_masked_as_django_masks_it_and_differs_on_every_page(rf):
    """dystonia_portal.csrf.masked: one read of the random source instead of 32, the same token."""
    import collections

    from django.middleware.csrf import CSRF_ALLOWED_CHARS, _get_new_csrf_string, _unmask_cipher_token

    from dystonia_portal.csrf import form_token, masked

    secret = _get_new_csrf_string()
    tokens = {masked(secret) for _ in range(2000)}
    assert len(tokens) == 2000  # a new mask every time (BREACH)
    assert {len(token) for token in tokens} == {64}
    assert {_unmask_cipher_token(token) for token in tokens} == {secret}
    # Every character as likely in the mask: none far from 1/62 of 64,000 draws.
    drawn = collections.Counter("".join(token[:32] for token in tokens))
    assert set(drawn) == set(CSRF_ALLOWED_CHARS)
    assert max(drawn.values()) < 1.25 * 64000 / 62 and min(drawn.values()) > 0.75 * 64000 / 62
    # Not a secret Django made: Django's own get_token, which starts a new one.
    assert masked("short") is None and masked("!" * 32) is None
    request = rf.get("/")
    request.META["CSRF_COOKIE"] = secret
    first = form_token(request)
    assert form_token(request) == first and _unmask_cipher_token(first) == secret
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True  # the cookie renewed, as get_token does
    fresh = rf.get("/")
    token = form_token(fresh)
    assert _unmask_cipher_token(token) == fresh.META["CSRF_COOKIE"]
