"""A member's own version (accounts.MemberVersion) moves with every write to their comments and reports,
in the same transaction, whatever made it. Only existing rows move: one is made with each account."""

from django.db import migrations

from conditions.version_triggers import Counter, row_triggers_operation

COUNTER = Counter(table="accounts_memberversion", key="user_id", parent="auth_user")
TRIGGERS = [
    # Their comments: posted, edited, held, hidden, removed, reinstated or deleted.
    ("comments_comment_member_version", "comments_comment", "ROW.author_id"),
    # The comments they reported ("You reported this").
    ("comments_report_member_version", "comments_report", "ROW.reporter_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0011_versions_notify"),
        ("accounts", "0003_member_version"),
    ]

    operations = [row_triggers_operation(COUNTER, TRIGGERS, create=False)]
