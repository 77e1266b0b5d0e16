"""Screenshots of the running dashboard in each of its languages, for the demo and the docs.

    python tools/screenshots.py --url http://127.0.0.1:8765/ --tokens out/demo-tokens.txt \\
        --user mediator --out out

Logs in as ``--user`` (a token from the ``user (role): token`` lines ``make serve`` writes) in
Debian's Chromium driven by Playwright, the pair the browser tests use, and writes
``dashboard-<lang>.png`` for English, Ukrainian and Russian. The language is the browser's own
choice (stored as a reader's earlier pick would be), never the user's saved setting, so the
screenshots leave the user's account as they found it.

This is a developer's tool, not part of the service, so Playwright comes with the development
install (``make install``). Without Chromium it says so and exits 0: the demo it belongs to has
already run. A token file it cannot read, or a dashboard that never finishes loading, is an
error (exit 1).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

LANGUAGES = ("en", "uk", "ru")
CHROMIUM = Path(os.environ.get("CORRIDOR_CHROMIUM", "/usr/bin/chromium"))
#: As in the browser tests: no sandbox inside containers, no GPU, no calls home.
_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
#: How long the dashboard may take to log in and draw its panels, in ms.
_LOAD_MS = 120_000
#: How long the map is given to draw after the panels, in ms.
_SETTLE_MS = 1_500


class ScreenshotError(Exception):
    """The screenshots cannot be taken; the message says why and what to do."""


def token_of(path: Path, user: str) -> str:
    """The bearer token of ``user`` in a ``user (role): token`` file."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ScreenshotError(f"{path}: cannot read the tokens ({error.strerror})") from error
    for number, line in enumerate(lines, 1):
        name, _, token = line.partition(": ")
        if not line.strip():
            continue
        if not token.strip() or " (" not in name:
            raise ScreenshotError(f"{path}, line {number}: expected 'user (role): token', "
                                  f"got {line!r}")
        if name.split(" (", 1)[0] == user:
            return token.strip()
    raise ScreenshotError(f"{path}: no token of user {user!r}")


def take(url: str, token: str, out: Path, chromium: Path = CHROMIUM) -> list[Path]:
    """Write ``out/dashboard-<lang>.png`` of the dashboard at ``url``; returns the files."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        raise ScreenshotError("Playwright for Python is not installed: run `make install`, "
                              "which installs the development tools") from error

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=_ARGS)
        try:
            for lang in LANGUAGES:
                context = browser.new_context(viewport={"width": 1440, "height": 1000},
                                              locale=lang)
                context.add_init_script(f"localStorage.setItem('corridor.language', '{lang}');")
                page = context.new_page()
                try:
                    page.goto(url)
                    page.locator("#token").fill(token)
                    page.locator("#login-form [type=submit]").click()
                    page.wait_for_selector("body[data-refreshed]", timeout=_LOAD_MS)
                    # The event stream stays open, so the network never idles; the map
                    # finishes drawing in the animation frames after the panels are filled.
                    page.wait_for_timeout(_SETTLE_MS)
                    path = out / f"dashboard-{lang}.png"
                    page.screenshot(path=str(path), full_page=True)
                    written.append(path)
                except PlaywrightError as error:
                    shown = page.locator("#login-error").text_content() or ""
                    raise ScreenshotError(f"{url}: the dashboard did not load in {lang}"
                                          f"{f' ({shown})' if shown else ''}: "
                                          f"{error.message.splitlines()[0]}") from error
                finally:
                    context.close()
        finally:
            browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8765/")
    parser.add_argument("--tokens", type=Path, default=Path("out/demo-tokens.txt"))
    parser.add_argument("--user", default="mediator")
    parser.add_argument("--out", type=Path, default=Path("out"))
    parser.add_argument("--chromium", type=Path, default=CHROMIUM)
    args = parser.parse_args(argv)
    try:
        token = token_of(args.tokens, args.user)
        if not args.chromium.exists():
            print(f"No dashboard screenshots: no Chromium at {args.chromium} "
                  "(install the Debian package 'chromium')", file=sys.stderr)
            return 0
        for path in take(args.url, token, args.out, args.chromium):
            print(f"Dashboard screenshot: {path}")
    except ScreenshotError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
