"""Who may do what with the new moderation tools (issue 14).

- Moderators: read urgent items, earlier versions and clinicians' notes, and keep the risk
  phrase list.
- Editors: keep the risk phrase list too (it is content: plain phrases, not clinical advice).
- The clinician's note, `add_clinical_note`: to the "Clinical reviewers" group when it
  exists, otherwise to Moderators. A later migration that creates Clinical reviewers should
  call `grant_clinical_note_permission` again: it then gives the permission to the new group
  and takes it away from Moderators, so exactly one group holds it.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CLINICAL_GROUP = "Clinical reviewers"
MODERATORS = "Moderators"
EDITORS = "Editors"
PHRASE_CODENAMES = ["view_riskphrase", "add_riskphrase", "change_riskphrase", "delete_riskphrase"]
MODERATOR_CODENAMES = [*PHRASE_CODENAMES, "view_urgentitem", "view_commentedit", "view_clinicalnote"]
# Not view_comment: the note is written by a moderator who is also a clinical reviewer; the group
# alone does not open the moderation queue and its held comments.
CLINICAL_CODENAMES = ["add_clinical_note", "view_clinicalnote", "view_historicalclinicalnote"]


def _permissions(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    return list(Permission.objects.filter(content_type__app_label="comments", codename__in=codenames))


def grant_clinical_note_permission(apps, schema_editor=None):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    clinical = Group.objects.filter(name=CLINICAL_GROUP).first()
    moderators = Group.objects.filter(name=MODERATORS).first()
    note = Permission.objects.get(content_type__app_label="comments", codename="add_clinical_note")
    if clinical is not None:
        clinical.permissions.add(*_permissions(apps, CLINICAL_CODENAMES))
        if moderators is not None:
            moderators.permissions.remove(note)
    elif moderators is not None:
        moderators.permissions.add(note)


def forwards(apps, schema_editor):
    app_config = apps.get_app_config("comments")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    moderators, _ = Group.objects.get_or_create(name=MODERATORS)
    moderators.permissions.add(*_permissions(apps, MODERATOR_CODENAMES))
    editors = Group.objects.filter(name=EDITORS).first()
    if editors is not None:
        editors.permissions.add(*_permissions(apps, PHRASE_CODENAMES))
    grant_clinical_note_permission(apps)


def backwards(apps, schema_editor):
    codenames = [*MODERATOR_CODENAMES, *CLINICAL_CODENAMES]
    for group in apps.get_model("auth", "Group").objects.filter(name__in=[MODERATORS, EDITORS, CLINICAL_GROUP]):
        group.permissions.remove(*_permissions(apps, codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("conditions", "0002_editors_group"),
        ("comments", "0005_community_safety"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
