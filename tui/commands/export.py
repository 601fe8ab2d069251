"""``concur-tui export FILE -o trace.json``: a recording as a Chrome trace for Perfetto."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tui.commands.replay import recording_path
from tui.errors import EXIT_OK, UsageError
from tui.files import cannot_write
from tui.recording import load_model


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write a recording as Chrome Trace Event JSON (open it in ui.perfetto.dev)",
        description="Convert a recording (or a built-in demo) to Chrome Trace Event Format JSON,"
        " which Perfetto (https://ui.perfetto.dev, Open trace file) and chrome://tracing open.",
    )
    parser.add_argument("file", nargs="?", help="a recording (.jsonl)")
    parser.add_argument("--demo", metavar="NAME", help="a built-in demo recording instead of FILE")
    parser.add_argument(
        "-o", "--output", help="the trace file to write (default: FILE's name with .trace.json)"
    )
    parser.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    from tui.export import write_trace

    source = recording_path(args)
    _, model = load_model(source)  # a bad file: RecordingError, a UsageError
    output = args.output or f"{Path(args.demo or source).name.removesuffix('.jsonl')}.trace.json"
    try:
        path, count = write_trace(model, output)
    except OSError as exc:
        raise UsageError(cannot_write(output, exc)) from None
    size = path.stat().st_size
    print(
        f"wrote {path} ({count} trace events, {size / 1024:.0f} KB): open it at https://ui.perfetto.dev"
    )
    return EXIT_OK
