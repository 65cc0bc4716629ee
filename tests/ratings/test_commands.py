import io

import pytest
from django.core.management import call_command

from ratings.models import RatingSummary
from ratings.services import rating_submit

pytestmark = pytest.mark.django_db


def run():
    out = io.StringIO()
    call_command("ratings_rebuild", stdout=out)
    return out.getvalue()


def test_rebuild_says_no_drift_when_summaries_match(page):
    rating_submit(page=page, session_hash="a" * 40, score=4)
    assert run() == "No drift: every summary matches its ratings.\n"


def test_rebuild_prints_and_corrects_drift(page):
    rating_submit(page=page, session_hash="a" * 40, score=4)
    rating_submit(page=page, session_hash="b" * 40, score=2)
    RatingSummary.objects.filter(page=page).update(count=3, total=10, count_4=2)

    output = run()

    assert (
        f"Corrected Dystonia (page {page.pk}): count was 3, now 2; total was 10, now 6; count_4 was 2, now 1" in output
    )
    assert "Corrected 1 summary." in output
    summary = RatingSummary.objects.get(page=page)
    assert (summary.count, summary.total, summary.count_4, summary.count_2) == (2, 6, 1, 1)
    assert run().startswith("No drift")
