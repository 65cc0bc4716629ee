"""Every existing account gets its username as its display name (the name its comments showed
until now), and moderators get the permission to erase a person's personal data on request."""

from django.db import migrations

from dystonia_portal.group_permissions import group_grant

CODENAMES = ["view_profile", "erase_personal_data", "view_erasurerecord"]


def give_display_names(apps, schema_editor):
    User = apps.get_model("auth", "User")
    Profile = apps.get_model("accounts", "Profile")
    taken = {name.lower() for name in Profile.objects.values_list("display_name", flat=True)}
    for user in User.objects.filter(profile__isnull=True).order_by("pk").iterator():
        # Usernames are unique with case, display names without it: "Sam" and "sam" cannot both keep theirs.
        name, suffix = user.username[:50], 2
        while name.lower() in taken:
            name, suffix = f"{user.username[:45]}-{suffix}", suffix + 1
        taken.add(name.lower())
        Profile.objects.create(user=user, display_name=name)


def grant_moderators(apps, schema_editor):
    group_grant(apps, group="Moderators", app_label="accounts", codenames=CODENAMES, create=False)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_profile"),
        ("comments", "0002_moderators_group"),
    ]

    operations = [
        migrations.RunPython(give_display_names, migrations.RunPython.noop),
        migrations.RunPython(grant_moderators, migrations.RunPython.noop),
    ]
