"""The selection guide, measured: one workload run sequentially, with threads, processes and asyncio.

``compare()`` runs ``scenarios/workload.py`` once per mode (and per
interpreter), one run after another, each in its own runner process exactly
like ``concur-tui run``, and builds a table: elapsed time, speed-up over
sequential, cores used, GIL busy, peak memory, and next to them what the
guide predicts and whether the measurement agrees.

One module per concern:

- ``probe``: which interpreter a ``--python`` path is;
- ``predict``: the guide's rule of thumb as numbers, from the parameters alone;
- ``result``: the modes and workloads, a row per run, the result;
- ``run``: the runs, and each row's figures from its run's summary;
- ``table``: the one renderer of the table, for the CLI and the Compare screen;
- ``advise``: which should I use? (the guide's Step 1).
"""

from tui.compare.advise import DOMINANTS, Advice, Dominant, advise
from tui.compare.predict import Prediction, Verdict, predict, verdict
from tui.compare.probe import Interpreter, probe_python
from tui.compare.result import MODES, SCENARIO, WORKLOADS, CompareResult, Row
from tui.compare.run import Measured, add_row, compare, resolve_params, run_once
from tui.compare.table import format_table

__all__ = [
    "DOMINANTS",
    "MODES",
    "SCENARIO",
    "WORKLOADS",
    "Advice",
    "CompareResult",
    "Dominant",
    "Interpreter",
    "Measured",
    "Prediction",
    "Row",
    "Verdict",
    "add_row",
    "advise",
    "compare",
    "format_table",
    "predict",
    "probe_python",
    "resolve_params",
    "run_once",
    "verdict",
]
