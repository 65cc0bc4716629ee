"""Sign-in lockouts (django-axes) without raw addresses, unlocking from the admin, and rate limits."""

import ipaddress

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings

from tests.conftest import PASSWORD

ADMIN_LOGIN = f"/{settings.ADMIN_PATH}login/"


def fail_admin_sign_in(client, username="admin", times=None, **extra):
    for _ in range(times or settings.AXES_FAILURE_LIMIT):
        response = client.post(ADMIN_LOGIN, {"username": username, "password": "wrong-password"}, **extra)
    return response


def test_admin_sign_in_locks_after_repeated_failures_even_with_the_right_password(client, superuser):
    response = fail_admin_sign_in(client, times=settings.AXES_FAILURE_LIMIT - 1)
    assert response.status_code == 200
    assert "Please enter the correct username and password" in response.content.decode()

    fail_admin_sign_in(client, times=1)
    response = client.post(ADMIN_LOGIN, {"username": "admin", "password": PASSWORD})

    assert response.status_code == 429
    page = response.content.decode()
    assert "Sign in temporarily blocked" in page
    assert "you cannot sign in to it from this device for 1 hour" in page
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_account_and_address_pair(client, superuser, make_user):
    make_user("editor2", is_staff=True)
    fail_admin_sign_in(client)

    other_account = client.post(ADMIN_LOGIN, {"username": "editor2", "password": PASSWORD})
    other_address = client.post(ADMIN_LOGIN, {"username": "admin", "password": PASSWORD}, REMOTE_ADDR="198.51.100.7")

    assert other_account.status_code == 302
    assert other_address.status_code == 302


def test_lockout_stores_a_keyed_hash_never_the_address_or_password(client, superuser):
    fail_admin_sign_in(client, REMOTE_ADDR="203.0.113.9")

    attempt = AccessAttempt.objects.get()
    assert attempt.username == "admin"
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT
    assert attempt.ip_address != "203.0.113.9"
    assert ipaddress.ip_address(attempt.ip_address) in ipaddress.ip_network("fd00::/8")
    assert "wrong-password" not in attempt.post_data
    assert "203.0.113.9" not in f"{attempt.post_data} {attempt.get_data} {attempt.http_accept} {attempt.path_info}"


def test_a_very_long_username_is_counted_cut_to_the_longest_possible_username(client, db):
    fail_admin_sign_in(client, username="x" * 10_000)

    attempt = AccessAttempt.objects.get()
    assert attempt.username == "x" * 150
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT
    response = client.post(ADMIN_LOGIN, {"username": "x" * 9_000, "password": PASSWORD})
    assert response.status_code == 429


def test_successful_sign_in_keeps_no_access_log(client, superuser):
    response = client.post(ADMIN_LOGIN, {"username": "admin", "password": PASSWORD})

    assert response.status_code == 302
    assert AccessLog.objects.count() == 0


def test_a_superuser_unlocks_an_account_from_the_admin(client, client_for, superuser, make_user, django_user_model):
    staff = make_user("staffer", is_staff=True, is_superuser=True)
    fail_admin_sign_in(client, username="staffer")
    attempt = AccessAttempt.objects.get(username="staffer")
    assert client.post(ADMIN_LOGIN, {"username": "staffer", "password": PASSWORD}).status_code == 429

    admin_client = client_for(superuser)
    listing = admin_client.get(f"/{settings.ADMIN_PATH}axes/accessattempt/")
    assert "staffer" in listing.content.decode()
    response = admin_client.post(f"/{settings.ADMIN_PATH}axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="staffer").exists()

    admin_client.logout()
    response = client.post(ADMIN_LOGIN, {"username": staff.username, "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("persona", ["editor", "commenter"])
def test_only_superusers_see_sign_in_attempts(request, client_for, db, persona):
    user = request.getfixturevalue(persona)

    response = client_for(user).get(f"/{settings.ADMIN_PATH}axes/accessattempt/")

    assert response.status_code in (302, 403)


def test_rate_limits_name_every_write_scope():
    assert set(settings.RATE_LIMITS) >= {"rating", "comment", "report", "signup", "signin", "password_reset"}
    for limit, period in settings.RATE_LIMITS.values():
        assert 0 < limit <= 20
        assert 60 <= period <= 3600


def test_rate_limits_hold_on_the_database_cache_that_gunicorn_workers_share(settings, db):
    # Production's one-host cache. A second cache connection stands for another worker process.
    from django.core.cache import caches
    from django.core.management import call_command
    from django.utils import timezone

    from dystonia_portal.ratelimit import is_allowed

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache"}
    }
    call_command("createcachetable")
    other_worker = caches.create_connection("default")

    answers = [is_allowed("comment", "user:1", limit=3, period=600) for _ in range(4)]

    assert answers == [True, True, True, False]
    window = int(timezone.now().timestamp()) // 600
    assert other_worker.get(f"ratelimit:comment:user:1:{window}") == 4
