"""Scenarios: the file format (:mod:`~corridor.scenario.schema`) and reading it
(:mod:`~corridor.scenario.loading`). A scenario is what every command starts from."""

from corridor.scenario.loading import load_scenario
from corridor.scenario.schema import Scenario, json_schema

__all__ = ["Scenario", "json_schema", "load_scenario"]
