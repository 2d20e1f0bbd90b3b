"""A fresh SQLite deployment made by the commands docs/api.md names, then real concurrent requests to a real server.

The suite's own SQLite database lives in memory, where concurrent connections fail at once instead of waiting;
only a file database behind `runserver` shows what a small deployment does when two requests race on one case.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests import concurrency
from tests.api.contract_support import id_number

ROOT = Path(__file__).resolve().parent.parent.parent
PASSWORD = "deploy-pass-2026"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    database = tmp_path_factory.mktemp("deploy") / "db.sqlite3"
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))}
    environment.update(DATABASE_URL=f"sqlite:///{database}", DJANGO_DEBUG="on", PYTHONUNBUFFERED="1")

    def manage(*args: str) -> str:
        result = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
            [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True,
            timeout=180, check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    manage("migrate", "--noinput", "-v", "0")
    manage("load_regions")
    for _ in range(2):  # each command twice: idempotent
        manage("create_clerk", "wh_clerk", "--agency", "420100", "--role", "clerk", "--password", PASSWORD)
        manage("create_clerk", "wh_boss", "--agency", "420100", "--role", "supervisor", "--password", PASSWORD)
        manage("create_clerk", "bj_clerk", "--agency", "110000", "--role", "clerk", "--password", PASSWORD)
        manage("set_credit_rate", "2025", "1.50")
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], cwd=ROOT, env=environment,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        # runserver announces itself once it listens: wait for that line instead of polling with sleeps.
        started = []
        for line in process.stdout:
            started.append(line)
            if "Quit the server with" in line:
                break
        assert process.poll() is None, "".join(started)
        # Keep reading its log so a full pipe never stalls the server mid-test.
        threading.Thread(target=process.stdout.read, daemon=True).start()
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def call(base: str, path: str, body: object = None, token: str = "") -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, headers=headers)  # noqa: S310 - our own server
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        content = error.read()
        return error.code, json.loads(content) if error.headers.get_content_type() == "application/json" else {}


def race(base: str, calls: list[tuple[str, dict, str]]) -> list[int]:
    results = concurrency.race(
        *(lambda p=path, b=body, t=token: call(base, p, b, t)[0] for path, body, token in calls), timeout=90
    )
    return sorted(results)


def test_racing_requests_on_sqlite_get_one_success_and_409s_never_a_500(server):
    tokens = {}
    for username in ("wh_clerk", "wh_boss", "bj_clerk"):
        status, body = call(server, "/auth/token", {"username": username, "password": PASSWORD})
        assert status == 200, body
        tokens[username] = body["token"]
    references = []
    for sequence in (301, 303):
        number = id_number("420104", "19900101", sequence)
        status, _ = call(server, "/workers", {"id_number": number, "name": "并发测试", "hukou_city_code": "420100"},
                         tokens["wh_clerk"])
        assert status == 201
        status, case = call(server, "/cases", {
            "worker": number, "insurance_type": "unemployment", "origin_agency": "420100",
            "destination_agency": "110000",
        }, tokens["wh_clerk"])
        assert status == 201, case
        references.append(case["reference"])

    same = f"/cases/{references[0]}/transitions/start_verification"
    assert race(server, [(same, {}, tokens["wh_clerk"])] * 4) == [200, 409, 409, 409]

    endings = race(server, [
        (f"/cases/{references[1]}/transitions/reject", {"note": "材料不全"}, tokens["wh_boss"]),
        (f"/cases/{references[1]}/transitions/withdraw", {"note": "本人撤回"}, tokens["bj_clerk"]),
    ])
    assert endings == [200, 409]
    status, case = call(server, f"/cases/{references[1]}", token=tokens["wh_clerk"])
    assert case["status"] in ("rejected", "withdrawn")
    assert len([e for e in case["events"] if e["transition"] != "open"]) == 1
