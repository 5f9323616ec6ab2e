"""`make bench`: a fresh database with the bench data, gunicorn on 127.0.0.1, and wrk
against each endpoint in turn (8 connections, a few seconds each).

    python -m planner.bench.run            # SQLite under instance/bench/
    BENCH_DATABASE_URL=postgresql+psycopg://... python -m planner.bench.run

Results: bench/results/latest-<db>.json and a table on stdout. The server's log is
checked for errors, and wrk's counts for 5xx answers.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text

import planner.database  # noqa: F401 - SQLite: foreign keys enforced here too

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
INSTANCE = ROOT / "instance" / "bench"
RESULTS = ROOT / "bench" / "results"
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
# Unrecorded load before each endpoint's run: every worker compiles its templates and
# statements and opens its connections once, as a server that has been up a while has.
WARMUP_SECONDS = int(os.environ.get("BENCH_WARMUP", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
# While working on some rows: BENCH_ONLY="agenda item,circulated" measures only the rows
# whose names hold one of these (and the ceiling); the report says which were left out.
ONLY = [part.strip() for part in os.environ.get("BENCH_ONLY", "").split(",") if part.strip()]
# Clients that write at once, each on a row of its own (the bench data has that many).
WRITERS = 8
# Flask-Login ties a session to the client's address and User-Agent: one for every client.
USER_AGENT = "planner-bench"
CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')

# wrk reports through this: latency percentiles (microseconds), requests, errors.
LUA = r"""
wrk.method = [[%(method)s]]
wrk.body = [[%(body)s]]
%(headers)s
%(script)s
done = function(summary, latency, requests)
  local f = io.open([[%(out)s]], "w")
  f:write(string.format(
    '{"requests": %%d, "duration_us": %%d, "status_errors": %%d, "socket_errors": %%d,' ..
    ' "p50": %%d, "p95": %%d, "p99": %%d, "max": %%d, "mean": %%f}',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    latency.mean))
  f:close()
end
"""


# Writes: each connection on a thread of its own, sending its own client's steps in turn
# (e.g. move up, move down); every thread's Lua state reads `clients` from the script. A
# client that `tracks` its ETag sends it back in If-Match (minutes refuse a save without).
WRITERS_LUA = r"""
clients = %(clients)s
made = 0
function setup(thread)
  made = made + 1
  thread:set("index", made)
end
function init(args)
  client = clients[(index - 1) %% #clients + 1]
  n = 0
  etag = client.etag
end
function request()
  n = n + 1
  local step = client.steps[(n - 1) %% #client.steps + 1]
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  if client.tracks then headers["If-Match"] = etag end
  return wrk.format(step[1], step[2], headers, step[3])
end
function response(status, headers, body)
  if client.tracks and headers["ETag"] then etag = headers["ETag"] end
end
"""


def _lua(value: Any) -> str:
    """A Lua literal of lists, dicts, strings, numbers and booleans."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return "[==[" + value + "]==]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_lua(v)}" for k, v in value.items()) + "}"
    return "{" + ", ".join(_lua(v) for v in value) + "}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_database(url: str | None) -> tuple[str, str]:
    INSTANCE.mkdir(parents=True, exist_ok=True)
    if not url:
        path = INSTANCE / "bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return "sqlite:///" + str(path), "sqlite"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url, "postgresql"


def main() -> int:
    url, kind = fresh_database(os.environ.get("BENCH_DATABASE_URL"))
    env = {**os.environ, "PLANNER_DATABASE_URL": url,
           "PLANNER_SECRET_KEY": os.environ.get("PLANNER_SECRET_KEY") or os.urandom(16).hex(),
           "PLANNER_SECURE_COOKIES": "0",  # plain http on 127.0.0.1
           "PLANNER_API_RATE_LIMIT": "1000000 per minute",  # measure the API, not the limiter
           "PLANNER_OUTBOX_SEND_AFTER_COMMIT": "0"}
    planner = str(BIN / "planner")
    subprocess.run([planner, "db", "upgrade"], env=env, check=True, capture_output=True)
    data_file = INSTANCE / "data.json"
    started = time.perf_counter()
    subprocess.run([planner, "bench-data", "--json-out", str(data_file)], env=env, check=True)
    load_seconds = time.perf_counter() - started
    data = json.loads(data_file.read_text())
    data["_url"] = url

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = INSTANCE / f"server-{kind}.log"
    log = log_path.open("w")
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "python:planner.gunicorn_conf", "--workers", "2",
         "--bind", f"127.0.0.1:{port}",
         "--error-logfile", "-", "--log-level", "info", "planner:create_app()"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        wait_for(base + "/healthz")
        results = measure(base, data)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    problems = [line for line in log_path.read_text().splitlines()
                if re.search(r"Traceback|\bERROR\b|Exception|CRITICAL", line)]
    report = {
        "database": kind, "scale": data["scale"], "seconds_per_endpoint": SECONDS,
        "connections": CONNECTIONS, "workers": 2, "cpus": os.cpu_count(),
        "only": ONLY,
        "bench_data_seconds": round(load_seconds, 1), "bench_data_rows": data["rows"],
        "feed_meetings": data["feed_meetings"], "agenda_builds": results.pop("_builds"),
        "first_feed_build_ms": results.pop("_first_feed"),
        "feed_after_change": results.pop("_after_change"),
        "secretariat_feed_meetings": data["secretariat_feed_meetings"],
        "secretariat_feed": results.pop("_secretariat_feed"),
        "exports": results.pop("_exports"),
        "server_log_errors": problems[:20], "endpoints": results,
    }
    report["targets"] = targets(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"latest-{kind}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print_table(report)
    print(f"\nResults: {out.relative_to(ROOT)}; server log: {log_path.relative_to(ROOT)}")
    bad = sum(r["status_errors"] + r["socket_errors"] for r in results.values())
    print(f"Server log errors: {len(problems)}; error answers or socket errors: {bad}")
    return 1 if problems or bad else 0


def wait_for(url: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:  # refused, or not answering yet
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer on {url}")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def sign_in(base: str, email: str, password: str) -> tuple[Any, Any]:
    """Sign in once (sign-in is throttled) and reuse the session cookie."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    opener.addheaders = [("User-Agent", USER_AGENT)]
    page = opener.open(base + "/login").read().decode()
    token = CSRF.search(page).group(1)
    body = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token})
    try:
        opener.open(base + "/login", body.encode())
    except urllib.error.HTTPError as answer:  # the 302 after signing in
        if answer.code not in (302, 303):
            raise
    return jar, opener


def measure(base: str, data: dict[str, Any]) -> dict[str, Any]:
    jar, opener = sign_in(base, data["person_email"], data["password"])
    meeting, dialogue = data["big_meeting_id"], data["big_dialogue_id"]
    draft = opener.open(f"{base}/meetings/{meeting}/agenda/draft").read().decode()
    csrf = CSRF.search(draft).group(1)
    # After the page above: the session now holds the CSRF secret too.
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    feed = f"/calendar/{data['feed_token']}.ics"
    # The first request builds the feed (then kept under its ETag): the cost of a feed
    # after a change, once per worker.
    started = time.perf_counter()
    urllib.request.urlopen(base + feed).read()
    first_feed = round((time.perf_counter() - started) * 1000, 1)
    # A secretariat's feed of every meeting, built from nothing (before any row below
    # builds it): its first bytes, and the whole.
    secretariat_first = first_build(f"{base}/calendar/{data['secretariat_feed_token']}.ics")

    database = create_engine(data["_url"])  # for the changes made between requests
    try:
        # A feed after a change to one of its meetings, as a client polling then fetches
        # it: rebuilt from the events kept of the other meetings (each worker keeps its own).
        after_change = feed_after_changes(base + feed, database, data["big_meeting_id"])
        builds = agenda_builds(opener, f"{base}/meetings/{meeting}/agenda/build", csrf,
                               database, meeting)
    finally:
        database.dispose()

    page = {"Cookie": cookie}
    api = {"Authorization": f"Bearer {data['api_token']}"}
    form = {**page, "Content-Type": "application/x-www-form-urlencoded"}
    # The feed as it is now, after the changes above: what a client polling it holds.
    etag = urllib.request.urlopen(base + feed).headers["ETag"]
    # name, method, path, headers, body, connections, the status every answer must have
    endpoints = [
        ("healthz (ceiling)", "GET", "/healthz", {}, "", CONNECTIONS, 200),
        ("dashboard", "GET", "/", page, "", CONNECTIONS, 200),
        ("dialogue page", "GET", f"/dialogues/{dialogue}", page, "", CONNECTIONS, 200),
        ("meeting page", "GET", f"/meetings/{data['past_meeting_id']}", page, "", CONNECTIONS,
         200),
        # The big dialogue's next meeting, its draft agenda of 7,000 items built above.
        ("meeting page, big draft", "GET", f"/meetings/{meeting}", page, "", CONNECTIONS, 200),
        # That draft itself: 7,000 items numbered and timed, long sections a run at a time.
        ("draft agenda, big", "GET", f"/meetings/{meeting}/agenda/draft", page, "",
         CONNECTIONS, 200),
        # Builds write: one client, as a chair would (and SQLite has one writer).
        ("agenda build (POST)", "POST", f"/meetings/{meeting}/agenda/build", form,
         f"csrf_token={csrf}", 1, 303),
        ("feed, fresh", "GET", feed, {}, "", CONNECTIONS, 200),
        ("feed, 304", "GET", feed, {"If-None-Match": etag}, "", CONNECTIONS, 304),
        ("dialogue .ics", "GET", f"/dialogues/{dialogue}/calendar.ics", page, "", CONNECTIONS,
         200),
        ("API dialogues", "GET", "/api/v1/dialogues", api, "", CONNECTIONS, 200),
        ("API commitments", "GET", f"/api/v1/dialogues/{dialogue}/commitments", api, "",
         CONNECTIONS, 200),
        ("API meetings", "GET", f"/api/v1/dialogues/{dialogue}/meetings", api, "", CONNECTIONS,
         200),
        ("API action items", "GET", "/api/v1/action-items", api, "", CONNECTIONS, 200),
        ("API participants", "GET", "/api/v1/participants", api, "", CONNECTIONS, 200),
    ]
    results: dict[str, Any] = {"_builds": builds, "_first_feed": first_feed,
                               "_after_change": after_change}
    run_endpoints(base, endpoints, results)
    run_endpoints(base, writes_and_exports(base, data, page, api), results)
    results["_exports"] = {
        name: timed_once(base + f"/meetings/{data['big_meeting_id']}/agenda/v1.{kind}", page)
        for name, kind in (("agenda v1 .docx, big", "docx"), ("agenda v1 .pdf, big", "pdf"))}
    results["_secretariat_feed"] = {**secretariat_first, **secretariat_feed(base, data)}
    secretariat = f"/calendar/{data['secretariat_feed_token']}.ics"
    etag = urllib.request.urlopen(base + secretariat).headers["ETag"]
    run_endpoints(base, [("secretariat feed, 304", "GET", secretariat,
                          {"If-None-Match": etag}, "", CONNECTIONS, 304)], results)
    ceiling = results["healthz (ceiling)"]["rps"]
    for name, result in results.items():
        if not name.startswith("_"):
            result["ratio_to_ceiling"] = round(result["rps"] / ceiling, 3)
    return results


def run_endpoints(base: str, endpoints: list[tuple], results: dict[str, Any]) -> None:
    """wrk on each endpoint, after checking it answers the status it is there to measure.
    A write's `clients` (a function: what each client sends, made afresh for each run)
    replace its method, path and body."""
    for name, method, path, headers, body, connections, expected, *more in endpoints:
        if ONLY and name != "healthz (ceiling)" and not any(part in name for part in ONLY):
            continue
        clients = more[0] if more else None
        if clients is not None:
            first = clients()[0]
            method, path, body = first["steps"][0]
            checked = {**headers, **({"If-Match": first["etag"]} if first.get("tracks") else {})}
            status = check(base + path, method, checked, body)
        else:
            status = check(base + path, method, headers, body)
        if status != expected:
            raise SystemExit(f"{name}: {method} {path} answered {status}, not {expected}: "
                             "its figures would measure another answer")
        if WARMUP_SECONDS:
            wrk(base + path, method, headers, body, connections, WARMUP_SECONDS,
                clients=clients() if clients else None)
        result = wrk(base + path, method, headers, body, connections,
                     clients=clients() if clients else None)
        result["status"] = status
        results[name] = result
        print(f"  {name:<27} {result['rps']:>8.1f} req/s  p95 {result['p95_ms']:>7.1f} ms",
              flush=True)


def writes_and_exports(base: str, data: dict[str, Any], page: dict[str, str],
                       api: dict[str, str]) -> list[tuple]:
    """The rows after the reads: edits of the big draft by 8 clients, each on an item of
    its own; then that draft circulated (v1), its draft page compared with v1 and v1
    exported; minutes saved and action items closed and reopened, each client its own;
    a search; and a secretariat's feed of every meeting."""
    meeting = data["big_meeting_id"]
    json_api = {**api, "Content-Type": "application/json"}
    database = create_engine(data["_url"])
    try:
        with database.connect() as connection:
            items = connection.execute(text(
                "SELECT agenda_item.id FROM agenda_item JOIN agenda ON agenda.id = "
                "agenda_item.agenda_id WHERE agenda.meeting_id = :meeting AND "
                "agenda_item.kind = 'commitment' AND NOT agenda_item.dismissed "
                "ORDER BY agenda_item.position"), {"meeting": meeting}).scalars().all()
    finally:
        database.dispose()
    # Spread over the draft, three sets of WRITERS: to move, to remove, to add after.
    picked = items[::max(1, len(items) // (3 * WRITERS + 1))][1:3 * WRITERS + 1]
    moving, removing, adding = (picked[n * WRITERS:(n + 1) * WRITERS] for n in range(3))
    items_path = f"/api/v1/meetings/{meeting}/agenda/items"

    def each(idents: list[int], *steps: tuple[str, str, str]) -> Any:
        return lambda: [{"steps": [(method, path.replace("ID", str(ident)),
                                    body.replace("ID", str(ident)))
                                   for method, path, body in steps]} for ident in idents]

    def reopened_first(idents: list[int], clients: Any) -> Any:
        """Each client closes then reopens its action item; closing one that is closed
        already is refused (422). Every run (the check, the warm-up, the recorded one)
        starts from open items, whichever step the run before stopped on."""
        def reopen_then() -> list[dict[str, Any]]:
            for ident in idents:
                check(f"{base}/api/v1/action-items/{ident}", "PATCH", json_api, REOPEN)
            return clients()
        return reopen_then

    def minutes_clients() -> list[dict[str, Any]]:
        clients = []
        for n, ident in enumerate(data["draft_minutes_meeting_ids"]):
            path = f"/api/v1/meetings/{ident}/minutes"
            request = urllib.request.Request(base + path, headers={**api,
                                                                  "User-Agent": USER_AGENT})
            with urllib.request.urlopen(request) as answer:
                tag = answer.headers["ETag"]
            steps = [("PUT", path, json.dumps({"summary": f"Client {n}, save {k}: the "
                                                          "participants reviewed progress.",
                                               "notes": [], "attendance": []}))
                     for k in range(2)]
            clients.append({"steps": steps, "etag": tag, "tracks": True})
        return clients

    # v1 of the big draft, then one edit: the draft page measured next compares the whole
    # draft with v1 (before the writes below add numbered items to it).
    status = check(base + f"/api/v1/meetings/{meeting}/agenda/circulate", "POST", json_api,
                   "{}")
    if status != 201:
        raise SystemExit(f"circulating the big agenda answered {status}, not 201")
    status = check(base + f"{items_path}/{moving[0]}", "PATCH", json_api, '{"move": "down"}')
    if status != 200:
        raise SystemExit(f"moving an item of the big draft answered {status}, not 200")
    secretariat = f"/calendar/{data['secretariat_feed_token']}.ics"
    return [
        # The draft once v1 is circulated: the page says what changed since.
        ("circulated draft page", "GET", f"/meetings/{meeting}/agenda/draft", page, "",
         CONNECTIONS, 200),
        ("agenda item move (API)", "PATCH", "", json_api, "", WRITERS, 200,
         each(moving, ("PATCH", items_path + "/ID", '{"move": "up"}'),
              ("PATCH", items_path + "/ID", '{"move": "down"}'))),
        ("agenda item remove (API)", "PATCH", "", json_api, "", WRITERS, 200,
         each(removing, ("PATCH", items_path + "/ID", '{"removed": true}'),
              ("PATCH", items_path + "/ID", '{"removed": false}'))),
        ("agenda item add (API)", "POST", "", json_api, "", WRITERS, 201,
         each(adding, ("POST", items_path, '{"title": "Item of the benchmark", '
                                           '"duration_minutes": 5, "after": ID}'))),
        ("minutes save (API)", "PUT", "", json_api, "", WRITERS, 200, minutes_clients),
        ("action item close (API)", "PATCH", "", json_api, "", WRITERS, 200,
         reopened_first(data["action_item_ids"], each(
             data["action_item_ids"],
             ("PATCH", "/api/v1/action-items/ID", '{"status": "done", "outcome": "Done."}'),
             ("PATCH", "/api/v1/action-items/ID", REOPEN)))),
        ("search", "GET", "/search?q=ports", page, "", CONNECTIONS, 200),
        ("secretariat feed, fresh", "GET", secretariat, {}, "", CONNECTIONS, 200),
    ]


REOPEN = '{"status": "open", "reason": "Reopened by the benchmark."}'


def timed_once(url: str, headers: dict[str, str]) -> dict[str, Any]:
    """One request, timed, whatever it answers: an export of thousands of items can take
    longer than a wrk run (or than gunicorn lets a worker take: then 500, and the run
    fails on the server's log)."""
    request = urllib.request.Request(url, headers={**headers, "User-Agent": USER_AGENT})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            size, status = len(answer.read()), answer.status
    except urllib.error.HTTPError as answer:
        size, status = 0, answer.code
    ms = round((time.perf_counter() - started) * 1000, 1)
    print(f"  {url.rsplit('/', 1)[-1]:<27} answered {status} in {ms} ms ({size} bytes)",
          flush=True)
    return {"status": status, "ms": ms, "bytes": size}


def first_build(url: str) -> dict[str, Any]:
    """A feed fetched once: when its first bytes arrived, and its last."""
    started = time.perf_counter()
    with urllib.request.urlopen(url) as answer:
        answer.read(1)
        first_byte = time.perf_counter() - started
        answer.read()
    return {"first_ms": round((time.perf_counter() - started) * 1000, 1),
            "first_byte_ms": round(first_byte * 1000, 1)}


def secretariat_feed(base: str, data: dict[str, Any]) -> dict[str, Any]:
    """A secretariat's feed of every meeting, with both workers holding it, fetched
    after each change to one of its meetings as a polling client would."""
    url = f"{base}/calendar/{data['secretariat_feed_token']}.ics"
    wrk(url, "GET", {}, "", CONNECTIONS, 2)  # every worker builds it once
    database = create_engine(data["_url"])
    try:
        return feed_after_changes(url, database, data["big_meeting_id"])
    finally:
        database.dispose()


def feed_after_changes(url: str, database: Engine, meeting_id: int,
                       times: int = 40) -> dict[str, Any]:
    """Change a meeting of the feed (its venue, as the secretariat would), then fetch
    the feed as a polling client that held the old one would: the time until it has
    the new one. On PostgreSQL a worker learns of another process's change by a
    notification, which may reach it a moment after the commit: a poll within that
    moment is still answered 304, and the client's next poll gets the change (counted
    in `stale_answers`, and timed from the first poll)."""
    etag = urllib.request.urlopen(url).headers["ETag"]
    timings, stale = [], 0
    for n in range(times):
        with database.begin() as connection:
            connection.execute(text("UPDATE meeting SET venue = :venue WHERE id = :id"),
                               {"venue": f"Conference room {n}", "id": meeting_id})
        started = time.perf_counter()
        while True:
            request = urllib.request.Request(url, headers={"If-None-Match": etag})
            try:
                with urllib.request.urlopen(request) as answer:
                    answer.read()
                    etag = answer.headers["ETag"]
                    break
            except urllib.error.HTTPError as answer:
                if answer.code != 304 or time.perf_counter() - started > 5:
                    raise
                stale += 1
        timings.append((time.perf_counter() - started) * 1000)
    return {**spread(timings), "stale_answers": stale}


def agenda_builds(opener: Any, url: str, csrf: str, database: Engine, meeting_id: int,
                  times: int = 12) -> dict[str, Any]:
    """The big agenda built from nothing, `times` times (deleted in between, outside the
    time): the first by a worker that never built one, the others by warm workers."""
    timings = []
    for n in range(times):
        if n:
            with database.begin() as connection:
                connection.execute(text("DELETE FROM agenda WHERE meeting_id = :id"),
                                   {"id": meeting_id})
        request = urllib.request.Request(
            url, data=urllib.parse.urlencode({"csrf_token": csrf}).encode())
        started = time.perf_counter()
        try:
            opener.open(request)
        except urllib.error.HTTPError as answer:  # the redirect to the draft
            assert answer.code in (302, 303), answer.code
        timings.append((time.perf_counter() - started) * 1000)
    return {"first_ms": round(timings[0], 1), **spread(timings)}


def spread(timings: list[float]) -> dict[str, Any]:
    ordered = sorted(timings)
    return {"times": len(ordered), "p50_ms": round(ordered[len(ordered) // 2], 1),
            "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
            "max_ms": round(ordered[-1], 1)}


def check(url: str, method: str, headers: dict[str, str], body: str) -> int:
    """The status of one request, before the load."""
    request = urllib.request.Request(url, data=body.encode() if body else None,
                                     headers={**headers, "User-Agent": USER_AGENT},
                                     method=method)
    try:
        status = urllib.request.build_opener(NoRedirect).open(request).status
    except urllib.error.HTTPError as answer:
        status = answer.code
    return status


def wrk(url: str, method: str, headers: dict[str, str], body: str, connections: int,
        seconds: int = SECONDS, clients: list[dict[str, Any]] | None = None) -> dict:
    """`clients`: for writes, what each connection sends (each on its own thread)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        script = Path(tmp) / "script.lua"
        headers = {**headers, "User-Agent": USER_AGENT}
        lines = "\n".join(f"wrk.headers[ [[{k}]] ] = [[{v}]]" for k, v in headers.items())
        extra = WRITERS_LUA % {"clients": _lua(clients)} if clients else ""
        script.write_text(LUA % {"method": method, "body": body, "headers": lines, "out": out,
                                 "script": extra})
        threads = connections if clients else min(2, connections)
        subprocess.run(["wrk", "-t", str(threads), "-c", str(connections),
                        "-d", f"{seconds}s", "--timeout", "10s", "-s", str(script), url],
                       check=True, capture_output=True)
        raw = json.loads(out.read_text())
    return {
        "method": method, "path": "/" + url.split("/", 3)[3],
        "connections": connections, "requests": raw["requests"],
        "rps": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "p50_ms": round(raw["p50"] / 1000, 1), "p95_ms": round(raw["p95"] / 1000, 1),
        "p99_ms": round(raw["p99"] / 1000, 1), "max_ms": round(raw["max"] / 1000, 1),
        "status_errors": raw["status_errors"], "socket_errors": raw["socket_errors"],
    }


PAGES_AND_LISTS = ("dashboard", "dialogue page", "meeting page", "meeting page, big draft",
                   "draft agenda, big", "dialogue .ics",
                   "API dialogues", "API commitments", "API meetings", "API action items",
                   "API participants", "circulated draft page", "search")
WRITES = ("agenda item move (API)", "agenda item remove (API)", "agenda item add (API)",
          "minutes save (API)", "action item close (API)")
EXPORTS = ("agenda v1 .docx, big", "agenda v1 .pdf, big")


def targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The goals of the benchmark's issue, each with the figure that meets it or not.
    Figures depend on the machine: they are reported, not a reason to fail the run."""
    endpoints = report["endpoints"]

    def row(name: str, figure: str) -> float | None:
        return endpoints[name][figure] if name in endpoints else None  # (BENCH_ONLY)

    checks = [
        ("feed answered 304 at >= 0.5 x the ceiling's throughput",
         row("feed, 304", "ratio_to_ceiling"), lambda v: v >= 0.5),
        (f"fresh feed of {report['feed_meetings']} meetings: p95 < 150 ms",
         row("feed, fresh", "p95_ms"), lambda v: v < 150),
        ("the feed after a change to one of its meetings: p95 < 150 ms",
         report["feed_after_change"]["p95_ms"], lambda v: v < 150),
        *((f"{name}: p95 < 150 ms", endpoints[name]["p95_ms"], lambda v: v < 150)
          for name in PAGES_AND_LISTS if name in endpoints),
        *((f"{name}, {WRITERS} clients: p95 < 150 ms", endpoints[name]["p95_ms"],
           lambda v: v < 150) for name in WRITES if name in endpoints),
        *((f"{name}: answered 200 in < 2 s", report["exports"][name]["ms"]
           if report["exports"][name]["status"] == 200 else float("inf"), lambda v: v < 2000)
          for name in EXPORTS if name in report.get("exports", {})),
        (f"the big agenda built from nothing, {report['agenda_builds']['times']} times: "
         "p95 < 500 ms", report["agenda_builds"]["p95_ms"], lambda v: v < 500),
        ("building the big agenda again: p95 < 500 ms",
         row("agenda build (POST)", "p95_ms"), lambda v: v < 500),
    ]
    if "secretariat_feed" in report:
        checks += [
            (f"a secretariat's feed ({report['secretariat_feed_meetings']} meetings) after a "
             "change to one of its meetings: p95 < 300 ms",
             report["secretariat_feed"]["p95_ms"], lambda v: v < 300),
            ("a secretariat's feed answered 304 at >= 0.5 x the ceiling's throughput",
             row("secretariat feed, 304", "ratio_to_ceiling"), lambda v: v >= 0.5),
        ]
    return [{"target": text, "figure": value, "met": bool(test(value))}
            for text, value, test in checks if value is not None]


def print_table(report: dict[str, Any]) -> None:
    builds = report["agenda_builds"]
    print(f"\n{report['database']}, scale {report['scale']}, {report['connections']} connections, "
          f"{report['seconds_per_endpoint']} s each, gunicorn 2 workers, {report['cpus']} CPUs; "
          f"the big agenda built from nothing {builds['times']} times: first {builds['first_ms']}"
          f" ms, p50 {builds['p50_ms']} ms, p95 {builds['p95_ms']} ms, max {builds['max_ms']} ms")
    if report.get("only"):
        print(f"Only the rows whose names hold: {', '.join(report['only'])} (BENCH_ONLY)")
    print(f"| {'endpoint':<27} | {'req/s':>8} | {'p50 ms':>7} | {'p95 ms':>7} | {'p99 ms':>7} "
          f"| {'x ceiling':>9} |")
    print(f"|{'-' * 29}|{'-' * 10}:|{'-' * 8}:|{'-' * 8}:|{'-' * 8}:|{'-' * 10}:|")
    for name, r in report["endpoints"].items():
        print(f"| {name:<27} | {r['rps']:>8.1f} | {r['p50_ms']:>7.1f} | {r['p95_ms']:>7.1f} "
              f"| {r['p99_ms']:>7.1f} | {r['ratio_to_ceiling']:>9.3f} |")
    print(f"\nFirst build of the personal feed ({report['feed_meetings']} meetings): "
          f"{report['first_feed_build_ms']} ms; after a change to one of its meetings, "
          f"p50 {report['feed_after_change']['p50_ms']} ms, "
          f"p95 {report['feed_after_change']['p95_ms']} ms "
          f"({report['feed_after_change']['times']} changes, one client; answered 304 before "
          f"the change reached the worker: {report['feed_after_change']['stale_answers']})")
    if "secretariat_feed" in report:
        feed = report["secretariat_feed"]
        print(f"A secretariat's feed ({report['secretariat_feed_meetings']} meetings): built "
              f"from nothing, its first bytes in {feed['first_byte_ms']} ms, the whole in "
              f"{feed['first_ms']} ms; after a change to one of its meetings, p50 "
              f"{feed['p50_ms']} ms, p95 {feed['p95_ms']} ms, max {feed['max_ms']} ms "
              f"({feed['times']} changes; answered 304 before the change reached the "
              f"worker: {feed['stale_answers']})")
    for check in report["targets"]:
        print(f"  {'met   ' if check['met'] else 'MISSED'}  {check['target']} ({check['figure']})")


if __name__ == "__main__":
    sys.exit(main())
