import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.models import ErasureRecord
from tests.comments.factories import make_comment

from .erasure import places_holding

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:accounts_profile_changelist")


def erase(client, *profiles):
    return client.post(
        CHANGELIST,
        {"action": "erase_personal_data", "_selected_action": [profile.pk for profile in profiles]},
        follow=True,
    )


def test_a_moderator_erases_a_persons_data_on_request_and_it_is_recorded(client_for, moderator, commenter, condition):
    commenter.profile.display_name = "Quiet Owl"
    commenter.profile.save()
    make_comment(condition, commenter, text="Held words.", status="held")

    response = erase(client_for(moderator), commenter.profile)

    assert "Erased the personal data of 1 people." in response.content.decode()
    assert not get_user_model().objects.filter(username="commenter").exists()
    for value in ["Quiet Owl", "commenter@example.org", "Held words."]:
        assert places_holding(value) == [], value
    record = ErasureRecord.objects.get()
    assert (record.erased_by, record.comments_deleted) == (moderator, True)


def test_an_editor_cannot_erase_anyones_data(client_for, editor, commenter):
    response = erase(client_for(editor), commenter.profile)
    assert response.status_code == 403
    assert get_user_model().objects.filter(username="commenter").exists()
    assert not ErasureRecord.objects.exists()


def test_profiles_cannot_be_deleted_in_the_admin_only_erased(client_for, superuser, commenter):
    response = client_for(superuser).post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [commenter.profile.pk]}, follow=True
    )
    assert get_user_model().objects.filter(username="commenter").exists()
    assert "No action selected." in response.content.decode()
