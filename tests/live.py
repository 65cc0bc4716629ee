"""Readers that use pytest-django's live server over HTTP, and real threads to run them (or
any work on the database) at the same moment.

Each reader keeps its own cookies, so a GET gives it a session and a CSRF cookie as a
browser would get them, and its POSTs then pass the CSRF check. Redirects are not
followed: a reader sees the status the server sent.
"""

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class LiveReader:
    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect)

    def request(self, path: str, data: dict | None = None, headers: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body, headers=headers or {})  # noqa: S310
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def get(self, path: str) -> tuple[int, str]:
        return self.request(path)

    def post(self, path: str, data: dict) -> tuple[int, str]:
        """POST as a browser on this site would: Fetch Metadata says same-origin, and the CSRF
        token goes along when the site gave one (signed-in readers; signed-out ones get none)."""
        headers = {"Sec-Fetch-Site": "same-origin"}
        token = next((cookie.value for cookie in self.cookies if cookie.name == "csrftoken"), None)
        if token:
            headers["X-CSRFToken"] = token
        return self.request(path, data, headers=headers)


def run_together(count: int, work) -> list:
    """Run work(number, start) in `count` threads; `start.wait()` lines them up. Results in order,
    an exception raised by a thread standing in its place. Each thread closes its own database
    connection, as a request's thread does."""
    import threading

    from django.db import connection

    start = threading.Barrier(count)
    results = [None] * count

    def run(number):
        try:
            results[number] = work(number, start)
        except Exception as error:  # returned, so the caller's assert shows it
            results[number] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return results


def raised(results: list) -> list:
    """The exceptions among run_together's results."""
    return [result for result in results if isinstance(result, Exception)]
