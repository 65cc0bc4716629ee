"""The session engine with Redis (settings.REDIS_URL): Django's `cached_db`, on accounts.Session."""

from django.contrib.sessions.backends import cached_db

from .sessions import AccountSessions


class SessionStore(AccountSessions, cached_db.SessionStore):
    # Named as every engine's store is: the name is part of the salt its data is signed with.
    pass
