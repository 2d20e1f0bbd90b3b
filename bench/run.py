"""Serve the seeded database with gunicorn and measure each endpoint with wrk against /healthz in the same round."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.imports import measure_imports
from bench.seed import BUSY_AGENCY, PASSWORD, Seeder

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench-results"
WRK = "/usr/bin/wrk"
LUA = Path(__file__).resolve().parent / "wrk" / "request.lua"
# The targets (shares of /healthz in the same run); the lists also need p99 under 300 ms.
TARGETS = {
    "status_api": 0.25, "status_form": 0.25, "case_page": 0.15, "api_detail": 0.15,
    "worklist": 0.08, "worklist_closed": 0.08, "worklist_overdue": 0.08, "deep_page": 0.08,
    "name_search": 0.08, "id_search": 0.08, "api_list": 0.08,
}
LIST_P99_MS = 300
STATEMENT_MS = 20
BIG_TABLES = ("cases_transfercase", "cases_worker", "cases_contributionperiod", "cases_caseevent")


@dataclass
class Endpoint:
    name: str
    path: str
    method: str = "GET"
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    # For the instrumented in-process request.
    auth: str = ""  # "session" or "token" or ""
    data: dict | None = None
    content_type: str = ""


class Http:
    """A tiny client for the live server that keeps cookies itself: production cookies are Secure, and
    this benchmark speaks plain HTTP to the server, so a standard cookie jar would never send them back."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str = "", headers: dict[str, str] | None = None) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body.encode() if body else None, headers=sent)
        response = conn.getresponse()
        for header in response.msg.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        text = response.read().decode("utf-8", "replace")
        self.location = response.getheader("Location", "")
        conn.close()
        return response.status, text

    def landing(self, path: str) -> str:
        """Where a page sends the browser, if it redirects (an ID-number search continues under a token)."""
        status, _page = self.request("GET", path)
        return self.location if status in (301, 302) and self.location.startswith("/") else path

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def csrf_token(self, path: str) -> str:
        status, page = self.request("GET", path)
        assert status == 200, (path, status)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert match, f"no CSRF token on {path}"
        return match.group(1)


def log(message: str) -> None:
    print(message, flush=True)


def pick_targets() -> dict[str, str]:
    """A case of the busy agency (open, with an agreement), its worker, and a name shared by few workers."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.reference, w.id_number, w.name FROM cases_transfercase c
            JOIN cases_worker w ON w.id = c.worker_id JOIN regions_agency a ON a.id = c.destination_agency_id
            WHERE a.code = %s AND c.status = 'receiving' AND char_length(w.name) = 3
            ORDER BY c.id DESC LIMIT 1
            """,
            [BUSY_AGENCY],
        )
        reference, id_number, name = cursor.fetchone()
    return {"reference": reference, "id_number": id_number, "name": name, "clerk": f"c{BUSY_AGENCY}"}


def free_port() -> int:
    """A port nobody listens on: on a shared machine a fixed one may answer /healthz from someone else's server."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int, workers: int) -> subprocess.Popen:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"port {port} is taken by another server; choose another PORT")
    RESULTS.mkdir(exist_ok=True)
    server_log = (RESULTS / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "sstransfer.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--worker-class", "sync"],
        cwd=ROOT, stdout=server_log, stderr=subprocess.STDOUT, env=os.environ.copy(),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if Http(port).request("GET", "/healthz")[0] == 200:
                return process
        except OSError:
            pass
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {RESULTS / 'gunicorn.log'}")
        time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def endpoints(port: int, targets: dict[str, str], deep_pages: int) -> list[Endpoint]:
    clerk = Http(port)
    token = clerk.csrf_token("/accounts/login/")
    status, _page = clerk.request(
        "POST", "/accounts/login/", urlencode({"username": targets["clerk"], "password": PASSWORD, "csrfmiddlewaretoken": token}),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 302 and "sessionid" in clerk.cookies, f"sign-in failed: {status} {_page[:3000]}"
    session = {"Cookie": clerk.cookie_header()}
    status, body = Http(port).request(
        "POST", "/api/v1/auth/token", json.dumps({"username": targets["clerk"], "password": PASSWORD}),
        {"Content-Type": "application/json"},
    )
    assert status == 200, body
    api = {"Authorization": f"Token {json.loads(body)['token']}"}
    public = Http(port)
    form_token = public.csrf_token("/status/")
    lookup = {"reference": targets["reference"], "id_number": targets["id_number"]}
    deep = deep_page(clerk, "/?tab=closed", deep_pages)
    reference = targets["reference"]
    return [
        Endpoint("healthz", "/healthz"),
        Endpoint("status_api", "/api/v1/status", "POST", json.dumps(lookup), {"Content-Type": "application/json"},
                 data=lookup, content_type="application/json"),
        Endpoint("status_form", "/status/", "POST", urlencode({**lookup, "csrfmiddlewaretoken": form_token}),
                 {"Content-Type": "application/x-www-form-urlencoded", "Cookie": public.cookie_header()}, data=lookup),
        Endpoint("case_page", f"/cases/{reference}/", headers=session, auth="session"),
        Endpoint("api_detail", f"/api/v1/cases/{reference}", headers=api, auth="token"),
        Endpoint("worklist", "/", headers=session, auth="session"),
        Endpoint("worklist_closed", "/?tab=closed", headers=session, auth="session"),
        Endpoint("worklist_overdue", "/?tab=overdue", headers=session, auth="session"),
        Endpoint("deep_page", deep, headers=session, auth="session"),
        Endpoint("name_search", "/?" + urlencode({"tab": "todo", "q": targets["name"]}), headers=session, auth="session"),
        Endpoint("id_search", clerk.landing("/?" + urlencode({"tab": "todo", "q": targets["id_number"]})), headers=session,
                 auth="session"),
        Endpoint("api_list", "/api/v1/cases", headers=api, auth="token"),
    ]


def deep_page(client: Http, start: str, pages: int) -> str:
    """Follow the worklist's own "next" links, as a clerk paging on would, `pages` times."""
    path = start
    for _ in range(pages - 1):
        status, page = client.request("GET", path)
        assert status == 200, (path, status)
        match = re.search(r'href="([^"]+)" rel="next"', page)
        if not match:
            break
        path = "/" + match.group(1).replace("&amp;", "&") if match.group(1).startswith("?") else match.group(1)
    return path


def instrumented(endpoint: Endpoint, targets: dict[str, str]) -> dict:
    """SQL per request from an in-process request (the second, warm), with every statement's plan checked."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    client = Client()
    extra: dict[str, str] = {}
    if endpoint.auth == "session":
        client.force_login(get_user_model().objects.get(username=targets["clerk"]))
    elif endpoint.auth == "token":
        user = get_user_model().objects.get(username=targets["clerk"])
        extra["HTTP_AUTHORIZATION"] = f"Token {Token.objects.get_or_create(user=user)[0].key}"

    def call() -> int:
        if endpoint.method == "POST":
            if endpoint.content_type == "application/json":
                return client.post(endpoint.path, json.dumps(endpoint.data), content_type="application/json", **extra).status_code
            return client.post(endpoint.path, endpoint.data, **extra).status_code
        return client.get(endpoint.path, **extra).status_code

    call()
    with CaptureQueriesContext(connection) as queries:
        status = call()
    statements = [(q["sql"], float(q["time"]) * 1000) for q in queries.captured_queries]
    scans, slowest = explain([sql for sql, _ms in statements])
    return {
        "status": status,
        "sql": len(statements),
        "sql_ms_total": round(sum(ms for _sql, ms in statements), 2),
        "sql_ms_max": round(max((ms for _sql, ms in statements), default=0), 2),
        "sql_exec_ms_max": slowest,
        "seq_scans": scans,
        "statements": [{"ms": round(ms, 2), "sql": sql} for sql, ms in statements],
    }


def explain(statements: list[str]) -> tuple[list[str], float]:
    """Each SELECT's plan, run again: sequential scans of the big tables (a list or count no index serves) and
    the slowest execution time as PostgreSQL measures it, without the wait for a CPU on a busy machine."""
    found, slowest = [], 0.0
    with connection.cursor() as cursor:
        for sql in statements:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0][0]
            slowest = max(slowest, plan["Execution Time"])
            stack = [plan["Plan"]]
            while stack:
                node = stack.pop()
                if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in BIG_TABLES:
                    found.append(f"{node['Relation Name']}: {sql[:200]}")
                stack.extend(node.get("Plans", []))
    return found, round(slowest, 2)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User and system CPU time of each of these processes so far."""
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
    return found


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent in between, by the processes alive at both ends."""
    return sum(after[pid] - before[pid] for pid in before.keys() & after.keys())


def drain(port: int) -> None:
    """Wait until the server has answered what the last run left queued: the next run must not pay for it."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        started = time.monotonic()
        Http(port).request("GET", "/healthz")
        if time.monotonic() - started < 0.05:
            return
    raise SystemExit("the server stayed busy for two minutes after a run")


def server_pids(server: subprocess.Popen) -> tuple[list[int], list[int]]:
    """gunicorn's workers, and the PostgreSQL backends serving this database (the workers keep theirs open)."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    workers = [int(pid) for pid in children.read_text().split()] if children.exists() else []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        backends = [row[0] for row in cursor.fetchall()]
    return workers, backends


def wrk(port: int, endpoint: Endpoint, duration: int, connections: int, server: subprocess.Popen | None = None) -> dict:
    """wrk's figures; with the server given, also the CPU time per request of the app and of PostgreSQL, which
    a machine busy with other work disturbs far less than the request rate."""
    workers, backends = server_pids(server) if server else ([], [])
    app_before, pg_before = cpu_seconds(workers), cpu_seconds(backends)
    figures = _wrk(port, endpoint, duration, connections)
    drain(port)
    if server and figures["requests"]:
        # After the drain the server has also answered the request each connection had in flight when wrk
        # stopped (wrk does not count those): count them too.
        served = figures["requests"] + connections
        figures["app_cpu_ms"] = cpu_spent(app_before, cpu_seconds(workers)) * 1000 / served
        figures["pg_cpu_ms"] = cpu_spent(pg_before, cpu_seconds(backends)) * 1000 / served
    return figures


def _wrk(port: int, endpoint: Endpoint, duration: int, connections: int) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        env = {
            **os.environ, "BENCH_METHOD": endpoint.method, "BENCH_BODY": endpoint.body, "BENCH_OUT": out.name,
            "BENCH_HEADERS": "\n".join(f"{k}: {v}" for k, v in endpoint.headers.items()),
        }
        subprocess.run(
            # A long timeout: a slow answer must count in the latencies, not vanish as a timeout.
            [WRK, "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "--latency", "-s", str(LUA),
             f"http://127.0.0.1:{port}{endpoint.path}"],
            env=env, check=True, capture_output=True,
        )
        figures = json.loads(Path(out.name).read_text())
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def check_status(port: int, endpoint: Endpoint) -> None:
    """Every measured request must be the real page: a redirect to the sign-in page would look fast."""
    status, body = Http(port).request(endpoint.method, endpoint.path, endpoint.body, endpoint.headers)
    if status != 200:
        raise SystemExit(f"{endpoint.name}: {endpoint.method} {endpoint.path} answered {status}: {body[:300]}")


def main() -> int:
    scale = int(os.environ.get("SCALE", "1000000"))
    duration = int(os.environ.get("DURATION", "10"))
    rounds = int(os.environ.get("ROUNDS", "1"))
    connections = int(os.environ.get("CONNECTIONS", "16"))
    port = int(os.environ.get("PORT") or free_port())
    workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
    only = {name for name in os.environ.get("ONLY", "").split(",") if name}
    call_command("migrate", "--noinput", verbosity=0)
    Seeder(scale, log=log).run()
    call_command("collectstatic", "--noinput", verbosity=0)
    targets = pick_targets()
    server = start_server(port, workers)
    try:
        chosen = [e for e in endpoints(port, targets, deep_pages=200) if not only or e.name in only or e.name == "healthz"]
        for endpoint in chosen:
            check_status(port, endpoint)
        # One pass to warm every worker's caches and PostgreSQL's buffers before anything is timed.
        for endpoint in chosen:
            wrk(port, endpoint, 2, connections)
            drain(port)
        runs: dict[str, list[dict]] = {e.name: [] for e in chosen}
        for number in range(rounds):
            for endpoint in chosen:
                figures = wrk(port, endpoint, duration, connections, server)
                runs[endpoint.name].append(figures)
                log(f"round {number + 1}: {endpoint.name:18} {figures['rps']:8.1f} req/s"
                    f"  CPU ms/request app {figures.get('app_cpu_ms', 0):.1f} · PG {figures.get('pg_cpu_ms', 0):.1f}")
            for endpoint in chosen:
                check_status(port, endpoint)
    finally:
        server.terminate()
        server.wait(timeout=30)
    rows = summarise(chosen, runs, targets)
    # In this process, with the server stopped: nothing else competes for the CPU.
    imports = measure_imports() if not only or "imports" in only else None
    report = {
        "scale": scale, "rounds": rounds, "duration_s": duration, "connections": connections, "workers": workers,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "commit": git_commit(), "cpus": os.cpu_count(),
        "database": settings.DATABASES["default"]["NAME"], "targets": targets, "endpoints": rows,
        "imports": imports,
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"bench-{scale}-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print_table(rows, scale)
    if imports is not None:
        print_imports(imports)
    log(f"\nwritten: {path.relative_to(ROOT)}")
    met = all(row["meets_target"] is not False for row in rows) and (imports is None or imports["meets_target"] is not False)
    return 0 if met else 1


def summarise(chosen: list[Endpoint], runs: dict[str, list[dict]], targets: dict[str, str]) -> list[dict]:
    healthz = runs["healthz"]
    rows = []
    for endpoint in chosen:
        shares = [run["rps"] / base["rps"] for run, base in zip(runs[endpoint.name], healthz, strict=True)]
        sql = instrumented(endpoint, targets) if endpoint.name != "healthz" else {
            "status": 200, "sql": 0, "sql_ms_total": 0, "sql_ms_max": 0, "sql_exec_ms_max": 0, "seq_scans": [],
            "statements": [],
        }
        row = {
            "name": endpoint.name, "path": endpoint.path, "method": endpoint.method,
            "rps": round(statistics.median(r["rps"] for r in runs[endpoint.name]), 1),
            "p50_ms": round(statistics.median(r["p50_us"] for r in runs[endpoint.name]) / 1000, 1),
            "p99_ms": round(statistics.median(r["p99_us"] for r in runs[endpoint.name]) / 1000, 1),
            "share": round(statistics.median(shares), 4),
            "app_cpu_ms": round(statistics.median(r.get("app_cpu_ms", 0) for r in runs[endpoint.name]), 2),
            "pg_cpu_ms": round(statistics.median(r.get("pg_cpu_ms", 0) for r in runs[endpoint.name]), 2),
            "errors": [r["errors"] for r in runs[endpoint.name]],
            "runs": runs[endpoint.name],
            **sql,
        }
        target = TARGETS.get(endpoint.name)
        checks = []
        if target is not None:
            checks.append(row["share"] >= target)
            if target == 0.08:
                checks.append(row["p99_ms"] < LIST_P99_MS)
            checks.append(row["sql_exec_ms_max"] < STATEMENT_MS and not row["seq_scans"])
        row["target_share"] = target
        row["meets_target"] = all(checks) if checks else None
        rows.append(row)
    return rows


def print_table(rows: list[dict], scale: int) -> None:
    log(f"\n{scale:,} cases — shares of /healthz in the same run (median of the rounds)\n")
    header = (f"{'endpoint':18} {'req/s':>8} {'share':>7} {'target':>7} {'p50 ms':>8} {'p99 ms':>8} {'SQL':>4}"
              f" {'SQL ms max':>10} {'exec max':>8} {'CPU app·PG':>11}  ok")
    log(header)
    log("-" * len(header))
    for row in rows:
        target = f"{row['target_share']:.0%}" if row["target_share"] else ""
        ok = {True: "yes", False: "NO", None: ""}[row["meets_target"]]
        log(
            f"{row['name']:18} {row['rps']:8.1f} {row['share']:7.1%} {target:>7} {row['p50_ms']:8.1f} {row['p99_ms']:8.1f}"
            f" {row['sql']:4d} {row['sql_ms_max']:10.2f} {row['sql_exec_ms_max']:8.2f}"
            f" {row['app_cpu_ms']:5.1f}·{row['pg_cpu_ms']:<5.1f}  {ok}"
        )
        for scan in row["seq_scans"]:
            log(f"    sequential scan: {scan}")


def print_imports(imports: dict) -> None:
    log(f"\ncontribution import, one batch for one worker (target: 100,000 rows under {imports['target_seconds']} s,"
        " linear)\n")
    for batch in imports["batches"]:
        log(f"{batch['rows']:>9,} rows {batch['seconds']:7.2f} s {batch['ms_per_row']:7.3f} ms/row")
    ok = {True: "yes", False: "NO", None: "not judged (no batch of 100,000)"}[imports["meets_target"]]
    log(f"linear: {'yes' if imports['linear'] else 'NO'}; ok: {ok}")


def git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


if __name__ == "__main__":
    sys.exit(main())
