# ruff: noqa: S603 - runs its own fixed commands (initdb, pg_ctl, manage.py, gunicorn, wrk)
"""`make bench`: load-test the site under its production server against the framework's own floor.

Steps, each printed as it goes:

1. PostgreSQL: a throwaway PostgreSQL 15 cluster, started as `.ci/run` starts one (or the
   database in DATABASE_URL when it is set).
2. Data: migrate, `manage.py bench_data --search-pages 10000` (1,000,000 ratings, 20,000 comments,
   10,000 filler pages with sections for search), collectstatic.
3. Server: gunicorn as `make serve` runs it (gunicorn.conf.py, DEBUG off) on a free loopback port.
   It is told it sits behind one proxy (DJANGO_TRUSTED_PROXY_COUNT=1), as in production, and
   each simulated reader sends its own X-Forwarded-For address, so per-reader rate limits
   count per reader rather than counting the whole benchmark as one reader.
4. Load: wrk, for each scenario a warm-up then a measured run at a fixed duration and number of
   connections (benchmarks/wrk/scenario.lua). Scenarios 8 and 9 go through nginx with the
   repository's config (deploy/nginx.conf) in front of the same gunicorn, as `make serve` runs it.
5. Checks: after the rating and mixed scenarios, every rating summary must equal a recount from
   the raw ratings, and every comment that was accepted must be in the database.
6. Results: benchmarks/results/latest.md and latest.json.

Environment: BENCH_DURATION (seconds, default 10), BENCH_WARMUP (3), BENCH_CONNECTIONS (16),
DATABASE_URL (skip the throwaway cluster), BENCH_SKIP_DATA=1 (reuse the data already there),
BENCH_ONLY=1,2,2c (run only these scenarios; the budgets then need 0, 1, 2, 2c, 3, 7, 8, 9 and 10),
BENCH_ROUNDS (alternating rounds of the floors and what is compared with them, default 3;
each reports its median),
BENCH_SEARCH_PAGES (filler pages for search, default 10000).

Search (scenarios 10 and 10a-10f): a mix of six kinds of query (a common word, a rare word, a
typo, a synonym, a phrase, no results) for throughput against the floor in the same run, then
each kind alone for its own p99.
"""

import contextlib
import datetime
import http.client
import json
import multiprocessing
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.postgres import PG_BIN, throwaway_postgres

ROOT = Path(__file__).resolve().parent.parent
WRK_DIR = ROOT / "benchmarks" / "wrk"
RESULTS_DIR = ROOT / "benchmarks" / "results"
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable

DURATION = int(os.environ.get("BENCH_DURATION", "10"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
SEARCH_PAGES = int(os.environ.get("BENCH_SEARCH_PAGES", "10000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
ANON_READERS = 4000
SIGNED_IN_READERS = 300

# Run in alternating rounds: the three floors (bare Django, /robots.txt, nginx's static file)
# and the scenarios whose budgets are ratios to them.
PAIRED = ("0", "1", "2", "2b", "2c", "3", "8", "9", "10")

DYSTONIA = "/conditions/dystonia/"
SMALL_COPY = "/conditions/dystonia-benchmark-copy/"


def say(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def fail(message):
    print(f"make bench: {message}", file=sys.stderr)
    sys.exit(1)


def check_tools(need_postgres: bool):
    missing = []
    if shutil.which("wrk") is None:
        missing.append("wrk (the HTTP load generator): apt-get install -y wrk")
    if need_postgres and not (PG_BIN / "initdb").exists():
        missing.append(f"PostgreSQL 15 server binaries in {PG_BIN}: apt-get install -y postgresql-15")
    if not (ROOT / ".venv" / "bin" / "gunicorn").exists():
        missing.append("gunicorn in .venv: .venv/bin/pip install -r requirements.txt")
    if missing:
        fail("missing tools:\n  " + "\n  ".join(missing))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env, *args):
    started = time.monotonic()
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)
    return time.monotonic() - started


def workers() -> int:
    return 2 * multiprocessing.cpu_count() + 1


# The access log's format as gunicorn.conf.py sets it, with each request's time in microseconds
# added (gunicorn's %(D)s: from reading the request to the last byte written), which
# `service_times` reads back.
SERVICE_TIME = re.compile(r'path="([^"]*)" status=200 .* duration_us=(\d+)')


def access_log_format() -> str:
    import runpy

    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))["access_log_format"] + " duration_us=%(D)s"


@contextlib.contextmanager
def production_server(env, port, log_path, app="dystonia_portal.wsgi:application"):
    """gunicorn as `make serve` starts it (its config file), serving `app`: the site, or the bare
    floor; its access log also gives each request's time (`service_times`)."""
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "--config", "gunicorn.conf.py"]
    command += ["--access-logformat", access_log_format(), app]
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, _ = fetch(port, "/robots.txt")
                if status == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                fail(f"gunicorn did not start; its log is {log_path}")
            time.sleep(0.3)
        say(f"gunicorn ({' '.join(command[1:])}) answering on 127.0.0.1:{port}")
        yield server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def fetch(port, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read().decode("utf-8", "replace")
    finally:
        connection.close()


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STARTED = re.compile(r'name="started" value="([^"]+)"')


def reader_tokens(port, path, number, cookie=""):
    """What a browser holds after opening `path`: its cookies and the form tokens on the page."""
    address = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
    headers = {"X-Forwarded-For": address}
    if cookie:
        headers["Cookie"] = cookie
    status, response_headers, body = fetch(port, path, headers)
    if status != 200:
        fail(f"reading {path} as a simulated reader answered {status}")
    cookies = dict(item.split(";", 1)[0].split("=", 1) for name, item in response_headers if name == "Set-Cookie")
    if cookie:
        cookies.update(dict(part.strip().split("=", 1) for part in cookie.split(";")))
    token = TOKEN.search(body)
    started = STARTED.search(body)
    return {
        "addr": address,
        "cookie": "; ".join(f"{name}={value}" for name, value in cookies.items()),
        "csrf": token.group(1) if token else "",
        "started": started.group(1) if started else "",
    }


def run_wrk(port, name, actions, readers_file, comment_ids=(), duration=DURATION, connections=CONNECTIONS):
    actions_file = Path(tempfile.mkstemp(prefix="bench-actions-", suffix=".tsv")[1])
    actions_file.write_text("".join("\t".join(str(part) for part in action) + "\n" for action in actions))
    env = {
        **os.environ,
        "BENCH_ACTIONS": str(actions_file),
        "BENCH_READERS": str(readers_file),
        "BENCH_THREADS": str(connections),
        "BENCH_COMMENTS": ",".join(str(pk) for pk in comment_ids),
    }
    command = ["wrk", f"-t{connections}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s"]
    command += ["-s", "scenario.lua", f"http://127.0.0.1:{port}"]
    result = subprocess.run(command, cwd=WRK_DIR, env=env, capture_output=True, text=True, check=False)
    actions_file.unlink()
    line = next((line for line in result.stdout.splitlines() if line.startswith("BENCH_JSON ")), None)
    if result.returncode != 0 or line is None:
        fail(f"wrk failed for {name}:\n{result.stdout}\n{result.stderr}")
    figures = json.loads(line.removeprefix("BENCH_JSON "))
    errors = sum(figures["errors"].values())
    seconds = figures["duration_us"] / 1e6
    return {
        "requests": figures["requests"],
        "requests_per_second": round(figures["requests"] / seconds, 1),
        "p50_ms": round(figures["p50_us"] / 1000, 2),
        "p95_ms": round(figures["p95_us"] / 1000, 2),
        "p99_ms": round(figures["p99_us"] / 1000, 2),
        "errors": errors,
        "error_detail": figures["errors"],
        "ok_by_action": figures["ok"],
        "failed_by_action": figures["failed"],
    }


# Scenarios that measure what a request costs rather than how many the machine serves: as many
# connections as cores, so that a request seldom waits for one and its time is its own work.
COST_CONNECTIONS = {"2c": multiprocessing.cpu_count()}


def scenario(port, name, actions, readers_file, comment_ids=(), before_measuring=None):
    connections = COST_CONNECTIONS.get(name.split()[0], CONNECTIONS)
    run_wrk(port, name, actions, readers_file, comment_ids, duration=WARMUP, connections=connections)
    time.sleep(1)  # let requests cut off by the end of the warm-up finish
    if before_measuring:
        before_measuring()
    result = run_wrk(port, name, actions, readers_file, comment_ids, connections=connections)
    say(
        f"{name}: {result['requests_per_second']} requests/s, p50 {result['p50_ms']} ms, "
        f"p99 {result['p99_ms']} ms, {result['errors']} errors"
    )
    return result


def service_times(log_path, since: int) -> dict[str, list[int]]:
    """The time gunicorn took over each successful request logged after byte `since` of its
    log, in microseconds, by path."""
    times = {}
    with open(log_path, "rb") as log:
        log.seek(since)
        for line in log.read().decode("utf-8", "replace").splitlines():
            found = SERVICE_TIME.search(line)
            if found:
                times.setdefault(found.group(1), []).append(int(found.group(2)))
    return times


def prepare_readers(port, readers_file, checks):
    """Each simulated reader opens the page first, as a browser does, for its cookies and form tokens."""
    sessions = checks.signed_in_sessions(SIGNED_IN_READERS)
    say(f"Fetching cookies and form tokens for {ANON_READERS} anonymous and {len(sessions)} signed-in readers")
    with ThreadPoolExecutor(max_workers=8) as pool:
        anonymous = list(pool.map(lambda n: reader_tokens(port, DYSTONIA, n), range(ANON_READERS)))
        signed_in = list(
            pool.map(
                lambda pair: reader_tokens(port, DYSTONIA, 100_000 + pair[0], cookie=pair[1]), enumerate(sessions)
            )
        )
    with readers_file.open("w") as out:
        for pool_name, readers in (("anon", anonymous), ("user", signed_in)):
            for reader in readers:
                out.write(
                    f"{pool_name}\t{reader['addr']}\t{reader['cookie']}\t{reader['csrf']}\t{reader['started']}\n"
                )
    # Signed-out readers' forms carry no token (dystonia_portal/csrf.py); signed-in readers' do.
    if signed_in and not signed_in[0]["csrf"]:
        say("The Dystonia page has no form with a CSRF token for signed-in readers: comments will fail.")


def main():
    check_tools(need_postgres="DATABASE_URL" not in os.environ)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        database_url = os.environ.get("DATABASE_URL")
        if not database_url:
            database_url = stack.enter_context(throwaway_postgres()).url
            say(f"PostgreSQL 15 started: {database_url}")
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_TRUSTED_PROXY_COUNT": "1",
            "DJANGO_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        }
        timings = {}
        timings["migrate_s"] = round(manage(env, "migrate", "--no-input", "-v0"), 1)
        manage(env, "createcachetable")
        if os.environ.get("BENCH_SKIP_DATA") != "1":
            say("Building the benchmark data (manage.py bench_data)")
            timings["bench_data_s"] = round(manage(env, "bench_data", "--search-pages", str(SEARCH_PAGES)), 1)
        manage(env, "collectstatic", "--no-input", "-v0")

        # The checks and the signed-in sessions use the same database, from this process.
        os.environ.update(env)
        import django

        django.setup()
        from benchmarks import checks

        port = free_port()
        work = Path(tempfile.mkdtemp(prefix="dystonia-bench-"))
        stack.callback(shutil.rmtree, work, ignore_errors=True)
        stack.enter_context(production_server(env, port, work / "gunicorn.log"))
        # The first floor: Django itself, no middleware, one view, the same gunicorn settings.
        bare_port = free_port()
        bare_log = work / "gunicorn-bare.log"
        stack.enter_context(production_server(env, bare_port, bare_log, app="benchmarks.bare:application"))
        from deploy import nginx

        proxy_port = free_port()
        # Its own folder, not one inside `work` (0700): nginx's workers run as another user.
        proxy_dir = Path(tempfile.mkdtemp(prefix="dystonia-bench-nginx-"))
        stack.callback(shutil.rmtree, proxy_dir, ignore_errors=True)
        proxy = nginx.start(listen=f"127.0.0.1:{proxy_port}", upstream=f"127.0.0.1:{port}", run_dir=proxy_dir)
        stack.callback(proxy.wait, timeout=10)
        stack.callback(proxy.terminate)
        facts = checks.facts()
        say(f"Data: {facts['data']}")

        dystonia_id = facts["dystonia_id"]
        rate = f"/ratings/pages/{dystonia_id}/rate/"
        rate_body = "csrfmiddlewaretoken={csrf}&score={score}&website="
        comment_post = "/comments/dystonia/add/"
        comment_body = (
            "csrfmiddlewaretoken={csrf}&started={started}&website="
            "&text=Benchmark+filler+comment+{n}.+Written+by+the+load+test,+not+a+person."
        )
        report_body = "csrfmiddlewaretoken={csrf}&reason=spam&details=Benchmark+report+{n}"
        reads = [f"{DYSTONIA}"] + [f"{DYSTONIA}{slug}/" for slug in facts["dystonia_subpages"]]
        mixed = [(round(90 / len(reads), 3), "read", "GET", path, "", "none") for path in reads]
        mixed += [
            (4, "rating", "POST", rate, rate_body, "anon"),
            (4, "rating_other_page", "POST", f"/ratings/pages/{facts['other_page_id']}/rate/", rate_body, "anon"),
            (1, "comment", "POST", comment_post, comment_body, "user"),
            (1, "report", "POST", "/comments/{comment}/report/", report_body, "user"),
        ]
        plans = [
            ("0 floor: bare Django view, no middleware", [(1, "get", "GET", "/robots.txt", "", "none")]),
            ("1 floor: /robots.txt", [(1, "get", "GET", "/robots.txt", "", "none")]),
            ("2 Dystonia page, anonymous", [(1, "get", "GET", DYSTONIA, "", "none")]),
            ("2b Dystonia copy with 10 ratings and 20 comments", [(1, "get", "GET", SMALL_COPY, "", "none")]),
            (
                f"2c Dystonia page and its copy, interleaved, {COST_CONNECTIONS['2c']} connections",
                [(1, "big", "GET", DYSTONIA, "", "none"), (1, "small", "GET", SMALL_COPY, "", "none")],
            ),
            ("3 Dystonia page, signed-in commenter", [(1, "get", "GET", DYSTONIA, "", "user")]),
            ("4 Dystonia comments page 50", [(1, "get", "GET", f"{DYSTONIA}?comments-page=50", "", "none")]),
            ("5 search for dystonia", [(1, "get", "GET", "/search/?q=dystonia", "", "none")]),
            ("6 rating POSTs, distinct anonymous readers", [(1, "rating", "POST", rate, rate_body, "anon")]),
            ("7 mixed: 90% reads, 8% ratings, 2% comments and reports", mixed),
            ("8 floor: nginx serving a static file", [(1, "get", "GET", "/static/css/main.css", "", "none")]),
            ("9 Dystonia page, anonymous, through nginx", [(1, "get", "GET", DYSTONIA, "", "none")]),
        ]
        searches = checks.search_queries()
        say(f"Search queries: {searches}")
        plans.append(
            (
                "10 search: mix of six kinds of query",
                [(1, kind, "GET", query["path"], "", "none") for kind, query in searches.items()],
            )
        )
        for letter, (kind, query) in zip("abcdef", searches.items(), strict=True):
            plans.append(
                (f"10{letter} search, {kind}: {query['label']}", [(1, "get", "GET", query["path"], "", "none")])
            )
        # Through nginx rather than straight to gunicorn.
        ports = {"0": bare_port, "8": proxy_port, "9": proxy_port}
        only = os.environ.get("BENCH_ONLY", "").split(",")
        plans = [(name, actions) for name, actions in plans if only == [""] or name.split()[0] in only]
        readers_file = work / "readers.tsv"
        readers_file.touch()  # wrk's script reads it even when no scenario needs readers
        if any(action[5] != "none" for _, actions in plans for action in actions):
            prepare_readers(port, readers_file, checks)
        results = {}
        consistency = {}
        # The three floors and what each budget compares with them run in alternating rounds, and
        # each reports its median round: load from elsewhere on the machine hits them alike.
        paired = [(name, actions) for name, actions in plans if name.split()[0] in PAIRED]
        rounds = {name: [] for name, _ in paired}
        log_path = work / "gunicorn.log"
        for round_number in range(ROUNDS):
            for name, actions in paired:
                mark = {}
                run = scenario(
                    ports.get(name.split()[0], port),
                    f"{name} (round {round_number + 1})",
                    actions,
                    readers_file,
                    before_measuring=lambda mark=mark: mark.update(since=log_path.stat().st_size),
                )
                if name.startswith("2c "):
                    time.sleep(1)  # the last requests' log lines
                    run["service_us"] = checks.service_medians(
                        service_times(log_path, mark["since"]), DYSTONIA, SMALL_COPY
                    )
                    say(f"  gunicorn's time per request: {run['service_us']}")
                rounds[name].append(run)
        for name, runs in rounds.items():
            results[name] = sorted(runs, key=lambda run: run["requests_per_second"])[len(runs) // 2]
            results[name]["rounds_requests_per_second"] = [run["requests_per_second"] for run in runs]
            if name.startswith("2c "):
                results[name]["rounds_service_us"] = [run["service_us"] for run in runs]
        for name, actions in plans:
            if name in rounds:
                continue
            before = {}
            results[name] = scenario(
                ports.get(name.split()[0], port),
                name,
                actions,
                readers_file,
                facts["reportable_comment_ids"],
                before_measuring=lambda before=before: before.update(checks.counts()),
            )
            if name[0] in "67":
                time.sleep(1)  # requests cut off when wrk stopped finish on the server
                consistency[name] = checks.consistency(before, checks.counts(), results[name], CONNECTIONS)
                say(f"{name}: {consistency[name]['verdict']}")

        render = checks.render_cost()
        say(f"In-process render cost (no fragment cache): {render}")
        from benchmarks import middleware_profile

        profile = {"middleware": middleware_profile.middleware_costs(), "hot": middleware_profile.hot_functions()}
        say("Middleware profile of /robots.txt (in-process CPU time per request):")
        for row in profile["middleware"]:
            say(f"  {row['total_us']:>8} us ({row['adds_us']:+} us) {row['middleware']}")

    runs = {name.split()[0]: result for name, result in results.items()}
    for number, result in runs.items():
        result["ratio_to_floor"] = checks.ratio(runs, number, "1")
        if number == "1":
            result["ratio_to_bare_floor"] = checks.ratio(runs, "1", "0")
    report = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu_count": multiprocessing.cpu_count(),
        "gunicorn_workers": workers(),
        "duration_s": DURATION,
        "warmup_s": WARMUP,
        "connections": CONNECTIONS,
        "data": facts["data"],
        "rate_limits": "per simulated reader (X-Forwarded-For through one trusted proxy)"
        if checks.proxy_aware()
        else "lifted for the run: this branch has no proxy-aware client address",
        "timings": {**timings, "total_s": round(time.monotonic() - started, 1)},
        "scenarios": results,
        "consistency": consistency,
        "render_cost": render,
        "budgets": checks.budgets(results, render, consistency) + checks.search_budgets(results),
        "middleware_profile": profile,
        "search_queries": searches,
    }
    (RESULTS_DIR / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS_DIR / "latest.md").write_text(markdown(report))
    print(markdown(report))
    say(f"Done in {report['timings']['total_s']}s; results in benchmarks/results/latest.md and latest.json")


def markdown(report) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"{report['date']}, {report['cpu_count']} CPUs, gunicorn with {report['gunicorn_workers']} sync workers, "
        f"PostgreSQL 15 on the same machine. wrk: {report['connections']} connections, "
        f"{report['warmup_s']} s warm-up, then {report['duration_s']} s measured per scenario.",
        "",
        f"Data: {report['data']}. Rate limits: {report['rate_limits']}.",
        "",
        f"Scenarios {', '.join(PAIRED)} ran in {ROUNDS} alternating rounds; each shows its median round, and",
        'a ratio between two of them is the median of their per-round ratios. "Ratio to floor" is to',
        "scenario 1, our own `/robots.txt`.",
        "",
        "| Scenario | Requests/s | p50 ms | p95 ms | p99 ms | Errors | Ratio to floor |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in report["scenarios"].items():
        lines.append(
            f"| {name} | {r['requests_per_second']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} "
            f"| {r['errors']} | {r['ratio_to_floor']} |"
        )
    lines += ["", "## Nothing lost under load", ""]
    for name, check in report["consistency"].items():
        lines.append(f"- {name}: {check['verdict']}")
    lines += ["", "## Budgets", ""]
    for budget in report["budgets"]:
        lines.append(f"- {'PASS' if budget['pass'] else 'FAIL'}: {budget['budget']}: {budget['measured']}")
    render = report["render_cost"]
    lines += [
        "",
        f"## Rendering cost against data size (in-process, median of {render['rounds']} paired rounds)",
        "",
        "| Page | Cold (caches cleared) | Warm |",
        "| --- | ---: | ---: |",
        f"| Dystonia, 200,000 ratings and 20,000 comments | {render['big_cold_ms']} ms, "
        f"{render['big_cold_queries']} queries | {render['big_warm_ms']} ms, {render['big_warm_queries']} queries |",
        f"| Dystonia copy, 10 ratings and 20 comments | {render['small_cold_ms']} ms, "
        f"{render['small_cold_queries']} queries | {render['small_warm_ms']} ms, "
        f"{render['small_warm_queries']} queries |",
        f"| Big over small (median of the rounds' ratios: the budget) | {render['cold_ratio']} "
        f"| {render['warm_ratio']} |",
        f"| Big over small (ratio of the medians) | {render['cold_ratio_of_medians']} "
        f"| {render['warm_ratio_of_medians']} |",
        "",
        "## What each middleware costs `/robots.txt` (in-process CPU time per request)",
        "",
        "| With the middleware up to | Per request | Added |",
        "| --- | ---: | ---: |",
        *(
            f"| `{row['middleware']}` | {row['total_us']} us | {row['adds_us']:+} us |"
            for row in report["middleware_profile"]["middleware"]
        ),
        "",
        "The whole stack under cProfile, top functions by own time:",
        "",
        "```",
        report["middleware_profile"]["hot"].strip(),
        "```",
        "",
        f"Timings: {report['timings']}.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
