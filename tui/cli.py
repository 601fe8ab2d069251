"""The ``concur-tui`` command: the dashboard by default, ``list`` and headless ``run``."""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import importlib
import io
import json
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from tui import catalog
from tui.errors import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    ConcurError,
    UnavailableError,
    UsageError,
)
from tui.events import dumps_strict
from tui.files import cannot_write
from tui.model.summary import format_text, summarize
from tui.supervisor.headless import run_headless


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"concur-tui: {message} (see concur-tui --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="concur-tui",
        description="Watch Python concurrency happen: threads, processes, asyncio and the GIL.",
    )
    parser.add_argument(
        "--scenarios", type=Path, help="also list the scenario files in this folder"
    )
    # Set by `serve` on the command each browser tab runs: the Compare screen then offers
    # only the interpreters named on serve's command line, never a path typed into the page.
    parser.add_argument("--served", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--served-python", action="append", default=[], metavar="PATH", help=argparse.SUPPRESS
    )
    parser.add_argument(
        "--projector",
        action="store_true",
        help="start the dashboard in the projector theme: high contrast, large glyphs (F2 switches)",
    )
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    listing = sub.add_parser("list", help="list the scenarios")
    listing.add_argument("--json", action="store_true", help="as JSON")
    listing.add_argument(
        "--scenarios",
        type=Path,
        default=argparse.SUPPRESS,  # keep a --scenarios given before `list`
        help="also list the scenario files in this folder",
    )

    run = sub.add_parser("run", help="run a scenario headless and print what happened")
    scenario_args(run, required=False)
    run.add_argument("--json", action="store_true", help="print one JSON object")
    run.add_argument("--record", metavar="FILE", type=Path, help="also save the run as a recording")
    run.add_argument(
        "--export", metavar="FILE", type=Path, help="also write a Chrome trace (ui.perfetto.dev)"
    )
    run.add_argument(
        "--replay", metavar="FILE", help="summarize a recording instead of running a scenario"
    )

    watch = sub.add_parser("watch", help="open the dashboard on a scenario and run it")
    scenario_args(watch)
    watch.add_argument(
        "--record", metavar="FILE", type=Path, help="save the run as a recording when it ends"
    )
    projector_arg(watch)
    listing.set_defaults(func=cmd_list)
    run.set_defaults(func=cmd_run)
    watch.set_defaults(func=cmd_app)
    for register in _more_commands():
        register(sub)
    return parser


MORE_COMMANDS = ("replay", "export", "serve", "compare")
GC_YOUNG = 10_000  # allocations between the dashboard's young-generation passes (Python: 700)


def parse_command_line(argv: Sequence[str] | None) -> argparse.Namespace:
    """``build_parser().parse_args``, except that an unavailable command takes any arguments:
    using it says why it is unavailable, not that its options are unknown."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown and not getattr(args, "unavailable", None):
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    return args


def _more_commands() -> list[Callable[[Any], None]]:
    """Subcommands that live in their own modules: each exposes ``register(subparsers)``,
    which adds its parser and sets ``func`` (called with the parsed args, returns an exit code).
    One whose module fails to import is still listed, and says why when it is used."""
    found: list[Callable[[Any], None]] = []
    for name in MORE_COMMANDS:
        try:
            module = importlib.import_module(f"tui.commands.{name}")
        except Exception as exc:  # a missing dependency, or a bug in the module itself
            found.append(functools.partial(_register_unavailable, name, exc))
            continue
        found.append(module.register)
    return found


def _register_unavailable(name: str, problem: Exception, subparsers: Any) -> None:
    why = (f"{type(problem).__name__}: {problem}".splitlines() or [""])[0]
    help_text = f"unavailable ({why})".replace("%", "%%")  # argparse formats help with %
    parser = subparsers.add_parser(name, add_help=False, help=help_text)
    parser.set_defaults(func=_unavailable, unavailable=f"the {name} command is unavailable ({why})")


def _unavailable(args: argparse.Namespace) -> int:
    raise UnavailableError(args.unavailable)


def projector_arg(parser: argparse.ArgumentParser) -> None:
    """``--projector`` after a subcommand too (a value given before it is kept)."""
    parser.add_argument(
        "--projector",
        action="store_true",
        default=argparse.SUPPRESS,
        help="the projector theme: high contrast, large glyphs (F2 switches)",
    )


def scenario_args(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument(
        "scenario",
        nargs=None if required else "?",
        help="a scenario name (see `concur-tui list`) or a .py file",
    )
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="set a parameter"
    )


def cmd_list(args: argparse.Namespace) -> int:
    scenarios = catalog.builtins() + _extra_scenarios(args)
    if args.json:
        rows = [
            {
                "name": s.name,
                "title": s.title,
                "kind": s.kind,
                "lesson": s.lesson,
                "params": {
                    p.name: {"default": p.default, "min": p.low, "max": p.high, "help": p.help}
                    | ({"choices": list(p.choices)} if p.choices else {})
                    for p in s.params
                },
            }
            for s in scenarios
        ]
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    width = max(len(s.name) for s in scenarios)
    for s in scenarios:
        print(f"{s.name:<{width}}  {s.kind:<9}  {s.title}")
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    if args.replay:
        if args.scenario or args.record:
            raise UsageError("--replay FILE summarizes a recording: give no SCENARIO or --record")
        from tui.recording import load_model

        _, model = load_model(args.replay)  # a bad file: RecordingError, a UsageError (exit 2)
        interrupted = False
    else:
        if not args.scenario:
            raise UsageError("give a SCENARIO to run (see `concur-tui list`) or --replay FILE")
        scenario = catalog.find(args.scenario)
        params = scenario.resolve(args.set)
        recorder = None
        if args.record:
            from tui.recording import Recorder, scenario_meta

            if not args.record.parent.is_dir():
                raise UsageError(f"cannot record to {args.record}: no such folder")
            recorder = Recorder(scenario_meta(scenario, params))
        model, interrupted = run_headless(
            scenario, params, on_events=recorder.extend if recorder else None
        )
        if recorder is not None:
            recorder.save(args.record)
            print(f"recorded {len(recorder.events)} events to {args.record}", file=sys.stderr)
    if args.export:
        from tui.export import write_trace

        try:
            _, count = write_trace(model, args.export)
        except OSError as exc:
            raise UsageError(cannot_write(args.export, exc)) from None
        print(
            f"wrote {args.export} ({count} trace events): open it at https://ui.perfetto.dev",
            file=sys.stderr,
        )
    summary = summarize(model)
    print(dumps_strict(summary.to_json()) if args.json else format_text(model, summary))
    if interrupted or summary.outcome == "cancelled":
        return EXIT_INTERRUPTED
    return EXIT_OK if summary.outcome == "completed" else EXIT_FAILED


def cmd_app(args: argparse.Namespace) -> int:
    from tui.app.app import ConcurApp

    extra = _extra_scenarios(args)
    start = None
    record = getattr(args, "record", None)
    if args.command == "watch":
        scenario = catalog.find(args.scenario)
        start = (scenario, scenario.resolve(args.set))
        if record is not None and not record.parent.is_dir():
            raise UsageError(f"cannot record to {record}: no such folder")
    app = ConcurApp(
        extra_scenarios=extra,
        start=start,
        record=record,
        compare_pythons=args.served_python if args.served else None,
        projector=args.projector,
    )
    _settle_memory()
    app.run()
    if app.record_message:
        print(f"concur-tui: {app.record_message}", file=sys.stderr)
    if args.scenarios:
        _extra_scenarios(args)  # say again what was skipped: the dashboard covered the first
    return app.return_code or EXIT_OK


def _settle_memory() -> None:
    """Leave what was imported out of the garbage collector's passes, and pass less often.

    The dashboard allocates at every tick. A full pass walked every object of the libraries
    imported at start, which never die (seen: a 459 ms pass, the screen frozen meanwhile, and
    passes were ~4 % of a core while watching); ``freeze`` leaves those out for good."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG, *gc.get_threshold()[1:])


def _extra_scenarios(args: argparse.Namespace) -> list[catalog.Scenario]:
    """The scenarios of ``--scenarios DIR``, saying on stderr which files were left out."""
    if not getattr(args, "scenarios", None):
        return []
    skipped: list[str] = []
    found = catalog.from_folder(args.scenarios, skipped)
    for line in skipped:
        print(f"concur-tui: {line}", file=sys.stderr)
    return found


SERVED_COMMANDS = (None, "watch", "replay")  # the ones that open the dashboard


def check_served_command(argv: Sequence[str]) -> None:
    """Check the concur-tui command line ``serve`` runs for each browser tab, before serving:
    UsageError (one line) if it would fail in every tab. Loads no recording and runs nothing."""
    argv = list(argv)
    if argv[:1] == ["--"]:
        argv = argv[1:]
    shown = shlex.join(argv) or "(the dashboard)"
    errors = io.StringIO()
    try:
        with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(io.StringIO()):
            args = parse_command_line(argv)
    except SystemExit:
        problem = errors.getvalue().strip().removeprefix("concur-tui: ").split(" (see ")[0]
        raise UsageError(
            f"served command {shown}: {problem or 'not a dashboard command'}"
        ) from None
    command = getattr(args, "command", None)
    if getattr(args, "unavailable", None):
        raise UnavailableError(f"served command {shown}: {args.unavailable}")
    if command not in SERVED_COMMANDS:
        raise UsageError(
            f"served command {shown}: serve shows the dashboard (watch, replay or nothing),"
            f" not {command}"
        )
    try:
        if getattr(args, "scenarios", None):
            catalog.from_folder(args.scenarios)
        if command == "watch":
            catalog.find(args.scenario).resolve(args.set)
            if args.record is not None:
                raise UsageError("--record would make every tab write the same file")
        elif command == "replay":
            from tui.commands.replay import recording_path

            if args.json or args.text:
                raise UsageError("--json and --text print instead of showing the dashboard")
            path = Path(recording_path(args))
            if not path.is_file():
                raise UsageError(f"no such recording: {path}")
    except UsageError as exc:
        raise UsageError(f"served command {shown}: {exc}") from None


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_command_line(argv)
    try:
        return int(getattr(args, "func", cmd_app)(args))
    except ConcurError as exc:
        print(f"concur-tui: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


def entry() -> None:
    """The console script's entry (see tui.launch, which the installed script uses)."""
    from tui.launch import entry as launch

    launch()
