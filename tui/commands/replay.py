"""``concur-tui replay FILE|--demo NAME``: play a recording in the dashboard, or print its summary."""

from __future__ import annotations

import argparse
from typing import Any

from tui.cli import projector_arg
from tui.errors import EXIT_OK, UnavailableError, UsageError
from tui.events import dumps_strict
from tui.recording import (
    MAX_SPEED,
    MIN_SPEED,
    Replay,
    demo_names,
    demo_path,
    find_recording,
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "replay",
        help="play a recording (or a built-in demo) in the dashboard, in slow motion if you like",
        description="Play a recording made with --record (or a built-in demo) in the dashboard:"
        " space pauses, and step, seek and speed keys work as in the footer."
        f" Demos: {', '.join(_demos())}.",
    )
    parser.add_argument(
        "file",
        nargs="?",
        help="a recording (.jsonl); a bare name is also looked for in the recordings folder",
    )
    parser.add_argument("--demo", metavar="NAME", help="a built-in demo recording instead of FILE")
    parser.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help=f"playback speed, {MIN_SPEED}x to {MAX_SPEED}x (default 1)",
    )
    parser.add_argument("--paused", action="store_true", help="start paused at the beginning")
    projector_arg(parser)
    how = parser.add_mutually_exclusive_group()
    how.add_argument(
        "--json", action="store_true", help="print the run's summary as JSON, no dashboard"
    )
    how.add_argument(
        "--text", action="store_true", help="print the run's text summary, no dashboard"
    )
    parser.set_defaults(func=cmd_replay)


def _demos() -> list[str]:
    try:
        return demo_names()
    except (OSError, ModuleNotFoundError):
        return []


def recording_path(args: argparse.Namespace) -> str:
    """FILE or the path of ``--demo NAME``; UsageError when neither or both."""
    if args.demo and args.file:
        raise UsageError("give a recording FILE or --demo NAME, not both")
    if args.demo:
        return str(demo_path(args.demo))
    if not args.file:
        raise UsageError(f"give a recording FILE or --demo NAME (demos: {', '.join(_demos())})")
    return str(find_recording(args.file))


def cmd_replay(args: argparse.Namespace) -> int:
    if not MIN_SPEED <= args.speed <= MAX_SPEED:
        raise UsageError(f"--speed must be between {MIN_SPEED} and {MAX_SPEED}, not {args.speed:g}")
    path = recording_path(args)
    if args.json or args.text:
        from tui.model.summary import format_text, summarize
        from tui.recording import load_model

        _, model = load_model(path)
        summary = summarize(model)
        print(dumps_strict(summary.to_json()) if args.json else format_text(model, summary))
        return EXIT_OK
    replay = Replay.from_file(path, speed=args.speed, paused=args.paused)
    try:
        from tui.app.app import ConcurApp
    except ImportError as exc:
        raise UnavailableError(f"the dashboard is unavailable ({exc})") from None
    ConcurApp(
        replay=replay,
        compare_pythons=args.served_python if args.served else None,
        projector=args.projector,
    ).run()
    return EXIT_OK
