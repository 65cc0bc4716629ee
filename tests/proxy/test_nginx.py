"""The page cache in front (deploy/nginx.conf): hits for signed-out readers, nothing anyone's own
kept, changes through within max-age, the last good page while the database is down, and slow
clients that cannot stop other readers."""

import contextlib
import socket
import time

import pytest
from django.test import Client

from comments.services import comment_remove
from tests.comments.factories import make_comment

pytestmark = [pytest.mark.proxy, pytest.mark.django_db(transaction=True)]

SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


def session_of(user):
    client = Client()
    client.force_login(user)
    return {"sessionid": client.cookies["sessionid"].value}


def test_the_second_anonymous_request_is_a_cache_hit(proxy, condition):
    status, first, body = proxy.get("/conditions/dystonia/")
    assert status == 200
    assert first["X-Cache-Status"] == "MISS"
    assert first["Cache-Control"].startswith("public, max-age=")
    status, second, cached = proxy.get("/conditions/dystonia/")
    assert second["X-Cache-Status"] == "HIT"
    assert cached == body
    assert second["X-Request-ID"] != first["X-Request-ID"]  # each response its own id


def test_a_signed_in_reader_never_gets_a_cached_page(proxy, condition, commenter):
    proxy.get("/conditions/dystonia/")
    proxy.get("/conditions/dystonia/")  # cached now
    for _ in range(2):
        status, headers, body = proxy.get("/conditions/dystonia/", cookies=session_of(commenter))
        assert headers["X-Cache-Status"] == "BYPASS"
        assert headers["Cache-Control"] == "private, no-store"
        assert "Sign out" in body and 'name="csrfmiddlewaretoken"' in body
    status, headers, body = proxy.get("/conditions/dystonia/")
    assert headers["X-Cache-Status"] == "HIT"
    assert "Sign out" not in body


def test_no_cached_response_holds_anyones_token_name_message_or_rating(proxy, condition, commenter):
    make_comment(condition, commenter, text="A comment everyone may read.")
    signed_in = session_of(commenter)
    proxy.get("/conditions/dystonia/", cookies=signed_in)
    proxy.get("/conditions/dystonia/symptoms/", cookies=signed_in)
    # A signed-out reader rates: they get a session, a message and their own score.
    status, headers, _ = proxy.post(f"/ratings/pages/{condition.pk}/rate/", {"score": "2"}, headers=SAME_ORIGIN)
    assert status == 302
    cookies = dict(cookie.split(";")[0].split("=", 1) for cookie in headers.get_all("Set-Cookie"))
    status, headers, body = proxy.get("/conditions/dystonia/", cookies=cookies)
    assert headers["X-Cache-Status"] == "BYPASS"
    assert "You gave this page 2 stars." in body
    for path in ("/conditions/dystonia/", "/conditions/dystonia/symptoms/", "/", "/conditions/"):
        proxy.get(path)
        proxy.get(path)

    stored = proxy.cached_files()
    assert "A comment everyone may read." in stored  # the cache holds pages...
    assert "csrfmiddlewaretoken" not in stored  # ...and nobody's token,
    assert "Sign out" not in stored and "commenter@example.org" not in stored  # name,
    assert "Thank you, your rating has been saved." not in stored  # message
    assert "You gave this page" not in stored  # or rating
    assert "Set-Cookie" not in stored and "sessionid" not in stored


def test_a_moderation_decision_reaches_signed_out_readers_within_max_age(
    proxy, condition, commenter, superuser, settings
):
    settings.PAGE_CACHE_SECONDS = 2
    comment = make_comment(condition, commenter, text="Advice a moderator will remove.")
    proxy.get("/conditions/dystonia/")
    status, headers, body = proxy.get("/conditions/dystonia/")
    assert headers["X-Cache-Status"] == "HIT" and "Advice a moderator will remove." in body
    comment_remove(comment=comment, moderator=superuser)
    removed_at = time.monotonic()
    # nginx's cache clock ticks in whole seconds, so a copy lives max-age to max-age + 1 s.
    time.sleep(3.2)
    status, headers, body = proxy.get("/conditions/dystonia/")
    assert time.monotonic() - removed_at < 2 + 1 + 1  # max-age, nginx's tick, this one request
    assert headers["X-Cache-Status"] == "EXPIRED"
    assert "Advice a moderator will remove." not in body


def test_while_the_database_is_down_readers_get_the_last_good_page_or_a_styled_503(
    proxy, condition, settings, monkeypatch
):
    from django.db import OperationalError
    from django.db.backends import utils

    settings.PAGE_CACHE_SECONDS = 1
    status, _, good = proxy.get("/conditions/dystonia/")
    assert status == 200
    time.sleep(2.2)  # the copy is now stale (nginx counts whole seconds: max-age + 1 at most)

    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    # Every query in the live server fails as it does with PostgreSQL stopped.
    monkeypatch.setattr(utils.CursorWrapper, "execute", refuse)
    status, headers, body = proxy.get("/conditions/dystonia/")
    assert status == 200
    assert headers["X-Cache-Status"] == "STALE"
    assert body == good

    status, headers, body = proxy.get("/conditions/dystonia/causes/")  # never cached
    assert status == 503
    assert headers["Retry-After"] == "30"
    assert "<h1>Sorry, the service is unavailable</h1>" in body
    monkeypatch.undo()


def test_gunicorn_not_answering_is_the_styled_503(proxy_without_upstream):
    status, headers, body = proxy_without_upstream.get("/conditions/dystonia/")
    assert status == 503
    assert headers["Retry-After"] == "30"
    assert "Sorry, the service is unavailable" in body


def test_slow_clients_do_not_stop_other_readers(proxy, condition):
    # Slowloris: many connections, each sending one header line every second and never finishing.
    slow = []
    for _ in range(50):
        connection = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
        connection.sendall(b"GET /conditions/dystonia/ HTTP/1.1\r\nHost: localhost\r\n")
        slow.append(connection)
    started = time.monotonic()
    for second in range(4):
        for connection in slow:
            with contextlib.suppress(OSError):  # nginx may have closed it already
                connection.sendall(f"X-Slow-{second}: 1\r\n".encode())
        begun = time.monotonic()
        status, _, body = proxy.get("/conditions/dystonia/")
        assert status == 200 and "Dystonia" in body
        assert time.monotonic() - begun < 2
        time.sleep(1)
    # nginx gives up on a client that has not sent its headers within client_header_timeout
    # (3 s here, 10 s in production) and closes the connection without passing anything on.
    for connection in slow:
        connection.settimeout(5)
        try:
            answer = connection.recv(1024)
        except ConnectionResetError:
            answer = b""
        connection.close()
        assert answer == b"" or answer.startswith(b"HTTP/1.1 408")
    assert time.monotonic() - started < 12


def test_static_files_are_served_by_nginx_kept_long_only_when_hashed(nginx_installed, run_dir):
    from tests.proxy.conftest import start_proxy

    run_dir.chmod(0o755)  # nginx's workers read the files
    static = run_dir / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "main.css").write_text("body { color: #212b32; }")
    (static / "css" / "main.0123456789ab.css").write_text("body { color: #212b32; }")
    process, site = start_proxy("127.0.0.1:9", run_dir / "nginx", static_root=static)
    try:
        status, headers, body = site.get("/static/css/main.0123456789ab.css")
        assert (status, body) == (200, "body { color: #212b32; }")
        assert headers.get_all("Cache-Control") == ["public, max-age=31536000, immutable"]
        status, headers, _ = site.get("/static/css/main.css")
        assert status == 200
        assert headers.get_all("Cache-Control") == ["public, max-age=60"]
    finally:
        process.terminate()
        process.wait(timeout=10)
