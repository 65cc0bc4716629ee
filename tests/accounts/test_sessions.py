"""The session engine: Django's database sessions, read by SQL the ORM compiles once."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from accounts import sessions
from accounts.models import Session
from accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db


def saved(**data):
    store = SessionStore()
    store.update(data)
    store.save()
    return store.session_key


def test_the_site_uses_it_without_redis():
    assert settings.SESSION_ENGINE == "accounts.sessions"


def test_a_saved_session_comes_back_with_its_data_in_one_query(django_assert_num_queries):
    key = saved(seen=True, pages=[1, 2])
    with django_assert_num_queries(1):
        store = SessionStore(key)
        assert store["seen"] is True
        assert store["pages"] == [1, 2]
    assert store.session_key == key


def test_the_lookup_is_compiled_once():
    sessions._load_sql.cache_clear()
    for _ in range(3):
        SessionStore(saved(n=1)).load()
    assert sessions._load_sql.cache_info().misses == 1
    assert sessions._load_sql.cache_info().hits == 2


def test_an_expired_session_is_not_loaded_and_a_new_one_is_started():
    key = saved(secret="old")
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    store = SessionStore(key)
    assert store.load() == {}
    assert "secret" not in store
    store["fresh"] = True
    store.save()
    assert store.session_key != key


def test_an_unknown_or_malformed_key_loads_nothing():
    assert SessionStore("x" * 32).load() == {}
    assert SessionStore("it's; DROP TABLE django_session --").load() == {}
    assert Session.objects.count() == 0


def test_a_session_that_expires_later_is_still_read():
    key = saved(still="here")
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + datetime.timedelta(seconds=5))
    assert SessionStore(key)["still"] == "here"


# The account with the session: one query for both, and Django's own checks still made.


def signed_in_request(client, user):
    """A request as the middleware leaves it for `user`'s signed-in session, nothing read yet."""
    from django.test import RequestFactory

    from accounts.middleware import AuthenticationMiddleware

    client.force_login(user)
    request = RequestFactory().get("/")
    request.session = SessionStore(client.cookies[settings.SESSION_COOKIE_NAME].value)
    AuthenticationMiddleware(lambda request: None).process_request(request)
    return request


def test_a_signed_in_request_reads_its_session_and_account_in_one_query(client, commenter, django_assert_num_queries):
    from accounts.models import member_version

    request = signed_in_request(client, commenter)
    expected = member_version(type(commenter).objects.get(pk=commenter.pk))
    with django_assert_num_queries(1):
        assert request.user.pk == commenter.pk
        assert request.user.is_authenticated
        assert request.user.username == "commenter"
        assert member_version(request.user) == expected
        assert isinstance(request.user.last_login, datetime.datetime)  # converted as the ORM converts it
    assert Session.objects.get().account == commenter


def test_a_session_is_still_checked_against_its_account(client, commenter):
    request = signed_in_request(client, commenter)
    commenter.set_password("a-new-password-for-this-test")
    commenter.save()
    assert not request.user.is_authenticated  # Django's session hash check: signed out everywhere
    request = signed_in_request(client, commenter)
    type(commenter).objects.filter(pk=commenter.pk).update(is_active=False)
    assert not request.user.is_authenticated  # the backend refuses a closed account


def test_the_session_names_its_account_from_sign_in_to_sign_out(client, commenter):
    from django.urls import reverse

    from tests.conftest import PASSWORD

    client.get("/conditions/")  # a page that starts no session
    response = client.post(
        reverse("accounts:signin"), {"username": "commenter", "password": PASSWORD}, HTTP_SEC_FETCH_SITE="same-origin"
    )
    assert response.status_code == 302
    assert list(Session.objects.values_list("account", flat=True)) == [commenter.pk]
    client.post(reverse("accounts:signout"), HTTP_SEC_FETCH_SITE="same-origin")
    assert not Session.objects.filter(account=commenter).exists()


def test_a_deleted_accounts_sessions_go_with_it(client, commenter, other_commenter):
    for user in (commenter, other_commenter):
        client.force_login(user)
    commenter.delete()
    assert list(Session.objects.values_list("account", flat=True)) == [other_commenter.pk]


def test_the_upgrade_keeps_everyone_signed_in(client, commenter):
    """Migration accounts 0004 copies every open session from Django's table with its account."""
    import importlib

    from django.apps import apps
    from django.contrib.sessions.backends.db import SessionStore as DjangoStore
    from django.contrib.sessions.models import Session as DjangoSession

    migration = importlib.import_module("accounts.migrations.0004_sessions")
    client.force_login(commenter)
    signed_in = Session.objects.get()
    later = timezone.now() + datetime.timedelta(days=1)
    rows = {
        "signed-in": (signed_in.session_data, later),
        "anonymous": (DjangoStore().encode({"seen": True}), later),
        "gone-account": (DjangoStore().encode({"_auth_user_id": "987654"}), later),
        "ended": (signed_in.session_data, timezone.now() - datetime.timedelta(days=1)),
        "tampered": ("not signed data", later),
    }
    Session.objects.all().delete()
    for key, (data, expires) in rows.items():
        DjangoSession.objects.create(session_key=f"{key}-{'k' * 20}", session_data=data, expire_date=expires)
    migration.copy_sessions(apps, None)
    assert not DjangoSession.objects.exists()  # nothing left in a table nobody reads
    copied = dict(Session.objects.values_list("session_key", "account"))
    assert copied == {
        f"signed-in-{'k' * 20}": commenter.pk,
        f"anonymous-{'k' * 20}": None,
        f"gone-account-{'k' * 20}": None,
        f"tampered-{'k' * 20}": None,
    }
    client.cookies[settings.SESSION_COOKIE_NAME] = f"signed-in-{'k' * 20}"
    assert "Signed in as" in client.get("/conditions/").content.decode()


def test_with_redis_the_cached_engine_keeps_the_same_table_and_account(commenter):
    from django.contrib.auth import SESSION_KEY
    from django.core.cache import cache

    from accounts.cached_sessions import SessionStore as CachedStore

    store = CachedStore()
    store[SESSION_KEY] = str(commenter.pk)
    store["seen"] = True
    store.save()
    assert Session.objects.get(session_key=store.session_key).account == commenter
    # Signed with the same salt as the database engine's: either reads the other's sessions.
    assert SessionStore(store.session_key)["seen"] is True
    cache.clear()
    again = CachedStore(store.session_key)
    assert again["seen"] is True and again.account == commenter  # read from the table, with its account


def test_once_read_the_requests_user_is_the_account_itself(client, commenter):
    """No lazy proxy in front of every attribute a page reads (accounts.middleware._user)."""
    from django.utils.functional import SimpleLazyObject

    request = signed_in_request(client, commenter)
    lazy = request.user
    assert isinstance(lazy, SimpleLazyObject)
    assert lazy.username == "commenter"
    assert type(request.user) is type(commenter) and request.user.pk == commenter.pk
    assert lazy.pk == request.user.pk  # what was handed out before still answers
