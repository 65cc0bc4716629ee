"""Each process's memo of pages' versions (conditions.versions_memo): no query for a shared reader's
cached page, and never a page older than the last change PostgreSQL has told the listener of."""

import threading
import time

import pytest
from django.db import connection

from comments.models import Comment
from conditions import versions_memo
from conditions.models import Section
from conditions.page_lookup import PageVersions
from tests.conftest import caught_up, on_postgresql, rerun_data_migrations, wait_for

# The memo on its own: what it keeps, and when it keeps nothing.


def versions(n):
    return PageVersions(1, {"content_version": f"1.{n}"})


def test_a_lookup_is_remembered_only_while_listening(settings):
    memo = versions_memo.VersionsMemo()
    calls = []

    def find():
        calls.append(1)
        return versions(len(calls))

    assert memo.lookup("dystonia", find) == versions(1)
    assert memo.lookup("dystonia", find) == versions(2)  # not listening: every lookup is read
    memo.forget(listening=True)
    assert memo.lookup("dystonia", find) == versions(3)
    assert memo.lookup("dystonia", find) == versions(3)
    memo.forget(listening=True)  # a notification: read again
    assert memo.lookup("dystonia", find) == versions(4)
    memo.forget(listening=False)  # the listener lost its connection: trust nothing
    assert memo.lookup("dystonia", find) == versions(5)
    assert memo.lookup("dystonia", find) == versions(6)


def test_a_lookup_that_a_notification_overtook_is_not_remembered(settings):
    memo = versions_memo.VersionsMemo()
    memo.forget(listening=True)
    calls = []

    def find_while_something_changes():
        calls.append(1)
        if len(calls) == 1:
            memo.forget(listening=True)  # delivered after the lookup read the database
        return versions(len(calls))

    assert memo.lookup("dystonia", find_while_something_changes) == versions(1)
    assert memo.lookup("dystonia", find_while_something_changes) == versions(2)  # read again
    assert memo.lookup("dystonia", find_while_something_changes) == versions(2)


def test_nothing_is_remembered_longer_than_a_shared_cache_may_keep_the_page(settings):
    settings.PAGE_CACHE_SECONDS = 0
    memo = versions_memo.VersionsMemo()
    memo.forget(listening=True)
    answers = iter([versions(1), versions(2)])
    assert memo.lookup("dystonia", lambda: next(answers)) == versions(1)
    assert memo.lookup("dystonia", lambda: next(answers)) == versions(2)


def test_a_lookup_may_say_how_long_its_answer_is_kept(settings):
    settings.PAGE_CACHE_SECONDS = 60
    memo = versions_memo.VersionsMemo()
    memo.forget(listening=True)
    answers = iter(["gone", "short", "short again", "kept"])

    def keep_for(answer):
        return {"gone": 0, "short": 0.05, "kept": 60}.get(answer, 60)

    assert memo.lookup("session", lambda: next(answers), keep_for=keep_for) == "gone"  # not kept at all
    assert memo.lookup("session", lambda: next(answers), keep_for=keep_for) == "short"
    assert memo.lookup("session", lambda: next(answers), keep_for=keep_for) == "short"
    time.sleep(0.06)
    assert memo.lookup("session", lambda: next(answers), keep_for=keep_for) == "short again"
    assert memo.lookup("session", lambda: next(answers), keep_for=keep_for) == "short again"


def test_a_member_is_served_only_what_was_looked_up_since_their_last_write(settings):
    """A member's version (accounts.MemberVersion) moves with each of their writes: a lookup made
    before this process first saw their current version may predate their write, so it is
    read again for them, and what they read is then served to everyone."""
    memo = versions_memo.VersionsMemo()
    memo.forget(listening=True)
    answers = iter([versions(n) for n in range(1, 5)])

    def find():
        return next(answers)

    assert memo.lookup("dystonia", find) == versions(1)  # a signed-out reader's lookup
    assert memo.lookup("dystonia", find, writer="7:3.1") == versions(2)  # first seen after it
    assert memo.lookup("dystonia", find, writer="7:3.1") == versions(2)
    assert memo.lookup("dystonia", find) == versions(2)
    assert memo.lookup("dystonia", find, writer="8:4.1") == versions(3)  # another member, first seen now
    assert memo.lookup("dystonia", find, writer="7:3.1") == versions(3)  # newer than their first sight
    assert memo.lookup("dystonia", find, writer="7:3.2") == versions(4)  # they wrote: read again
    assert memo.lookup("dystonia", find, writer="8:4.1") == versions(4)


def test_markers_forget_nothing_and_changes_forget_everything():
    memo = versions_memo.VersionsMemo()
    listener = versions_memo.Listener(memo)
    memo.forget(listening=True)
    memo.lookup("dystonia", lambda: versions(1))
    listener.received(["marker-1"])
    assert listener.marker == "marker-1"
    assert memo.lookup("dystonia", lambda: versions(2)) == versions(1)
    listener.received(["", "marker-2"])
    assert listener.marker == "marker-2"
    assert memo.lookup("dystonia", lambda: versions(3)) == versions(3)


# With PostgreSQL: the listener, the triggers' notifications and the page.


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_shared_readers_cached_page_costs_no_query_while_listening(
    listening, client, condition, django_assert_num_queries
):
    caught_up(listening)  # the notifications of making the page are in before it is read
    first = client.get(condition.get_absolute_url()).content
    with django_assert_num_queries(0):
        again = client.get(condition.get_absolute_url())
    assert again.content == first


@on_postgresql
def test_a_member_sees_their_own_write_before_any_notification_and_others_once_it_arrives(
    notifications_never_arrive, client, commenter, other_commenter, condition, django_assert_num_queries
):
    from django.test import Client
    from django.urls import reverse

    from ratings.services import rating_submit

    member, other = Client(), Client()
    member.force_login(commenter)
    other.force_login(other_commenter)
    url = condition.get_absolute_url()
    for reader in (member, other, member, other):
        assert "You gave this page" not in reader.get(url).content.decode()
    with django_assert_num_queries(0):  # their session, their account and the versions remembered
        member.get(url)
    # Their write, from their browser, moves their version and their write mark
    # (accounts.middleware.WriteMarkMiddleware): their next page reads both again.
    member.post(reverse("ratings:rate", args=[condition.pk]), {"score": 2})
    page = member.get(url).content.decode()
    assert "You gave this page 2 stars." in page and "Based on 1 rating" in page
    # A write that is no member's, or one of theirs made elsewhere (here the shell), reaches
    # members as it reaches signed-out readers: when PostgreSQL delivers its notification,
    # which empties the memo.
    Section.objects.filter(page=condition).update(heading="Heading changed in the shell")
    rating_submit(page=condition, user=other_commenter, score=5)
    for reader in (member, other):
        assert "Heading changed in the shell" not in reader.get(url).content.decode()
    assert "You gave this page" not in other.get(url).content.decode()
    versions_memo.memo.forget(listening=True)
    for reader in (member, other):
        assert "Heading changed in the shell" in reader.get(url).content.decode()
    assert "You gave this page 5 stars." in other.get(url).content.decode()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_editor_previewing_drafts_still_reads_the_versions(
    listening, client_for, make_user, condition, data_migrations
):
    rerun_data_migrations(data_migrations)  # the staff groups, which the flush after each test removes
    reader = client_for(make_user("editor", groups=["Editors"], is_staff=True))
    reader.get(condition.get_absolute_url())
    reader.get(condition.get_absolute_url())
    # Their session is remembered (accounts.sessions), the page's versions never.
    assert [key[0] for key in versions_memo.memo._entries] == ["session"]


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", ["section", "comment", "rating", "display name"])
def test_a_write_from_anywhere_reaches_shared_readers_once_it_is_delivered(
    listening, client, condition, commenter, change
):
    from ratings.services import rating_submit
    from tests.comments.factories import make_comment

    make_comment(condition, commenter, text="Soon to be hidden.")
    writes = {
        "section": (
            lambda: Section.objects.filter(page=condition).update(heading="Heading changed in the shell"),
            lambda html: "Heading changed in the shell" in html,
        ),
        "comment": (
            lambda: Comment.objects.filter(page=condition).update(status=Comment.Status.HIDDEN),
            lambda html: "Soon to be hidden." not in html,
        ),
        "rating": (
            lambda: rating_submit(page=condition, score=4, user=commenter),
            lambda html: "Based on 1 rating" in html,
        ),
        "display name": (
            lambda: type(commenter.profile).objects.filter(user=commenter).update(display_name="renamed-reader"),
            lambda html: "renamed-reader said on" in html,
        ),
    }
    write, shows_it = writes[change]
    url = condition.get_absolute_url()
    client.get(url)
    assert not shows_it(client.get(url).content.decode())  # from the memo and the cache
    write()
    caught_up(listening)
    assert shows_it(client.get(url).content.decode())


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_while_the_listener_is_cut_off_every_page_reads_its_versions(
    listening, client, condition, django_assert_num_queries
):
    url = condition.get_absolute_url()
    client.get(url)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [listening.raw.get_backend_pid()])
    wait_for(lambda: not versions_memo.memo.listening)
    with django_assert_num_queries(1):  # the versions
        client.get(url)
    # It listens again on its own, and only then trusts what it remembers.
    wait_for(lambda: versions_memo.memo.listening, seconds=versions_memo.RETRY_SECONDS + 5)
    client.get(url)
    with django_assert_num_queries(0):
        client.get(url)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_pages_read_under_load_are_never_older_than_the_last_delivered_change(listening, client, condition):
    """Readers in threads while sections change: after each change is delivered, every reader sees it."""
    url = condition.get_absolute_url()
    stop = threading.Event()
    errors = []

    def read():
        from django.test import Client

        reader = Client()
        try:
            while not stop.is_set():
                reader.get(url)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    readers = [threading.Thread(target=read) for _ in range(3)]
    for thread in readers:
        thread.start()
    try:
        for n in range(8):
            Section.objects.filter(page=condition).update(heading=f"Edition {n} of the heading")
            caught_up(listening)
            assert f"Edition {n} of the heading" in client.get(url).content.decode()
    finally:
        stop.set()
        for thread in readers:
            thread.join()
    assert errors == []


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_changes_that_arrive_while_the_listener_checks_its_connection_are_not_lost(
    listening, client, condition, monkeypatch
):
    """psycopg2 keeps notifications that came in during the check's query; they count too."""
    monkeypatch.setattr(versions_memo, "HEARTBEAT_SECONDS", 0.0005)  # checking almost all the time
    url = condition.get_absolute_url()
    for n in range(20):
        client.get(url)
        before = versions_memo.memo.generation
        Section.objects.filter(page=condition).update(heading=f"Checked heading {n}")
        # No marker here: one would bring any notification held back along with it.
        wait_for(lambda: versions_memo.memo.generation > before, seconds=2)  # noqa: B023 - waited on at once
        assert f"Checked heading {n}" in client.get(url).content.decode()
