"""The sign-in backend: Django's own, with each request's account read with its member version
in the query that reads the session (accounts.sessions), else by SQL compiled once."""

import contextlib
import contextvars
import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import router
from django.db.models import F

from .models import MemberVersion

# A stand-in for the account's id while the ORM compiles the lookup.
ACCOUNT_ID = -1

# The session of the request whose account is being read (`reading_session`).
_session = contextvars.ContextVar("accounts_session", default=None)


def with_member_version(queryset, path: str = ""):
    """`queryset` annotated with the member version's row id and version of the account at `path`."""
    return queryset.annotate(
        member_version_pk=F(f"{path}member_version__pk"), member_version_version=F(f"{path}member_version__version")
    )


def account_columns(path: str = "") -> dict:
    """The account's concrete fields, named by column as a raw queryset of accounts reads them,
    for an account at `path` in a values queryset of another model."""
    return {field.attname: F(f"{path}{field.attname}") for field in get_user_model()._meta.concrete_fields}


def attach_member_version(user, alias: str):
    """Put the member version read with `user` (`with_member_version`) where
    accounts.models.member_version finds it, so it costs no query."""
    if user.member_version_pk is not None:
        user.member_version = MemberVersion.from_db(
            alias, ["id", "user_id", "version"], [user.member_version_pk, user.pk, user.member_version_version]
        )
    return user


@contextlib.contextmanager
def reading_session(session):
    """While Django's `auth.get_user` reads the account of the request with `session`: the
    backend takes the account the session's own query read with it, if it is the same one."""
    token = _session.set(session)
    try:
        yield
    finally:
        _session.reset(token)


@functools.cache
def _account_sql(alias: str) -> tuple[str, tuple]:
    """The account with its member version's row id and version, as the ORM writes it for `alias`."""
    users = get_user_model()._default_manager
    fields = [field.attname for field in users.model._meta.concrete_fields]
    lookup = with_member_version(users.filter(pk=ACCOUNT_ID)).values_list(
        *fields, "member_version_pk", "member_version_version"
    )
    return lookup.query.get_compiler(using=alias).as_sql()


class MemberBackend(ModelBackend):
    """`ModelBackend`, but the account of each request comes with its `MemberVersion` row joined,
    so the member's cached parts of a page (accounts.models.member_version) cost no query.

    Every signed-in request asks for its account. Read with the session, in its query
    (accounts.sessions), it costs no query of its own. Otherwise (a session from the cache,
    with Redis) the ORM would build and compile that query each time, which costs more than
    running it, so the SQL is compiled once per process and database (`_account_sql`) and run
    as a raw queryset, which still makes the account and converts its values as the ORM does.
    """

    def get_user(self, user_id):
        user = getattr(_session.get(), "account", None)
        if user is None or str(user.pk) != str(user_id):
            user = self._read(user_id)
        if user is None or not self.user_can_authenticate(user):
            return None
        return user

    def _read(self, user_id):
        users = get_user_model()._default_manager
        alias = router.db_for_read(users.model)
        sql, params = _account_sql(alias)
        found = users.raw(sql, [user_id if param == ACCOUNT_ID else param for param in params], using=alias)
        user = next(iter(found), None)
        return attach_member_version(user, alias) if user is not None else None
