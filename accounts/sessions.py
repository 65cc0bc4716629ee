"""Sessions kept in the database as Django's `db` engine keeps them, read by SQL compiled once.

Every signed-in request (and every signed-out one with a session) reads its session row
first. The ORM builds and compiles that same query on every request, which costs five times
the query itself (about 1 ms against 0.2 ms on the benchmark machine), so this engine has the
ORM compile it once per process and database, and runs it with the request's session key and
the time. Everything else (saving, expiry, `clearsessions`) is Django's own.

settings.SESSION_ENGINE names this module unless Redis holds sessions (REDIS_URL), where
Django's `cached_db` engine answers from the cache and compiles nothing on a hit.
"""

import datetime
import functools

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connections, router
from django.utils import timezone

# Stand-ins for the key and the time while the ORM compiles the lookup.
KEY = "\x00session\x00"
NOW = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


@functools.cache
def _load_sql(alias: str) -> tuple[str, tuple]:
    """The session lookup `db.SessionStore` makes, as the ORM writes it for database `alias`."""
    lookup = Session.objects.filter(session_key=KEY, expire_date__gt=NOW).values_list("session_data")
    return lookup.query.get_compiler(using=alias).as_sql()


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        sql, params = _load_sql(alias)
        # As DateTimeField writes a time for this database (a string on SQLite).
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key if param == KEY else now for param in params])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=row[0])
