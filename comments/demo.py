"""Demo content: the three comments on the seed page, their authors, and a demo moderator.

Called by `python manage.py load_demo` after the conditions app has loaded the guide.
Idempotent: a second run finds every row as it should be and writes nothing.
The demo moderator's password is for local use only (see the README).
"""

import datetime
import json
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import Profile
from conditions.models import Page

from .models import Comment, RiskPhrase
from .services import text_hash

DEMO_FILE = Path(__file__).resolve().parent / "demo_content" / "comments.json"
LONDON = ZoneInfo("Europe/London")
# Not "moderator": tests/conftest.py's moderator persona has that name and tests may load the demo too.
MODERATOR_USERNAME = "demo-moderator"
MODERATOR_PASSWORD = "moderate-dystonia-demo"  # noqa: S105 - a local demo account, documented in the README
# A short starting list of plain phrases for the demo, not clinical advice: the site's own
# team keeps the real list in the admin (Risk phrases).
RISK_PHRASES = [
    "kill myself",
    "end my life",
    "want to die",
    "suicide",
    "suicidal",
    "hurt myself",
    "harm myself",
    "self-harm",
    "no reason to live",
    "better off without me",
]

User = get_user_model()


def _demo_author(username):
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, email="")
        user.set_unusable_password()  # demo authors cannot sign in
        user.save()
    # The demo's commenters keep the names their comments have always shown.
    Profile.objects.get_or_create(user=user, defaults={"display_name": username})
    return user


def _demo_moderator():
    user = User.objects.filter(username=MODERATOR_USERNAME).first()
    if user is None:
        user = User(username=MODERATOR_USERNAME, email="moderator@localhost", is_staff=True)
        user.set_password(MODERATOR_PASSWORD)
        user.save()
    elif not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    group = Group.objects.get(name="Moderators")
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)
    return user


@transaction.atomic
def load(*, stdout) -> None:
    content = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    guide = Page.objects.get(parent=None, slug=content["guide"])
    added = 0
    for data in content["comments"]:
        author = _demo_author(data["author"])
        posted = datetime.datetime.combine(
            datetime.date.fromisoformat(data["date"]), datetime.time(12, 0), tzinfo=LONDON
        )
        _, created = Comment.objects.get_or_create(
            page=guide,
            author=author,
            created_at=posted,
            defaults={"text": data["text"], "text_hash": text_hash(data["text"])},
        )
        added += created
    _demo_moderator()
    phrases_added = 0
    for phrase in RISK_PHRASES:
        if not RiskPhrase.objects.filter(phrase__iexact=phrase).exists():
            RiskPhrase.objects.create(phrase=phrase)
            phrases_added += 1
    stdout.write(
        f"Comments: {len(content['comments'])} on {guide.title} ({added} new); "
        f"demo moderator “{MODERATOR_USERNAME}” (local use only); "
        f"risk phrases: {len(RISK_PHRASES)} ({phrases_added} new)"
    )
