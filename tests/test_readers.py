"""dystonia_portal/readers.py: who the reader is, asked by ratings, comments, the limiter and the lockout alike."""

import inspect

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from accounts.sessions import SessionStore
from dystonia_portal import ratelimit, readers, security


def _request(user=None, address="203.0.113.7"):
    request = RequestFactory().get("/", REMOTE_ADDR=address)
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    return request


def test_reader_identity_lives_in_its_own_module_not_in_the_rate_limiter():
    for name in ("keyed_hash", "address_hash", "address_key", "session_key", "reader_key", "wants_json"):
        assert not hasattr(ratelimit, name) or getattr(ratelimit, name) is getattr(readers, name, None)
    source = inspect.getsource(ratelimit)
    assert "def keyed_hash" not in source
    assert "def reader_key" not in source


@pytest.mark.django_db
def test_an_account_is_the_reader_wherever_they_are(commenter):
    here, there = _request(commenter, "203.0.113.7"), _request(commenter, "198.51.100.9")
    assert readers.reader_key(here) == readers.reader_key(there) == f"user:{commenter.pk}"
    assert readers.reader_lookup(here, create=False) == {"user": commenter}
    assert readers.existing_session_key(here) == ""


def test_an_anonymous_reader_is_counted_by_a_keyed_hash_of_their_address_never_the_address():
    request = _request(address="203.0.113.7")
    key = readers.reader_key(request)
    assert key == "addr:" + readers.address_hash(request)
    assert "203.0.113.7" not in key
    assert readers.reader_key(_request(address="198.51.100.9")) != key


@pytest.mark.django_db
def test_reading_without_a_session_starts_none_and_rating_starts_one():
    request = _request()
    assert readers.existing_session_key(request) == ""
    assert readers.reader_lookup(request, create=False) is None
    assert request.session.session_key is None
    reader = readers.reader_lookup(request, create=True)
    assert request.session.session_key is not None
    assert reader == {"session_hash": readers.keyed_hash(request.session.session_key)[:40]}
    assert request.session.session_key not in reader["session_hash"]
    assert readers.existing_session_key(request) == reader["session_hash"]


def test_the_lockout_counts_the_same_address_hash_as_the_limiter():
    request = _request(address="203.0.113.7")
    lockout_address = security.hashed_client_address(request)
    digest = readers.keyed_hash("203.0.113.7")
    assert lockout_address.replace(":", "").startswith("fd" + digest[:2])
    assert readers.address_hash(request) == digest[:40]
