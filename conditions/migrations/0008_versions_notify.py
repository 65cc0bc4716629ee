"""Every write to the guides' content counters notifies listeners (conditions.versions_memo), on PostgreSQL."""

from django.db import migrations

from conditions.version_triggers import notify_operation


class Migration(migrations.Migration):
    dependencies = [
        ("conditions", "0007_editors_synonyms"),
    ]

    operations = [notify_operation("conditions_contentversion")]
