"""manage.py publish_scheduled and review_reminders, as cron or a systemd timer runs them."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from conditions import services
from conditions.models import GuideRevision

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_publish_scheduled_publishes_what_is_due_and_nothing_twice(client, condition, editor, reviewer):
    at = timezone.now() + datetime.timedelta(hours=3)
    revision = services.revision_start(guide=condition, user=editor)
    content = revision.content
    content["pages"][0]["sections"][0]["body"] = "Published by the timer."
    services.revision_save(revision=revision, user=editor, content=content, edit_version=1)
    services.revision_submit(revision=revision, user=editor, change_summary="Timed.", publish_at=at)
    services.revision_approve(revision=revision, reviewer=reviewer, role="GP", sources_checked="NICE")

    assert run("publish_scheduled").endswith("0 scheduled changes published.\n")
    assert "Published by the timer." not in client.get("/conditions/dystonia/").content.decode()
    later = (at + datetime.timedelta(minutes=1)).isoformat()
    assert run("publish_scheduled", "--now", later) == "Published Dystonia, version 1\n1 scheduled change published.\n"
    assert run("publish_scheduled", "--now", later).endswith("0 scheduled changes published.\n")
    assert GuideRevision.objects.get(pk=revision.pk).state == GuideRevision.State.PUBLISHED
    assert "Published by the timer." in client.get("/conditions/dystonia/").content.decode()


def test_review_reminders_run_daily_send_each_reminder_once(condition, editor, reviewer):
    condition.owner = editor
    condition.save()  # due 19/06/2015: overdue
    assert run("review_reminders", "--today", "2026-11-25") == "Reminder sent: Dystonia: Overdue\n1 reminder sent.\n"
    assert sorted(message.to[0] for message in mail.outbox) == ["editor@example.org", "reviewer@example.org"]
    assert run("review_reminders", "--today", "2026-11-26") == "0 reminders sent.\n"
    assert len(mail.outbox) == 2
