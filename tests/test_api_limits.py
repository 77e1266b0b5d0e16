"""Hostile clients against ``corridor serve``: slow connections, a flood of event streams.

The server runs in its own process on loopback, with the open-file limit of a small host where
it matters; clients are raw sockets, so a test can send half a request and stop, as an attacker
or a bad network would.
"""

from __future__ import annotations

import io
import logging
import resource
import selectors
import socket
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from corridor.api.server import RateLimitFilter
from corridor.store.db import Database
from tests.dbfixtures import ServiceProcess, cli_token

#: How much slower other users' median request may get with 1,000 streams open: twice the idle
#: median, plus 25 ms so that scheduling noise on a busy two-core machine (other processes,
#: the garbage collector) cannot fail the check while a per-stream poller (hundreds of times
#: slower) still does.
LATENCY_FACTOR = 2.0
LATENCY_SLACK_S = 0.025


class RawStream:
    """An HTTP/1.1 request on a bare socket, read as it arrives."""

    def __init__(self, port: int, token: str, path: str = "/api/events") -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: test\r\n"
                          f"Authorization: Bearer {token}\r\n\r\n".encode())
        self.received = b""

    def read_until(self, marker: bytes, timeout: float = 30) -> bool:
        """Read until ``marker`` arrives (True) or the server closes or time runs out."""
        deadline = time.monotonic() + timeout
        while marker not in self.received and time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            self.received += chunk
        return marker in self.received

    def close(self) -> None:
        self.sock.close()


def slow_connection(port: int) -> socket.socket:
    """A connection that starts a request's headers and never finishes them."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(b"GET /api/parties HTTP/1.1\r\nHost: test\r\n")
    return sock


def _closed_by_server(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except ConnectionError:
        return True


@pytest.fixture
def store(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'limits.db'}"
    Database.open(url).dispose()
    yield url


def _median_latency(client: httpx.Client, requests: int = 41) -> float:
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        assert client.get("/api/parties").status_code == 200
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def test_slow_connections_neither_starve_others_nor_flood_the_log(
        store: str, tmp_path: Path) -> None:
    token = cli_token(store, "observer", "observer")
    log = tmp_path / "server.log"
    # 512 open files, as on a small host; 600 slow clients would exhaust them uncapped.
    server = ServiceProcess(store, log, "--max-connections", "200", "--header-timeout", "60",
                            open_files=512)
    slow: list[socket.socket] = []
    try:
        for _ in range(600):
            slow.append(slow_connection(server.port))
        with httpx.Client(base_url=server.base_url, timeout=10,
                          headers={"Authorization": f"Bearer {token}"}) as client:
            for _ in range(20):
                assert client.get("/api/parties").status_code == 200
        assert sum(_closed_by_server(s) for s in slow) >= 400
        assert server.process.poll() is None
    finally:
        for sock in slow:
            sock.close()
        assert server.stop() == 0
    assert log.stat().st_size < 64 * 1024, log.read_text(errors="replace")[-2000:]


def test_headers_must_arrive_within_the_timeout(store: str, tmp_path: Path) -> None:
    server = ServiceProcess(store, tmp_path / "server.log", "--header-timeout", "1")
    try:
        sock = slow_connection(server.port)
        sock.settimeout(20)
        assert sock.recv(1) == b"", "the server kept a connection whose headers never came"
        sock.close()
    finally:
        server.stop()


def test_log_lines_beyond_the_rate_are_dropped_and_counted() -> None:
    logger = logging.getLogger("corridor.test.rate")
    logger.propagate = False
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.addFilter(RateLimitFilter(per_second=10))
    logger.addHandler(handler)
    try:
        start = time.monotonic()
        for i in range(2000):
            logger.warning("line %d", i)
        elapsed = time.monotonic() - start
        time.sleep(0.2)
        logger.warning("after the burst")
    finally:
        logger.removeHandler(handler)
    lines = written.getvalue().splitlines()
    assert len(lines) <= 10 * (elapsed + 0.2) + 11
    assert "log lines dropped by the rate limit" in lines[-1] and "after the burst" in lines[-1]


def _open_streams(port: int, token: str, count: int) -> list[RawStream]:
    streams = [RawStream(port, token) for _ in range(count)]
    for stream in streams:
        assert stream.read_until(b"retry: 2000"), stream.received[:300]
    return streams


def _all_receive(streams: list[RawStream], marker: bytes, timeout: float = 120) -> bool:
    """Read every stream at once until each has shown ``marker``."""
    waiting = {s.sock: s for s in streams if marker not in s.received}
    selector = selectors.DefaultSelector()
    for sock in waiting:
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while waiting and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=1):
            stream = waiting[key.fileobj]  # type: ignore[index]
            chunk = key.fileobj.recv(65536)  # type: ignore[union-attr]
            stream.received += chunk
            if marker in stream.received or not chunk:
                selector.unregister(key.fileobj)
                del waiting[key.fileobj]  # type: ignore[arg-type]
    selector.close()
    return not waiting


def test_a_thousand_streams_barely_slow_other_users(store: str, tmp_path: Path) -> None:
    streamer = cli_token(store, "streamer", "observer")
    other = cli_token(store, "other", "facilitator")
    server = ServiceProcess(store, tmp_path / "server.log", "--streams-per-user", "1000",
                            "--streams-total", "1000", "--max-connections", "1100")
    streams: list[RawStream] = []
    try:
        with httpx.Client(base_url=server.base_url, timeout=30,
                          headers={"Authorization": f"Bearer {other}"}) as client:
            idle = _median_latency(client)
            streams = _open_streams(server.port, streamer, 1000)
            refused = client.get("/api/events", params={"follow": "false"})
            assert refused.status_code == 503 and "limit" in refused.json()["detail"]
            created = client.post("/api/parties", headers={"Idempotency-Key": "md"},
                                  json={"id": "MD", "name": "Moldova", "kind": "observer"})
            assert created.status_code == 201
            busy = _median_latency(client)
            assert _all_receive(streams, b"event: party.created")
    finally:
        for stream in streams:
            stream.close()
        server.stop()
    assert busy <= LATENCY_FACTOR * idle + LATENCY_SLACK_S, (idle, busy)


def test_stream_caps_and_a_token_that_stops_working(store: str, tmp_path: Path) -> None:
    tokens = {name: cli_token(store, name, "observer") for name in ("a", "b", "c")}
    writer = cli_token(store, "writer", "facilitator")
    server = ServiceProcess(store, tmp_path / "server.log", "--streams-per-user", "2",
                            "--streams-total", "3")
    try:
        first = _open_streams(server.port, tokens["a"], 2)
        over_user = RawStream(server.port, tokens["a"])
        assert over_user.read_until(b"close one first")
        assert over_user.received.startswith(b"HTTP/1.1 429")
        held = _open_streams(server.port, tokens["b"], 1)
        over_total = RawStream(server.port, tokens["c"])
        assert over_total.read_until(b"try again later"), over_total.received
        assert over_total.received.startswith(b"HTTP/1.1 503")
        # The token stops being accepted (as when it is revoked or expires) ...
        with Database.open(store, migrate=False) as db, db.write() as session:
            session.execute(text("UPDATE users SET token_hash = 'gone' WHERE name = 'a'"))
        # ... and the next change ends its streams, saying why.
        httpx.post(f"{server.base_url}/api/parties", headers={
            "Authorization": f"Bearer {writer}", "Idempotency-Key": "md"},
            json={"id": "MD", "name": "Moldova", "kind": "observer"}, timeout=30)
        for stream in first:
            assert stream.read_until(b"no longer valid")
            assert b"event: party.created" not in stream.received
        # Their places are free again for the other users.
        assert _open_streams(server.port, tokens["c"], 1) and held
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _enough_files() -> None:
    """A thousand client sockets need more than a default limit of 1,024 open files."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 4096 <= hard or hard == resource.RLIM_INFINITY:
        resource.setrlimit(resource.RLIMIT_NOFILE, (4096, hard))
