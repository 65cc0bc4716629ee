"""A member's own version (accounts.MemberVersion) moves with every write to their ratings and their feedback,
in the same transaction, whatever made it. Only existing rows move: one is made with each account."""

from django.db import migrations

from conditions.version_triggers import Counter, row_triggers_operation

COUNTER = Counter(table="accounts_memberversion", key="user_id", parent="auth_user")
TRIGGERS = [
    # Their score on a page, changed or taken back.
    ("ratings_rating_member_version", "ratings_rating", "ROW.user_id"),
    # What they said was wrong, after a low score.
    (
        "ratings_ratingfeedback_member_version",
        "ratings_ratingfeedback",
        "SELECT user_id FROM ratings_rating WHERE id = ROW.rating_id",
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("ratings", "0004_versions_notify"),
        ("accounts", "0003_member_version"),
    ]

    operations = [row_triggers_operation(COUNTER, TRIGGERS, create=False)]
