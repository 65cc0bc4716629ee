"""The sign-in backend: Django's own, with each request's account read with its member version
by SQL compiled once."""

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import router
from django.db.models import F

from .models import MemberVersion

# A stand-in for the account's id while the ORM compiles the lookup.
ACCOUNT_ID = -1


@functools.cache
def _account_sql(alias: str) -> tuple[str, tuple]:
    """The account with its member version's row id and version, as the ORM writes it for `alias`."""
    users = get_user_model()._default_manager
    fields = [field.attname for field in users.model._meta.concrete_fields]
    lookup = (
        users.filter(pk=ACCOUNT_ID)
        .annotate(member_version_pk=F("member_version__pk"), member_version_version=F("member_version__version"))
        .values_list(*fields, "member_version_pk", "member_version_version")
    )
    return lookup.query.get_compiler(using=alias).as_sql()


class MemberBackend(ModelBackend):
    """`ModelBackend`, but the account of each request comes with its `MemberVersion` row joined,
    so the member's cached parts of a page (accounts.models.member_version) cost no query.

    Every signed-in request asks for its account. The ORM builds and compiles that query each
    time, which costs more than running it, so the SQL is compiled once per process and
    database (`_account_sql`) and run as a raw queryset, which still makes the account and
    converts its values as the ORM does.
    """

    def get_user(self, user_id):
        users = get_user_model()._default_manager
        alias = router.db_for_read(users.model)
        sql, params = _account_sql(alias)
        found = users.raw(sql, [user_id if param == ACCOUNT_ID else param for param in params], using=alias)
        user = next(iter(found), None)
        if user is None or not self.user_can_authenticate(user):
            return None
        if user.member_version_pk is not None:
            user.member_version = MemberVersion.from_db(
                alias, ["id", "user_id", "version"], [user.member_version_pk, user.pk, user.member_version_version]
            )
        return user
