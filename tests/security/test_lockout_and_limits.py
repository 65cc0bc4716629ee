"""Sign-in lockouts (django-axes) without raw addresses, unlocking from the admin, and rate limits."""

import ipaddress

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

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
    assert 'href="/account/password-reset/">reset your password</a>' in page
    assert "_auth_user_id" not in client.session


def test_lockout_says_when_to_try_again_in_retry_after(client, superuser, settings):
    """The lockout 429 had no Retry-After. It is the time left in the cool-off, counted from the
    latest failure axes recorded. (By default a try during the lockout is such a failure, so it
    starts the hour again: the next test. Here axes is told not to, to see the time run down.)"""
    import datetime

    from django.db.models import F

    settings.AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
    fail_admin_sign_in(client)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=20))

    response = client.post(ADMIN_LOGIN, {"username": "admin", "password": PASSWORD})

    assert response.status_code == 429
    assert "Sign in temporarily blocked" in response.content.decode()
    assert 2395 <= int(response["Retry-After"]) <= 2400  # 40 minutes left, give or take the test's own time


def test_site_sign_in_lockout_says_when_to_try_again_in_retry_after(client, commenter):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/account/sign-in/", {"username": "commenter", "password": "wrong-password"})
    assert response.status_code == 429
    assert 3595 <= int(response["Retry-After"]) <= 3600

    # A try while locked starts the hour again (axes' default), and Retry-After says so.
    again = client.post("/account/sign-in/", {"username": "commenter", "password": PASSWORD})
    assert again.status_code == 429
    assert 3595 <= int(again["Retry-After"]) <= 3600


def test_twenty_three_admin_sign_ins_with_different_usernames_from_one_address_are_refused_after_the_limit(
    client, superuser, settings
):
    """The attack: 23 POSTs with different usernames all got 200, so a password could be
    sprayed across staff accounts; only the per-username lockout applied."""
    # A window of a day, so the run cannot cross a window boundary and reset the count mid-test
    # (django-axes needs real time, so the clock is not frozen here).
    limit, _ = settings.RATE_LIMITS["signin"]
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signin": (limit, 86400)}
    answers = [
        client.post(ADMIN_LOGIN, {"username": f"staff{n}", "password": "Spring2026!"}, REMOTE_ADDR="203.0.113.5")
        for n in range(23)
    ]

    assert [answer.status_code for answer in answers] == [200] * limit + [429] * (23 - limit)
    refused = answers[-1].content.decode()
    assert "You have done this too many times in a short while. Please wait" in refused
    assert int(answers[-1]["Retry-After"]) <= 86400
    assert AccessAttempt.objects.count() == limit  # the refused ones never reached a password check
    # The site's sign-in shares the same per-address budget, and another address is not affected.
    assert client.post(SIGN_IN, {"username": "x", "password": "y"}, REMOTE_ADDR="203.0.113.5").status_code == 429
    other = client.post(ADMIN_LOGIN, {"username": "admin", "password": PASSWORD}, REMOTE_ADDR="198.51.100.9")
    assert other.status_code == 302


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
    for scope, (limit, period) in settings.RATE_LIMITS.items():
        # A per-address ceiling behind a per-reader limit is far higher, but still stops a bot.
        assert 0 < limit <= (1000 if scope.endswith("_address") else 20)
        assert 60 <= period <= 3600


# A moment that is a multiple of 600 and of 3600 seconds since the epoch.
WINDOW_START = 1_796_119_200


@pytest.fixture
def production_cache(settings):
    """The default cache `make serve` uses without Redis: the database cache, 300 entries, culled
    when full. Rate limits once counted in it; the counters must not depend on it."""
    from django.core.management import call_command

    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache"},
    }
    call_command("createcachetable")


@pytest.mark.django_db(transaction=True)
def test_sixty_simultaneous_ratings_from_one_address_accept_exactly_the_limit(
    live_server, make_page, production_cache, clock, settings
):
    """The attack: 100 simultaneous POSTs from one address got 24 accepted against a limit of 20,
    and the counter lost 36 counts. Real threads, a live server, PostgreSQL or SQLite. Each POST
    brings a fresh session, so only the address's ceiling (lowered here to 20) can stop them."""
    clock.at(WINDOW_START + 1)  # one window for the whole test: a boundary mid-test would reset the count
    from ratelimits.models import Counter
    from tests.live import LiveReader, run_together

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "rating_address": (20, 600)}
    page = make_page("Dystonia")
    limit, _ = settings.RATE_LIMITS["rating_address"]
    attempts = 60

    def rate(number, start):
        reader = LiveReader(live_server.url)  # a fresh cookie jar each time, as the attacker used
        reader.get(page.get_absolute_url())
        start.wait(timeout=60)
        status, _ = reader.post(f"/ratings/pages/{page.pk}/rate/", {"score": number % 5 + 1})
        return status

    statuses = run_together(attempts, rate)

    assert sorted(statuses, key=str) == [302] * limit + [429] * (attempts - limit)
    assert Counter.objects.get(key__startswith="rating_address:addr:").count == attempts
    from ratings.models import Rating

    assert Rating.objects.filter(page=page).count() == limit


def test_a_thousand_other_readers_do_not_reset_anyones_limit(db, condition, production_cache, clock, settings):
    """The attack: six addresses at their limit got 20 more accepted after 400 others rated once.
    Each request a new session (a bot keeps no cookies), so the address's ceiling (lowered here
    to 20) is what counts; then 1,000 readers at other addresses, each with a session of their own."""
    clock.at(WINDOW_START + 1)  # one window for the whole test: a boundary mid-test would reset the count
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "rating_address": (20, 600)}
    path = f"/ratings/pages/{condition.pk}/rate/"
    limit, _ = settings.RATE_LIMITS["rating_address"]
    limited = [f"198.51.100.{n}" for n in range(1, 7)]
    for address in limited:
        for _ in range(limit):
            Client().post(path, {}, REMOTE_ADDR=address)  # counted, then refused as incomplete (400)
        assert Client().post(path, {}, REMOTE_ADDR=address).status_code == 429

    others = [Client().post(path, {}, REMOTE_ADDR=f"10.0.{n // 250}.{n % 250}").status_code for n in range(1000)]

    assert set(others) == {400}
    statuses = [Client().post(path, {"score": "4"}, REMOTE_ADDR=address).status_code for address in limited]
    assert statuses == [429] * 6


def test_retry_after_is_the_time_left_in_the_window_not_the_whole_window(client, db, condition, clock):
    path = f"/ratings/pages/{condition.pk}/rate/"
    limit, period = settings.RATE_LIMITS["rating"]
    assert period == 600
    clock.at(WINDOW_START + 170)
    for _ in range(limit):
        client.post(path, {"score": "4"})

    response = client.post(path, {"score": "4"})

    assert response.status_code == 429
    assert response["Retry-After"] == "430"
    assert "Please wait 8 minutes and try again." in response.content.decode()


# --- The site's own sign-in ----------------------------------------------------------------

SIGN_IN = "/account/sign-in/"


def test_site_sign_in_locks_after_repeated_failures(client, commenter):
    from django.urls import reverse

    assert reverse("accounts:signin") == SIGN_IN
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(SIGN_IN, {"username": "commenter", "password": "wrong-password"})
    assert response.status_code == 429

    response = client.post(SIGN_IN, {"username": "commenter", "password": PASSWORD})

    assert response.status_code == 429
    assert "Sign in temporarily blocked" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert ipaddress.ip_address(AccessAttempt.objects.get().ip_address) in ipaddress.ip_network("fd00::/8")


def test_lockout_page_is_the_same_for_an_account_that_does_not_exist(client, commenter):
    def lock(username):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            response = client.post(SIGN_IN, {"username": username, "password": "wrong-password"})
        return response.content.decode().replace(username, "NAME")

    assert lock("commenter") == lock("nobody-by-this-name")


def test_lockout_counts_one_account_however_it_is_typed_username_or_email_in_any_case(client, commenter):
    spellings = ["commenter", "commenter@example.org", "COMMENTER@Example.org", "Commenter@example.ORG"]
    for number in range(settings.AXES_FAILURE_LIMIT):
        client.post(SIGN_IN, {"username": spellings[number % len(spellings)], "password": "wrong-password"})

    response = client.post(SIGN_IN, {"username": "commenter@example.org", "password": PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # One record for the account: every spelling counted against it.
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["commenter"]


def test_lockout_counts_an_unknown_email_however_its_case_is_typed(client, db):
    for spelling in ["nobody@example.org", "NOBODY@Example.org", "Nobody@example.ORG"]:
        client.post(SIGN_IN, {"username": spelling, "password": "wrong-password"})
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["nobody@example.org"]


def test_wrong_password_and_unknown_account_get_the_same_answer(client, commenter):
    wrong_password = client.post(SIGN_IN, {"username": "commenter", "password": "wrong-password"})
    unknown = client.post(SIGN_IN, {"username": "nobody-by-this-name", "password": "wrong-password"})

    assert wrong_password.status_code == unknown.status_code
    assert "Enter a correct username and password" in wrong_password.content.decode()
    assert "Enter a correct username and password" in unknown.content.decode()


def test_password_reset_never_reveals_whether_an_email_is_registered(client, commenter, settings):
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    registered = client.post("/account/password-reset/", {"email": "commenter@example.org"})
    unknown = client.post("/account/password-reset/", {"email": "nobody@example.org"})

    assert registered.status_code == unknown.status_code == 302
    assert registered["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["commenter@example.org"]


# --- Rate limits: 429 after the limit on every write endpoint ------------------------------


@pytest.fixture
def tight_limits(settings, quick_comments):
    """Two requests per scope, so each endpoint's limit shows on the third."""
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, (2, 600))


@pytest.fixture
def published_comment(published_comment, tight_limits):
    """tests/security/conftest.py's comment, under tight limits in this file."""
    return published_comment


def write_requests(condition, comment):
    """Each write endpoint: (scope, path, form data, who sends it)."""
    from comments.forms import form_started_token
    from comments.models import Report

    return {
        "signin": ("/account/sign-in/", {"username": "nobody", "password": "x"}, None),
        "signup": ("/account/create/", {"username": "x y", "email": "bad"}, None),
        "password_reset": ("/account/password-reset/", {"email": "nobody@example.org"}, None),
        "comment": (
            f"/comments/{condition.slug}/add/",
            {"text": "Thank you.", "started": form_started_token()},
            "commenter",
        ),
        "report": (f"/comments/{comment.pk}/report/", {"reason": Report.Reason.values[0]}, None),
        "rating": (f"/ratings/pages/{condition.pk}/rate/", {"score": "4"}, None),
        "rating_feedback": (f"/ratings/pages/{condition.pk}/feedback/", {"reason": "other"}, None),
    }


WRITE_ENDPOINTS = ["signin", "signup", "password_reset", "comment", "report", "rating", "rating_feedback"]


@pytest.mark.parametrize("endpoint", WRITE_ENDPOINTS)
def test_every_write_endpoint_answers_429_after_its_limit(request, client, published_comment, endpoint, clock):
    from .test_headers import assert_security_headers

    clock.at(WINDOW_START)  # the first second of a window: the whole of it is left
    path, data, persona = write_requests(published_comment.page, published_comment)[endpoint]
    if persona:
        client.force_login(request.getfixturevalue(persona))

    answers = [client.post(path, data).status_code for _ in range(2)]
    response = client.post(path, data)

    assert 429 not in answers
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many requests" in page
    assert "Please wait 10 minutes and try again." in page
    assert response["Retry-After"] == "600"
    assert_security_headers(response)


def test_in_page_rating_gets_429_as_json(client, published_comment, clock):
    clock.at(WINDOW_START)
    path = f"/ratings/pages/{published_comment.page.pk}/rate/"
    for _ in range(2):
        client.post(path, {"score": "4"}, headers={"Accept": "application/json"})

    response = client.post(path, {"score": "4"}, headers={"Accept": "application/json"})

    assert response.status_code == 429
    assert response.json() == {
        "error": "You have done this too many times in a short while. Please wait 10 minutes and try again."
    }


def test_limits_count_per_reader_not_for_everyone(client, published_comment):
    path = f"/ratings/pages/{published_comment.page.pk}/rate/"
    for _ in range(3):
        client.post(path, {"score": "4"}, REMOTE_ADDR="198.51.100.1")

    response = Client().post(path, {"score": "4"}, REMOTE_ADDR="198.51.100.2")

    assert response.status_code == 302


def test_behind_a_proxy_limits_count_the_client_not_the_proxy(client, published_comment, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    path = f"/ratings/pages/{published_comment.page.pk}/rate/"
    for _ in range(3):
        client.post(path, {"score": "4"}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")

    other_reader = Client().post(path, {"score": "4"}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2")
    # A client cannot pick a fresh address by writing its own X-Forwarded-For entry, even from
    # a fresh session: its address's ceiling (2 here) still counts it.
    spoofed = Client().post(
        path, {"score": "4"}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.99, 198.51.100.1"
    )

    assert other_reader.status_code == 302
    assert spoofed.status_code == 429


def test_no_raw_address_is_stored_anywhere(client, commenter, published_comment, settings):
    """Sign-in failures, a sign-up, a comment, a report, a rating and feedback from one address:
    afterwards no table holds that address, in any text column or session."""
    from comments.forms import form_started_token
    from comments.models import Report
    from tests.accounts.erasure import places_holding

    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, (100, 600))
    address = "203.0.113.77"
    page = published_comment.page
    anonymous = {"REMOTE_ADDR": address}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(SIGN_IN, {"username": "commenter", "password": "wrong"}, **anonymous)
    client.post(f"/comments/{published_comment.pk}/report/", {"reason": Report.Reason.values[0]}, **anonymous)
    client.post(f"/ratings/pages/{page.pk}/rate/", {"score": "1"}, **anonymous)
    client.post(f"/ratings/pages/{page.pk}/feedback/", {"reason": "other", "details": "Unclear."}, **anonymous)
    password = "No-address-test-pw-5831"
    client.post(
        "/account/create/",
        {
            "username": "newcomer",
            "display_name": "Newcomer",
            "email": "newcomer@example.org",
            "password1": password,
            "password2": password,
        },
        **anonymous,
    )
    client.force_login(commenter)
    client.post(f"/comments/{page.slug}/add/", {"text": "Thank you.", "started": form_started_token()}, **anonymous)

    found = places_holding(address)
    assert [place for place in found if place != "session"] == []
    assert "session" not in found
    # The writes did happen.
    from comments.models import Comment
    from ratings.models import Rating, RatingFeedback

    assert AccessAttempt.objects.count() == Report.objects.count() == Rating.objects.count() == 1
    assert RatingFeedback.objects.count() == 1
    assert Comment.objects.count() == 2
    assert get_user_model().objects.filter(username="newcomer").exists()
