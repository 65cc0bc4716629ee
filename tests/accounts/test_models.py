import pytest
from django.db import IntegrityError, transaction

from accounts.models import Profile

pytestmark = pytest.mark.django_db


def test_the_database_refuses_a_display_name_differing_only_in_letter_case(commenter, other_commenter):
    Profile.objects.filter(user=commenter).update(display_name="Quiet Owl")
    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.filter(user=other_commenter).update(display_name="quiet OWL")


def test_the_database_refuses_an_empty_display_name(commenter):
    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.filter(user=commenter).update(display_name="")
