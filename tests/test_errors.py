"""dystonia_portal/errors.py: every app refuses a write in the same shape, a ServiceError with a sentence."""

import pytest

from comments.services import CommentError
from conditions.services import EditConflict, ReviewError
from dystonia_portal.errors import ServiceError
from ratings.services import RatingError, rating_submit


@pytest.mark.parametrize("error", [CommentError, RatingError, ReviewError, EditConflict])
def test_every_apps_refusal_is_a_service_error(error):
    assert issubclass(error, ServiceError)


@pytest.mark.django_db
def test_a_refused_rating_is_a_service_error_whose_message_is_the_sentence(make_page):
    page = make_page()
    with pytest.raises(ServiceError) as refused:
        rating_submit(page=page, session_hash="a" * 40, score=6)
    assert str(refused.value) == "Select a rating from 1 to 5 stars."
