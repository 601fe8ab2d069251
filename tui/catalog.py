"""Find scenarios and check their parameters, without running (or importing) their code.

A scenario's metadata are plain literals (see ``scenarios/__init__.py``), read
here with ``ast``: listing a folder of someone's scripts never executes them.
"""

from __future__ import annotations

import ast
import importlib.util
import math
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.errors import EXIT_FAILED as EXIT_FAILED  # re-exported: tui.errors is their home
from tui.errors import EXIT_INTERRUPTED as EXIT_INTERRUPTED
from tui.errors import EXIT_OK as EXIT_OK
from tui.errors import EXIT_USAGE as EXIT_USAGE
from tui.errors import UsageError as UsageError
from tui.literal import visible

BUILTIN_DIR = Path(importlib.util.find_spec("scenarios").origin or "").parent  # type: ignore[union-attr]
# The guide's own examples in the order it gives them, then the lessons it teaches (its rule of
# thumb, then its common mistakes), then the rest: the order of the picker and of `list`.
GUIDE_EXAMPLES = ("thread-sleep", "process-pool-squares", "async-gather", "wait-for-timeout")
GUIDE_LESSONS = (
    "cpu-threads",
    "cpu-processes",
    "compare-io",
    "blocking-in-async",
    "gil-convoy",
    "cancel-taskgroup",
    "gather-errors",
)
SECTIONS = ("examples", "lessons", "more", "scripts")


@dataclass(frozen=True)
class Param:
    name: str
    default: Any
    low: Any = None
    high: Any = None
    help: str = ""
    choices: tuple[Any, ...] | None = None

    @property
    def type(self) -> type:
        return type(self.default)

    def parse(self, text: str) -> Any:
        """The value of ``text`` for this parameter, or a UsageError saying what is wrong."""
        kind = self.type
        try:
            if kind is bool:
                lowered = text.strip().lower()
                if lowered not in ("true", "false", "1", "0", "yes", "no", "on", "off"):
                    raise ValueError
                value: Any = lowered in ("true", "1", "yes", "on")
            elif kind in (int, float) and not text.strip().isascii():
                raise ValueError  # int("٣") is 3: a digit from another script is a typo here
            else:
                value = kind(text)
            if kind is float and not math.isfinite(value):
                raise ValueError
        except ValueError:
            raise UsageError(
                f"parameter {self.name!r} takes {kind.__name__} values, not {text!r}"
            ) from None
        return self.check(value)

    def check(self, value: Any) -> Any:
        if not isinstance(value, self.type) or isinstance(value, bool) != (self.type is bool):
            if not (self.type is float and type(value) is int):
                raise UsageError(
                    f"parameter {self.name!r} takes {self.type.__name__} values, not {value!r}"
                )
            value = float(value)
        if self.choices is not None and value not in self.choices:
            raise UsageError(
                f"parameter {self.name!r} must be one of {', '.join(map(str, self.choices))},"
                f" not {value!r}"
            )
        if (self.low is not None and value < self.low) or (
            self.high is not None and value > self.high
        ):
            raise UsageError(
                f"parameter {self.name!r} must be between {self.low} and {self.high}, not {value}"
            )
        return value


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    kind: str
    lesson: str
    path: Path
    module: str | None  # import name for built-ins; None for a file run by path
    has_main: bool
    params: tuple[Param, ...] = field(default_factory=tuple)

    @property
    def source(self) -> str:
        data = self.path.read_bytes()
        try:
            return read_source(data)
        except (SyntaxError, UnicodeDecodeError):
            return data.decode("utf-8", errors="replace")

    def param(self, name: str) -> Param:
        for param in self.params:
            if param.name == name:
                return param
        known = ", ".join(p.name for p in self.params) or "none"
        raise UsageError(f"{self.name} has no parameter {name!r} (its parameters: {known})")

    def resolve(self, settings: list[str] | dict[str, Any] | None = None) -> dict[str, Any]:
        """All parameters with defaults applied; ``settings`` as ``key=value`` strings or a dict."""
        values = {p.name: p.default for p in self.params}
        if not settings:
            return values
        if isinstance(settings, dict):
            for name, value in settings.items():
                param = self.param(name)
                values[name] = param.parse(value) if isinstance(value, str) else param.check(value)
            return values
        for item in settings:
            name, sep, text = item.partition("=")
            if not sep or not name.strip():
                raise UsageError(f"--set takes key=value, not {item!r}")
            values[name.strip()] = self.param(name.strip()).parse(text.strip())
        return values


def read_source(data: bytes) -> str:
    """Python source text as the interpreter reads it: UTF-8 unless a coding line (PEP 263)
    or a BOM says otherwise. UnicodeDecodeError or SyntaxError (an unknown coding) if not."""
    return importlib.util.decode_source(data)


def _literal(tree: ast.Module, name: str) -> Any:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            try:
                return ast.literal_eval(node.value)
            except ValueError:
                return None
    return None


def _params(raw: Any) -> tuple[Param, ...]:
    if not isinstance(raw, dict):
        return ()
    params = []
    for name, spec in raw.items():
        if (
            isinstance(spec, dict)
            and type(spec.get("default")) in (bool, int, float, str)
            and all(type(spec.get(bound)) in (int, float, type(None)) for bound in ("min", "max"))
        ):
            choices = spec.get("choices")
            params.append(
                Param(
                    str(name),
                    spec["default"],
                    spec.get("min"),
                    spec.get("max"),
                    visible(str(spec.get("help", ""))),
                    tuple(choices) if isinstance(choices, list | tuple) else None,
                )
            )
    return tuple(params)


# CPython 3.11.7's parser is not safe to enter from two threads at once (SystemError: "AST
# constructor recursion depth mismatch"), and scenarios are found from workers too.
_PARSING = threading.Lock()


def load_file(path: Path, module: str | None = None) -> Scenario:
    """Read a scenario (or any script) from a file; UsageError if it is missing or not Python."""
    if path.is_dir():
        raise UsageError(f"{path} is a folder, not a Python file")
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    try:
        data = path.read_bytes()
        if b"\0" in data:
            raise UsageError(f"{path} is not Python source: it contains a NUL byte")
        source = read_source(data)
        with _PARSING:
            tree = ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        where = f"{path}:{exc.lineno}" if exc.lineno else str(path)
        raise UsageError(f"{where}: syntax error: {exc.msg}") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UsageError(
            f"cannot read {path}: {exc.strerror if isinstance(exc, OSError) else exc}"
        ) from None
    params = _params(_literal(tree, "PARAMS"))
    has_main = any(isinstance(n, ast.FunctionDef) and n.name == "main" for n in tree.body)
    docstring = ast.get_docstring(tree) or ""
    return Scenario(
        name=path.stem.replace("_", "-") if module else str(path),
        title=visible(str(_literal(tree, "TITLE") or (docstring.splitlines() or [path.name])[0])),
        kind=visible(str(_literal(tree, "KIND") or "script")),
        lesson=visible(str(_literal(tree, "LESSON") or docstring), lines=True),
        path=path,
        module=module,
        has_main=has_main and bool(params),
        params=params if has_main else (),
    )


def section(scenario: Scenario) -> str:
    """Where a scenario is listed (one of ``SECTIONS``): the guide's examples, its lessons,
    the other built-ins, or a person's own scripts."""
    if scenario.module is None:
        return "scripts"
    if scenario.name in GUIDE_EXAMPLES:
        return "examples"
    return "lessons" if scenario.name in GUIDE_LESSONS else "more"


def guide_order(scenario: Scenario) -> tuple[int, int, str]:
    """A sort key: by section, in the guide's order within it, then by name."""
    guide = GUIDE_EXAMPLES + GUIDE_LESSONS
    place = guide.index(scenario.name) if scenario.name in guide else len(guide)
    return (SECTIONS.index(section(scenario)), place, scenario.name)


def builtins() -> list[Scenario]:
    found = [
        load_file(path, module=f"scenarios.{path.stem}")
        for path in sorted(BUILTIN_DIR.glob("*.py"))
        if not path.name.startswith("_")
    ]
    return sorted(found, key=guide_order)


def from_folder(folder: Path, skipped: list[str] | None = None) -> list[Scenario]:
    """Every ``*.py`` in ``folder`` as a scenario. A file that cannot be read or parsed is
    left out, and why is appended to ``skipped`` (one line each, for the person to see)."""
    if not folder.is_dir():
        raise UsageError(f"--scenarios: no such folder: {folder}")
    found = []
    for path in sorted(folder.glob("*.py")):
        try:
            found.append(load_file(path))
        except UsageError as exc:
            if skipped is not None:
                skipped.append(f"--scenarios: skipped {path.name}: {exc}")
    return found


def builtin(name: str) -> Scenario | None:
    """The built-in scenario called ``name``, or None (never a file: for names from data)."""
    return next((s for s in builtins() if s.name == name), None)


def find(name_or_path: str) -> Scenario:
    """A built-in by name, or a file by path; UsageError naming the known ones otherwise."""
    known = builtins()
    for scenario in known:
        if name_or_path in (scenario.name, scenario.path.stem):
            return scenario
    path = Path(name_or_path)
    if path.suffix == ".py" or path.exists() or "/" in name_or_path:
        return load_file(path)
    names = ", ".join(s.name for s in known)
    raise UsageError(f"unknown scenario {name_or_path!r}; known scenarios: {names}")
