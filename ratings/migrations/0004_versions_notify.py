"""Every write to a rating summary row notifies listeners (conditions.versions_memo), on PostgreSQL."""

from django.db import migrations

from conditions.version_triggers import notify_operation


class Migration(migrations.Migration):
    dependencies = [
        ("ratings", "0003_summary_version"),
        ("conditions", "0008_versions_notify"),
    ]

    operations = [notify_operation("ratings_ratingsummary")]
