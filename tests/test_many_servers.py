"""Two `tidtam serve` processes on one PostgreSQL database, as behind a load balancer: what one
server knows, the other does too, because it lives in the database (sessions, sign-out, rate
limits, idempotency keys), and they may start together. PostgreSQL runs only."""

from __future__ import annotations

import json
import secrets
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.error import HTTPError

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tracking import auth
from tracking.db import make_engine, unit_of_work

from .conftest import TEST_URL
from .test_serve import KEYS, TIDTAM, _env, _free_port

pytestmark = pytest.mark.skipif(
    not TEST_URL.startswith("postgresql"),
    reason="many servers share one PostgreSQL database: set TIDTAM_TEST_DATABASE_URL",
)
TRACK_LIMIT = 6
PASSWORD = "correct horse battery"
CLERK = "clerk.environment-sanitation"


@pytest.fixture(scope="module")
def fresh_database() -> Iterator[str]:
    """A database of its own on the test server, that the servers migrate themselves."""
    name = f"tidtam_servers_{secrets.token_hex(4)}"
    admin = create_engine(TEST_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(TEST_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the answer itself (a 303 after signing out), not where it leads


_opener = urllib.request.build_opener(_NoRedirect)


@dataclass(frozen=True)
class Answer:
    status_code: int
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


@dataclass(frozen=True)
class Server:
    url: str

    def request(
        self,
        method: str,
        path: str,
        *,
        data: dict[str, str] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        sent = dict(headers or {})
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
        elif json is not None:
            body = _dumps(json).encode()
            sent["Content-Type"] = "application/json"
        request = urllib.request.Request(self.url + path, body, sent, method=method)
        try:
            with _opener.open(request, timeout=10) as response:
                return Answer(response.status, response.read().decode())
        except HTTPError as exc:
            return Answer(exc.code, exc.read().decode())

    def get(self, path: str, **kwargs: Any) -> Answer:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Answer:
        return self.request("POST", path, **kwargs)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@contextmanager
def started_together(count: int, **env: str) -> Iterator[list[Server]]:
    """``count`` servers started at the same moment, each once it answers /healthz."""
    ports = [_free_port() for _ in range(count)]
    processes = [
        subprocess.Popen(
            [TIDTAM, "serve", "--port", str(port)],
            env=_env(**env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for port in ports
    ]
    with ExitStack() as stack:
        for process in processes:
            stack.callback(_stop, process)
        clients = [Server(f"http://127.0.0.1:{port}") for port in ports]
        for client, process in zip(clients, processes, strict=True):
            _wait_healthy(client, process)
        yield clients


def _wait_healthy(client: Server, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if client.get("/healthz").status_code == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    output = process.stdout.read() if process.poll() is not None and process.stdout else ""
    pytest.fail(f"a server did not start: {output}")


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()


@pytest.fixture(scope="module")
def servers(fresh_database: str) -> Iterator[tuple[Server, Server]]:
    env = {
        **KEYS,
        "TIDTAM_DATABASE_URL": fresh_database,
        "TIDTAM_TRACK_RATE_LIMIT": str(TRACK_LIMIT),
    }
    # Started at once on an empty database: both migrate it, one after the other.
    with started_together(2, **env) as (a, b):
        engine = make_engine(fresh_database)
        with unit_of_work(engine) as session:
            for name in (CLERK, "clerk.locked-out"):
                auth.create_staff(
                    session,
                    office_slug="pathumwan",
                    username=name,
                    role="clerk",
                    department="environment-sanitation",
                    password=PASSWORD,
                )
        engine.dispose()
        yield a, b


def _token(server: Server, username: str = CLERK, password: str = PASSWORD) -> str:
    response = server.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_from_one_server_works_on_the_other(
    servers: tuple[Server, Server],
) -> None:
    a, b = servers
    assert b.get("/api/v1/applications", headers=_bearer(_token(a))).status_code == 200
    assert a.get("/api/v1/applications", headers=_bearer(_token(b))).status_code == 200


def test_signing_out_on_one_server_is_refused_on_the_other_at_once(
    servers: tuple[Server, Server],
) -> None:
    a, b = servers
    token = _token(a)
    assert b.get("/api/v1/applications", headers=_bearer(token)).status_code == 200
    assert a.post("/staff/logout", headers=_bearer(token)).status_code == 303
    assert b.get("/api/v1/applications", headers=_bearer(token)).status_code == 401
    assert a.get("/api/v1/applications", headers=_bearer(token)).status_code == 401


def test_an_idempotency_key_used_on_one_server_replays_on_the_other(
    servers: tuple[Server, Server],
) -> None:
    a, b = servers
    body: dict[str, Any] = {
        "permit_type": "food-premises",
        "applicant": {"name": "สมชาย ใจดี", "id_number": "1101700123456", "phone": "0812345678"},
        "subject": {"address": "99 ถนนพญาไท เขตปทุมวัน", "area_sqm": 350},
    }
    key = {"Idempotency-Key": f"many-servers-{secrets.token_hex(4)}"}
    first = a.post("/api/v1/applications", json=body, headers={**_bearer(_token(a)), **key})
    assert first.status_code == 201, first.text
    again = b.post("/api/v1/applications", json=body, headers={**_bearer(_token(b)), **key})
    assert (again.status_code, again.json()) == (201, first.json())
    listed = b.get("/api/v1/applications", headers=_bearer(_token(b))).json()
    assert [item["id"] for item in listed["items"]].count(first.json()["id"]) == 1
    assert listed["total"] == 1


def test_the_public_lookup_limit_counts_requests_on_both_servers(
    servers: tuple[Server, Server],
) -> None:
    a, b = servers
    statuses = [
        (a if n % 2 == 0 else b).get("/api/v1/track/AAAAA-AAAAA").status_code
        for n in range(TRACK_LIMIT + 4)
    ]
    assert statuses.count(429) == 4, statuses
    assert 429 not in statuses[:TRACK_LIMIT], statuses


def test_the_sign_in_limit_counts_attempts_on_both_servers(
    servers: tuple[Server, Server],
) -> None:
    a, b = servers
    wrong = {"username": "clerk.locked-out", "password": "not the password"}
    statuses = [
        (a if n % 2 == 0 else b).post("/api/v1/auth/token", data=wrong).status_code
        for n in range(auth.USER_CLIENT_FAILURES.hits + 2)
    ]
    assert statuses == [401] * auth.USER_CLIENT_FAILURES.hits + [429, 429], statuses
    # Locked out on both, even with the right password, until the window is over.
    right = {"username": "clerk.locked-out", "password": PASSWORD}
    assert a.post("/api/v1/auth/token", data=right).status_code == 429
    assert b.post("/api/v1/auth/token", data=right).status_code == 429
