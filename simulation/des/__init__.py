"""The discrete-event engine: every request simulated; the exact oracle of the flow engine.

`DesEngine` steps a scenario and emits the flow engine's frames; `run_des` summarises runs
with confidence intervals; `latency_by_arrival` aligns latencies with arrival times.
"""

from simulation.des.engine import DesEngine, ZipfKeys
from simulation.des.runs import latency_by_arrival, run_des, steady_state

__all__ = ["DesEngine", "ZipfKeys", "latency_by_arrival", "run_des", "steady_state"]
