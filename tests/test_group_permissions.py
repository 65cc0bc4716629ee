"""dystonia_portal/group_permissions.py: the one helper the data migrations give groups their permissions with."""

import pathlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from dystonia_portal.group_permissions import group_grant, group_revoke

pytestmark = pytest.mark.django_db

ROOT = pathlib.Path(__file__).resolve().parent.parent


def codenames(name):
    return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))


def test_no_data_migration_writes_out_the_permission_steps_itself():
    written_out = [
        str(path.relative_to(ROOT))
        for path in ROOT.glob("*/migrations/0*.py")
        if "create_permissions(" in path.read_text() or "models_module = True" in path.read_text()
    ]
    assert written_out == []


def test_granting_adds_to_what_a_group_has_and_exactly_replaces_it():
    group_grant(apps, group="Testers", app_label="ratings", codenames=["view_rating"])
    group_grant(apps, group="Testers", app_label="ratings", codenames=["view_ratingsummary"])
    assert codenames("Testers") == {"view_rating", "view_ratingsummary"}
    group_grant(apps, group="Testers", app_label="ratings", codenames=["view_ratingfeedback"], exactly=True)
    assert codenames("Testers") == {"view_ratingfeedback"}


def test_granting_without_create_leaves_a_missing_group_missing():
    group_grant(apps, group="Nobody yet", app_label="ratings", codenames=["view_rating"], create=False)
    assert not Group.objects.filter(name="Nobody yet").exists()


def test_revoking_takes_away_only_the_named_permissions_of_that_app():
    group_grant(apps, group="Testers", app_label="ratings", codenames=["view_rating", "view_ratingsummary"])
    group_grant(apps, group="Testers", app_label="comments", codenames=["view_comment"])
    group_revoke(apps, group="Testers", app_label="ratings", codenames=["view_rating", "view_comment"])
    assert codenames("Testers") == {"view_ratingsummary", "view_comment"}
    group_revoke(apps, group="Nobody yet", app_label="ratings", codenames=["view_rating"])
