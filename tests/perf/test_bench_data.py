"""`manage.py bench_data` at a small scale: the right rows, consistent summaries, safe to re-run."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

import comments.bench
import conditions.bench
import ratings.bench
from comments.models import Comment, Report
from conditions.management.commands import bench_data
from conditions.models import Page
from ratings.models import Rating
from ratings.services import rating_summaries_rebuild


@pytest.fixture
def small_scale(monkeypatch):
    monkeypatch.setattr(bench_data, "USER_COUNT", 20)
    monkeypatch.setattr(conditions.bench, "CONDITION_COUNT", 3)
    monkeypatch.setattr(ratings.bench, "TOTAL", 3000)
    monkeypatch.setattr(ratings.bench, "ON_DYSTONIA", 1000)
    monkeypatch.setattr(comments.bench, "ON_DYSTONIA", 40)
    monkeypatch.setattr(comments.bench, "REPORTED", 4)


@pytest.mark.postgresql
@pytest.mark.skipif(connection.vendor != "postgresql", reason="bench_data loads rows with PostgreSQL COPY")
@pytest.mark.django_db
def test_bench_data_builds_everything_once(small_scale):
    out = io.StringIO()
    call_command("bench_data", stdout=out)

    dystonia = Page.objects.get(parent=None, slug="dystonia")
    copy = Page.objects.get(parent=None, slug="dystonia-benchmark-copy")
    assert Page.objects.filter(parent=None, slug__startswith="benchmark-condition-").count() == 3
    assert "benchmark filler" in Page.objects.get(slug="benchmark-condition-01").sections.first().body
    assert copy.sections.count() == dystonia.sections.count()
    assert get_user_model().objects.filter(username__startswith="bench-reader-").count() == 20
    bench_ratings = Rating.objects.filter(session_hash__startswith="bench-")
    assert bench_ratings.count() == 3000
    assert bench_ratings.filter(page=dystonia).count() == 1000
    assert bench_ratings.filter(page=copy).count() == 10
    assert Comment.objects.filter(page=dystonia, text__startswith="Benchmark filler").count() == 40
    assert Comment.objects.filter(page=copy).count() == 10
    assert Report.objects.filter(status=Report.Status.OPEN, comment__page=dystonia).count() >= 4
    assert rating_summaries_rebuild() == []  # every summary already equals a recount
    assert "Benchmark data ready" in out.getvalue()

    before = (Page.objects.count(), Rating.objects.count(), Comment.objects.count(), Report.objects.count())
    call_command("bench_data", stdout=io.StringIO())
    assert (Page.objects.count(), Rating.objects.count(), Comment.objects.count(), Report.objects.count()) == before


@pytest.mark.skipif(connection.vendor == "postgresql", reason="checks the refusal on other databases")
@pytest.mark.django_db
def test_bench_data_refuses_anything_but_postgresql():
    with pytest.raises(CommandError, match="run it on PostgreSQL"):
        call_command("bench_data", stdout=io.StringIO())


@pytest.mark.postgresql
@pytest.mark.skipif(connection.vendor != "postgresql", reason="bench_data loads rows with PostgreSQL COPY")
@pytest.mark.django_db
def test_bench_data_search_pages_are_filler_with_sections_and_searchable(small_scale, monkeypatch):
    from conditions.models import SearchDocument, Section
    from conditions.search import pages_search

    monkeypatch.setattr(conditions.bench, "SEARCH_GUIDES", 3)
    call_command("bench_data", search_pages=30, stdout=io.StringIO())

    filler = Page.objects.filter(parent__slug__startswith="benchmark-search-filler-")
    assert filler.count() == 30
    assert Section.objects.filter(page__in=filler).count() == 30 * conditions.bench.SEARCH_SECTIONS
    for section in Section.objects.filter(page__in=filler):
        assert section.body.startswith("Benchmark filler text for measuring search. It gives no health information.")
    assert SearchDocument.objects.filter(page__in=filler).count() == 30
    word = conditions.bench.search_filler_words()[0]
    assert pages_search(terms=word).total == filler.filter(sections__body__contains=f" {word}").distinct().count()

    call_command("bench_data", search_pages=30, stdout=io.StringIO())
    assert filler.count() == 30
