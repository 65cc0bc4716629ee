"""The Clinical reviewers group now exists (conditions 0004): the clinician's note is theirs.

`grant_clinical_note_permission` gives the group the note permissions and takes
`add_clinical_note` from Moderators, so exactly one group holds it.
"""

import importlib

from django.db import migrations

community = importlib.import_module("comments.migrations.0006_community_safety_permissions")


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    note = Permission.objects.get(content_type__app_label="comments", codename="add_clinical_note")
    for group in Group.objects.filter(name=community.MODERATORS):
        group.permissions.add(note)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0006_community_safety_permissions"),
        ("conditions", "0004_clinical_reviewers_and_legacy_reviews"),
    ]

    operations = [migrations.RunPython(community.grant_clinical_note_permission, backwards)]
