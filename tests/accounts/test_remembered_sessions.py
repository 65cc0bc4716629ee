"""Sessions remembered by each process on PostgreSQL (accounts.sessions): a member's page costs no
query, and still never shows them signed in, or as they were, after a change anywhere."""

import datetime
import time

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import sessions
from accounts.middleware import WRITE_MARK_COOKIE
from accounts.models import Session
from conditions import versions_memo
from tests.conftest import PASSWORD, caught_up, on_postgresql, wait_for

ACCOUNT = reverse("accounts:account")
SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}


def signed_in(client) -> bool:
    """Whether the account page opens for `client`, rather than sending it to sign in."""
    response = client.get(ACCOUNT)
    return response.status_code == 200 and "Sign out" in response.content.decode()


def member(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# While the listener runs: a change made anywhere reaches the member once PostgreSQL delivers it.


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_members_page_costs_no_query_once_their_session_is_remembered(
    listening, commenter, condition, django_assert_num_queries
):
    reader = member(commenter)
    url = condition.get_absolute_url()
    # Signing in wrote the session and the account: those notifications are in before the page.
    caught_up(listening)
    first = reader.get(url).content.decode()
    with django_assert_num_queries(0):
        again = reader.get(url).content.decode()
    assert "commenter" in again and again.count("Sign out") == first.count("Sign out") == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "change",
    ["signed out elsewhere", "password changed", "account closed", "session ended", "all sessions cleared"],
)
def test_a_change_made_anywhere_signs_the_member_out_once_it_is_delivered(listening, commenter, change):
    """Each as the admin, a moderator or the shell makes it, never through this browser."""
    reader = member(commenter)
    assert signed_in(reader) and signed_in(reader)  # read, then remembered
    users = type(commenter).objects
    changes = {
        "signed out elsewhere": lambda: Session.objects.filter(account=commenter).delete(),
        "password changed": lambda: (commenter.set_password("another-password-entirely-99"), commenter.save()),
        "account closed": lambda: users.filter(pk=commenter.pk).update(is_active=False),
        "session ended": lambda: Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1)),
        "all sessions cleared": lambda: Session.objects.all().delete(),
    }
    changes[change]()
    caught_up(listening)
    assert not signed_in(reader)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_rename_from_the_admin_reaches_the_members_own_pages_once_delivered(listening, commenter, client_for):
    reader = member(commenter)
    assert "commenter" in reader.get(ACCOUNT).content.decode()
    type(commenter).objects.filter(pk=commenter.pk).update(username="renamed-commenter")
    caught_up(listening)
    assert "renamed-commenter" in reader.get(ACCOUNT).content.decode()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_while_the_listener_is_cut_off_every_request_reads_its_session(
    listening, commenter, django_assert_num_queries
):
    reader = member(commenter)
    reader.get("/robots.txt")
    assert signed_in(reader)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [listening.raw.get_backend_pid()])
    wait_for(lambda: not versions_memo.memo.listening)
    store = sessions.SessionStore(reader.cookies[settings.SESSION_COOKIE_NAME].value)
    store.remembered_as = ""
    with django_assert_num_queries(1):
        assert store[SESSION_KEY] == str(commenter.pk)
    with django_assert_num_queries(1):
        store = sessions.SessionStore(store.session_key)
        store.remembered_as = ""
        store.load()


# With notifications that never arrive (the tests' own transactions never commit): only the
# browser's own write mark, and the session's end, make it read again.


@on_postgresql
def test_a_members_own_writes_show_at_once_without_any_notification(notifications_never_arrive, commenter, condition):
    reader = member(commenter)
    url = condition.get_absolute_url()
    reader.get(url)
    reader.get(url)
    response = reader.post(reverse("ratings:rate", args=[condition.pk]), {"score": 4}, **SAME_ORIGIN)
    assert response.cookies[WRITE_MARK_COOKIE].value  # a new mark with the answer to their write
    assert "You gave this page 4 stars." in reader.get(url).content.decode()
    # Signing out, from this browser, signs this browser out.
    response = reader.post(reverse("accounts:signout"), **SAME_ORIGIN)
    assert response.cookies[WRITE_MARK_COOKIE]["max-age"] == 0  # the mark goes with the session
    assert not signed_in(reader)


@on_postgresql
def test_a_change_from_elsewhere_waits_for_its_notification_and_a_post_never_does(
    notifications_never_arrive, commenter, condition
):
    reader = member(commenter)
    assert signed_in(reader) and signed_in(reader)
    Session.objects.filter(account=commenter).delete()  # elsewhere, not yet delivered
    assert signed_in(reader)  # a page to read: as it was until the notification arrives
    # A request that may write reads the session from the database, whatever is remembered.
    response = reader.post(
        reverse("comments:post", args=[condition.slug]),
        {"text": "Written after signing out elsewhere."},
        **SAME_ORIGIN,
    )
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:signin"))
    assert not condition.comments.filter(text__contains="after signing out elsewhere").exists()
    versions_memo.memo.forget(listening=True)  # the notification
    assert not signed_in(reader)


@on_postgresql
def test_a_session_is_never_remembered_past_its_end(notifications_never_arrive, commenter):
    reader = member(commenter)
    ends = timezone.now() + datetime.timedelta(seconds=0.5)
    Session.objects.filter(account=commenter).update(expire_date=ends)
    assert signed_in(reader) and signed_in(reader)  # remembered until it ends, no longer
    time.sleep(max(0.0, (ends - timezone.now()).total_seconds()) + 0.05)
    assert not signed_in(reader)


@on_postgresql
def test_nothing_is_remembered_for_longer_than_its_lifetime(notifications_never_arrive, commenter, monkeypatch):
    assert sessions.REMEMBERED_SECONDS == 60
    monkeypatch.setattr(sessions, "REMEMBERED_SECONDS", 0.3)
    reader = member(commenter)
    assert signed_in(reader) and signed_in(reader)
    Session.objects.filter(account=commenter).delete()
    time.sleep(0.35)
    assert not signed_in(reader)


@on_postgresql
def test_an_unknown_session_key_is_never_remembered(notifications_never_arrive, db, client):
    client.cookies[settings.SESSION_COOKIE_NAME] = "not-a-session-anyone-has-0123456789"
    client.get("/robots.txt")
    client.get(ACCOUNT)
    assert [key for key in versions_memo.memo._entries if key[0] == "session"] == []


@on_postgresql
def test_each_request_gets_its_own_session_data_and_account(notifications_never_arrive, commenter):
    """What is remembered is plain values: one request changing its session or its account
    object changes nothing another request sees."""
    key = member(commenter).cookies[settings.SESSION_COOKIE_NAME].value

    def store():
        found = sessions.SessionStore(key)
        found.remembered_as = ""
        found.load()
        return found

    first = store()
    first["basket"] = ["changed by the first request"]
    first.account.username = "changed-by-the-first-request"
    first.account.member_version.version = 999
    second = store()
    assert "basket" not in second.load()
    assert second.account is not first.account and second.account.username == "commenter"
    assert second.account.member_version.version != 999


# The write mark itself (accounts.middleware.WriteMarkMiddleware).


@pytest.mark.django_db
def test_the_write_mark_changes_with_each_write_and_only_then(client, commenter, condition):
    def mark(response):
        morsel = response.cookies.get(WRITE_MARK_COOKIE)
        return morsel.value if morsel is not None else None

    assert mark(client.get(condition.get_absolute_url())) is None  # no session, nothing written
    response = client.post(reverse("accounts:signin"), {"username": "commenter", "password": PASSWORD}, **SAME_ORIGIN)
    marks = [mark(response)]
    assert marks[0] and response.cookies[WRITE_MARK_COOKIE]["httponly"]
    assert mark(client.get(condition.get_absolute_url())) is None  # reading writes nothing
    for score in (3, 5):
        marks.append(mark(client.post(reverse("ratings:rate", args=[condition.pk]), {"score": score}, **SAME_ORIGIN)))
    assert None not in marks and len(set(marks)) == 3
    assert client.cookies[WRITE_MARK_COOKIE].value == marks[-1]


@pytest.mark.django_db
def test_a_refused_post_without_a_session_gets_no_write_mark(client, condition):
    response = client.post(
        reverse("ratings:rate", args=[condition.pk]), {"score": 4}, HTTP_SEC_FETCH_SITE="cross-site"
    )
    assert response.status_code == 403 and not response.cookies


@pytest.mark.django_db
def test_a_read_that_changes_the_session_moves_the_write_mark(client, commenter, clock):
    """A reader's session is moved on once a day by whatever request comes first (a GET too)."""
    today = time.time()
    clock.at(today)
    client.force_login(commenter)
    assert WRITE_MARK_COOKIE not in client.get(ACCOUNT).cookies
    clock.at(today + 86400)
    assert client.get(ACCOUNT).cookies[WRITE_MARK_COOKIE].value
