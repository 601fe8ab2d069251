"""Which interpreter a ``--python`` path is, asked by running it: a bad path is named, not run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, replace

from tui.catalog import UsageError
from tui.supervisor.session import PROJECT_ROOT

MIN_PYTHON = (3, 11)
PROBE_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Interpreter:
    path: str
    version: str
    implementation: str
    gil_enabled: bool
    free_threaded_build: bool
    label: str = ""

    @property
    def gil_text(self) -> str:
        return "GIL" if self.gil_enabled else "no GIL"

    @property
    def description(self) -> str:
        """The implementation and its GIL, as the table's header and the screen's notes say it."""
        build = " (free-threaded build)" if self.free_threaded_build else ""
        return f"{self.implementation}, {self.gil_text}{build}"


# Plain enough to run (and answer) on any Python, so an old one is named rather than crashing.
_PROBE = """\
import sys, json, platform, sysconfig
info = {
    "version": platform.python_version(),
    "implementation": platform.python_implementation(),
    "gil_enabled": bool(getattr(sys, "_is_gil_enabled", lambda: True)()),
    "free_threaded_build": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
    "executable": sys.executable,
}
if tuple(sys.version_info[:2]) >= MIN_PYTHON:
    import tui.runner.main
print("CONCUR-PROBE " + json.dumps(info))
""".replace("MIN_PYTHON", repr(MIN_PYTHON))


def probe_python(path: str) -> Interpreter:
    """What ``path`` is, checked by running the runner's imports under it; UsageError if unusable."""
    resolved = path if os.sep in path else (shutil.which(path) or path)
    where = f"--python {path}"
    if not os.path.exists(resolved):
        raise UsageError(f"{where}: no such file")
    if os.path.isdir(resolved):
        raise UsageError(f"{where}: is a folder, not a Python interpreter")
    if not os.access(resolved, os.X_OK):
        raise UsageError(f"{where}: not executable")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (PROJECT_ROOT, env.get("PYTHONPATH")) if p)
    try:
        done = subprocess.run(
            [resolved, "-c", _PROBE],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=PROBE_TIMEOUT_S,
            env=env,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise UsageError(f"{where}: did not answer within {PROBE_TIMEOUT_S:.0f} s") from None
    except OSError as exc:
        raise UsageError(f"{where}: cannot run it: {exc.strerror or exc}") from None
    answer = next((ln for ln in done.stdout.splitlines() if ln.startswith("CONCUR-PROBE ")), None)
    if answer is None:
        last = (done.stderr.strip().splitlines() or [""])[-1].strip()
        if "Traceback" in done.stderr or "Error" in last:
            raise UsageError(f"{where}: cannot run the runner: {last}")
        first = (done.stderr.strip().splitlines() or [""])[0].strip()
        said = f"; it said: {first[:80]}" if first else ""
        raise UsageError(f"{where}: not a Python interpreter (no answer to a Python probe{said})")
    info = json.loads(answer.split(" ", 1)[1])
    major, minor = (int(x) for x in info["version"].split(".")[:2])
    if (major, minor) < MIN_PYTHON:
        need = ".".join(map(str, MIN_PYTHON))
        raise UsageError(f"{where}: Python {info['version']} is too old (the runner needs {need}+)")
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        raise UsageError(f"{where}: cannot run the runner: {last}")
    return Interpreter(
        path=os.path.abspath(resolved),
        version=info["version"],
        implementation=info["implementation"],
        gil_enabled=info["gil_enabled"],
        free_threaded_build=info["free_threaded_build"],
    )


def labelled(interpreters: list[Interpreter]) -> list[Interpreter]:
    """Give each interpreter a short label: its version, plus a number if two share one."""
    result = []
    for i, interp in enumerate(interpreters):
        base = interp.version + ("t" if interp.free_threaded_build else "")
        same = [x for x in interpreters if x.version == interp.version]
        result.append(replace(interp, label=base if len(same) == 1 else f"{base}#{i + 1}"))
    return result
