"""nginx with the repository's own config (deploy/nginx.conf) in front of a live server.

Each test gets its own nginx with an empty cache, in front of pytest-django's live server
(Django's threaded server on the test database, in this process, so `settings` changes and
monkeypatches reach it). Locally a missing nginx skips these tests with the reason; in CI
(`CI=true`) it is a failure. As root, deploy.nginx installs Debian's nginx package first.
"""

import http.client
import os
import shutil
import socket
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from deploy import nginx


def unavailable(reason):
    """Fail in CI, skip locally: a proxy suite that silently skips proves nothing."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nginx did not start listening on port {port}")


@pytest.fixture(scope="session")
def nginx_installed():
    try:
        return nginx.ensure_installed()
    except nginx.NginxMissing as exc:
        unavailable(str(exc))


class Proxy:
    """The site through nginx: `get` and `post` return (status, headers, body) and never follow redirects."""

    def __init__(self, url, run_dir):
        self.url, self.run_dir = url, run_dir
        self.port = urlsplit(url).port

    def request(self, method, path, *, cookies=None, headers=None, body=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        sent = {"Host": "localhost", **(headers or {})}  # the live server allows this host
        if cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        result = response.status, response.headers, response.read().decode()
        connection.close()
        return result

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, data, **kwargs):
        from urllib.parse import urlencode

        return self.request("POST", path, body=urlencode(data), **kwargs)

    def cached_files(self) -> str:
        """Everything nginx has stored, headers and bodies, as one string."""
        return "".join(
            path.read_bytes().decode(errors="replace")
            for path in (self.run_dir / "cache").rglob("*")
            if path.is_file()
        )


def start_proxy(upstream, run_dir, **options):
    port = free_port()
    process = nginx.start(listen=f"127.0.0.1:{port}", upstream=upstream, run_dir=run_dir, **options)
    wait_for_port(port)
    return process, Proxy(f"http://127.0.0.1:{port}", run_dir)


@pytest.fixture
def run_dir():
    """nginx's own folder (config, cache, logs): under /tmp, where its workers may write."""
    path = Path(tempfile.mkdtemp(prefix="dystonia-proxy-test-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def proxy(nginx_installed, live_server, transactional_db, run_dir):
    process, site = start_proxy(urlsplit(live_server.url).netloc, run_dir, client_timeout=3)
    yield site
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def proxy_without_upstream(nginx_installed, run_dir):
    """nginx in front of a port nothing listens on: gunicorn down."""
    process, site = start_proxy(f"127.0.0.1:{free_port()}", run_dir)
    yield site
    process.terminate()
    process.wait(timeout=10)
