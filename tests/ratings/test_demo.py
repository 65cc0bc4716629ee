import io

import pytest
from django.core.management import call_command

from ratings.models import Rating, RatingFeedback
from ratings.services import rating_summaries_rebuild

pytestmark = pytest.mark.django_db


def test_demo_gives_the_dystonia_page_the_seeds_87_ratings(client, demo):
    html = client.get("/conditions/dystonia/").content.decode()

    assert "Average rating: 4.3 out of 5" in html
    assert "Based on 87 ratings" in html
    assert RatingFeedback.objects.get().reason == "out_of_date"
    assert rating_summaries_rebuild() == []


def test_loading_the_demo_again_changes_nothing(demo):
    before = list(Rating.objects.values_list("pk", "score", "updated_at"))
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert list(Rating.objects.values_list("pk", "score", "updated_at")) == before
    assert "demo ratings" not in out.getvalue()
