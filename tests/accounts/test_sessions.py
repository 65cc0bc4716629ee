"""The session engine: Django's database sessions, read by SQL the ORM compiles once."""

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts import sessions
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
