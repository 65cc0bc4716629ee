"""Sessions kept in the database as Django's `db` engine keeps them (in accounts.Session, which
names the account signed in), each read with its account in one query, by SQL compiled once.

Every signed-in request (and every signed-out one with a session) reads its session row
first, and a signed-in one then its account. Here both come in one query: the session with
its account and the account's member version joined (accounts.backends.MemberBackend takes
the account from it). The ORM builds and compiles that query once per process and database,
since compiling it costs more than running it, and it is run with the request's session key
and the time. Everything else (saving, expiry, `clearsessions`) is Django's own.

On PostgreSQL a GET or HEAD costs no query at all while the session is remembered: each
process keeps what the query read, in the memo that keeps pages' versions
(conditions.versions_memo), and forgets all of it whenever PostgreSQL says a session, an
account or a member version changed (triggers on those tables send the NOTIFY its listener
waits for: migration 0005). So a sign-out, a password change or an account closed anywhere
(another device, a moderator, the admin, the shell) reaches every process as soon as it is
delivered, and nothing is remembered for longer than REMEMBERED_SECONDS, nor past the
session's own end. A browser sees its own writes at once, before any notification: every
response to one of its writes gives it a new write mark (accounts.middleware.WriteMarkMiddleware),
which is part of what the session is remembered under, so its next request reads again. A
POST, or anything else that may write, always reads the database.

settings.SESSION_ENGINE names this module unless Redis holds sessions (REDIS_URL), where
accounts.cached_sessions (Django's `cached_db`, with the same table) answers from the cache.
"""

import datetime
import functools
import json

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from conditions import versions_memo

from .backends import account_columns, attach_member_version, with_member_version
from .models import Session

# Stand-ins for the key and the time while the ORM compiles the lookup.
KEY = "\x00session\x00"
NOW = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
# The longest a session is remembered, were a notification ever lost without the listener's
# connection failing (it is forgotten as soon as one arrives): staff sessions' idle time is
# counted to the minute too (accounts.middleware.STAFF_REFRESH_SECONDS).
REMEMBERED_SECONDS = 60


@functools.cache
def _load_sql(alias: str) -> tuple[str, tuple]:
    """The session's data and end with its account's columns and member version (all empty for a
    session nobody is signed in to), as the ORM writes it for database `alias`."""
    columns = account_columns("account__")
    lookup = with_member_version(Session.objects.filter(session_key=KEY, expire_date__gt=NOW), "account__")
    lookup = lookup.annotate(**columns).values_list(
        *columns, "session_data", "expire_date", "member_version_pk", "member_version_version"
    )
    return lookup.query.get_compiler(using=alias).as_sql()


def _account_id(data: dict) -> int | None:
    try:
        return int(data[SESSION_KEY])
    except (KeyError, TypeError, ValueError):
        return None


def _read(alias: str, session_key: str) -> tuple | None:
    """What the session's query found, as plain values (`_account` makes the account of them
    afresh for each request, so no request shares another's objects): its data, its end, and
    its account's field values with its member version's id and version (or None)."""
    users = get_user_model()._default_manager
    sql, params = _load_sql(alias)
    # As DateTimeField writes a time for this database (a string on SQLite).
    now = connections[alias].ops.adapt_datetimefield_value(timezone.now())
    # A raw queryset of accounts, so the account's values are converted as the ORM would.
    found = users.raw(sql, [session_key if param == KEY else now for param in params], using=alias)
    row = next(iter(found), None)
    if row is None:
        return None
    # Nobody signed in, or an account id whose account has just gone (no constraint holds it).
    account = None
    if getattr(row, users.model.USERNAME_FIELD) is not None:
        account = (*_field_values(row), row.member_version_pk, row.member_version_version)
    return row.session_data, row.expire_date, account


@functools.cache
def _attnames() -> tuple[str, ...]:
    """The account's concrete fields, in the order `from_db` takes their values."""
    return tuple(field.attname for field in get_user_model()._meta.concrete_fields)


def _field_values(user) -> tuple:
    return tuple(getattr(user, attname) for attname in _attnames())


def _account(alias: str, values: tuple | None):
    """The account read with the session, a new instance for this request."""
    if values is None:
        return None
    *fields, member_version_pk, member_version_version = values
    user = get_user_model().from_db(alias, _attnames(), fields)
    user.member_version_pk, user.member_version_version = member_version_pk, member_version_version
    return attach_member_version(user, alias)


def _keep_for(found: tuple | None) -> float:
    """Seconds to remember what a session's query found: not a session that is not there, and
    not past its end (found only on PostgreSQL, where the end is a datetime)."""
    if found is None:
        return 0
    return min(REMEMBERED_SECONDS, (found[1] - timezone.now()).total_seconds())


class AccountSessions:
    """What both engines here add to Django's: the session model with its account column, kept
    up to date on every save, and the session read with its account."""

    # The account signed in to this session as its query read it (accounts.backends).
    account = None
    # What the session may be remembered under (the browser's write mark), for a request that
    # cannot write (accounts.middleware.WriteMarkMiddleware); None: always read the database.
    remembered_as = None

    @classmethod
    def get_model_class(cls):
        return Session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.account_id = _account_id(data)
        return session

    def _get_session_from_db(self):
        found = self._found()
        return self.model(session_key=self.session_key, session_data=found[0]) if found is not None else None

    def _found(self) -> tuple | None:
        """What the session's query found (`_read`, with its data decoded as JSON text), from this
        process's memo when the request cannot write; the account made afresh for this request."""
        alias = router.db_for_read(self.model)
        key = self.session_key

        def find():
            found = _read(alias, key)
            return found and (*found, json.dumps(self.decode(found[0])))

        if self.remembered_as is None or key is None:
            found = find()
        else:
            found = versions_memo.remembered(("session", alias, key, self.remembered_as), find, keep_for=_keep_for)
        if found is None:
            self._session_key = None
            return None
        self.account = _account(alias, found[2])
        return found


class SessionStore(AccountSessions, db.SessionStore):
    # Its name is part of the salt its data is signed with (SessionBase.key_salt): every
    # engine's store is called SessionStore, so moving between them keeps sessions readable.

    def load(self):
        """The session's data, decoded (its signature checked) once when it was read from the
        database, not again on every request it is remembered for; a new dict each time."""
        found = self._found()
        return json.loads(found[3]) if found is not None else {}
