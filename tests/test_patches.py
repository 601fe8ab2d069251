"""The runner's hooks: every private CPython name they rely on exists on each supported Python,
installing them is undone exactly, and installing twice wraps nothing twice."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import find_python

from tui.runner import patches

ROOT = Path(__file__).resolve().parents[1]
MISSING = "from tui.runner.patches import missing; print('\\n'.join(missing()))"


def test_every_private_name_exists_on_this_python() -> None:
    gone = patches.missing()
    assert not gone, f"Python {sys.version.split()[0]} lacks {', '.join(gone)}"


@pytest.mark.parametrize("version", ["3.11", "3.12", "3.13"])
def test_every_private_name_exists_on(version: str) -> None:
    python = find_python(version)
    if python is None:
        pytest.skip(f"no Python {version} here")
    said = subprocess.run(
        [python, "-c", MISSING], capture_output=True, text=True, cwd=ROOT, check=True
    )
    gone = said.stdout.split()
    assert not gone, f"Python {version} lacks {', '.join(gone)}"


def test_a_missing_name_is_named() -> None:
    fake = patches.Reliance("asyncio.events.Handle._run_renamed", "a release renamed it")
    known = patches.PRIVATE_NAMES
    patches.PRIVATE_NAMES = (*known, fake)
    try:
        assert patches.missing() == [fake.path]
    finally:
        patches.PRIVATE_NAMES = known


def test_every_private_name_a_hook_replaces_is_listed() -> None:
    listed = {r.path.rsplit(".", 1)[-1] for r in patches.PRIVATE_NAMES}
    for patch in _every_patch():
        if patch.name.startswith("_") and not patch.name.startswith("__"):
            assert patch.name in listed, f"{patch.owner!r}.{patch.name} is not in PRIVATE_NAMES"


def _every_patch() -> list[patches.Patch]:
    return [
        *patches.for_runner("/nonexistent/ledger"),
        *patches.for_output(),
        *patches.for_worker("/nonexistent/ledger"),
    ]


def _current(table: list[patches.Patch]) -> dict[tuple[int, str], tuple[Any, bool]]:
    return {
        (id(p.owner), p.name): (getattr(p.owner, p.name), p.name in vars(p.owner)) for p in table
    }


def test_install_then_uninstall_puts_every_original_back() -> None:
    table = _every_patch()
    before = _current(table)
    assert not patches.installed()
    patches.install(table)
    try:
        for patch in table:
            original, _ = before[(id(patch.owner), patch.name)]
            now = getattr(patch.owner, patch.name)
            assert now is not original, f"{patch.name} was not replaced"
            if callable(original) and hasattr(now, "__code__"):
                assert now.__wrapped__ is original
                assert now.__name__ == getattr(original, "__name__", now.__name__)
        once = _current(table)
        patches.install(table)
        patches.install(_every_patch())  # tables made again: the same places
        assert _current(table) == once, "installing again replaced a hook"
        assert len(patches.installed()) == len(once)
    finally:
        patches.uninstall()
    after = _current(table)
    for key, (original, own) in before.items():
        assert after[key][0] is original, f"{key[1]} not restored"
        assert after[key][1] == own, f"{key[1]} left in a class that only inherited it"
    assert not patches.installed()
