"""Editors read low-rating feedback and page rating summaries, and mark feedback handled.

Nothing else: editors cannot see or change individual ratings. Permissions are
normally made after all migrations run, so they are created here first (the same
step as conditions/migrations/0002_editors_group.py).
"""

from django.db import migrations

from dystonia_portal.group_permissions import group_grant, group_revoke

GROUP_NAME = "Editors"
CODENAMES = ["view_ratingfeedback", "change_ratingfeedback", "view_ratingsummary"]


def grant(apps, schema_editor):
    group_grant(apps, group=GROUP_NAME, app_label="ratings", codenames=CODENAMES)


def revoke(apps, schema_editor):
    group_revoke(apps, group=GROUP_NAME, app_label="ratings", codenames=CODENAMES)


class Migration(migrations.Migration):
    dependencies = [
        ("ratings", "0001_initial"),
        ("conditions", "0002_editors_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
