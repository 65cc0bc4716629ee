"""Every write to the guides' content counters notifies listeners (conditions.versions_memo), on PostgreSQL."""

from django.db import migrations

from conditions.version_triggers import drop_notify_trigger_sql, notify_trigger_sql, run

TABLE = "conditions_contentversion"


def create(apps, schema_editor):
    run(schema_editor, notify_trigger_sql(schema_editor.connection.vendor, table=TABLE))


def drop(apps, schema_editor):
    run(schema_editor, drop_notify_trigger_sql(schema_editor.connection.vendor, table=TABLE))


class Migration(migrations.Migration):
    dependencies = [
        ("conditions", "0007_editors_synonyms"),
    ]

    operations = [migrations.RunPython(create, drop)]
