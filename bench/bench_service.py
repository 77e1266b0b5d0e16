"""Reliability report for the coordination service: concurrent writes, a crash, and fuzzing.

For each backend (SQLite file, PostgreSQL cluster) this starts ``corridor serve`` on a loopback
port and measures:

* **load**: N concurrent clients each make M sequential writes (``POST /api/incidents``). Every
  write a client got a 2xx for must be stored exactly once, in the client's order, and appear in
  the audit log in that order; the audit chain must verify. Reports writes/s and latencies.
* **crash**: the same load, with the server killed by SIGKILL part-way. After a restart, every
  acknowledged write must be there, the chain must verify, and retrying each client's in-flight
  request with its ``Idempotency-Key`` must leave exactly one record for it.
* **fuzz** (SQLite only): schemathesis against ``/openapi.json``: no 5xx, no responses outside
  the documented schema.

Only servers this script starts on 127.0.0.1 are contacted; every loop is bounded.

    python bench/bench_service.py [--clients 20] [--writes 500] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.dbfixtures import (  # noqa: E402
    PostgresCluster,
    ServiceProcess,
    build_world,
    postgres_bindir,
)

from corridor.store import coordination  # noqa: E402
from corridor.store.audit import verify_chain  # noqa: E402
from corridor.store.db import Database  # noqa: E402
from corridor.store.models import AuditEntry, Incident  # noqa: E402

RESULTS = ROOT / "bench" / "results"


@dataclass
class Client:
    """One load client: its token, what it was told succeeded, and its timings."""

    index: int
    name: str
    token: str
    acked: list[tuple[int, int]] = field(default_factory=list)  # (write number, record id)
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    in_flight: int | None = None

    def key(self, number: int) -> str:
        return f"{self.name}-w{number}"

    def body(self, number: int) -> dict[str, Any]:
        return {"type": "checkpoint", "lon": 30.0 + self.index / 100, "lat": 50.0,
                "occurred_at": "2022-03-08T10:00:00+03:00", "description": self.key(number)}


def _run_client(client: Client, base_url: str, writes: int, stop: threading.Event) -> None:
    headers = {"Authorization": f"Bearer {client.token}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=60) as http:
        for number in range(writes):
            if stop.is_set():
                return
            client.in_flight = number
            started = time.perf_counter()
            try:
                response = http.post("/api/incidents", json=client.body(number),
                                     headers={"Idempotency-Key": client.key(number)})
            except httpx.TransportError:
                return  # the server is gone: this write's outcome is unknown
            if response.status_code == 201:
                client.latencies.append(time.perf_counter() - started)
                client.acked.append((number, int(response.json()["id"])))
                client.in_flight = None
            else:
                client.failures += 1


def _make_clients(db: Database, count: int, prefix: str) -> list[Client]:
    clients = []
    with db.write() as session:
        for index in range(count):
            name = f"{prefix}{index:02d}"
            _, token = coordination.create_user(session, "bench", name, "operator")
            clients.append(Client(index=index, name=name, token=token))
    return clients


def _load(clients: list[Client], base_url: str, writes: int,
          kill_after: int | None = None, server: ServiceProcess | None = None) -> float:
    """Run every client to completion (or until the server is killed); returns wall seconds."""
    stop = threading.Event()
    threads = [threading.Thread(target=_run_client, args=(c, base_url, writes, stop))
               for c in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    if kill_after is not None and server is not None:
        deadline = time.monotonic() + 600
        while sum(len(c.acked) for c in clients) < kill_after and time.monotonic() < deadline:
            time.sleep(0.01)
        server.kill()
        stop.set()
    for thread in threads:
        thread.join(timeout=600)
    return time.perf_counter() - started


@dataclass
class Check:
    acked: int
    stored: int
    lost: int
    duplicated: int
    out_of_order: int
    audit_out_of_order: int
    chain_ok: bool
    chain_entries: int


def _check(db: Database, clients: list[Client]) -> Check:
    """Compare the store with what every client was told."""
    with db.read() as session:
        rows = session.execute(select(Incident.id, Incident.description)).all()
        audit_seq = {entity_id: seq for seq, entity_id in session.execute(
            select(AuditEntry.seq, AuditEntry.entity_id)
            .where(AuditEntry.action == "incident.created"))}
        chain = verify_chain(session)
    ids_by_key: dict[str, list[int]] = {}
    for record_id, description in rows:
        ids_by_key.setdefault(description, []).append(record_id)
    lost = duplicated = out_of_order = audit_out_of_order = 0
    for client in clients:
        for number, record_id in client.acked:
            found = ids_by_key.get(client.key(number), [])
            lost += record_id not in found
            duplicated += len(found) > 1
        ids = [record_id for _, record_id in client.acked]
        seqs = [audit_seq.get(str(record_id), -1) for record_id in ids]
        out_of_order += sum(a >= b for a, b in itertools.pairwise(ids))
        audit_out_of_order += sum(a >= b for a, b in itertools.pairwise(seqs))
    return Check(acked=sum(len(c.acked) for c in clients), stored=len(rows), lost=lost,
                 duplicated=duplicated, out_of_order=out_of_order,
                 audit_out_of_order=audit_out_of_order, chain_ok=chain.ok,
                 chain_entries=chain.entries)


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _retry_in_flight(base_url: str, clients: list[Client]) -> tuple[int, int]:
    """Resend each client's unanswered write with its key.

    Returns how many were resent, and how many of those the server answered from its
    idempotency record, i.e. had committed before it was killed.
    """
    resent = replayed = 0
    for client in clients:
        if client.in_flight is None:
            continue
        response = httpx.post(f"{base_url}/api/incidents", json=client.body(client.in_flight),
                              headers={"Authorization": f"Bearer {client.token}",
                                       "Idempotency-Key": client.key(client.in_flight)},
                              timeout=60)
        response.raise_for_status()
        client.acked.append((client.in_flight, int(response.json()["id"])))
        resent += 1
        replayed += response.headers.get("Idempotent-Replayed") == "true"
    return resent, replayed


def bench_backend(db_url: str, work: Path, clients_n: int, writes: int) -> dict[str, Any]:
    db = Database.open(db_url)
    build_world(db)
    clients = _make_clients(db, clients_n, "load")
    server = ServiceProcess(db_url, work / "server.log")
    try:
        seconds = _load(clients, server.base_url, writes)
    finally:
        server.stop()
    latencies = [x for c in clients for x in c.latencies]
    load = {"clients": clients_n, "writes_per_client": writes, "seconds": round(seconds, 2),
            "writes_per_second": round(len(latencies) / seconds, 1),
            "latency_ms_p50": round(1000 * statistics.median(latencies), 1),
            "latency_ms_p99": round(1000 * _percentile(latencies, 0.99), 1),
            "non_2xx": sum(c.failures for c in clients), **asdict(_check(db, clients))}

    crash_clients = _make_clients(db, clients_n, "crash")
    server = ServiceProcess(db_url, work / "server.log")
    _load(crash_clients, server.base_url, writes, kill_after=clients_n * writes // 4,
          server=server)
    acked_before_restart = sum(len(c.acked) for c in crash_clients)
    server = ServiceProcess(db_url, work / "server.log")
    try:
        resent, replayed = _retry_in_flight(server.base_url, crash_clients)
    finally:
        server.stop()
    crash = {"killed_after_acked": acked_before_restart, "in_flight_resent": resent,
             "in_flight_already_committed": replayed,
             **asdict(_check(db, clients + crash_clients))}
    db.dispose()
    return {"load": load, "crash": crash}


def _schemathesis(base_url: str, token: str, work: Path, extra: list[str]) -> dict[str, Any]:
    executable = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    if executable is None:
        return {"skipped": "schemathesis is not installed"}
    started = time.perf_counter()
    done = subprocess.run(
        [executable, "run", f"{base_url}/openapi.json", "-H", f"Authorization: Bearer {token}",
         "--exclude-path", "/api/events", "--workers", "1", "--request-timeout", "10",
         "--generation-database", "none", "--exclude-checks", "positive_data_acceptance",
         *extra],
        cwd=work, capture_output=True, text=True, timeout=1800, check=False)
    summary = [line.strip() for line in done.stdout.splitlines()
               if "generated" in line or (line.startswith("=") and " in " in line)]
    return {"exit_code": done.returncode, "seconds": round(time.perf_counter() - started, 1),
            "summary": summary[-2:]}


def bench_fuzz(work: Path, max_examples: int) -> dict[str, Any]:
    db_url = f"sqlite:///{work / 'fuzz.db'}"
    db = Database.open(db_url)
    world = build_world(db)
    db.dispose()
    server = ServiceProcess(db_url, work / "server.log")
    try:
        facilitator = _schemathesis(server.base_url, world.tokens["facilitator"], work,
                                    ["--max-examples", str(max_examples), "--seed", "1"])
        liaison = _schemathesis(server.base_url, world.tokens["liaison_UA"], work,
                                ["--max-examples", str(max_examples), "--seed", "2",
                                 "--include-path-regex", "positions|signatures|"
                                 "acknowledgements|/key$"])
    finally:
        server.stop()
    return {"max_examples": max_examples, "as_facilitator": facilitator,
            "as_liaison_UA": liaison}


def _with_backend(name: str, run: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    if name == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            return run(f"sqlite:///{Path(tmp) / 'bench.db'}")
    bindir = postgres_bindir()
    if bindir is None:
        return {"skipped": "PostgreSQL server binaries not installed (apt package postgresql)"}
    cluster = PostgresCluster(bindir, durable=True)
    cluster.start()
    try:
        return run(cluster.create_database())
    finally:
        cluster.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--writes", type=int, default=500)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--fuzz-examples", type=int, default=25,
                        help="schemathesis examples per operation; 0 skips fuzzing")
    parser.add_argument("--out", type=Path, default=RESULTS / "service.json")
    args = parser.parse_args()
    report: dict[str, Any] = {"machine": {"python": platform.python_version(),
                                          "cpus": os.cpu_count()}}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for backend in args.backends.split(","):
            print(f"{backend}: {args.clients} clients x {args.writes} writes ...", flush=True)
            report[backend] = _with_backend(
                backend, lambda url: bench_backend(url, work, args.clients, args.writes))
            print(json.dumps(report[backend], indent=2), flush=True)
        if args.fuzz_examples:
            print("schemathesis ...", flush=True)
            report["fuzz"] = bench_fuzz(work, args.fuzz_examples)
            print(json.dumps(report["fuzz"], indent=2), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
