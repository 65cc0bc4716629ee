"""The error pages: NHS.UK styled, in plain English, and safe to render when things are broken."""

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.template.loader import get_template
from django.test import Client
from django.views.csrf import csrf_failure
from django.views.defaults import bad_request, permission_denied, server_error


def html(response):
    return response.content.decode()


@pytest.mark.django_db
def test_unknown_condition_is_the_styled_404(reader, condition):
    response = reader.get("/conditions/no-such-condition/")

    assert response.status_code == 404
    page = html(response)
    assert "<h1>Page not found</h1>" in page
    assert "If you entered a web address, check it is correct." in page
    assert 'class="nhsuk-header"' in page
    assert 'id="maincontent"' in page
    assert 'href="/conditions/">Health A to Z</a>' in page
    assert "Dystonia</a>" not in page  # nothing about the condition leaks into the page


@pytest.mark.django_db
def test_unknown_sub_page_and_unknown_address_are_the_styled_404(reader, condition):
    for path in ("/conditions/dystonia/no-such-part/", "/no/such/address/"):
        response = reader.get(path)

        assert response.status_code == 404
        assert "<h1>Page not found</h1>" in html(response)


@pytest.mark.django_db
def test_404_keeps_the_header_search_box_with_what_was_typed(reader):
    response = reader.get("/no/such/address/", {"q": "spasm <b>"})

    page = html(response)
    assert 'action="/search/"' in page
    assert 'value="spasm &lt;b&gt;"' in page


def test_500_page_renders_with_an_empty_context():
    page = get_template("500.html").render({})

    assert "<h1>Sorry, there is a problem with the service</h1>" in page
    assert "Try again later." in page
    assert 'class="nhsuk-header__service-name app-header__site-name" href="/">Dystonia Portal</a>' in page
    assert "/static/css/main.css" in page


def test_server_error_handler_serves_the_styled_500(rf):
    response = server_error(rf.get("/conditions/dystonia/"))

    assert response.status_code == 500
    page = html(response)
    assert "<h1>Sorry, there is a problem with the service</h1>" in page
    assert 'class="nhsuk-footer"' in page
    assert "<script>" not in page  # no inline script: the CSP allows files only


def home_page_raising(client, monkeypatch, error):
    """The home page when listing the published guides raises `error`, as the client sees it."""

    def broken(request):
        raise error

    monkeypatch.setattr("conditions.views.Page.objects.published", broken)
    client.raise_request_exception = False
    return client.get("/")


@pytest.mark.django_db
def test_unhandled_exception_shows_the_styled_500(client, monkeypatch):
    response = home_page_raising(client, monkeypatch, RuntimeError("database on fire"))

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in html(response)
    assert "database on fire" not in html(response)


@pytest.fixture
def anonymous_request(rf):
    """A GET of / from someone signed out, for calling a handler or view directly."""
    request = rf.get("/")
    request.user = AnonymousUser()
    return request


@pytest.mark.django_db
def test_bad_request_handler_serves_the_styled_400(anonymous_request):
    response = bad_request(anonymous_request, ValueError("bad"))

    assert response.status_code == 400
    assert "<h1>Sorry, there is a problem with your request</h1>" in html(response)
    assert 'class="nhsuk-header"' in html(response)


@pytest.mark.django_db
def test_permission_denied_handler_serves_the_styled_403(anonymous_request):
    response = permission_denied(anonymous_request, PermissionDenied("secret reason"))

    assert response.status_code == 403
    page = html(response)
    assert "<h1>You do not have permission to view this page</h1>" in page
    assert "secret reason" not in page


@pytest.mark.django_db
def test_form_sent_without_csrf_token_gets_the_styled_csrf_page(superuser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)

    response = client.post(f"/{settings.ADMIN_PATH}logout/")

    assert response.status_code == 403
    page = html(response)
    assert "<h1>Sorry, your form could not be sent</h1>" in page
    assert "Your browser must allow cookies from this site to send forms." in page
    assert 'class="nhsuk-header"' in page


def test_form_sent_from_another_website_gets_the_styled_page_saying_so():
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        f"/{settings.ADMIN_PATH}login/", {"username": "x", "password": "y"}, headers={"Sec-Fetch-Site": "cross-site"}
    )

    assert response.status_code == 403
    page = html(response)
    assert "<h1>Sorry, your form could not be sent</h1>" in page
    assert "The form was sent from another website." in page
    assert "allow cookies" not in page
    assert 'class="nhsuk-header"' in page


@pytest.mark.django_db
def test_csrf_failure_view_uses_our_template(rf):
    request = rf.post("/")
    request.user = AnonymousUser()

    response = csrf_failure(request, reason=REASON_NO_CSRF_COOKIE)

    assert response.status_code == 403
    assert "Sorry, your form could not be sent" in html(response)
    assert "CSRF" not in html(response)  # no jargon for readers


@pytest.mark.django_db
def test_429_page_shows_how_long_to_wait(anonymous_request):
    from django.shortcuts import render

    response = render(anonymous_request, "429.html", {"message": "Please wait 10 minutes and try again."}, status=429)

    page = html(response)
    assert "<h1>Sorry, you need to wait before trying again</h1>" in page
    assert "<p>Please wait 10 minutes and try again.</p>" in page


@pytest.fixture
def database_down(monkeypatch):
    """Every query fails as it does when PostgreSQL is stopped (psycopg's OperationalError)."""
    from django.db import OperationalError
    from django.db.backends import utils

    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    monkeypatch.setattr(utils.CursorWrapper, "execute", refuse)
    monkeypatch.setattr(utils.CursorWrapper, "executemany", refuse)


def test_503_page_renders_with_an_empty_context():
    page = get_template("503.html").render({})

    assert "<h1>Sorry, the service is unavailable</h1>" in page
    assert 'class="nhsuk-header__service-name app-header__site-name" href="/">Dystonia Portal</a>' in page


@pytest.mark.django_db
def test_a_page_while_the_database_is_down_is_a_styled_503_with_retry_after(client, condition, database_down):
    client.raise_request_exception = False

    response = client.get(condition.get_absolute_url())

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    assert "<h1>Sorry, the service is unavailable</h1>" in html(response)
    assert "5432" not in html(response)


@pytest.mark.django_db
def test_a_signed_in_request_while_the_database_is_down_is_a_503_too(client, superuser, condition, monkeypatch):
    client.force_login(superuser)  # the session is read in middleware, before any view
    client.raise_request_exception = False
    from django.db import OperationalError
    from django.db.backends import utils

    def refuse(*args, **kwargs):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(utils.CursorWrapper, "execute", refuse)

    response = client.get(f"/{settings.ADMIN_PATH}")

    assert response.status_code == 503
    assert "Sorry, the service is unavailable" in html(response)


@pytest.mark.django_db
def test_other_errors_are_still_the_500_page(client, monkeypatch):
    response = home_page_raising(client, monkeypatch, RuntimeError("not the database"))

    assert response.status_code == 500
    assert "Retry-After" not in response


@pytest.mark.parametrize("name", ["500.html", "503.html"])
def test_the_failure_pages_share_one_base_and_say_only_their_own_words(name):
    from django.template import Context
    from django.template.loader_tags import ExtendsNode

    template = get_template(name).template
    [extends] = template.nodelist.get_nodes_by_type(ExtendsNode)
    assert extends.parent_name.resolve(Context()) == "error_base.html"
    page = template.render(Context())
    assert page.count('<footer class="nhsuk-footer"') == 1
    assert page.count("<h1>") == 1
