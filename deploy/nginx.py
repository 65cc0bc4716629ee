# ruff: noqa: S603, S606, S607 - runs its own fixed commands (apt-get, nginx, this Python)
"""Run nginx in front of gunicorn with the site's cache (deploy/nginx.conf), installing it if needed.

`make serve` runs it (through deploy/serve), the proxy tests (tests/proxy) and `make bench`
start it the same way. Debian's nginx package is installed with apt-get when it is missing
and we are root, as .ci/run installs Chromium; otherwise a sentence says how.

    python deploy/nginx.py --listen 0.0.0.0:8000 --upstream 127.0.0.1:8001
"""

import argparse
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf"
NGINX = "/usr/sbin/nginx"


class NginxMissing(RuntimeError):
    """nginx is not installed and could not be installed here; the message says how to."""


def ensure_installed() -> str:
    """The nginx binary, installed from Debian's packages first if it is missing and we are root."""
    found = shutil.which("nginx") or (NGINX if Path(NGINX).exists() else None)
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "install", "-y", "-qq", "nginx"], check=False, env=env, stdout=subprocess.DEVNULL)
        if not Path(NGINX).exists():
            subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
            subprocess.run(
                ["apt-get", "install", "-y", "-qq", "nginx"], check=True, env=env, stdout=subprocess.DEVNULL
            )
        return NGINX
    raise NginxMissing("nginx is missing: install Debian's nginx package (sudo apt-get install -y nginx).")


def render(
    *,
    run_dir: Path,
    listen: str,
    upstream: str,
    client_timeout: int = 10,
    access_log: str = "off",
    static_root: Path = BASE_DIR / "staticfiles",
) -> Path:
    """Write the config for these values into `run_dir` (with the 503 page nginx shows) and return its path."""
    values = {
        "RUN_DIR": str(run_dir),
        "LISTEN": listen,
        "UPSTREAM": upstream,
        "STATIC_ROOT": str(static_root),
        "SESSION_COOKIE": os.environ.get("DJANGO_SESSION_COOKIE_NAME", "sessionid"),
        "CLIENT_TIMEOUT": str(client_timeout),
        "ACCESS_LOG": access_log,
        "WORKER_USER": worker_user(),
    }
    # Only ${UPPER_CASE} names are ours; nginx's own $variables are left alone.
    text = re.sub(r"\$\{([A-Z_]+)\}", lambda match: values[match.group(1)], TEMPLATE.read_text())
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "__unavailable.html").write_text(unavailable_page())
    config = run_dir / "nginx.conf"
    config.write_text(text)
    if os.geteuid() == 0:
        # Started as root, nginx's workers run as WORKER_USER: they write the cache here.
        account = pwd.getpwnam(values["WORKER_USER"])
        run_dir.chmod(0o755)
        for path in (run_dir, *run_dir.rglob("*")):
            os.chown(path, account.pw_uid, account.pw_gid)
    return config


def worker_user() -> str:
    """Who nginx's workers run as when it is started as root (Debian's nginx user, else nobody)."""
    try:
        pwd.getpwnam("www-data")
    except KeyError:
        return "nobody"
    return "www-data"


def unavailable_page() -> str:
    """The site's own 503 page (templates/503.html), rendered once, for when gunicorn cannot answer."""
    code = (
        "import django; django.setup(); from django.template.loader import render_to_string; "
        "print(render_to_string('503.html'), end='')"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dystonia_portal.settings"}
    env.setdefault("DJANGO_SECRET_KEY", "only-for-rendering-the-503-page")
    # Hashed static names after collectstatic (make serve); plain names before it (tests).
    for debug in (env.get("DJANGO_DEBUG", "false"), "true"):
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=BASE_DIR,
            env={**env, "DJANGO_DEBUG": debug},
            capture_output=True,
            text=True,
        )
        if result.returncode == 0:
            return result.stdout
    raise RuntimeError(f"templates/503.html could not be rendered: {result.stderr.strip()}")


def start(*, listen: str, upstream: str, run_dir: Path | None = None, **options) -> subprocess.Popen:
    """Start nginx in the foreground of a child process (stop it with terminate())."""
    binary = ensure_installed()
    run_dir = run_dir or Path(tempfile.mkdtemp(prefix="dystonia-nginx-"))
    config = render(run_dir=run_dir, listen=listen, upstream=upstream, **options)
    check = subprocess.run([binary, "-t", "-q", "-c", str(config), "-p", str(run_dir)], capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx refused its configuration: {check.stderr.strip()}")
    return subprocess.Popen([binary, "-c", str(config), "-p", str(run_dir)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="127.0.0.1:8000")
    parser.add_argument("--upstream", default="127.0.0.1:8001")
    parser.add_argument("--run-dir", type=Path, default=None)
    arguments = parser.parse_args()
    try:
        binary = ensure_installed()
    except NginxMissing as exc:
        sys.exit(str(exc))
    run_dir = arguments.run_dir or Path(tempfile.mkdtemp(prefix="dystonia-nginx-"))
    config = render(run_dir=run_dir, listen=arguments.listen, upstream=arguments.upstream, access_log="/dev/stdout")
    print(f"nginx on http://{arguments.listen}/ in front of gunicorn on {arguments.upstream}", flush=True)
    os.execv(binary, [binary, "-c", str(config), "-p", str(run_dir)])


if __name__ == "__main__":
    main()
