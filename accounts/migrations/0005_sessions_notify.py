"""Every write to sessions, accounts and member versions notifies each process's listener, on
PostgreSQL, so that a session it remembers (accounts.sessions) is forgotten as soon as any of
them changes, whatever made the change."""

from django.conf import settings
from django.db import migrations

from conditions.version_triggers import drop_notify_trigger_sql, notify_trigger_sql, run


def _tables(apps) -> list[str]:
    return ["accounts_session", "accounts_memberversion", apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table]


def create_triggers(apps, schema_editor):
    for table in _tables(apps):
        run(schema_editor, notify_trigger_sql(schema_editor.connection.vendor, table=table))


def drop_triggers(apps, schema_editor):
    for table in _tables(apps):
        run(schema_editor, drop_notify_trigger_sql(schema_editor.connection.vendor, table=table))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_sessions"),
        # Its function, which every table's trigger calls.
        ("conditions", "0008_versions_notify"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
