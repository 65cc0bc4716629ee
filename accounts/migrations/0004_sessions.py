"""Sessions move to accounts.Session, which names the account signed in to each.

Every session still open is copied across with its account, so nobody is signed out by the
upgrade, and then deleted from Django's own table, which nothing reads any more. Backwards,
they are copied back.
"""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import migrations, models
from django.utils import timezone

BATCH = 1000


def _account_id(session_data: str, accounts: set[int]) -> int | None:
    """The account signed in to the session, if it still exists (the data is signed with the
    secret key and a salt naming the store class, SessionStore in every engine here)."""
    try:
        account = int(SessionStore().decode(session_data).get(SESSION_KEY))
    except (TypeError, ValueError):
        return None
    return account if account in accounts else None


def copy_sessions(apps, schema_editor):
    Old = apps.get_model("sessions", "Session")
    New = apps.get_model("accounts", "Session")
    accounts = set(apps.get_model(settings.AUTH_USER_MODEL).objects.values_list("pk", flat=True))
    batch = []
    for session in Old.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=BATCH):
        batch.append(
            New(
                session_key=session.session_key,
                session_data=session.session_data,
                expire_date=session.expire_date,
                account_id=_account_id(session.session_data, accounts),
            )
        )
        if len(batch) == BATCH:
            New.objects.bulk_create(batch)
            batch = []
    New.objects.bulk_create(batch)
    Old.objects.all().delete()


def copy_sessions_back(apps, schema_editor):
    Old = apps.get_model("sessions", "Session")
    New = apps.get_model("accounts", "Session")
    Old.objects.bulk_create(
        (
            Old(session_key=session.session_key, session_data=session.session_data, expire_date=session.expire_date)
            for session in New.objects.iterator(chunk_size=BATCH)
        ),
        batch_size=BATCH,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_member_version"),
        ("sessions", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Session",
            fields=[
                (
                    "session_key",
                    models.CharField(max_length=40, primary_key=True, serialize=False, verbose_name="session key"),
                ),
                ("session_data", models.TextField(verbose_name="session data")),
                ("expire_date", models.DateTimeField(db_index=True, verbose_name="expire date")),
                (
                    "account",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sessions",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="account",
                    ),
                ),
            ],
            options={
                "verbose_name": "session",
                "verbose_name_plural": "sessions",
                "abstract": False,
            },
        ),
        migrations.RunPython(copy_sessions, copy_sessions_back),
    ]
