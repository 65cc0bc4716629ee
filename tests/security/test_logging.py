"""Request ids, one structured line per error, nothing secret in the logs, error mail to ADMINS."""

import json
import logging

import pytest
from django.conf import settings
from django.core import mail
from django.db import OperationalError, connection

from dystonia_portal.logs import JsonFormatter, RequestIdFilter
from dystonia_portal.settings import parse_admins


def test_each_response_gets_a_fresh_request_id(client, db):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]

    assert len(first) == 32
    assert first != second


def test_a_safe_incoming_request_id_is_kept(client, db):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a9c21-0001"})

    assert response["X-Request-ID"] == "lb-7f3a9c21-0001"


@pytest.mark.parametrize(
    "incoming",
    ["short", "x" * 65, "has space in it", "abc123\r\nSet-Cookie: a=b", '"quoted-id-123"', "ünïcode-id-1234"],
)
def test_an_unsafe_incoming_request_id_is_replaced(client, db, incoming):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})

    assert response["X-Request-ID"] != incoming
    assert len(response["X-Request-ID"]) == 32


def format_records(records):
    formatter = JsonFormatter()
    request_id = RequestIdFilter()
    lines = []
    for record in records:
        request_id.filter(record)
        lines.append(formatter.format(record))
    return lines


def test_an_error_response_is_one_json_line_with_request_id_method_path_status_and_duration(client, db, caplog):
    with caplog.at_level(logging.INFO):
        response = client.get("/conditions/no-such-page/", headers={"X-Request-ID": "trace-0000-1111"})

    assert response.status_code == 404
    error_records = [record for record in caplog.records if getattr(record, "status_code", None)]
    assert len(error_records) == 1
    line = format_records(error_records)[0]
    assert "\n" not in line
    fields = json.loads(line)
    assert fields["request_id"] == "trace-0000-1111"
    assert fields["method"] == "GET"
    assert fields["path"] == "/conditions/no-such-page/"
    assert fields["status"] == 404
    assert fields["level"] == "WARNING"
    assert fields["duration_ms"] >= 0


def test_a_server_error_is_logged_once_at_error_level_and_mailed_to_admins(client, db, caplog, settings, monkeypatch):
    settings.ADMINS = [("Ops", "ops@example.org")]

    def broken_cursor(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    with caplog.at_level(logging.INFO), monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", broken_cursor)
        response = client.get("/healthz")

    assert response.status_code == 503
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1
    fields = json.loads(format_records(errors)[0])
    assert (fields["status"], fields["path"], fields["request_id"]) == (503, "/healthz", response["X-Request-ID"])
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ops@example.org"]
    assert "Service Unavailable: /healthz" in mail.outbox[0].subject


def test_sign_in_never_logs_the_password_session_or_address(client, superuser, caplog):
    password = "Tr0ub4dor&3-never-log-me"
    with caplog.at_level(logging.DEBUG):
        client.post(f"/{settings.ADMIN_PATH}login/", {"username": "admin", "password": password})
        client.post(f"/{settings.ADMIN_PATH}login/", {"username": "admin", "password": password + "x"})
        response = client.post(
            f"/{settings.ADMIN_PATH}login/", {"username": "admin", "password": "correct-horse-battery-staple-42"}
        )

    session_id = response.cookies[settings.SESSION_COOKIE_NAME].value
    logged = "\n".join([caplog.text, *format_records(caplog.records)])
    assert "login failure" in logged.lower()  # axes did log the failures ...
    assert password not in logged  # ... but never the password,
    assert "correct-horse-battery-staple-42" not in logged
    assert session_id not in logged  # the session,
    assert "127.0.0.1" not in logged  # or the address.


def test_log_records_outside_a_request_carry_a_dash_for_request_id():
    record = logging.LogRecord("portal", logging.INFO, __file__, 1, "started", None, None)

    assert json.loads(format_records([record])[0])["request_id"] == "-"


def test_exceptions_stay_on_one_line():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("portal", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())

    line = format_records([record])[0]
    assert "\n" not in line
    assert "ValueError: boom" in json.loads(line)["exception"]


def test_admins_are_read_from_a_comma_separated_list():
    assert parse_admins(["Ann Ops <ann@example.org>", "bob@example.org"]) == [
        ("Ann Ops", "ann@example.org"),
        ("bob@example.org", "bob@example.org"),
    ]


def test_a_malformed_admin_address_fails_with_a_sentence():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="DJANGO_ADMINS has an entry that is not an email address"):
        parse_admins(["not an address"])


def test_comments_sign_ups_and_reports_never_log_what_people_typed(client, commenter, condition, caplog, settings):
    from django.urls import reverse

    from comments.forms import form_started_token

    settings.COMMENT_MIN_SECONDS = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    secret_text = "My neurologist Dr Example at 0161 496 0000 said"
    new_password = "Sign-up-password-never-logged-77"

    with caplog.at_level(logging.DEBUG):
        client.post(
            reverse("accounts:signup"),
            {
                "username": "newreader",
                "display_name": "New reader",
                "email": "new@example.org",
                "password1": new_password,
                "password2": "typo",
            },
        )
        client.force_login(commenter)
        add_comment = reverse("comments:post", args=[condition.slug])
        client.post(add_comment, {"text": secret_text, "started": form_started_token()})
        client.post(add_comment, {"text": secret_text + "\x00", "started": "x"})
        session_id = client.cookies[settings.SESSION_COOKIE_NAME].value

    logged = "\n".join([caplog.text, *format_records(caplog.records)])
    assert secret_text not in logged
    assert new_password not in logged
    assert session_id not in logged
    assert "new@example.org" not in logged
