"""gunicorn settings for `make serve` (gunicorn reads this file from the working directory).

Every value can be changed from the environment without editing the file:
GUNICORN_BIND, GUNICORN_WORKERS, GUNICORN_TIMEOUT, GUNICORN_MAX_REQUESTS, GUNICORN_LOG_LEVEL,
FORWARDED_ALLOW_IPS.
"""

import multiprocessing
import os
from pathlib import Path

import environ

# The same .env as the settings; variables already in the environment win.
environ.Env.read_env(Path(__file__).resolve().parent / ".env")


def setting(name, default):
    return os.environ.get(name) or default


wsgi_app = "dystonia_portal.wsgi:application"

# Behind a reverse proxy on the same machine, listen on loopback only.
bind = setting("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers, the usual (2 x cores) + 1: requests are short and mostly wait on PostgreSQL.
workers = int(setting("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"

# A request that takes longer than this is stuck: the worker is killed and replaced.
timeout = int(setting("GUNICORN_TIMEOUT", 30))
# On a restart or deploy (SIGTERM or SIGHUP), let running requests finish first.
graceful_timeout = 30
keepalive = 5

# Recycle workers now and then so a slow leak can never grow without bound. Not too often:
# each worker keeps the condition pages' cache, its memo of versions and members' own parts
# in its own memory (conditions/page_cache.py), all of it bounded, and a new worker starts
# them empty. At 1,000 requests a worker under load was replaced every few seconds (make
# bench saw 20 restarts before it had begun measuring); at 20,000, on a machine serving
# 3,600 requests a second, every 30 seconds, so members' pages were mostly built afresh.
# A worker's memory grew from 53 to 63 MB over its first 38,000 requests and then held.
max_requests = int(setting("GUNICORN_MAX_REQUESTS", 200000))
max_requests_jitter = 20000

# Load the app once in the master, so a broken configuration fails at start, not per worker.
preload_app = True


def when_ready(server):
    """In the master, after loading the app and before forking: compile the templates and URL
    patterns once, so no new worker spends its first requests on it, and keep what the master
    holds out of the workers' garbage collections (dystonia_portal.warmup)."""
    from dystonia_portal.warmup import prepare_to_fork

    server.log.info("Compiled %d templates before starting workers", prepare_to_fork())


# Both logs to stderr, for systemd's journal or the container's log driver. Django writes its
# own JSON lines there too; the access log adds one line per request with the request id.
accesslog = "-"
errorlog = "-"
loglevel = setting("GUNICORN_LOG_LEVEL", "info")
access_log_format = (
    'request_id=%({x-request-id}o)s method=%(m)s path="%(U)s" status=%(s)s bytes=%(B)s duration_ms=%(M)s agent="%(a)s"'
)

# The proxy in front tells us the scheme; only trust it from loopback (the default).
forwarded_allow_ips = setting("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn 27's control socket (gunicornc) is not used; without it, no socket in $HOME and
# no clash between two servers on one machine.
control_socket_disable = True
