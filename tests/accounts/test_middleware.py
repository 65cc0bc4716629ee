"""Sessions end after a while without a request: staff after 2 hours, readers after 30 days."""

import io
import time

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import Session
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

HOUR = 60 * 60
DAY = 24 * HOUR
ADMIN_INDEX = f"/{settings.ADMIN_PATH}"
DELETE_ACCOUNT = "/account/delete/"  # needs a signed-in reader


def test_settings_say_two_hours_for_staff_and_thirty_days_for_readers():
    assert settings.STAFF_SESSION_IDLE_SECONDS == 2 * HOUR
    assert settings.SESSION_COOKIE_AGE == 30 * DAY


def test_a_staff_session_idle_for_more_than_two_hours_is_signed_out(client, editor, clock):
    """The attack: a staff session left open on a shared computer lived 14 days."""
    start = time.time()
    clock.at(start)
    assert client.post(f"{ADMIN_INDEX}login/", {"username": "editor", "password": PASSWORD}).status_code == 302
    clock.at(start + 1.5 * HOUR)
    assert client.get(ADMIN_INDEX).status_code == 200  # in use: the two hours start again
    clock.at(start + 3 * HOUR)
    assert client.get(ADMIN_INDEX).status_code == 200

    clock.at(start + 5 * HOUR + 1)  # two hours and a second since the last request
    response = client.get(ADMIN_INDEX)

    assert response.status_code == 302
    assert response["Location"].startswith(f"{ADMIN_INDEX}login/")


def test_a_readers_session_lasts_thirty_days_from_their_last_visit(client, commenter, clock):
    start = time.time()
    clock.at(start)
    assert client.post("/account/sign-in/", {"username": "commenter", "password": PASSWORD}).status_code == 302
    clock.at(start + 29 * DAY)
    assert client.get(DELETE_ACCOUNT).status_code == 200
    clock.at(start + 58 * DAY)
    assert client.get(DELETE_ACCOUNT).status_code == 200  # 29 days after the last visit

    clock.at(start + 88 * DAY + 1)
    response = client.get(DELETE_ACCOUNT)

    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/")


def test_a_reader_is_not_written_to_the_session_table_on_every_request(client, commenter, clock):
    # 06:00 UTC today: the expiry moves on at most once per date, so the hour must not cross midnight
    # (run at 23:58 UTC, `time.time()` made this test fail).
    start = time.time() // DAY * DAY + 6 * HOUR
    clock.at(start)
    client.post("/account/sign-in/", {"username": "commenter", "password": PASSWORD})
    first = Session.objects.get().expire_date

    clock.at(start + HOUR)
    client.get(DELETE_ACCOUNT)

    assert Session.objects.get().expire_date == first  # moved on at most once a day


def test_a_burst_of_staff_requests_moves_the_session_on_once(client, editor, clock):
    start = time.time()
    clock.at(start)
    client.force_login(editor)  # signing in set the two hours already
    first = Session.objects.get().expire_date
    clock.at(start + 30)
    client.get(ADMIN_INDEX)
    assert Session.objects.get().expire_date == first
    clock.at(start + 90)
    client.get(ADMIN_INDEX)
    assert Session.objects.get().expire_date > first


def test_clearsessions_deletes_only_ended_sessions_and_is_safe_to_run_twice(client, commenter, editor, clock):
    start = time.time()
    clock.at(start)
    client.force_login(editor)
    client.get(ADMIN_INDEX)  # a staff session: two hours
    other = type(client)()
    other.post("/account/sign-in/", {"username": "commenter", "password": PASSWORD})  # a reader: 30 days
    assert Session.objects.count() == 2

    clock.at(start + 3 * HOUR)
    call_command("clearsessions", stdout=io.StringIO())
    call_command("clearsessions", stdout=io.StringIO())

    assert Session.objects.count() == 1
    assert other.get(DELETE_ACCOUNT).status_code == 200
