"""Each process's memory of condition pages' versions, trusted only while PostgreSQL says what changed.

A shared reader's page comes whole from the cache once its versions are known
(conditions.views.page_detail), and reading them is the only query such a page costs. This
memo spares that query too: every statement that moves a counter row also sends a NOTIFY
(conditions.version_triggers.notify_trigger_sql), which PostgreSQL delivers when its
transaction commits, and a thread in each process LISTENs and forgets everything it was
told. So:

- A notification empties the memo. A lookup that began before it is not remembered (the
  memo's generation moved meanwhile), so nothing read before a change outlives it.
- The memo is trusted only while the listening connection is up. When it drops (PostgreSQL
  restarting, a network fault) the memo is emptied and lookups go to the database until the
  thread is listening again.
- An entry is kept at most settings.PAGE_CACHE_SECONDS, the longest a signed-out reader may
  see an old page anyway (an HTTP cache in front may keep it that long), so even a
  notification lost without the connection noticing cannot hold a page back for longer (a
  session at most accounts.sessions.REMEMBERED_SECONDS, and never past its end).

Shared readers use it (they have no session, so they wrote nothing), and so do members: a
change reaches them as soon as PostgreSQL delivers its notification (here a median of 0.05 ms
after the commit returned, 1.3 ms at most in 200 tries with the test suite running beside).
A member must also see their own writes at once, before any notification: every one of them
moves the member's own version (accounts.MemberVersion) in its transaction, and each request
reads that version with the account. So a member (`writer`, their version) is served only
lookups that began after this process first saw that version of theirs, which began after
their last write committed and so read what it wrote. Everyone else (a signed-out reader with
a session, an editor previewing drafts) reads versions from the database on every request.

Sessions are remembered here too (accounts.sessions), under the browser's write mark: writes
to sessions, accounts and member versions notify the same channel (accounts migration 0005),
so one listener, and any change at all, empties both. A member's request after one of their
own writes carries a new mark, so it reads their session, and with it their version, from the
database. Off with settings.PAGE_VERSIONS_LISTEN (SQLite has no notifications; the tests'
transactions are rolled back, never committed, so they never notify).
"""

import contextlib
import logging
import os
import select
import threading
import time

from django.conf import settings
from django.db import connections

from .version_triggers import NOTIFY_CHANNEL

logger = logging.getLogger(__name__)

# Seconds between the listener's checks that its connection still answers, and between attempts
# to listen again after it failed.
HEARTBEAT_SECONDS = 5
RETRY_SECONDS = 1
# More remembered addresses (a crawler walking every page), or more members' versions, than
# this and the memo starts again.
MAX_ENTRIES = 20000


class VersionsMemo:
    """Remembered lookups, emptied on every notification; used only while `listening`."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = {}  # key: (value, expires, when its lookup began)
        self._writers_seen = {}  # a member's version: when this process first saw it
        self.generation = 0
        self.listening = False

    def lookup(self, key, find, *, writer: str | None = None, keep_for=None):
        """`find()`'s answer for `key`, from memory when the listener vouches for it (and, for
        `writer`, a member's version, only an answer looked up since this process first saw it).
        `keep_for(answer)`: how many seconds to remember it (none: not remembered), by default
        settings.PAGE_CACHE_SECONDS."""
        if not self.listening:
            return find()
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            generation = self.generation
            not_before = self._first_seen(writer, now) if writer is not None else 0.0
        if entry is not None and entry[1] > now and entry[2] >= not_before:
            return entry[0]
        value = find()
        seconds = settings.PAGE_CACHE_SECONDS if keep_for is None else keep_for(value)
        if not seconds or seconds <= 0:
            return value
        with self._lock:
            # Not if anything changed since the lookup began: it may have read the old versions.
            if self.listening and self.generation == generation:
                if len(self._entries) >= MAX_ENTRIES:
                    self._entries.clear()
                self._entries[key] = (value, now + seconds, now)
        return value

    def _first_seen(self, writer: str, now: float) -> float:
        """When this process first saw `writer` (a member's version), `now` if this is the first
        time. Forgetting is safe: it only makes the member's next lookup go to the database."""
        if writer not in self._writers_seen and len(self._writers_seen) >= MAX_ENTRIES:
            self._writers_seen.clear()
        return self._writers_seen.setdefault(writer, now)

    def forget(self, *, listening: bool) -> None:
        """Something changed (or the listener stopped or started): forget everything remembered."""
        with self._lock:
            self._entries.clear()
            self.generation += 1
            self.listening = listening


class Listener(threading.Thread):
    """LISTENs on its own connection and empties `memo` whenever a version moves."""

    def __init__(self, memo: VersionsMemo, alias: str = "default"):
        super().__init__(name="page-versions-listener", daemon=True)
        self.memo = memo
        self.alias = alias
        self.stopping = threading.Event()
        self.raw = None
        self.marker = ""  # the last marker received (`received`)
        self.failing = False
        self._wake, self._woken = os.pipe()  # `stop` writes to it, so the wait ends at once

    def run(self):
        while not self.stopping.is_set():
            try:
                self.listen()
            except Exception:  # any failure of the connection: stop trusting the memo, then retry
                if not self.stopping.is_set() and not self.failing:  # once an outage, not every retry
                    logger.warning("Listening for page version changes failed; retrying.", exc_info=True)
                self.failing = True
            finally:
                self.memo.forget(listening=False)
                self.close()
            self.stopping.wait(RETRY_SECONDS)

    def listen(self):
        wrapper = connections[self.alias]
        self.raw = wrapper.get_new_connection(wrapper.get_connection_params())
        self.raw.autocommit = True
        with self.raw.cursor() as cursor:
            cursor.execute(f"LISTEN {NOTIFY_CHANNEL}")
        # Listening from here on: whatever commits now will be delivered.
        self.memo.forget(listening=True)
        if self.failing:
            logger.warning("Listening for page version changes again.")
            self.failing = False
        while not self.stopping.is_set():
            readable, _, _ = select.select([self.raw, self._wake], [], [], HEARTBEAT_SECONDS)
            if self.raw in readable:
                self.raw.poll()  # raises when the connection has gone
            elif not readable:
                with self.raw.cursor() as cursor:
                    cursor.execute("SELECT 1")
            # Whatever arrived, while polling or while the check ran.
            if self.raw.notifies:
                self.received([notify.payload for notify in self.raw.notifies])
                self.raw.notifies.clear()

    def received(self, payloads: list[str]) -> None:
        """The triggers' notifications carry no payload: forget everything. One with a payload is
        a marker some process sent to learn that this listener has caught up with everything
        committed before it (PostgreSQL delivers in commit order): noted, once the rest is done."""
        if any(not payload for payload in payloads):
            self.memo.forget(listening=True)
        markers = [payload for payload in payloads if payload]
        if markers:
            self.marker = markers[-1]

    def close(self):
        if self.raw is not None:
            with contextlib.suppress(Exception):  # already broken: nothing more to do with it
                self.raw.close()
            self.raw = None

    def stop(self):
        self.stopping.set()
        os.write(self._woken, b"x")
        self.join(timeout=HEARTBEAT_SECONDS + 1)
        os.close(self._wake)
        os.close(self._woken)


memo = VersionsMemo()
_listener: Listener | None = None
_listener_pid: int | None = None
_start_lock = threading.Lock()


def remembered(key, find, *, writer: str | None = None, keep_for=None):
    """`find()` (a page's versions, a session), from this process's memo when that is on and can
    be trusted (for `writer`, a member's own version, only what was looked up after their last
    write; `keep_for`, VersionsMemo.lookup)."""
    if not settings.PAGE_VERSIONS_LISTEN or connections["default"].vendor != "postgresql":
        return find()  # off: nothing remembered, whatever a parent process left in the memo
    ensure_listening()
    return memo.lookup(key, find, writer=writer, keep_for=keep_for)


def ensure_listening() -> None:
    """Start this process's listener (once per process: gunicorn forks its workers after loading us)."""
    global _listener, _listener_pid
    if _listener_pid == os.getpid():
        return
    with _start_lock:
        if _listener_pid != os.getpid():
            memo.forget(listening=False)  # a forked child trusts nothing its parent remembered
            _listener = Listener(memo)
            _listener.start()
            _listener_pid = os.getpid()


def stop_listening() -> None:
    """Stop this process's listener and forget the memo (tests; a process that is ending)."""
    global _listener, _listener_pid
    with _start_lock:
        if _listener is not None:
            _listener.stop()
        _listener = None
        _listener_pid = None
        memo.forget(listening=False)
