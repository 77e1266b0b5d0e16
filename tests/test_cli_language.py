"""The installed ``corridor`` executable speaks the language asked for, on every command.

``--lang`` is taken after the command as well as before it, ``CORRIDOR_LANG`` is the default,
and a language without a catalog is bad input (exit 2) that names the option and the choices.
The verdicts are checked in words of each language, and the English ones must be gone.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest
import typer

from corridor.cli import app
from tests.test_cli_exit_codes import SCENARIO, _env, _executable

#: Words of the verdicts in each language (accepts, rejects, the destination rule).
VERDICT_WORDS = {
    "en": ["accepts", "rejects", "requires a destination held by", "Proposals"],
    "uk": ["приймає", "відхиляє", "вимагає пункту призначення під контролем", "Пропозиції"],
    "ru": ["принимает", "отклоняет", "требует пункт назначения под контролем", "Предложения"],
}


def _corridor(*args: str, lang_env: str | None = None) -> subprocess.CompletedProcess[str]:
    extra = {"CORRIDOR_LANG": lang_env} if lang_env is not None else {"CORRIDOR_LANG": ""}
    return subprocess.run([_executable(), *args], env=_env(extra), capture_output=True,
                          text=True, timeout=600, check=False)


@pytest.mark.parametrize("lang", ["uk", "ru"])
def test_negotiate_verdicts_in_the_language_asked_for(lang: str) -> None:
    done = _corridor("negotiate", SCENARIO, "--lang", lang)
    assert done.returncode == 0, done.stderr
    for word in VERDICT_WORDS[lang]:
        assert word in done.stdout
    for word in VERDICT_WORDS["en"]:
        assert word not in done.stdout
    other = "ru" if lang == "uk" else "uk"
    assert VERDICT_WORDS[other][1] not in done.stdout


def test_language_before_the_command_and_from_the_environment() -> None:
    before = _corridor("--lang", "uk", "negotiate", SCENARIO)
    assert before.returncode == 0, before.stderr
    assert "відхиляє" in before.stdout and "rejects" not in before.stdout
    env = _corridor("negotiate", SCENARIO, lang_env="ru_RU.UTF-8")
    assert env.returncode == 0, env.stderr
    assert "отклоняет" in env.stdout and "rejects" not in env.stdout
    # the option wins over the environment
    both = _corridor("negotiate", SCENARIO, "--lang", "en", lang_env="ru")
    assert "rejects" in both.stdout and "отклоняет" not in both.stdout


def test_json_keeps_codes_and_renders_messages_in_the_language() -> None:
    done = _corridor("negotiate", SCENARIO, "--json", "--lang", "uk")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    reasons = data["proposals"][0]["verdicts"]["UA"]["reasons"]
    assert reasons[0]["code"] == "destination_in.violated"
    assert reasons[0]["params"]["party"] == "UA"
    assert "вимагає пункту призначення під контролем UA" in reasons[0]["message"]
    conflict = data["conflicts"]["Kyiv"]
    assert conflict["explanation_code"] == "conflict.rules"
    assert "коридорів-кандидатів" in conflict["explanation"]


@pytest.mark.parametrize("args", [
    ["negotiate", SCENARIO, "--lang", "de"],
    ["--lang", "de", "negotiate", SCENARIO],
    ["validate", SCENARIO, "--lang", "de"],
])
def test_unknown_language_is_bad_input(args: list[str]) -> None:
    done = _corridor(*args)
    assert done.returncode == 2, done.stderr
    assert "--lang: unknown language 'de': expected one of en, uk, ru" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_unknown_language_in_the_environment_is_bad_input() -> None:
    done = _corridor("negotiate", SCENARIO, lang_env="de")
    assert done.returncode == 2
    assert "CORRIDOR_LANG: unknown language 'de'" in done.stderr


def _leaves(command: Any, path: str = "corridor") -> list[tuple[str, Any]]:
    """Every command that runs something, with how it is typed."""
    subcommands = getattr(command, "commands", None)
    if subcommands:
        return [leaf for name, sub in subcommands.items()
                for leaf in _leaves(sub, f"{path} {name}")]
    return [(path, command)]


def test_every_command_takes_lang() -> None:
    commands = _leaves(typer.main.get_command(app))
    assert len(commands) > 15
    lacking = [path for path, command in commands
               if not any("--lang" in p.opts for p in command.params)]
    assert lacking == []
