"""PostgreSQL really stopped and restarted under the production stack: nginx (deploy/nginx.conf) in
front of gunicorn (gunicorn.conf.py, DEBUG off) on a throwaway PostgreSQL 15 cluster of its own.

tests/proxy/test_nginx.py makes every query fail inside the live server; this stops the real
server, as an outage or a restart does, so the connection pool, the database cache and
gunicorn's workers all meet a database that is not there.
"""

import http.client
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from benchmarks.postgres import PG_BIN, throwaway_postgres
from tests.proxy.conftest import free_port, start_proxy, unavailable, wait_for_port

pytestmark = pytest.mark.proxy

ROOT = Path(__file__).resolve().parents[2]
PAGE = "/conditions/dystonia/"
NEVER_CACHED = "/conditions/dystonia/causes/"


def get(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        connection.request("GET", path, headers={"Host": "localhost"})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def stack(nginx_installed):
    """(cluster, nginx port, gunicorn port, environment): the site as `make serve` runs it, on a
    database we may stop."""
    if not (PG_BIN / "initdb").exists():
        unavailable(f"PostgreSQL 15 server binaries are not in {PG_BIN} (apt-get install -y postgresql-15)")
    run_dir = Path(tempfile.mkdtemp(prefix="dystonia-restart-test-"))
    with throwaway_postgres() as cluster:
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": cluster.url,
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1",
            "DJANGO_TRUSTED_PROXY_COUNT": "1",
            "DJANGO_PAGE_CACHE_SECONDS": "1",
            # As in production on PostgreSQL (the test run turns it off for its own process).
            "DJANGO_PAGE_VERSIONS_LISTEN": "true",
            "DJANGO_LOG_LEVEL": "CRITICAL",
            "DJANGO_SETTINGS_MODULE": "dystonia_portal.settings",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": "3",
            "GUNICORN_LOG_LEVEL": "critical",
        }
        env.pop("REDIS_URL", None)
        # As `make serve` prepares the site: migrated, cache table, demo content, static files.
        for command in (
            ["migrate", "--no-input"],
            ["createcachetable"],
            ["load_demo"],
            ["collectstatic", "--no-input"],
        ):
            subprocess.run(  # noqa: S603 - our own manage.py
                [sys.executable, "manage.py", *command],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
            )
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        server = subprocess.Popen(  # noqa: S603 - our own server and config
            [gunicorn, "--config", "gunicorn.conf.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
        )
        try:
            wait_for_port(port, timeout=30)
            proxy, site = start_proxy(f"127.0.0.1:{port}", run_dir)
            try:
                yield cluster, site.port, port, env
            finally:
                proxy.terminate()
                proxy.wait(timeout=10)
        finally:
            server.terminate()
            server.wait(timeout=30)
            shutil.rmtree(run_dir, ignore_errors=True)


def test_a_change_made_in_another_process_reaches_every_worker_at_once(stack):
    """Each worker remembers the page's versions (conditions.versions_memo) and serves it with no
    query; a write from the shell, another process, notifies them all as it commits. Their own
    gunicorn here, with the memo's time limit (DJANGO_PAGE_CACHE_SECONDS) at a minute, so only
    the notification can be what makes them read again."""
    _, _, _, env = stack
    port = free_port()
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "DJANGO_PAGE_CACHE_SECONDS": "60"}
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    server = subprocess.Popen(  # noqa: S603 - our own server and config
        [gunicorn, "--config", "gunicorn.conf.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
    )
    try:
        wait_for_port(port, timeout=30)
        for _ in range(12):  # enough for each of the 3 workers to remember the page
            status, _, body = get(port, PAGE)
            assert status == 200 and "Changed from the shell" not in body
        subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", "shell", "-c", SHELL_EDIT],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        seen = ["Changed from the shell" in get(port, PAGE)[2] for _ in range(12)]
        assert all(seen), f"a worker served the page as it was before the change: {seen}"
    finally:
        server.terminate()
        server.wait(timeout=30)


SHELL_EDIT = (
    "from conditions.models import Section; "
    "Section.objects.filter(page__slug='dystonia', page__parent=None).update(heading='Changed from the shell')"
)


def test_with_postgresql_stopped_readers_get_the_last_good_page_or_a_styled_503(stack):
    cluster, port, _, _ = stack
    status, headers, good = get(port, PAGE)
    assert status == 200 and "Dystonia" in good
    time.sleep(2.2)  # nginx's copy is now stale (max-age 1 s, nginx counts whole seconds)

    cluster.stop()
    try:
        status, headers, body = get(port, PAGE)
        assert status == 200
        assert headers["X-Cache-Status"] == "STALE"
        assert body == good

        status, headers, body = get(port, NEVER_CACHED)
        assert status == 503
        assert headers["Retry-After"] == "30"
        assert "<h1>Sorry, the service is unavailable</h1>" in body
        assert "Traceback" not in body and "OperationalError" not in body

        status, _, body = get(port, "/healthz")
        assert status == 503 and "database unreachable" in body
    finally:
        cluster.start()

    # Back: the first request after the restart gets a fresh page, not the stale copy or an error.
    time.sleep(1.2)
    status, headers, body = get(port, NEVER_CACHED)
    assert status == 200
    assert headers["X-Cache-Status"] in ("MISS", "EXPIRED")


def test_a_postgresql_restart_under_load_gives_no_reader_a_500(stack):
    cluster, port, _, _ = stack
    paths = [PAGE, NEVER_CACHED, "/conditions/", "/healthz"]
    for path in paths:
        get(port, path)
    statuses, stop = [], threading.Event()

    def reader(number):
        while not stop.is_set():
            status, _, _ = get(port, paths[number % len(paths)])
            statuses.append(status)
            number += 1

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    cluster.stop()
    time.sleep(2)
    cluster.start()
    time.sleep(2)
    stop.set()
    for thread in threads:
        thread.join(timeout=20)

    assert len(statuses) > 50
    assert 500 not in statuses and 502 not in statuses and 504 not in statuses
    assert set(statuses) <= {200, 503}
    assert 503 in statuses  # the database really went away while they read
    status, _, _ = get(port, "/healthz")
    assert status == 200  # and the site noticed it came back
