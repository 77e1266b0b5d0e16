"""Hostile clients against one ``corridor serve``: what do the other users still get?

Starts the service on a fresh SQLite store on 127.0.0.1 and, phase by phase, adds:

* **slow**: 1,100 connections that send half a request's headers and stop (slowloris);
* **streams**: 1,000 ``/api/events`` streams from one token;
* **writers**: 20 clients posting incidents back to back (their changes fan out to every stream);
* **all**: the three at once.

In each phase another user makes sequential ``GET /api/parties`` requests; the report gives
their p50/p99 against the idle phase, the server's memory (resident, and its peak) and the size
of its log. The peer is the same service idle: the question is how much a hostile crowd costs
everyone else. Only the server this script starts is contacted; every loop is bounded.

    python bench/bench_hostile.py [--requests 200] [--seconds 20] [--slow 1100] [--streams 1000]
                                  [--writers 20]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import selectors
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.dbfixtures import ServiceProcess, cli_token  # noqa: E402
from tests.test_api_limits import RawStream, slow_connection  # noqa: E402

from corridor.store.db import Database  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def _latencies(client: httpx.Client, requests: int, seconds: float) -> dict[str, float]:
    """At least ``requests`` requests, and for at least ``seconds``, one after another."""
    times, failures = [], 0
    started = time.perf_counter()
    while len(times) < requests or time.perf_counter() - started < seconds:
        sent = time.perf_counter()
        try:
            ok = client.get("/api/parties").status_code == 200
        except httpx.HTTPError:
            ok = False
        times.append(time.perf_counter() - sent)
        failures += not ok
    times.sort()
    return {"requests": len(times), "p50_ms": round(1000 * statistics.median(times), 1),
            "p99_ms": round(1000 * times[min(len(times) - 1, int(0.99 * len(times)))], 1),
            "failed": failures}


def _memory_kib(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return {"rss_mib": fields["VmRSS"] // 1024, "peak_mib": fields["VmHWM"] // 1024}


@contextlib.contextmanager
def _slow(port: int, count: int) -> Iterator[None]:
    sockets = []
    try:
        for _ in range(count):
            with contextlib.suppress(OSError):
                sockets.append(slow_connection(port))
        yield
    finally:
        for sock in sockets:
            sock.close()


@contextlib.contextmanager
def _streams(port: int, token: str, count: int, received: list[int]) -> Iterator[None]:
    """``count`` streams, read as they arrive by one thread (``received[0]`` counts bytes)."""
    streams = [RawStream(port, token) for _ in range(count)]
    opened = sum(s.read_until(b"retry: 2000") for s in streams)
    assert opened == count, f"only {opened} of {count} streams opened"
    stop = threading.Event()

    def drain() -> None:
        with selectors.DefaultSelector() as selector:
            for stream in streams:
                stream.sock.setblocking(False)
                selector.register(stream.sock, selectors.EVENT_READ)
            while not stop.is_set():
                for key, _ in selector.select(timeout=0.5):
                    with contextlib.suppress(OSError):
                        received[0] += len(key.fileobj.recv(65536))  # type: ignore[union-attr]

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        yield
    finally:
        stop.set()
        reader.join(timeout=60)
        for stream in streams:
            stream.close()


@contextlib.contextmanager
def _writers(base_url: str, tokens: list[str], written: list[int]) -> Iterator[None]:
    stop = threading.Event()

    def write(index: int, token: str) -> None:
        with httpx.Client(base_url=base_url, timeout=60,
                          headers={"Authorization": f"Bearer {token}"}) as http:
            for number in range(100_000):
                if stop.is_set():
                    return
                body = {"type": "checkpoint", "lon": 30.0 + index / 100, "lat": 50.0,
                        "occurred_at": "2022-03-08T10:00:00+03:00",
                        "description": f"w{index}-{number}"}
                with contextlib.suppress(httpx.HTTPError):
                    if http.post("/api/incidents", json=body, headers={
                            "Idempotency-Key": f"w{index}-{number}"}).status_code == 201:
                        written[index] += 1

    threads = [threading.Thread(target=write, args=(i, t)) for i, t in enumerate(tokens)]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)


def _raise_open_files(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(needed, hard), hard))


def run(args: argparse.Namespace) -> dict[str, Any]:
    _raise_open_files(args.slow + args.streams + 512)
    root = Path(tempfile.mkdtemp(prefix="corridor-hostile-"))
    store = f"sqlite:///{root / 'hostile.db'}"
    Database.open(store).dispose()
    other = cli_token(store, "other", "observer")
    streamer = cli_token(store, "streamer", "observer")
    writers = [cli_token(store, f"writer{i:02d}", "operator") for i in range(args.writers)]
    log = root / "server.log"
    server = ServiceProcess(store, log, "--streams-per-user", str(args.streams),
                            "--streams-total", str(args.streams),
                            "--max-connections", str(args.streams + 200))
    port, pid = server.port, server.process.pid
    written = [0] * args.writers
    received = [0]
    phases: dict[str, Callable[[], contextlib.AbstractContextManager[None]]] = {
        "idle": contextlib.nullcontext,
        "slow": lambda: _slow(port, args.slow),
        "streams": lambda: _streams(port, streamer, args.streams, received),
        "writers": lambda: _writers(server.base_url, writers, written),
        "all": lambda: _all(port, streamer, server.base_url, writers, written, received, args),
    }
    report: dict[str, Any] = {"phases": {}}
    try:
        # A new connection per request, as a new client would open: it meets the cap.
        with httpx.Client(base_url=server.base_url, timeout=60, headers={
                "Authorization": f"Bearer {other}", "Connection": "close"}) as client:
            for name, phase in phases.items():
                with phase():
                    time.sleep(args.settle)  # let writers and streams get going
                    before, streamed = sum(written), received[0]
                    started = time.perf_counter()
                    figures = _latencies(client, args.requests, args.seconds)
                    seconds = time.perf_counter() - started
                    figures.update(_memory_kib(pid))
                    figures["writes_per_s"] = round((sum(written) - before) / seconds, 1)
                    figures["streamed_mib_per_s"] = round(
                        (received[0] - streamed) / seconds / (1 << 20), 2)
                figures["log_bytes"] = log.stat().st_size
                report["phases"][name] = figures
                print(name, figures, flush=True)
    finally:
        server.stop()
    idle = report["phases"]["idle"]
    for figures in report["phases"].values():
        figures["p50_vs_idle"] = round(figures["p50_ms"] / idle["p50_ms"], 2)
        figures["p99_vs_idle"] = round(figures["p99_ms"] / idle["p99_ms"], 2)
    report["log_bytes_total"] = log.stat().st_size
    report["settings"] = vars(args)
    report["machine"] = {"python": platform.python_version(), "cpus": _cpus()}
    return report


@contextlib.contextmanager
def _all(port: int, streamer: str, base_url: str, writers: list[str], written: list[int],
         received: list[int], args: argparse.Namespace) -> Iterator[None]:
    with _slow(port, args.slow), _streams(port, streamer, args.streams, received), \
            _writers(base_url, writers, written):
        yield


def _cpus() -> int:
    return len(os.sched_getaffinity(0))


def _markdown(report: dict[str, Any], command: str) -> str:
    rows = [f"| {name} | {f['p50_ms']} ms ({f['p50_vs_idle']}x) | {f['p99_ms']} ms "
            f"({f['p99_vs_idle']}x) | {f['failed']} | {f['writes_per_s']} | "
            f"{f['streamed_mib_per_s']} | {f['rss_mib']} MiB "
            f"(peak {f['peak_mib']}) | {f['log_bytes']:,} |"
            for name, f in report["phases"].items()]
    s = report["settings"]
    return "\n".join([
        "# Coordination service: hostile clients", "",
        f"Produced by `{command}` (raw figures in `hostile.json`). Machine: "
        f"{report['machine']['cpus']} cores shared with other work while measuring, Python "
        f"{report['machine']['python']}. One `corridor serve` (uvicorn, one worker, SQLite) on "
        "127.0.0.1; the hostile clients and the measuring user run in this script's process.",
        "",
        f"Phases: **slow** = {s['slow']:,} connections that send half a request's headers and "
        f"stop; **streams** = {s['streams']:,} `/api/events` streams from one token; "
        f"**writers** = {s['writers']} clients posting incidents back to back (each change is "
        "fanned out to every open stream in *all*); **all** = the three together. In each, "
        f"another user makes sequential `GET /api/parties` (at least {s['requests']}, for at "
        f"least {s['seconds']:g} s, each on a new connection, as a new client would). The "
        "streams are read by one thread of this process, which competes with the measuring "
        "client for the same two cores.", "",
        "| phase | others' p50 (vs idle) | others' p99 (vs idle) | failed | writes/s | "
        "streamed MiB/s | server memory | log bytes so far |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |", *rows, "",
        "Before the service capped connections and gave each request a header deadline, 600 "
        "slow connections on a host with 512 open files left every other request timing out "
        "and wrote 107 MB of log in a minute; before the one poller, 1,000 streams made other "
        "users' median request 351x slower (both measured with `tests/test_api_limits.py`'s "
        "scenarios against the earlier code).", ""])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--slow", type=int, default=1100)
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0,
                        help="measure each phase for at least this long")
    parser.add_argument("--settle", type=float, default=3.0,
                        help="seconds between starting a phase's clients and measuring")
    args = parser.parse_args()
    report = run(args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "hostile.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    command = "python bench/bench_hostile.py " + " ".join(
        f"--{k} {v}" for k, v in vars(args).items())
    (RESULTS / "hostile.md").write_text(_markdown(report, command), encoding="utf-8")


if __name__ == "__main__":
    main()
