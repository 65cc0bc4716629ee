"""`manage.py bench_data` at a small scale: the right rows, consistent summaries, safe to re-run."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

import benchmarks.data
import benchmarks.data.comments
import benchmarks.data.conditions
import benchmarks.data.ratings
from benchmarks.management.commands.bench_data import Command as BenchData
from comments.models import Comment, Report
from conditions.models import Page
from ratings.models import Rating
from ratings.services import rating_summaries_rebuild


@pytest.fixture
def small_scale(monkeypatch):
    monkeypatch.setattr(benchmarks.data, "USER_COUNT", 20)
    monkeypatch.setattr(benchmarks.data.conditions, "CONDITION_COUNT", 3)
    monkeypatch.setattr(benchmarks.data.ratings, "TOTAL", 3000)
    monkeypatch.setattr(benchmarks.data.ratings, "ON_DYSTONIA", 1000)
    monkeypatch.setattr(benchmarks.data.comments, "ON_DYSTONIA", 40)
    monkeypatch.setattr(benchmarks.data.comments, "REPORTED", 4)


@pytest.mark.postgresql
@pytest.mark.skipif(connection.vendor != "postgresql", reason="bench_data loads rows with PostgreSQL COPY")
@pytest.mark.django_db
def test_bench_data_builds_everything_once(small_scale):
    out = io.StringIO()
    call_command(BenchData(), stdout=out)

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
    assert Comment.objects.filter(page=copy).count() == 20  # one page of them, as the big page shows
    assert Report.objects.filter(status=Report.Status.OPEN, comment__page=dystonia).count() >= 4
    assert rating_summaries_rebuild() == []  # every summary already equals a recount
    assert "Benchmark data ready" in out.getvalue()

    before = (Page.objects.count(), Rating.objects.count(), Comment.objects.count(), Report.objects.count())
    call_command(BenchData(), stdout=io.StringIO())
    assert (Page.objects.count(), Rating.objects.count(), Comment.objects.count(), Report.objects.count()) == before


@pytest.mark.skipif(connection.vendor == "postgresql", reason="checks the refusal on other databases")
@pytest.mark.django_db
def test_bench_data_refuses_anything_but_postgresql():
    with pytest.raises(CommandError, match="run it on PostgreSQL"):
        call_command(BenchData(), stdout=io.StringIO())


@pytest.mark.postgresql
@pytest.mark.skipif(connection.vendor != "postgresql", reason="bench_data loads rows with PostgreSQL COPY")
@pytest.mark.django_db
def test_bench_data_search_pages_are_filler_with_sections_and_searchable(small_scale, monkeypatch):
    from conditions.models import SearchDocument, Section
    from conditions.search import pages_search

    monkeypatch.setattr(benchmarks.data.conditions, "SEARCH_GUIDES", 3)
    call_command(BenchData(), search_pages=30, stdout=io.StringIO())

    filler = Page.objects.filter(parent__slug__startswith="benchmark-search-filler-")
    assert filler.count() == 30
    assert Section.objects.filter(page__in=filler).count() == 30 * benchmarks.data.conditions.SEARCH_SECTIONS
    for section in Section.objects.filter(page__in=filler):
        assert section.body.startswith("Benchmark filler text for measuring search. It gives no health information.")
    assert SearchDocument.objects.filter(page__in=filler).count() == 30
    word = benchmarks.data.conditions.search_filler_words()[0]
    assert pages_search(terms=word).total == filler.filter(sections__body__contains=f" {word}").distinct().count()

    call_command(BenchData(), search_pages=30, stdout=io.StringIO())
    assert filler.count() == 30
