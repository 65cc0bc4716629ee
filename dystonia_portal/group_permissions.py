"""Granting and taking away a group's permissions in data migrations, written once.

Django makes an app's permissions after all migrations have run, so a migration that gives a
group permissions on its own models makes them first. The migrations that set up the Editors,
Moderators and Clinical reviewers groups call these; they use only the historical models the
migration passes in (`apps`), so they keep working as the models change.
"""

from django.contrib.auth.management import create_permissions


def permissions_create(apps, app_label: str) -> None:
    """Make `app_label`'s permissions now, as Django would after the last migration."""
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None


def _permissions(apps, app_label: str, codenames):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label=app_label, codename__in=list(codenames))


def group_grant(apps, *, group: str, app_label: str, codenames, create: bool = True, exactly: bool = False) -> None:
    """Give the group named `group` these permissions of `app_label`.

    `create`: make the group if it does not exist (otherwise a missing group is left alone).
    `exactly`: the group ends up with these permissions and no others, rather than gaining them.
    """
    permissions_create(apps, app_label)
    Group = apps.get_model("auth", "Group")
    if create:
        holder, _ = Group.objects.get_or_create(name=group)
    else:
        holder = Group.objects.filter(name=group).first()
        if holder is None:
            return
    permissions = _permissions(apps, app_label, codenames)
    if exactly:
        holder.permissions.set(permissions)
    else:
        holder.permissions.add(*permissions)


def group_revoke(apps, *, group: str, app_label: str, codenames) -> None:
    """Take these permissions of `app_label` away from the group named `group`, if it exists."""
    for holder in apps.get_model("auth", "Group").objects.filter(name=group):
        holder.permissions.remove(*_permissions(apps, app_label, codenames))
