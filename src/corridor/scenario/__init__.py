"""Scenarios, what every command starts from: the file format and reading it.

The format is :mod:`~corridor.scenario.schema`; reading and cross-checking a file is
:mod:`~corridor.scenario.loading`.
"""

from corridor.scenario.loading import load_scenario
from corridor.scenario.schema import Scenario, json_schema

__all__ = ["Scenario", "json_schema", "load_scenario"]
