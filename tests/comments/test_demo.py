import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.http import HttpRequest
from django.urls import reverse

from comments.demo import MODERATOR_PASSWORD, MODERATOR_USERNAME
from comments.models import Comment

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def test_demo_adds_the_seed_pages_three_comments(demo):
    comments = list(Comment.objects.filter(page=demo).select_related("author").order_by("-created_at"))
    assert [c.author.username for c in comments] == ["morbitz1", "Brummy40", "pauline15"]
    assert [c.created_at.astimezone(LONDON) for c in comments] == [
        datetime.datetime(2014, 3, 29, 12, tzinfo=LONDON),
        datetime.datetime(2013, 8, 20, 12, tzinfo=LONDON),
        datetime.datetime(2010, 10, 19, 12, tzinfo=LONDON),
    ]
    assert all(c.status == Comment.Status.PUBLISHED for c in comments)
    # Verbatim, spelling included.
    assert "I do have tables called: Clonazepam (take them when I need to)." in comments[0].text
    assert "Love you Dad xx" in comments[1].text
    assert "obtainig help for the embarrasing and painful effects" in comments[2].text


def test_demo_page_shows_the_comments_as_on_the_seed(client, demo):
    html = client.get(demo.get_absolute_url()).content.decode()
    assert (
        "The 3 comments posted are personal views. Any information they give has not been checked and may not be "
        "accurate." in html
    )
    assert "morbitz1 said on 29 March 2014" in html
    assert "Brummy40 said on 20 August 2013" in html
    assert "pauline15 said on 19 October 2010" in html
    assert html.count("Report this content as offensive or unsuitable") == 3


def test_demo_authors_cannot_sign_in(demo):
    for username in ["morbitz1", "Brummy40", "pauline15"]:
        assert not get_user_model().objects.get(username=username).has_usable_password()


def test_demo_moderator_can_open_the_moderation_queue(client, demo):
    # django-axes checks every sign-in against its lockouts, which needs the request.
    assert client.login(request=HttpRequest(), username=MODERATOR_USERNAME, password=MODERATOR_PASSWORD)
    response = client.get(reverse("admin:comments_comment_changelist"))
    assert response.status_code == 200
    assert "Needs review" in response.content.decode()


def test_loading_the_demo_twice_changes_nothing(demo):
    def snapshot():
        return (
            list(Comment.objects.values_list("pk", "author_id", "text", "status", "created_at")),
            list(get_user_model().objects.values_list("pk", "username", "password", "is_staff")),
        )

    before = snapshot()
    output = io.StringIO()
    call_command("load_demo", stdout=output)
    assert snapshot() == before
    assert "Comments: 3 on Dystonia (0 new)" in output.getvalue()


def test_demo_loads_a_short_list_of_plain_risk_phrases_once(demo):
    from comments.demo import RISK_PHRASES
    from comments.models import RiskPhrase

    assert set(RiskPhrase.objects.values_list("phrase", flat=True)) == set(RISK_PHRASES)
    output = io.StringIO()
    call_command("load_demo", stdout=output)
    assert f"risk phrases: {len(RISK_PHRASES)} (0 new)" in output.getvalue()
    assert RiskPhrase.objects.count() == len(RISK_PHRASES)
