"""Every URL the project routes refuses a POST that carries no CSRF token.

The URLs come from the URLconf itself, so an endpoint added later is covered without
anyone remembering to list it here.
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


@pytest.mark.parametrize(("name", "path"), every_url())
def test_post_without_csrf_token_is_refused_for_a_reader(db, condition, name, path):
    client = Client(enforce_csrf_checks=True)

    response = client.post(path, {"text": "hello", "score": "5", "username": "admin", "password": "x"})

    if name in CSRF_EXEMPT:
        return
    assert response.status_code == 403, f"{name} ({path}) answered {response.status_code}"


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


def test_the_same_post_with_a_token_is_accepted(db, superuser):
    client = Client(enforce_csrf_checks=True)
    client.get(f"/{settings.ADMIN_PATH}login/")
    token = client.cookies["csrftoken"].value

    response = client.post(
        f"/{settings.ADMIN_PATH}login/",
        {"username": "admin", "password": "correct-horse-battery-staple-42", "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302


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
