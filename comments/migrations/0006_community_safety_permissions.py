"""Who may do what with the new moderation tools (issue 14).

- Moderators: read urgent items, earlier versions and clinicians' notes, and keep the risk
  phrase list.
- Editors: keep the risk phrase list too (it is content: plain phrases, not clinical advice).
- The clinician's note, `add_clinical_note`: to the "Clinical reviewers" group when it
  exists, otherwise to Moderators. A later migration that creates Clinical reviewers should
  call `grant_clinical_note_permission` again: it then gives the permission to the new group
  and takes it away from Moderators, so exactly one group holds it.
"""

from django.db import migrations

from dystonia_portal.group_permissions import group_grant, group_revoke

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
    group_grant(apps, group=MODERATORS, app_label="comments", codenames=MODERATOR_CODENAMES)
    group_grant(apps, group=EDITORS, app_label="comments", codenames=PHRASE_CODENAMES, create=False)
    grant_clinical_note_permission(apps)


def backwards(apps, schema_editor):
    for group in (MODERATORS, EDITORS, CLINICAL_GROUP):
        group_revoke(apps, group=group, app_label="comments", codenames=[*MODERATOR_CODENAMES, *CLINICAL_CODENAMES])


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("conditions", "0002_editors_group"),
        ("comments", "0005_community_safety"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
