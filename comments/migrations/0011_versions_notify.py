"""Every write to a comment thread row (its version or its published count) notifies listeners
(conditions.versions_memo), on PostgreSQL."""

from django.db import migrations

from conditions.version_triggers import notify_operation


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0010_thread_published_count"),
        ("conditions", "0008_versions_notify"),
    ]

    operations = [notify_operation("comments_commentthread")]
