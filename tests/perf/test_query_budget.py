"""Query budgets of the condition page: a fixed number of queries whatever the data size.

Budget (issue 7): at most 6 queries with cold caches, at most 2 once its caches are warm.
Each test makes several related rows first, so an N+1 would show as a higher count.
"""

import pytest

from conditions.models import RelatedLink, Section

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_condition(condition):
    for number in range(4, 12):
        Section.objects.create(page=condition, order=number, heading=f"Extra {number}", anchor=f"x{number}", body="x")
    for order in range(3, 8):
        RelatedLink.objects.create(
            page=condition, order=order, title=f"Link {order}", url=f"https://example.org/{order}"
        )
    return condition


def test_condition_page_cold_and_warm_query_counts(reader, big_condition, django_assert_num_queries):
    url = big_condition.get_absolute_url()
    # Cold: 1 the page with its guide and content versions, 2 the guide's sub-pages,
    # 3 sections with read-more pages, 4 related links.
    with django_assert_num_queries(4):
        cold = reader.get(url)
    # Warm: 1 the page with its guide and content versions; the rest comes from fragments.
    with django_assert_num_queries(1):
        warm = reader.get(url)
    assert warm.content == cold.content
    assert "Extra 11" in warm.content.decode()


def test_subpage_cold_and_warm_query_counts(reader, big_condition, django_assert_num_queries):
    url = big_condition.subpages.get(slug="causes").get_absolute_url()
    with django_assert_num_queries(4):
        reader.get(url)
    with django_assert_num_queries(1):
        response = reader.get(url)
    assert "Causes of dystonia" in response.content.decode()
