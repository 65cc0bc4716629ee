import importlib

import pytest
from django.apps import apps

from accounts.models import Profile

pytestmark = pytest.mark.django_db

migration = importlib.import_module("accounts.migrations.0002_display_names_and_moderators")


def test_existing_accounts_get_their_username_as_display_name_even_when_only_the_case_differs(django_user_model):
    for username in ["Sam", "sam", "jo"]:
        django_user_model.objects.create_user(username=username)

    migration.give_display_names(apps, None)

    names = dict(Profile.objects.values_list("user__username", "display_name"))
    assert names == {"Sam": "Sam", "sam": "sam-2", "jo": "jo"}


def test_running_the_display_name_migration_again_changes_nothing(commenter):
    migration.give_display_names(apps, None)
    assert list(Profile.objects.values_list("display_name", flat=True)) == ["commenter"]
