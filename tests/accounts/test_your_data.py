import json

import pytest

from comments.models import ModerationDecision, Report
from comments.services import comment_remove, comment_report
from ratings.services import rating_feedback_submit, rating_submit
from tests.comments.factories import make_comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(commenter, other_commenter, moderator, condition):
    """The commenter's comments (one removed by a moderator), rating with feedback and report,
    and the same kinds of record from another commenter, who must never appear."""
    mine = make_comment(condition, commenter, text="My own words.")
    removed = make_comment(condition, commenter, text="My removed words.")
    comment_remove(comment=removed, moderator=moderator, note="Private note for moderators.")
    theirs = make_comment(condition, other_commenter, text="Their words.")
    comment_report(comment=theirs, reason=Report.Reason.SPAM, details="Looks like an advert.", reporter=commenter)
    comment_report(comment=mine, reason=Report.Reason.OTHER, details="Their report.", reporter=other_commenter)
    rating_feedback_submit(
        rating=rating_submit(page=condition, user=commenter, score=2), reason="other", details="Mine."
    )
    rating_feedback_submit(
        rating=rating_submit(page=condition, user=other_commenter, score=1), reason="other", details="Theirs."
    )
    return commenter


def test_download_is_one_json_file_with_every_kind_of_record_and_only_the_users_own(client_for, records):
    response = client_for(records).get("/account/your-data/download/")

    assert response["Content-Disposition"] == 'attachment; filename="your-dystonia-portal-data.json"'
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(response.content)
    assert data["account"]["username"] == "commenter"
    assert data["account"]["email"] == "commenter@example.org"
    assert data["account"]["display_name"] == "commenter"
    assert [(c["text"], c["status"]) for c in data["comments"]] == [
        ("My own words.", "Published"),
        ("My removed words.", "Removed"),
    ]
    assert [d["outcome"] for d in data["comments"][1]["moderation_decisions"]] == ["Removed"]
    assert [(r["score"], r["feedback"]["details"]) for r in data["ratings"]] == [(2, "Mine.")]
    assert [(r["reason"], r["details"]) for r in data["reports"]] == [("Spam or advertising", "Looks like an advert.")]
    body = response.content.decode()
    for theirs in ["Their words.", "Their report.", "Theirs.", "other_commenter", "Private note for moderators."]:
        assert theirs not in body
    assert ModerationDecision.objects.count() == 1


def test_your_data_page_shows_the_same_records_readably(client_for, records):
    html = client_for(records).get("/account/your-data/").content.decode()
    assert "My own words." in html
    assert "Status: Removed" in html
    assert "Removed, " in html
    assert "2 out of 5. Your feedback: Something else, “Mine.”" in html
    assert "Spam or advertising (Open)" in html
    assert "Their words." not in html
    assert 'href="/account/your-data/download/">Download your data</a>' in html


@pytest.mark.parametrize("path", ["/account/", "/account/your-data/", "/account/your-data/download/"])
def test_your_data_needs_signing_in(reader, path):
    response = reader.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/")


def test_account_page_offers_download_and_deletion(client_for, commenter):
    html = client_for(commenter).get("/account/").content.decode()
    assert 'href="/account/your-data/download/">Download your data</a>' in html
    assert 'href="/account/delete/">Delete your account and your personal data</a>' in html


def test_your_data_download_takes_a_fixed_number_of_queries(
    client_for, records, other_commenter, condition, django_assert_num_queries
):
    for n in range(3):
        make_comment(condition, records, text=f"More of my words {n}.")
        theirs = make_comment(condition, other_commenter, text=f"More of their words {n}.")
        comment_report(comment=theirs, reason=Report.Reason.SPAM, reporter=records)
    client = client_for(records)
    with django_assert_num_queries(6):
        # 1. the session with the user  2. the user's profile  3. comments with their pages
        # 4. the moderation decisions on them  5. ratings with pages and feedback
        # 6. reports with their comments
        response = client.get("/account/your-data/download/")
    data = json.loads(response.content)
    assert (len(data["comments"]), len(data["reports"])) == (5, 4)
