"""Every write to a rating summary row notifies listeners (conditions.versions_memo), on PostgreSQL."""

from django.db import migrations

from conditions.version_triggers import drop_notify_trigger_sql, notify_trigger_sql, run

TABLE = "ratings_ratingsummary"


def create(apps, schema_editor):
    run(schema_editor, notify_trigger_sql(schema_editor.connection.vendor, table=TABLE))


def drop(apps, schema_editor):
    run(schema_editor, drop_notify_trigger_sql(schema_editor.connection.vendor, table=TABLE))


class Migration(migrations.Migration):
    dependencies = [
        ("ratings", "0003_summary_version"),
        ("conditions", "0008_versions_notify"),
    ]

    operations = [migrations.RunPython(create, drop)]
