"""Exit codes of the installed ``corridor`` executable: 0 ok, 2 bad input, 1 runtime failure.

Each command runs as a child process of the real console script, because only that shows what
a shell or a scheduler sees; an in-process runner hides how the entry point maps the result.
Runtime failures are real ones: standard output on ``/dev/full`` (a full disk), a database
server that refuses connections, a port already taken, a broken audit chain.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer
import yaml

import corridor.cli
from corridor.store import coordination
from corridor.store.db import Database
from corridor.store.models import Agreement
from corridor.store.signing import KeyPair
from tests.conftest import DATA_DIR, REPO_ROOT, SCENARIO_DIR
from tests.dbfixtures import free_port, seed_store

SCENARIO = str(SCENARIO_DIR / "ukraine-2022-03-07.yaml")
EXTRACT = str(DATA_DIR / "osm" / "monaco.osm.gz")
STATEMENT = str(REPO_ROOT / "tests" / "data" / "statements" / "en-2022-03-07-list.txt")
ANDORRA = str(REPO_ROOT / "examples" / "andorra" / "scenario.yaml")
#: Nothing listens on port 1 of the loopback interface: connections are refused at once.
DOWN = "postgresql+psycopg://corridor@127.0.0.1:1/corridor"


def _executable() -> str:
    """The console script installed next to this interpreter, else the one on PATH."""
    beside = Path(sys.executable).parent / "corridor"
    found = str(beside) if beside.exists() else shutil.which("corridor")
    assert found, "the corridor console script is not installed"
    return found


@dataclass
class Files:
    """What the commands work on: a store with a proposal, its agreement and a party key."""

    root: Path
    store: str
    broken: str
    agreement: Path
    key: Path
    proposal: int


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    root = tmp_path_factory.mktemp("exit-codes")
    store = root / "store.db"
    db = Database.open(f"sqlite:///{store}")
    world = seed_store(db)
    proposal = world.proposal()
    agreement_id = world.agreement()
    with db.read() as session:
        document = coordination.get(session, Agreement, agreement_id).document
    db.dispose()
    world.keys["UA"].save(root / "UA.key")
    (root / "agreement.json").write_text(json.dumps({"document": document}), encoding="utf-8")
    shutil.copy(store, root / "broken.db")
    with sqlite3.connect(root / "broken.db") as conn:
        conn.execute("UPDATE audit_log SET action = 'party.deleted' WHERE seq = 2")
    (root / "a-file").write_text("not a directory", encoding="utf-8")
    (root / "empty.txt").write_bytes(b"")
    (root / "binary.txt").write_bytes(bytes(range(256)))
    (root / "huge.txt").write_bytes(b"Kyiv - Irpin. " * (10 * 1024 * 1024 // 14))
    (root / "talks.txt").write_text("The talks resume on Monday.", encoding="utf-8")
    for name, (base, change) in PLACE_VARIANTS.items():
        _variant(Path(base), root / name, change)
    return Files(root=root, store=str(store), broken=str(root / "broken.db"),
                 agreement=root / "agreement.json", key=root / "UA.key", proposal=proposal)


@dataclass(frozen=True)
class Case:
    """One run of one command, with the exit code it must end with."""

    command: str
    code: int
    args: Callable[[Files], list[str]]
    #: Standard output goes to ``/dev/full``: every write fails as on a full disk.
    full_stdout: bool = False
    #: Extra environment, e.g. a network cache that cannot be created.
    env: Callable[[Files], dict[str, str]] | None = None
    #: Text the diagnostics must contain.
    says: str = ""

    def __str__(self) -> str:
        return f"{self.command}->{self.code}"


def _blocked_cache(f: Files) -> dict[str, str]:
    return {"CORRIDOR_CACHE_DIR": str(f.root / "a-file")}


def _variant(base: Path, path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """A changed copy of a scenario at ``path``, its data files still found."""
    text = re.sub(r"(?:\.\./)+[\w./-]+", lambda m: str((base.parent / m.group()).resolve()),
                  base.read_text(encoding="utf-8"))
    data = yaml.safe_load(text)
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change setting the value at a dotted path (list indices as numbers)."""
    def change(data: dict[str, Any]) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        node: Any = data
        for part in parents:
            node = node[part]
        node[last] = value
    return change


#: Scenarios with broken place fields, written into the fixture's directory.
PLACE_VARIANTS: dict[str, tuple[str, Callable[[dict[str, Any]], None]]] = {
    "misspelt.yaml": (ANDORRA, _set("proposals.2.destination", "Ordimo")),
    "misspelt-cyrillic.yaml": (ANDORRA, _set("proposals.0.waypoints", ["Сальдеу"])),
    "ambiguous.yaml": (SCENARIO, _set("proposals.0.destination", "Олександрівка")),
    "three-numbers.yaml": (ANDORRA, _set("proposals.1.waypoints", [[1.54, 42.51, 1200]])),
    "latitude.yaml": (ANDORRA, _set("proposals.2.destination",
                                    {"point": [1.53, 142.55], "name": "Ordino school"})),
    "points.yaml": (ANDORRA, _set("proposals.1.waypoints",
                                  [[1.5402, 42.5093], {"point": [1.5212, 42.5069],
                                                       "name": "Plaça del Poble"}])),
}

CASES = [
    Case("schema", 0, lambda f: ["schema"]),
    Case("schema", 2, lambda f: ["schema", "extra"], says="unexpected extra argument"),
    Case("schema", 1, lambda f: ["schema"], full_stdout=True, says="No space left"),
    Case("validate", 0, lambda f: ["validate", SCENARIO]),
    Case("validate", 2, lambda f: ["validate", str(f.root / "none.yaml")], says="not found"),
    Case("validate", 1, lambda f: ["validate", SCENARIO, "--json"], full_stdout=True),
    Case("ingest", 0, lambda f: ["ingest", STATEMENT, "--scenario", SCENARIO, "--yaml"]),
    Case("ingest", 2, lambda f: ["ingest", str(f.root / "empty.txt"), "--scenario", SCENARIO],
         says="the statement is empty"),
    Case("ingest", 2, lambda f: ["ingest", str(f.root / "binary.txt"), "--scenario", SCENARIO],
         says="binary data"),
    Case("ingest", 2, lambda f: ["ingest", str(f.root / "huge.txt"), "--scenario", SCENARIO],
         says="too long for a statement"),
    Case("ingest", 2, lambda f: ["ingest", str(f.root / "talks.txt"), "--scenario", SCENARIO],
         says="no corridor found"),
    Case("ingest", 2, lambda f: ["ingest", str(f.root / "none.txt"), "--scenario", SCENARIO],
         says="cannot read the statement"),
    Case("ingest", 1, lambda f: ["ingest", STATEMENT, "--scenario", SCENARIO, "--json"],
         full_stdout=True),
    Case("negotiate", 0, lambda f: ["negotiate", SCENARIO, "--json"]),
    Case("negotiate", 2, lambda f: ["negotiate", str(f.root / "none.yaml")]),
    Case("negotiate", 2, lambda f: ["negotiate", SCENARIO, "--at", "2022-02-01"],
         says="--at: no snapshot on or before 2022-02-01: the timeline starts on 2022-02-28"),
    Case("negotiate", 2, lambda f: ["negotiate", SCENARIO, "--at", "8 March"],
         says="--at: expected a date as YYYY-MM-DD"),
    Case("negotiate", 1, lambda f: ["negotiate", SCENARIO], env=_blocked_cache),
    Case("negotiate", 0, lambda f: ["negotiate", str(f.root / "points.yaml")]),
    Case("negotiate", 2, lambda f: ["negotiate", str(f.root / "misspelt.yaml")],
         says="proposals[2].destination: unknown place name 'Ordimo'; closest spellings: "
              "Ordino"),
    Case("negotiate", 2, lambda f: ["negotiate", str(f.root / "misspelt-cyrillic.yaml")],
         says="closest spellings: Сольдеу (Soldeu)"),
    Case("negotiate", 2, lambda f: ["negotiate", str(f.root / "ambiguous.yaml")],
         says="proposals[0].destination: ambiguous place name 'Олександрівка'"),
    Case("validate", 2, lambda f: ["validate", str(f.root / "three-numbers.yaml")],
         says="expected [lon, lat]: two numbers in degrees, got [1.54, 42.51, 1200]"),
    Case("validate", 2, lambda f: ["validate", str(f.root / "latitude.yaml")],
         says="latitude 142.55 is outside -90..90; points are written [lon, lat]"),
    Case("sweep", 0, lambda f: ["sweep", ANDORRA, "--samples", "2", "--workers", "1",
                                "--json"]),
    Case("sweep", 2, lambda f: ["sweep", ANDORRA, "--samples", "0"], says="--samples"),
    Case("sweep", 2, lambda f: ["sweep", ANDORRA, "--engine", "ray"], says="--engine"),
    Case("sweep", 1, lambda f: ["sweep", ANDORRA, "--samples", "2", "--engine", "dask",
                                "--address", "tcp://127.0.0.1:1"], says="Dask scheduler"),
    Case("route", 0, lambda f: ["route", ANDORRA, "--from", "Encamp", "--to", "1.5,42.47",
                                "--json", "--gpx", str(f.root / "route.gpx")]),
    Case("route", 2, lambda f: ["route", ANDORRA, "--from", "Encamp", "--to", "Atlantis"],
         says="--to: "),
    Case("route", 2, lambda f: ["route", ANDORRA, "--from", "Encamp", "--to", "Ordino",
                                "--avoid", str(f.agreement)], says="(read for --avoid)"),
    Case("route", 2, lambda f: ["route", SCENARIO, "--from", "Sumy", "--to", "Poltava",
                                "--at", "2022-02-01"],
         says="--at: no snapshot on or before 2022-02-01"),
    Case("route", 1, lambda f: ["route", ANDORRA, "--from", "Encamp", "--to", "Ordino",
                                "--json"], full_stdout=True),
    Case("plan", 0, lambda f: ["plan", SCENARIO, "--json"]),
    Case("plan", 2, lambda f: ["plan", SCENARIO, "--corridor", "nowhere"],
         says="no agreed corridor"),
    Case("plan", 2, lambda f: ["plan", SCENARIO, "--at", "2022-13-01"], says="--at"),
    Case("plan", 2, lambda f: ["plan", ANDORRA, "--at", "2026-05-16"], says="no timeline"),
    Case("plan", 1, lambda f: ["plan", SCENARIO], env=_blocked_cache),
    Case("situation diff", 0, lambda f: ["situation", "diff", SCENARIO, "--from", "2022-03-03",
                                         "--to", "2022-03-09", "--geojson"]),
    Case("situation diff", 2, lambda f: ["situation", "diff", SCENARIO, "--from", "2022-03-09",
                                         "--to", "2022-03-03"],
         says="--to: dates out of order: 2022-03-03 is before 2022-03-09"),
    Case("situation diff", 2, lambda f: ["situation", "diff", SCENARIO, "--from", "2021-12-31",
                                         "--to", "2022-03-03"],
         says="--from: no snapshot on or before 2021-12-31"),
    Case("situation diff", 1, lambda f: ["situation", "diff", SCENARIO, "--from", "2022-03-07",
                                         "--to", "2022-03-09"], env=_blocked_cache),
    Case("replay", 0, lambda f: ["replay", SCENARIO, "--json"]),
    Case("replay", 2, lambda f: ["replay", ANDORRA], says="timeline: the scenario has no "
                                                          "timeline to replay"),
    Case("replay", 1, lambda f: ["replay", SCENARIO], env=_blocked_cache),
    Case("evacuate", 0, lambda f: ["evacuate", SCENARIO, "--json"]),
    Case("evacuate", 2, lambda f: ["evacuate", SCENARIO, "--step", "0"], says="--step"),
    Case("evacuate", 1, lambda f: ["evacuate", SCENARIO, "--json"], full_stdout=True),
    Case("network build", 0, lambda f: ["network", "build", EXTRACT, "--cache-dir",
                                        str(f.root / "cache"), "--json"]),
    Case("network build", 2, lambda f: ["network", "build", str(f.root / "none.osm.pbf")]),
    Case("network build", 1, lambda f: ["network", "build", EXTRACT, "--cache-dir",
                                        str(f.root / "a-file")]),
    Case("network info", 0, lambda f: ["network", "info", EXTRACT, "--cache-dir",
                                       str(f.root / "cache"), "--json"]),
    Case("network info", 2, lambda f: ["network", "info", str(f.root / "agreement.json")]),
    Case("network info", 1, lambda f: ["network", "info", EXTRACT, "--json"],
         full_stdout=True),
    Case("tiles build", 0, lambda f: ["tiles", "build", ANDORRA, "-o",
                                      str(f.root / "basemap.pmtiles"), "--json"]),
    Case("tiles build", 2, lambda f: ["tiles", "build", ANDORRA, "-o",
                                      str(f.root / "a-file" / "basemap.pmtiles")],
         says="a-file/basemap.pmtiles: cannot write"),
    Case("tiles build", 1, lambda f: ["tiles", "build", ANDORRA, "-o",
                                      str(f.root / "basemap.pmtiles"), "--json"],
         full_stdout=True),
    Case("sheet", 0, lambda f: ["sheet", "--db", f.store, "--proposal", str(f.proposal),
                                "--out", str(f.root / "sheet.html")]),
    Case("sheet", 2, lambda f: ["sheet", "--db", f.store, "--proposal", "999",
                                "--out", str(f.root / "sheet.html")]),
    Case("sheet", 1, lambda f: ["sheet", "--db", f.store, "--proposal", str(f.proposal),
                                "--out", str(f.root / "a-file" / "sheet.html")]),
    Case("admin party add", 0, lambda f: ["admin", "party", "add", "SK", "--name", "Slovensko",
                                          "--db", f.store]),
    Case("admin party add", 2, lambda f: ["admin", "party", "add", "sk", "--name", "x",
                                          "--db", f.store], says="String should match"),
    Case("admin party add", 1, lambda f: ["admin", "party", "add", "PL", "--name", "Polska",
                                          "--db", DOWN], says="Connection refused"),
    Case("admin user add", 0, lambda f: ["admin", "user", "add", "Олена", "--role", "liaison",
                                         "--party", "UA", "--db", f.store]),
    Case("admin user add", 2, lambda f: ["admin", "user", "add", "x", "--role", "general",
                                         "--db", f.store], says="role"),
    Case("admin user add", 1, lambda f: ["admin", "user", "add", "x", "--role", "observer",
                                         "--db", DOWN]),
    Case("admin user revoke", 0, lambda f: ["admin", "user", "revoke", "liaison_RU",
                                            "--db", f.store]),
    Case("admin user revoke", 2, lambda f: ["admin", "user", "revoke", "nobody",
                                            "--db", f.store], says="does not exist"),
    Case("admin user revoke", 1, lambda f: ["admin", "user", "revoke", "x", "--db", DOWN]),
    Case("admin user rotate", 0, lambda f: ["admin", "user", "rotate", "operator",
                                            "--db", f.store]),
    Case("admin user rotate", 2, lambda f: ["admin", "user", "rotate", "operator",
                                            "--expires-days", "-1", "--db", f.store],
         says="number of days"),
    Case("admin user rotate", 1, lambda f: ["admin", "user", "rotate", "x", "--db", DOWN]),
    Case("admin seed-2022", 0, lambda f: ["admin", "seed-2022", "--db",
                                          str(f.root / "demo.db"), "--scenario", SCENARIO]),
    Case("admin seed-2022", 2, lambda f: ["admin", "seed-2022", "--db",
                                          str(f.root / "demo2.db"), "--scenario",
                                          str(f.root / "none.yaml")]),
    Case("admin seed-2022", 1, lambda f: ["admin", "seed-2022", "--db", DOWN,
                                          "--scenario", SCENARIO]),
    Case("admin import", 0, lambda f: ["admin", "import", ANDORRA, "--db",
                                       str(f.root / "andorra.db"), "--json"]),
    Case("admin import", 2, lambda f: ["admin", "import", str(f.root / "none.yaml"), "--db",
                                       str(f.root / "andorra2.db")], says="not found"),
    Case("admin import", 1, lambda f: ["admin", "import", ANDORRA, "--db", DOWN],
         says="Connection refused"),
    Case("admin keygen", 0, lambda f: ["admin", "keygen", "--out", str(f.root / "new.key")]),
    Case("admin keygen", 2, lambda f: ["admin", "keygen", "--out", str(f.key)],
         says="refusing to overwrite"),
    Case("admin keygen", 1, lambda f: ["admin", "keygen", "--out",
                                       str(f.root / "a-file" / "x.key")]),
    Case("admin sign", 0, lambda f: ["admin", "sign", "--key", str(f.key),
                                     "--agreement", str(f.agreement), "--party", "UA"]),
    Case("admin sign", 2, lambda f: ["admin", "sign", "--key", str(f.key),
                                     "--agreement", str(f.root / "a-file"), "--party", "UA"],
         says="cannot read the agreement"),
    Case("admin sign", 2, lambda f: ["admin", "sign", "--key", str(f.key),
                                     "--agreement", str(f.agreement), "--party", "MD"],
         says="not a party to this agreement"),
    Case("admin sign", 1, lambda f: ["admin", "sign", "--key", str(f.key), "--agreement",
                                     str(f.agreement), "--party", "UA", "--json"],
         full_stdout=True),
    Case("audit verify", 0, lambda f: ["audit", "verify", "--db", f.store]),
    Case("audit verify", 2, lambda f: ["audit", "verify", "--db", "nosuch://x"],
         says="unsupported database"),
    Case("audit verify", 1, lambda f: ["audit", "verify", "--db", f.broken, "--json"]),
    Case("audit verify", 1, lambda f: ["audit", "verify", "--db", f.store, "--anchor",
                                       "1:" + "0" * 64]),
    Case("audit verify", 1, lambda f: ["audit", "verify", "--db", DOWN]),
]


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This checkout's sources first, whatever the executable was installed from."""
    paths = [str(REPO_ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "COLUMNS": "200",
            **(extra or {})}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_exit_code(case: Case, files: Files) -> None:
    env = _env(case.env(files) if case.env else None)
    with open("/dev/full" if case.full_stdout else os.devnull, "wb") as full:
        done = subprocess.run([_executable(), *case.args(files)], env=env,
                              stdout=full if case.full_stdout else subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=600, check=False)
    assert done.returncode == case.code, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert case.says in done.stderr
    if case.code:
        assert (done.stdout or "").strip() or done.stderr.strip(), "a failure must say why"


def test_audit_verify_json_of_a_broken_chain_says_not_ok_and_exits_1(files: Files) -> None:
    done = subprocess.run([_executable(), "audit", "verify", "--db", files.broken, "--json"],
                          env=_env(),
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["ok"] is False and report["broken_seq"] == 2


@pytest.mark.parametrize(("args", "code"), [([], 2), (["--help"], 0), (["nosuch"], 2),
                                            (["admin"], 2), (["admin", "--help"], 0)])
def test_usage(args: list[str], code: int) -> None:
    done = subprocess.run([_executable(), *args], env=_env(),
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == code and "Usage" in done.stdout + done.stderr


# -- serve: runs until interrupted -------------------------------------------------------------


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def _serve(files: Files, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([_executable(), "serve", "--db", files.store, *args],
                            env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _wait_until_served(process: subprocess.Popen[str], port: int) -> None:
    for _ in range(600):
        assert process.poll() is None, process.communicate()[0]
        try:
            httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1).raise_for_status()
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("the server never answered")


def test_serve_exits_0_when_interrupted(files: Files) -> None:
    port = free_port()
    process = _serve(files, "--port", str(port))
    try:
        _wait_until_served(process, port)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()


def test_serve_exits_2_on_bad_input(files: Files) -> None:
    process = _serve(files, "--port", "eighty")
    output = process.communicate(timeout=120)[0]
    assert process.returncode == 2 and "--port" in output


def test_serve_exits_1_when_the_port_is_taken(files: Files, taken_port: int) -> None:
    process = _serve(files, "--port", str(taken_port))
    output = process.communicate(timeout=120)[0]
    assert process.returncode == 1 and "address already in use" in output.lower()


def _commands(command: object, prefix: str = "") -> Iterator[str]:
    """Leaf command paths, e.g. ``admin party add``."""
    subcommands = getattr(command, "commands", None)
    if subcommands is None:
        yield prefix
        return
    for name, sub in subcommands.items():
        yield from _commands(sub, f"{prefix} {name}".strip())


def test_every_command_is_covered_for_each_exit_code() -> None:
    covered = {(c.command, c.code) for c in CASES} | {("serve", 0), ("serve", 1), ("serve", 2)}
    commands = set(_commands(typer.main.get_command(corridor.cli.app)))
    missing = {(name, code) for name in commands for code in (0, 1, 2)} - covered
    assert not missing, f"commands without an exit-code case: {sorted(missing)}"


# -- files and names that must not be half-made ------------------------------------------------


def _small_files() -> None:
    """In the child: files may not grow past 64 bytes, so writing a key fails halfway."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))


def test_keygen_leaves_no_partial_key_when_the_write_fails(tmp_path: Path) -> None:
    out = tmp_path / "party.key"
    done = subprocess.run([_executable(), "admin", "keygen", "--out", str(out)], env=_env(),
                          capture_output=True, text=True, timeout=120, check=False,
                          preexec_fn=_small_files)
    assert done.returncode == 1, done.stderr
    assert list(tmp_path.iterdir()) == [], "a failed write must leave no file behind"
    assert len(done.stderr.strip().splitlines()) == 1 and str(out) in done.stderr


def test_keygen_writes_a_private_key_only_its_owner_reads(tmp_path: Path) -> None:
    out = tmp_path / "ключ.key"
    done = subprocess.run([_executable(), "admin", "keygen", "--out", str(out), "--json"],
                          env=_env(), capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert out.stat().st_mode & 0o777 == 0o600
    assert list(tmp_path.iterdir()) == [out]
    public = json.loads(done.stdout)["public_key"]
    assert KeyPair.load(out).public_key_hex == public


def test_user_add_refuses_a_control_character_in_the_name(db_url: str) -> None:
    done = subprocess.run([_executable(), "admin", "user", "add", "Олена\x01", "--role",
                           "observer", "--db", db_url], env=_env(),
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2, done.stderr
    assert "name: text contains the control character U+0001" in done.stderr
