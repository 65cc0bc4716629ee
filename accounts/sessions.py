"""Sessions kept in the database as Django's `db` engine keeps them (in accounts.Session, which
names the account signed in), each read with its account in one query, by SQL compiled once.

Every signed-in request (and every signed-out one with a session) reads its session row
first, and a signed-in one then its account. Here both come in one query: the session with
its account and the account's member version joined (accounts.backends.MemberBackend takes
the account from it). The ORM builds and compiles that query once per process and database,
since compiling it costs more than running it, and it is run with the request's session key
and the time. Everything else (saving, expiry, `clearsessions`) is Django's own.

settings.SESSION_ENGINE names this module unless Redis holds sessions (REDIS_URL), where
accounts.cached_sessions (Django's `cached_db`, with the same table) answers from the cache.
"""

import datetime
import functools

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from .backends import account_columns, attach_member_version, with_member_version
from .models import Session

# Stand-ins for the key and the time while the ORM compiles the lookup.
KEY = "\x00session\x00"
NOW = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


@functools.cache
def _load_sql(alias: str) -> tuple[str, tuple]:
    """The session's data with its account's columns and member version (all empty for a session
    nobody is signed in to), as the ORM writes it for database `alias`."""
    columns = account_columns("account__")
    lookup = with_member_version(Session.objects.filter(session_key=KEY, expire_date__gt=NOW), "account__")
    lookup = lookup.annotate(**columns).values_list(
        *columns, "session_data", "member_version_pk", "member_version_version"
    )
    return lookup.query.get_compiler(using=alias).as_sql()


def _account_id(data: dict) -> int | None:
    try:
        return int(data[SESSION_KEY])
    except (KeyError, TypeError, ValueError):
        return None


class AccountSessions:
    """What both engines here add to Django's: the session model with its account column, kept
    up to date on every save, and the session read with its account."""

    # The account signed in to this session as its query read it (accounts.backends).
    account = None

    @classmethod
    def get_model_class(cls):
        return Session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.account_id = _account_id(data)
        return session

    def _get_session_from_db(self):
        users = get_user_model()._default_manager
        alias = router.db_for_read(self.model)
        sql, params = _load_sql(alias)
        # As DateTimeField writes a time for this database (a string on SQLite).
        now = connections[alias].ops.adapt_datetimefield_value(timezone.now())
        # A raw queryset of accounts, so the account's values are converted as the ORM would.
        found = users.raw(sql, [self.session_key if param == KEY else now for param in params], using=alias)
        row = next(iter(found), None)
        if row is None:
            self._session_key = None
            return None
        # Nobody signed in, or an account id whose account has just gone (no constraint holds it).
        signed_in = getattr(row, users.model.USERNAME_FIELD) is not None
        self.account = attach_member_version(row, alias) if signed_in else None
        return self.model(session_key=self.session_key, session_data=row.session_data)


class SessionStore(AccountSessions, db.SessionStore):
    # Its name is part of the salt its data is signed with (SessionBase.key_salt): every
    # engine's store is called SessionStore, so moving between them keeps sessions readable.
    pass
