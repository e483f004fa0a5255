"""ScaleLab's simulation engine: scenario format, validation, analysis and the flow engine.

Pure Python (numpy, networkx, pydantic); it never imports Django, Channels or Celery.
"""

from simulation.analysis import analyze
from simulation.compile import Compiled, compile_scenario
from simulation.flow import FlowEngine
from simulation.scenario import Scenario, scenario_json_schema
from simulation.validate import ValidationResult, load_scenario, validate_scenario

__all__ = [
    "Compiled",
    "FlowEngine",
    "Scenario",
    "ValidationResult",
    "analyze",
    "compile_scenario",
    "load_scenario",
    "scenario_json_schema",
    "validate_scenario",
]
