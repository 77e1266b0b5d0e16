"""The dashboard in English, Ukrainian and Russian, in headless Chromium against a real server.

Expected texts come from the catalogs the page itself loads (``web/static/i18n``) and from the
API's answers; a few words are spelled out, so that a catalog left in English fails here too.
Every page is also checked for requests outside the server and Content-Security-Policy
violations (``tests.webfixtures.watched_page``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from babel.dates import get_month_names
from PIL import Image, ImageChops
from playwright.sync_api import expect

from tests.webfixtures import Demo, log_in, watched_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Request

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "src" / "corridor" / "web" / "static" / "i18n"
SCREENSHOTS = ROOT / "tools" / "screenshots.py"


def _catalog(lang: str) -> dict[str, Any]:
    catalog: dict[str, Any] = json.loads((CATALOGS / f"{lang}.json").read_text(encoding="utf-8"))
    return catalog


def _enter(page: Page, demo: Demo, user: str) -> None:
    """Log in as ``user`` whatever language the page is in."""
    page.goto(demo.base_url + "/")
    page.locator("#token").fill(demo.tokens[user])
    page.locator("#login-form [type=submit]").click()
    page.wait_for_selector("body[data-refreshed]")


def _pick_with_keys(page: Page, lang: str) -> None:
    """Choose ``lang`` in the picker from the keyboard, as a user without a mouse would."""
    picker = page.locator("#language")
    picker.focus()
    options = picker.locator("option").evaluate_all("(all) => all.map((o) => o.value)")
    now = options.index(picker.input_value())
    key = "ArrowDown" if options.index(lang) > now else "ArrowUp"
    for _ in range(abs(options.index(lang) - now)):
        page.keyboard.press(key)
    expect(page.locator("html")).to_have_attribute("lang", lang)


def _heard(page: Page) -> list[str]:
    return page.evaluate("window.heard")  # type: ignore[no-any-return]


def _listen(page: Page) -> None:
    page.evaluate("""window.heard = [];
      document.addEventListener("corridor:language", (e) => window.heard.push(e.detail.lang));""")


def test_ukrainian_from_the_keyboard_keeps_focus_and_what_was_typed(demo: Demo,
                                                                    page: Page) -> None:
    uk = _catalog("uk")
    log_in(page, demo, "facilitator")
    shown = demo.call("observer", "GET", "/api/map")
    first_round = demo.call("observer", "GET", "/api/talks")["items"][0]
    page.locator("#route-from").fill("Sumy")
    page.locator("#statement-text").fill("Half a statement")
    _listen(page)
    _pick_with_keys(page, "uk")
    expect(page.locator("#proposals-heading")).to_have_text("Пропозиції та позиції")
    expect(page.locator("#logout")).to_have_text("Вийти")
    expect(page.locator("#route-form [type=submit]")).to_have_text("Прокласти")
    expect(page.get_by_label(uk["app.language"], exact=True)).to_be_focused()
    assert page.title() == uk["app.title"]
    assert _heard(page) == ["uk"]
    # Drawn by the modules, not marked in the page: the legend, the session and the lists.
    expect(page.locator("#legend li")).to_have_text(
        [uk[f"status.{s}"] for s in shown["status_colours"]])
    expect(page.locator("#zone")).to_have_text(
        uk["session.zone"].format(zone=shown["setting"]["timezone"]))
    month = get_month_names("wide", locale="uk")[int(first_round["date"][5:7])]
    expect(page.locator("#talks li strong").first).to_contain_text(month)
    expect(page.locator("#map")).to_have_attribute("aria-label", uk["map.label"])
    expect(page.locator("#incident-type")).to_have_attribute("placeholder", "обстріл")
    assert page.locator("#route-from").input_value() == "Sumy"
    assert page.locator("#statement-text").input_value() == "Half a statement"
    demo.call("facilitator", "PATCH", "/api/me", {"language": None})


def test_russian_is_kept_after_a_reload_and_by_the_users_setting(demo: Demo, page: Page,
                                                                 browser: Browser) -> None:
    ru = _catalog("ru")
    log_in(page, demo, "liaison_UA")
    page.locator("#language").select_option("ru")
    expect(page.locator("#proposals-heading")).to_have_text("Предложения и позиции")
    expect(page.locator("#logout")).to_have_text("Выйти")
    expect(page.locator("#who")).to_have_text(
        ru["session.who_for"].format(name="liaison_UA", role=ru["role.liaison"], party="UA"))
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.locator("body[data-refreshed]").wait_for()
    expect(page.locator("#agreements-heading")).to_have_text("Соглашения и подписи")
    assert page.locator("#language").input_value() == "ru"
    # The choice is the user's: the server keeps it, and another browser picks it up.
    assert demo.call("liaison_UA", "GET", "/api/me")["language"] == "ru"
    with watched_page(browser) as elsewhere:
        elsewhere.goto(demo.base_url + "/")
        expect(elsewhere.locator("#login-heading")).to_have_text("Log in")
        _enter(elsewhere, demo, "liaison_UA")
        expect(elsewhere.locator("#proposals-heading")).to_have_text("Предложения и позиции")
    demo.call("liaison_UA", "PATCH", "/api/me", {"language": None})


def test_the_browsers_language_is_the_first_choice(demo: Demo, browser: Browser) -> None:
    with watched_page(browser, locale="uk-UA") as page:
        page.goto(demo.base_url + "/")
        expect(page.locator("html")).to_have_attribute("lang", "uk")
        expect(page.locator("#login-heading")).to_have_text("Вхід")
        expect(page.locator("#login-form [type=submit]")).to_have_text("Увійти")


def test_every_request_asks_for_the_language_and_errors_come_in_it(demo: Demo,
                                                                  page: Page) -> None:
    asked: list[tuple[str, str | None]] = []

    def note(request: Request) -> None:
        if "/api/" in request.url:
            asked.append((request.url, request.headers.get("accept-language")))

    page.goto(demo.base_url + "/")
    page.locator("#language").select_option("ru")
    page.on("request", note)
    page.locator("#token").fill("not-a-token")
    page.locator("#login-form [type=submit]").click()
    english, russian = (httpx.get(demo.base_url + "/api/me", headers={
        "Authorization": "Bearer not-a-token", "Accept-Language": lang}).json()["detail"]
        for lang in ("en", "ru"))
    assert russian != english
    expect(page.locator("#login-error")).to_have_text(
        _catalog("ru")["login.refused"].format(detail=russian))
    assert asked and all(lang == "ru" for _, lang in asked), asked


def test_english_again_reads_as_before(demo: Demo, page: Page) -> None:
    en = _catalog("en")
    page.goto(demo.base_url + "/")
    page.locator("#language").select_option("uk")
    expect(page.locator("#login-heading")).to_have_text("Вхід")
    page.locator("#language").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#login-heading")).to_have_text(en["login.heading"])
    expect(page.get_by_label("Bearer token")).to_be_visible()


def _screenshots(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCREENSHOTS), *map(str, args)],
                          capture_output=True, text=True, timeout=600, check=False)


def test_screenshots_of_each_language_leave_the_users_setting_alone(
        demo: Demo, browser: Browser, tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.txt"
    tokens.write_text(f"observer (observer): {demo.tokens['observer']}\n"
                      f"facilitator (facilitator): {demo.tokens['facilitator']}\n")
    done = _screenshots("--url", demo.base_url + "/", "--tokens", tokens,
                        "--user", "facilitator", "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    shots = {lang: tmp_path / "out" / f"dashboard-{lang}.png" for lang in ("en", "uk", "ru")}
    assert done.stdout.splitlines() == [f"Dashboard screenshot: {path}" for path in shots.values()]
    images = {lang: Image.open(path).convert("RGB") for lang, path in shots.items()}
    assert all(image.width == 1440 and image.height >= 1000 for image in images.values())
    for a, b in (("en", "uk"), ("en", "ru"), ("uk", "ru")):
        if images[a].size == images[b].size:
            assert ImageChops.difference(images[a], images[b]).getbbox() is not None, (a, b)
    assert demo.call("facilitator", "GET", "/api/me")["language"] is None


def test_screenshots_refuse_a_broken_token_file(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.txt"
    tokens.write_text("observer (observer): abc\nmediator facilitator abc\n")
    done = _screenshots("--tokens", tokens, "--out", tmp_path / "out")
    assert done.returncode == 1
    assert done.stderr == (f"error: {tokens}, line 2: expected 'user (role): token', "
                           "got 'mediator facilitator abc'\n")
    tokens.write_text("observer (observer): abc\n")
    done = _screenshots("--tokens", tokens, "--out", tmp_path / "out")
    assert (done.returncode, done.stderr) == (1, f"error: {tokens}: no token of user 'mediator'\n")
    done = _screenshots("--tokens", tmp_path / "missing.txt")
    assert done.returncode == 1 and "missing.txt: cannot read the tokens" in done.stderr
    assert not (tmp_path / "out").exists()


def test_screenshots_without_chromium_say_so_and_succeed(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.txt"
    tokens.write_text("mediator (facilitator): abc\n")
    done = _screenshots("--tokens", tokens, "--chromium", tmp_path / "no-chromium",
                        "--out", tmp_path / "out")
    assert done.returncode == 0
    assert "no Chromium at" in done.stderr and "'chromium'" in done.stderr
    assert not (tmp_path / "out").exists()
