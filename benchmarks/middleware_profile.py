"""What each middleware costs a request: `/robots.txt` through Django's WSGI handler, in process.

For each prefix of settings.MIDDLEWARE (none, the first, the first two, ...) a fresh
WSGIHandler answers `/robots.txt` as gunicorn would call it; the difference between one
prefix and the next is what that middleware adds. A cProfile of the whole stack names the
functions behind the figures. `make bench` runs it against its own database and puts both
in the results; on its own:

    DJANGO_DEBUG=true .venv/bin/python -m benchmarks.middleware_profile
"""

import cProfile
import io
import pstats
import sys
import time

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.test.utils import override_settings

PATH = "/robots.txt"


def environ() -> dict:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": PATH,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_X_FORWARDED_FOR": "10.1.2.3",
        "HTTP_USER_AGENT": "benchmark",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def start_response(status, headers, exc_info=None):
    if not status.startswith("200"):
        raise RuntimeError(f"{PATH} answered {status} in the profile")


def answer(handler) -> None:
    response = handler(environ(), start_response)
    b"".join(response)
    response.close()


def time_per_request(handler, requests: int) -> float:
    for _ in range(50):  # warm: templates loaded, URLconf resolved once
        answer(handler)
    samples = []
    for _ in range(9):
        # CPU time of this process, so other work on the machine does not count.
        started = time.process_time()
        for _ in range(requests):
            answer(handler)
        samples.append((time.process_time() - started) / requests)
    return min(samples)


def middleware_costs(requests: int = 400) -> list[dict]:
    """Microseconds per request with each prefix of MIDDLEWARE, and what each one adds."""
    middleware = list(settings.MIDDLEWARE)
    rows, previous = [], None
    for count in range(len(middleware) + 1):
        with override_settings(MIDDLEWARE=middleware[:count]):
            seconds = time_per_request(WSGIHandler(), requests)
        micro = round(seconds * 1e6, 1)
        rows.append(
            {
                "middleware": middleware[count - 1] if count else "(none: URLconf, view, template)",
                "total_us": micro,
                "adds_us": round(micro - previous, 1) if previous is not None else micro,
            }
        )
        previous = micro
    return rows


def hot_functions(requests: int = 2000, top: int = 15) -> str:
    """cProfile of the full middleware stack answering `/robots.txt`: the top functions by own time."""
    handler = WSGIHandler()
    for _ in range(50):
        answer(handler)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        answer(handler)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main():
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    django.setup()
    for row in middleware_costs():
        print(f"{row['total_us']:>9} us  {row['adds_us']:>+8} us  {row['middleware']}")
    print(hot_functions())


if __name__ == "__main__":
    main()
