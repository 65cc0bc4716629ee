"""Security headers on a sample of pages, error pages included, and cookie flags."""

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import PASSWORD

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def parse_csp(header: str) -> dict:
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value
    return directives


def assert_security_headers(response):
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    directives = parse_csp(csp)
    for name, value in EXPECTED_CSP.items():
        assert directives[name] == value, name
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    policy = response["Permissions-Policy"]
    for feature in ["camera=()", "microphone=()", "geolocation=()", "interest-cohort=()"]:
        assert feature in policy
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/conditions/", 200),
        ("/conditions/dystonia/", 200),
        ("/conditions/dystonia/symptoms/", 200),
        ("/search/?q=botox", 200),
        ("/search/?q=" + "x" * 300, 400),
        ("/robots.txt", 200),
        ("/sitemap.xml", 200),
        ("/healthz", 200),
        ("/conditions/no-such-page/", 404),
        ("/no/such/path/", 404),
        (f"/{settings.ADMIN_PATH}", 302),
        (f"/{settings.ADMIN_PATH}login/", 200),
    ],
)
def test_security_headers_on_pages_and_error_pages(client, db, condition, path, status):
    response = client.get(path)

    assert response.status_code == status
    assert_security_headers(response)


def test_security_headers_on_forbidden_and_method_not_allowed(client, db):
    # The cross-origin check answers first.
    response = Client(enforce_csrf_checks=True).post("/healthz", headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    assert_security_headers(response)
    response = client.post("/healthz")
    assert response.status_code == 405
    assert_security_headers(response)


def test_security_headers_on_the_lockout_page(client, superuser):
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = client.post(f"/{settings.ADMIN_PATH}login/", {"username": "admin", "password": "wrong"})

    assert response.status_code == 429
    assert "Sign in temporarily blocked" in response.content.decode()
    assert_security_headers(response)


def test_no_strict_transport_security_without_https(client, db):
    response = client.get("/healthz")

    assert "Strict-Transport-Security" not in response


@pytest.fixture
def https_settings(settings):
    """What DJANGO_SECURE_SSL=true sets (test_deploy_check reads them from the environment)."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    return settings


def test_https_adds_strict_transport_security(client, db, https_settings):
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})

    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_https_redirects_plain_http_except_the_health_check(client, db, https_settings):
    response = client.get("/conditions/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/conditions/"

    response = client.get("/healthz")
    assert response.status_code == 200


def test_cookies_are_http_only_same_site_and_secure_over_https(client, superuser, https_settings):
    https = {"X-Forwarded-Proto": "https"}
    response = client.post(f"/{settings.ADMIN_PATH}login/", {"username": "admin", "password": PASSWORD}, headers=https)

    assert response.status_code == 302
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    assert session["secure"] is True
    # Signing in gives the reader a CSRF token (signed-out readers have none).
    csrf = response.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["httponly"] is True
    assert csrf["samesite"] == "Lax"
    assert csrf["secure"] is True
    mark = response.cookies["write_mark"]
    assert (mark["httponly"], mark["samesite"], mark["secure"]) == (True, "Lax", True)


def test_cookies_are_http_only_and_same_site_without_https(client, superuser):
    response = client.post(f"/{settings.ADMIN_PATH}login/", {"username": "admin", "password": PASSWORD})

    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    assert not session["secure"]


def test_messages_are_made_only_for_requests_that_use_them(rf):
    """dystonia_portal.middleware.LazyMessageMiddleware: untouched, no storage and no cookie; used,
    Django's own cookie storage keeps and then hands back the message."""
    from django.contrib import messages
    from django.http import HttpResponse
    from django.utils.functional import empty

    from accounts.sessions import SessionStore
    from dystonia_portal.middleware import LazyMessageMiddleware

    untouched = rf.get("/robots.txt")
    untouched.session = SessionStore()
    response = LazyMessageMiddleware(lambda request: HttpResponse("plain"))(untouched)
    assert untouched._messages._wrapped is empty
    assert "messages" not in response.cookies

    def adds(request):
        messages.success(request, "You have signed out.")
        return HttpResponse("added")

    adding = rf.get("/")
    adding.session = SessionStore()
    response = LazyMessageMiddleware(adds)(adding)
    reading = rf.get("/", HTTP_COOKIE=f"messages={response.cookies['messages'].value}")
    reading.session = SessionStore()
    seen = []
    LazyMessageMiddleware(lambda request: seen.extend(map(str, messages.get_messages(request))) or HttpResponse())(
        reading
    )
    assert seen == ["You have signed out."]


def test_a_members_page_with_no_message_waiting_never_makes_the_message_storage(client_for, commenter, condition):
    """dystonia_portal.middleware.messages_waiting: the banner area and both blocks' confirmations
    look for messages, and with none waiting none of them makes the storage."""
    from django.utils.functional import empty

    response = client_for(commenter).get(condition.get_absolute_url())
    assert "Signed in as </span>commenter" in response.content.decode()
    assert "notification-banner" not in response.content.decode()
    assert response.wsgi_request._messages._wrapped is empty
    assert "messages" not in response.cookies


def test_a_message_too_long_for_its_cookie_still_shows_once(client_for, commenter, condition, rf):
    """Django's FallbackStorage keeps a message too long for the messages cookie in the session,
    and marks the cookie to say so: messages_waiting sees the cookie."""
    from django.contrib import messages
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.http import HttpResponse

    client = client_for(commenter)
    text = "Your details have been saved. " * 200  # far more than a cookie holds
    earlier = rf.get("/")
    earlier.session = client.session
    earlier._messages = FallbackStorage(earlier)
    messages.success(earlier, text)
    response = HttpResponse()
    earlier._messages.update(response)
    earlier.session.save()
    client.cookies["messages"] = response.cookies["messages"].value
    assert "Your details" not in response.cookies["messages"].value  # it waits in the session
    assert text.strip() in client.get(condition.get_absolute_url()).content.decode()
    assert "Your details have been saved." not in client.get(condition.get_absolute_url()).content.decode()


def test_csp_nonce_is_sent_only_when_a_page_uses_it(rf):
    from django.http import HttpResponse

    from dystonia_portal.middleware import ContentSecurityPolicyMiddleware

    request = rf.get("/")
    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse("plain"))
    assert "nonce-" not in middleware(request)["Content-Security-Policy"]

    request = rf.get("/")
    middleware = ContentSecurityPolicyMiddleware(
        lambda request: HttpResponse(f'<script nonce="{request.csp_nonce}"></script>')
    )
    response = middleware(request)
    assert f"'nonce-{request.csp_nonce}'" in parse_csp(response["Content-Security-Policy"])["script-src"]


def test_the_site_wide_policy_built_once_is_the_one_django_csp_builds(rf, settings):
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse

    from dystonia_portal.middleware import ContentSecurityPolicyMiddleware

    def plain(request):
        return HttpResponse("plain")

    ours = ContentSecurityPolicyMiddleware(plain)
    theirs = CSPMiddleware(plain)
    first, second = ours(rf.get("/")), ours(rf.get("/robots.txt"))
    assert first["Content-Security-Policy"] == second["Content-Security-Policy"]
    assert first["Content-Security-Policy"] == theirs(rf.get("/"))["Content-Security-Policy"]

    # A changed setting is a changed header (the built one is forgotten).
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert ours(rf.get("/"))["Content-Security-Policy"] == "default-src 'none'"


def test_a_views_own_policy_and_a_late_nonce_still_go_through_django_csp(rf):
    from csp.decorators import csp_exempt, csp_update
    from csp.exceptions import CSPNonceError
    from django.http import HttpResponse

    from dystonia_portal.middleware import ContentSecurityPolicyMiddleware

    @csp_update({"img-src": ["https://images.example.org"]})
    def with_images(request):
        return HttpResponse("images")

    response = ContentSecurityPolicyMiddleware(with_images)(rf.get("/"))
    assert "https://images.example.org" in parse_csp(response["Content-Security-Policy"])["img-src"]

    @csp_exempt()
    def exempt(request):
        return HttpResponse("exempt")

    assert "Content-Security-Policy" not in ContentSecurityPolicyMiddleware(exempt)(rf.get("/"))

    request = rf.get("/")
    ContentSecurityPolicyMiddleware(lambda request: HttpResponse("plain"))(request)
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)  # asked for after the header was written: an error, never a silent gap


class InlineCodeFinder(HTMLParser):
    """What the CSP would block: inline scripts (without our nonce), style elements and attributes,
    and event-handler attributes."""

    DATA_SCRIPT_TYPES = {"application/ld+json", "application/json"}

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        inline = "src" not in attributes and "nonce" not in attributes
        if tag == "script" and inline and attributes.get("type") not in self.DATA_SCRIPT_TYPES:
            self.found.append("inline <script>")
        if tag == "style" and "nonce" not in attributes:
            self.found.append("<style> element")
        for name in attributes:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")


def inline_code(html):
    finder = InlineCodeFinder()
    finder.feed(html)
    return finder.found


def test_inline_code_finder_spots_what_the_policy_blocks():
    assert inline_code("<script>alert(1)</script><p style='x'></p><a onclick='x'>") == [
        "inline <script>",
        "<p style=...>",
        "<a onclick=...>",
    ]
    assert inline_code('<script src="/static/js/app.js"></script><script type="application/ld+json">{}</script>') == []


@pytest.mark.parametrize(
    "path",
    ["/", "/conditions/", "/conditions/dystonia/", "/conditions/dystonia/symptoms/", "/search/?q=dystonia", "/nope/"],
)
def test_public_pages_need_no_inline_code(client, db, condition, path):
    response = client.get(path)

    assert inline_code(response.content.decode()) == []


@pytest.mark.parametrize(
    "path",
    [
        "",
        "conditions/page/",
        "conditions/page/add/",
        "conditions/page/{pk}/change/",
        "conditions/page/{pk}/history/",
        "conditions/page/{pk}/delete/",
        "auth/user/",
        "axes/accessattempt/",
    ],
)
def test_admin_pages_work_under_the_policy(client_for, superuser, condition, path):
    # Django 5.2's admin loads every script from a file and needs no inline code, so it runs
    # under the site's policy unchanged.
    response = client_for(superuser).get(f"/{settings.ADMIN_PATH}{path.format(pk=condition.pk)}")

    assert response.status_code == 200
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    found = inline_code(response.content.decode())
    if path.endswith("/history/"):
        # django-simple-history's list has <p class="paginator" style="border-top: 0">; the
        # browser ignores the blocked attribute and only a border line changes.
        found.remove("<p style=...>")
    assert found == []
