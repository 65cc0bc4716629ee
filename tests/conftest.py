"""Shared fixtures: the people who use the site, and the demo content they use it on.

Personas (healthchecks tests each view as owner, member and outsider; we do the same):
an anonymous reader, a commenter, another commenter, a moderator, an editor (and another),
a clinical reviewer (and another) and a superuser.
"""

import datetime
import io
import time

import pytest
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Profile
from conditions import versions_memo
from conditions.models import Page, RelatedLink, Section
from conditions.version_triggers import NOTIFY_CHANNEL

PASSWORD = "correct-horse-battery-staple-42"


def app_section(html, name):
    """The page's `<section class="app-{name}">`, so an assert sees only what that block shows."""
    start = html.index(f'<section class="app-{name}"')
    return html[start : html.index("</section>", start)]


def confirmation_opening(block):
    """How the confirmation beside a block opens (dystonia_portal.confirmations): in view, with focus."""
    return (
        f'<div class="app-confirmation" id="{block}-confirmation" role="status" aria-live="polite" tabindex="-1" '
        "autofocus data-confirmation>"
    )


def pytest_configure(config):
    """Let the live server queue as many waiting connections as gunicorn does.

    Django's test server listens with a backlog of 10 (gunicorn: 2048), so forty readers
    arriving at once would have connections reset before the site saw them. Set before any
    live server starts, as the class attribute is read when the socket is bound.
    """
    from django.core.servers.basehttp import ThreadedWSGIServer

    ThreadedWSGIServer.request_queue_size = 2048


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Serve static files without the build-time manifest, so tests need no collectstatic."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def empty_caches():
    """Each test starts with empty caches (page fragments), as a fresh server would."""
    for alias in caches:
        caches[alias].clear()


@pytest.fixture
def clock(monkeypatch):
    """Time that stands still until moved: `clock.at(seconds_since_epoch)` (django.utils.timezone.now)."""

    class Clock:
        def at(self, seconds):
            moment = datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)
            monkeypatch.setattr(timezone, "now", lambda: moment)

    return Clock()


@pytest.fixture
def make_user(django_user_model):
    def make(username, *, groups=(), **extra):
        user = django_user_model.objects.create_user(
            username=username, email=f"{username}@example.org", password=PASSWORD, **extra
        )
        # Display names like the usernames, so tests read naturally; tests/accounts checks they differ.
        Profile.objects.create(user=user, display_name=username)
        for name in groups:
            user.groups.add(Group.objects.get(name=name))
        return user

    return make


@pytest.fixture
def reader(client):
    """An anonymous reader: the test client with nobody signed in."""
    return client


def persona(username, *groups):
    """The fixture `username`: an account of that name, on the staff in `groups` when any are named."""

    @pytest.fixture(name=username)
    def account(make_user):
        staff = {"groups": list(groups), "is_staff": True} if groups else {}
        return make_user(username, **staff)

    return account


commenter = persona("commenter")
other_commenter = persona("other_commenter")
moderator = persona("moderator", "Moderators")
editor = persona("editor", "Editors")
other_editor = persona("other_editor", "Editors")
# A moderator who is also a clinical reviewer: the person who writes clinicians' notes.
clinician = persona("clinician", "Moderators", "Clinical reviewers")
reviewer = persona("reviewer", "Clinical reviewers")
other_reviewer = persona("other_reviewer", "Clinical reviewers")


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.org", PASSWORD)


@pytest.fixture
def client_for(client):
    """A test client signed in as the given user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def make_page():
    def make(title="Dystonia", *, parent=None, status=Page.Status.PUBLISHED, sections=1, **extra):
        values = {
            "slug": slugify(title),
            "summary": f"About {title}.",
            "last_reviewed": datetime.date(2013, 6, 19),
            "next_review_due": datetime.date(2015, 6, 19),
            **extra,
        }
        page = Page.objects.create(title=title, parent=parent, status=status, **values)
        for number in range(1, sections + 1):
            Section.objects.create(
                page=page, order=number, heading=f"Part {number}", anchor=f"part-{number}", body=f"Text {number}."
            )
        return page

    return make


@pytest.fixture
def condition(make_page):
    """A published condition page with three sub-pages and two related links."""
    page = make_page("Dystonia", services_url="https://www.nhs.uk/service-search/", sections=3)
    for order, name in enumerate(["Symptoms", "Causes", "Treatment"], start=1):
        make_page(f"{name} of dystonia", parent=page, slug=name.lower(), short_title=name, order=order)
    for order in (1, 2):
        RelatedLink.objects.create(
            page=page, order=order, title=f"Related {order}", url=f"https://example.org/{order}"
        )
    return page


@pytest.fixture
def demo(db):
    """The demo content exactly as `load_demo` loads it."""
    call_command("load_demo", stdout=io.StringIO())
    return Page.objects.get(parent=None, slug="dystonia")


# Transactional tests (live servers, the browser, listening for notifications) empty the database
# after each test, removing what the data migrations made; they run them again.


@pytest.fixture(scope="session")
def data_migrations():
    """Every RunPython operation of the project's migrations, in migration order, with the
    migration state they run against. Here they make the staff groups (Editors, Moderators)
    with get_or_create and permissions.set/add, and the page version triggers and counter rows
    with CREATE OR REPLACE / IF NOT EXISTS and ON CONFLICT DO NOTHING, so running them again is safe."""
    loader = MigrationLoader(None)  # from the migration files alone; no database needed
    plan = []
    for leaf in loader.graph.leaf_nodes():
        plan += [key for key in loader.graph.forwards_plan(leaf) if key not in plan]
    operations = [
        operation
        for key in plan
        for operation in loader.graph.nodes[key].operations
        if isinstance(operation, RunPython)
    ]
    return loader.project_state().apps, operations


def rerun_data_migrations(data_migrations):
    state_apps, operations = data_migrations
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.schema_editor() as schema_editor:
        for operation in operations:
            operation.code(state_apps, schema_editor)


# Each process's memo of versions and sessions (conditions.versions_memo), on PostgreSQL.


on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN/NOTIFY is PostgreSQL's")


def wait_for(condition, *, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the listener did not get there in time"
        time.sleep(0.005)


@pytest.fixture
def listening(settings):
    """This process's listener, started as a gunicorn worker starts it, and stopped afterwards."""
    settings.PAGE_VERSIONS_LISTEN = True
    versions_memo.ensure_listening()
    wait_for(lambda: versions_memo.memo.listening)
    listener = versions_memo._listener
    yield listener
    versions_memo.stop_listening()
    assert not listener.is_alive() and listener.raw is None  # its connection closed, before the database goes


def caught_up(listener) -> None:
    """Wait until the listener has had every notification committed so far (in commit order, so a
    marker sent now arrives after all of them): a reader arriving after PostgreSQL delivered them."""
    marker = f"marker-{time.monotonic_ns()}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, %s)", [NOTIFY_CHANNEL, marker])
    wait_for(lambda: listener.marker == marker)


@pytest.fixture
def notifications_never_arrive(settings, monkeypatch):
    """The memo trusted as while listening, with no listener: here the tests' writes are never
    committed, so nothing is ever delivered, as when a notification has not arrived yet."""
    settings.PAGE_VERSIONS_LISTEN = True
    monkeypatch.setattr(versions_memo, "ensure_listening", lambda: None)
    versions_memo.memo.forget(listening=True)
    yield
    versions_memo.memo.forget(listening=False)
