"""Fixtures of the dashboard tests: the 2022 demo behind a real server, and headless Chromium.

The store is seeded once per test module with ``corridor admin seed-2022`` and served by
``corridor serve --scenario``; each test then creates, through the API, whatever else it needs
(party keys, a signed agreement, an open corridor, a movement notification).

The browser is Debian's Chromium driven by Playwright; Playwright never downloads one. Where
Chromium (or Playwright) is missing the browser tests are skipped, unless
``CORRIDOR_REQUIRE_BROWSER=1`` (as in CI) turns that into a failure.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import httpx
import pytest

from corridor.store.signing import KeyPair
from corridor.tiles.build import build_basemap
from corridor.web import VENDOR
from tests.conftest import ANDORRA
from tests.dbfixtures import CLI_SCRIPT, ServiceProcess, agreed_window, cli_token

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "ukraine-2022-03-07.yaml"
#: URLs served by the test server or made in the page itself.
_LOCAL = ("http://127.0.0.1:", "data:", "blob:")
CHROMIUM = Path(os.environ.get("CORRIDOR_CHROMIUM", "/usr/bin/chromium"))
#: The basemap is drawn with WebGL: headless, and without a GPU, Chromium gets it from
#: SwiftShader, ANGLE's software renderer, which newer releases only use when told it is wanted.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader",
                 "--use-angle=swiftshader", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
#: (user name, role, party) of the demo's users; the name doubles as the key of its token.
USERS = (("facilitator", "facilitator", None), ("liaison_UA", "liaison", "UA"),
         ("liaison_RU", "liaison", "RU"), ("operator", "operator", None),
         ("observer", "observer", None))
#: The conditions of the agreements the tests draft, unless they give their own.
CONDITIONS = ("no military escort", "white flags on every vehicle")


@dataclass
class Demo:
    """A running server over a scenario (the seeded 2022 demo unless said), with its users."""

    server: ServiceProcess
    tokens: dict[str, str]
    keys: dict[str, KeyPair] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def client(self, user: str) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=30,
                            headers={"Authorization": f"Bearer {self.tokens[user]}"})

    def call(self, user: str, method: str, path: str, body: Any = None) -> Any:
        """One API call as ``user`` that must succeed; returns the JSON answer."""
        with self.client(user) as http:
            response = http.request(method, path, json=body)
        assert response.is_success, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()

    def _register_keys(self) -> None:
        for party in ("UA", "RU"):
            if party not in self.keys:
                self.keys[party] = KeyPair.generate()
                self.call(f"liaison_{party}", "PUT", f"/api/parties/{party}/key",
                          {"public_key": self.keys[party].public_key_hex})

    def key_file(self, party: str, directory: Path) -> Path:
        """The party's registered private key as the PEM file a liaison would pick."""
        self._register_keys()
        path = directory / f"{party}.key"
        if not path.exists():
            self.keys[party].save(path)
        return path

    def draft_agreement(self, proposal_id: int,
                        conditions: Sequence[str] = CONDITIONS) -> dict[str, Any]:
        """An agreement on the proposal's route for the coming month, drafted by the facilitator,
        not yet signed."""
        proposal = self.call("observer", "GET", f"/api/proposals/{proposal_id}")
        agreement: dict[str, Any] = self.call("facilitator", "POST", "/api/agreements", {
            "proposal_id": proposal_id, "windows": [agreed_window(proposal["windows"][0]["tz"])],
            "conditions": list(conditions),
            "parties": ["UA", "RU"],
            "corridor": {"origin": proposal["origin"], "destination": proposal["destination"],
                         "route": proposal["route"]}})
        return agreement

    def signed_agreement(self, proposal_id: int, conditions: Sequence[str] = CONDITIONS) -> int:
        """An agreement on the proposal's route, signed by UA and RU through the API."""
        self._register_keys()
        agreement = self.draft_agreement(proposal_id, conditions)
        for party in ("UA", "RU"):
            self.call(f"liaison_{party}", "POST", f"/api/agreements/{agreement['id']}/signatures",
                      {"party_id": party,
                       "signature": self.keys[party].sign(agreement["document"], party)})
        return int(agreement["id"])

    def corridor(self, proposal_id: int, conditions: Sequence[str] = CONDITIONS) -> int:
        """A corridor, still proposed, from a signed agreement on the proposal."""
        agreement_id = self.signed_agreement(proposal_id, conditions)
        proposal = self.call("observer", "GET", f"/api/proposals/{proposal_id}")
        corridor = self.call("facilitator", "POST", "/api/corridors", {
            "name": f"{proposal['origin']} - {proposal['destination']}",
            "origin": proposal["origin"], "destination": proposal["destination"],
            "route": proposal["route"], "agreement_id": agreement_id})
        return int(corridor["id"])

    def open_corridor(self, proposal_id: int, conditions: Sequence[str] = CONDITIONS) -> int:
        """A corridor from a signed agreement on the proposal, agreed and opened."""
        corridor_id = self.corridor(proposal_id, conditions)
        for status in ("agreed", "open"):
            self.call("facilitator", "POST", f"/api/corridors/{corridor_id}/status",
                      {"status": status})
        return corridor_id

    def notify(self, corridor_id: int, movers: str = "ICRC convoy with civilians") -> int:
        """A movement notified by the operator, starting three days from now."""
        start = dt.datetime.now(dt.UTC) + dt.timedelta(hours=72)
        created = self.call("operator", "POST", "/api/notifications", {
            "corridor_id": corridor_id, "movers": movers, "people": 400,
            "vehicles": [{"kind": "bus", "count": 8}], "start_at": start.isoformat(),
            "end_at": (start + dt.timedelta(hours=6)).isoformat()})
        return int(created["id"])


def seed_demo(db_url: str) -> None:
    subprocess.run([sys.executable, "-c", CLI_SCRIPT, "admin", "seed-2022", "--db", db_url,
                    "--scenario", str(SCENARIO)], check=True, capture_output=True, text=True)


def _serve(root: Path, url: str, scenario: Path,
           users: Sequence[tuple[str, str, str | None]], *extra: str) -> Demo:
    tokens = {name: cli_token(url, name, role, party) for name, role, party in users}
    return Demo(ServiceProcess(url, root / "server.log", "--scenario", str(scenario), *extra),
                tokens)



@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The seeded demo served with its scenario, for one test module."""
    root = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{root / 'demo.db'}"
    seed_demo(url)
    served = _serve(root, url, SCENARIO, USERS)
    yield served
    served.server.stop()


@pytest.fixture(scope="module")
def basemap_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The seeded demo served with its scenario and the scenario's basemap."""
    root = tmp_path_factory.mktemp("basemap")
    url = f"sqlite:///{root / 'demo.db'}"
    seed_demo(url)
    tiles = build_basemap(SCENARIO, root / "ukraine-2022.pmtiles").path
    served = _serve(root, url, SCENARIO, USERS, "--basemap", str(tiles))
    yield served
    served.server.stop()


@pytest.fixture(scope="module")
def andorra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The Andorra example imported (``corridor admin import``) and served: another place,
    zone, parties and labels than the demo's, with the users that need no party."""
    root = tmp_path_factory.mktemp("andorra")
    url = f"sqlite:///{root / 'andorra.db'}"
    subprocess.run([sys.executable, "-c", CLI_SCRIPT, "admin", "import", str(ANDORRA),
                    "--db", url], check=True, capture_output=True, text=True)
    served = _serve(root, url, ANDORRA, [user for user in USERS if user[2] is None])
    yield served
    served.server.stop()


def _missing_browser(reason: str) -> NoReturn:
    if os.environ.get("CORRIDOR_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} and CORRIDOR_REQUIRE_BROWSER=1", pytrace=False)
    pytest.skip(f"{reason}: install the Debian package 'chromium' and the PyPI package "
                "'playwright' to run the browser tests")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium, one per test module."""
    if not CHROMIUM.exists():
        _missing_browser(f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing_browser("Playwright for Python is not installed")
    # A missing vendor package is a broken installation, not a missing optional tool.
    for name, directory in VENDOR.items():
        assert directory.is_dir(), f"{name} is not installed at {directory}: run `npm ci` there"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


#: Reports every Content-Security-Policy violation to the console, where the page fixture sees it.
_REPORT_VIOLATIONS = """
window.addEventListener("securitypolicyviolation", (e) => console.error(
  `CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || "inline code"}`));
"""


@dataclass
class Watch:
    """What a page did that the dashboard must never do: fetch from elsewhere, break its CSP."""

    outside: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)


_WATCHES: dict[int, Watch] = {}


def watch_of(page: Page) -> Watch:
    return _WATCHES[id(page)]


@contextmanager
def watched_page(browser: Browser, locale: str = "en-GB") -> Iterator[Page]:
    """A page in a fresh browser context (so fresh session and local storage) whose browser
    reads ``locale``, checked on closing for requests outside the server and CSP violations."""
    # The viewer's own zone is none a scenario uses (UTC+12:45): a time shown or read in it
    # instead of the scenario's is caught.
    context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                  timezone_id="Pacific/Chatham", locale=locale)
    context.add_init_script(_REPORT_VIOLATIONS)
    opened = context.new_page()
    watch = _WATCHES[id(opened)] = Watch()
    opened.on("request", lambda r: None if r.url.startswith(_LOCAL)
              else watch.outside.append(r.url))
    opened.on("console", lambda m: watch.violations.append(m.text)
              if m.text.startswith("CSP violation") else None)
    yield opened
    context.close()
    del _WATCHES[id(opened)]
    assert watch.outside == [], f"requests outside the server: {watch.outside}"
    assert watch.violations == [], f"blocked by the Content-Security-Policy: {watch.violations}"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page per test, in an English-reading browser.

    Every test also checks that the page loaded nothing from outside the server (the machine it
    runs on may be offline) and that the Content-Security-Policy never had to block anything.
    """
    with watched_page(browser) as opened:
        yield opened


def log_in(page: Page, demo: Demo, user: str) -> None:
    """Open the dashboard and log in as ``user``; returns once the panels are filled."""
    page.goto(demo.base_url + "/")
    page.get_by_label("Bearer token").fill(demo.tokens[user])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector("body[data-refreshed]")
