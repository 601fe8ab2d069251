from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tui import catalog
from tui.model.run import RunModel
from tui.model.summary import summarize
from tui.supervisor.headless import run_headless

PROGRAMS = Path(__file__).parent / "programs"


def run_scenario(name: str, **params: Any) -> tuple[RunModel, dict[str, Any]]:
    """Run a built-in scenario (or a file under tests/programs) headless; return model and summary."""
    scenario = catalog.find(str(PROGRAMS / name) if name.endswith(".py") else name)
    model, interrupted = run_headless(scenario, scenario.resolve(params))
    assert not interrupted
    return model, summarize(model)


def task(summary: dict[str, Any], name: str) -> dict[str, Any]:
    found = [t for t in summary["tasks"] if t["name"] == name]
    assert found, f"no task {name!r} in {[t['name'] for t in summary['tasks']]}"
    return found[0]


async def wait_for(pilot: Any, condition: Any, timeout: float = 20.0) -> None:
    """Let a Textual app run until ``condition()`` holds (failing after ``timeout`` s)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        await pilot.pause(0.05)


@pytest.fixture
def run() -> Any:
    return run_scenario
