import pytest

from ratings.models import Rating


@pytest.fixture
def page(condition):
    """A published condition page to rate."""
    return condition


@pytest.fixture
def rate(client):
    """POST a rating the way the page's form does (without JavaScript)."""

    def post(page, score, **extra):
        data = {"score": score} if score is not None else {}
        return client.post(f"/ratings/pages/{page.pk}/rate/", data, **extra)

    return post


def scores(page):
    return sorted(Rating.objects.filter(page=page).values_list("score", flat=True))
