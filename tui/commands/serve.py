"""``concur-tui serve``: the dashboard in a web browser, through textual-serve.

Each browser tab that opens the page starts its own ``concur-tui`` process (with the
arguments after ``serve``'s own options, e.g. ``concur-tui serve replay --demo gil-convoy``).
Loopback only unless ``--host`` says otherwise: whoever can open the page can run scenarios.
"""

from __future__ import annotations

import argparse
import ipaddress
import shlex
import socket
import sys
from pathlib import Path
from typing import Any

from tui.catalog import EXIT_USAGE

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve the dashboard to a web browser (textual-serve), loopback only by default",
        description="Serve the dashboard to a web browser through textual-serve. Anything after"
        " the options is the concur-tui command line each browser tab runs"
        " (default: the dashboard), e.g. `concur-tui serve replay --demo gil-convoy`.",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}; anything else is reachable by others)",
    )
    parser.add_argument(
        "--public-url",
        help="the address browsers use to reach the server (default: from --host)",
    )
    parser.add_argument("args", nargs=argparse.REMAINDER, help="the concur-tui command to serve")
    parser.set_defaults(func=cmd_serve)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def port_problem(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on (in use, bad address), or None if it can."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return f"cannot listen on {host!r}: {exc.strerror}"
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as probe:
            # Like the server will: an old connection in TIME_WAIT is no obstacle, a listener is.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                if exc.errno == 98:  # EADDRINUSE
                    return f"port {port} on {host} is already in use (choose another with --port N)"
                return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
    return None


def public_url(host: str, port: int) -> str:
    """The page's own address (its websocket URL is built from it)."""
    if host in ("0.0.0.0", "::", ""):
        host = _primary_address()
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _primary_address() -> str:
    """This machine's address on its default route (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
            return str(probe.getsockname()[0])
        except OSError:
            return socket.gethostname()


def served_command(args: list[str]) -> str:
    """The shell command textual-serve runs per browser tab: this very concur-tui."""
    script = Path(sys.argv[0])
    if script.name == "concur-tui" and script.is_file():
        base = [str(script.resolve())]
    else:
        base = [sys.executable, "-c", "from tui.cli import entry; entry()"]
    if args and args[0] == "--":
        args = args[1:]
    return shlex.join(base + args)


def cmd_serve(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        print(f"concur-tui: --port must be 1 to 65535, not {args.port}", file=sys.stderr)
        return EXIT_USAGE
    problem = port_problem(args.host, args.port)
    if problem:
        print(f"concur-tui: {problem}", file=sys.stderr)
        return EXIT_USAGE
    if not is_loopback(args.host):
        print(
            f"concur-tui: warning: serving on {args.host}:{args.port}, not just this machine:"
            " anyone who can reach it can open the dashboard and run scenarios",
            file=sys.stderr,
        )
    from textual_serve.server import Server

    command = served_command(list(args.args))
    public = args.public_url or public_url(args.host, args.port)
    server = Server(
        command=command, host=args.host, port=args.port, title="concur-tui", public_url=public
    )
    server.serve()
    return 0
