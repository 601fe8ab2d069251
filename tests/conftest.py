from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tui import catalog
from tui.model.run import RunModel
from tui.model.summary import summarize
from tui.runner import leftovers
from tui.supervisor.headless import run_headless

PROGRAMS = Path(__file__).parent / "programs"


def find_python(version: str) -> str | None:
    """A working interpreter of ``version`` ("3.12"): ``python3.12`` on PATH, else the newest
    in pyenv's versions folder (a pyenv shim on PATH fails unless that version is selected)."""
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    installed = sorted(
        root.glob(f"versions/{version}.*/bin/python{version}"),
        key=lambda path: [int(p) for p in path.parts[-3].split(".") if p.isdigit()],
    )
    for candidate in [shutil.which(f"python{version}"), *map(str, reversed(installed))]:
        if candidate is None:
            continue
        check = "import sys; print('%d.%d' % sys.version_info[:2])"
        try:
            said = subprocess.run(
                [candidate, "-c", check], capture_output=True, text=True, timeout=30
            )
        except OSError:
            continue
        if said.returncode == 0 and said.stdout.strip() == version:
            return candidate
    return None


def run_scenario(name: str, **params: Any) -> tuple[RunModel, dict[str, Any]]:
    """Run a built-in scenario (or a file under tests/programs) headless; return model and summary."""
    scenario = catalog.find(str(PROGRAMS / name) if name.endswith(".py") else name)
    model, interrupted = run_headless(scenario, scenario.resolve(params))
    assert not interrupted
    return model, summarize(model).to_json()


def task(summary: dict[str, Any], name: str) -> dict[str, Any]:
    found = [t for t in summary["tasks"] if t["name"] == name]
    assert found, f"no task {name!r} in {[t['name'] for t in summary['tasks']]}"
    return found[0]


# -- waiting: the one way the tests wait for something to happen ------------------------------
POLL_S = 0.05


class Deadline:
    """A guard against hanging, not a speed check: generous, because the machine may be busy."""

    def __init__(self, timeout: float, what: str) -> None:
        self.at = time.monotonic() + timeout
        self.what = what

    def check(self) -> None:
        if time.monotonic() > self.at:
            raise AssertionError(f"timed out waiting for {self.what or 'the condition'}")


def until(condition: Callable[[], Any], timeout: float = 60.0, what: str = "") -> None:
    """Wait (sleeping) until ``condition()`` holds."""
    deadline = Deadline(timeout, what)
    while not condition():
        deadline.check()
        time.sleep(POLL_S)


async def wait_for(
    pilot: Any, condition: Callable[[], Any], timeout: float = 60.0, what: str = ""
) -> None:
    """Let a Textual app run until ``condition()`` holds."""
    deadline = Deadline(timeout, what)
    while not condition():
        deadline.check()
        await pilot.pause(POLL_S)


@pytest.fixture
def run() -> Any:
    return run_scenario


# -- the suite itself leaves nothing behind ----------------------------------------------------
# Every temporary file of the suite and of the concur-tui processes it starts goes to a folder
# of its own (TMPDIR), which must hold nothing but pytest's own when the suite ends; and every
# semaphore a run listed (tui.runner.leftovers) must be gone from /dev/shm.
SEMAPHORES: set[str] = set()
_suite_tmp: Path | None = None


def _listing_remove(ledger: str) -> int:
    with contextlib.suppress(OSError):
        SEMAPHORES.update(Path(ledger).read_text().split()[1::2])
    return _remove_listed(ledger)


_remove_listed = leftovers.remove_listed


def pytest_configure(config: pytest.Config) -> None:
    global _suite_tmp
    _suite_tmp = Path(tempfile.mkdtemp(prefix="concur-tui-suite-"))
    os.environ["TMPDIR"] = str(_suite_tmp)
    tempfile.tempdir = str(_suite_tmp)
    leftovers.remove_listed = _listing_remove  # type: ignore[assignment]


_plugins_own: set[str] = set()


def pytest_sessionstart(session: pytest.Session) -> None:
    if _suite_tmp is not None:  # what plugins made there while configuring is theirs
        _plugins_own.update(p.name for p in _suite_tmp.iterdir())


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _suite_tmp is None:
        return
    time.sleep(0.5)  # a run ended by the last test may still be tidying up
    left = [
        p.name
        for p in _suite_tmp.iterdir()
        if not p.name.startswith("pytest-of-") and p.name not in _plugins_own
    ]
    left += [n for n in sorted(SEMAPHORES) if Path(f"/dev/shm/sem.{n.lstrip('/')}").exists()]
    shutil.rmtree(_suite_tmp, ignore_errors=True)
    if left:
        print(f"\nthe test suite left behind: {', '.join(left)}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
