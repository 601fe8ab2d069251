"""``concur-tui serve``: the dashboard in a web browser, through textual-serve.

Each browser tab that opens the page starts its own ``concur-tui`` process (with the
arguments after ``serve``'s own options, e.g. ``concur-tui serve replay --demo gil-convoy``).
Any web page the user visits can try to reach a local server, so the served dashboard has
doors textual-serve lacks: a per-start secret in the printed address (as Jupyter does),
Host and Origin checked against the served address, a limit on sessions, no folder
listings, and served sessions that cannot run a path typed into the page.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import secrets
import shlex
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tui.errors import EXIT_OK, UsageError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_MAX_SESSIONS = 4


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve the dashboard to a web browser (textual-serve), loopback only by default",
        description="Serve the dashboard to a web browser through textual-serve. Anything after"
        " the options is the concur-tui command line each browser tab runs"
        " (default: the dashboard), e.g. `concur-tui serve replay --demo gil-convoy`."
        " The printed address carries a secret token: only who has it can open the page.",
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
    parser.add_argument(
        "--max-sessions",
        type=int,
        default=DEFAULT_MAX_SESSIONS,
        help=f"browser tabs served at once, each its own process (default {DEFAULT_MAX_SESSIONS})",
    )
    parser.add_argument(
        "--python",
        action="append",
        default=[],
        metavar="PATH",
        help="an interpreter the Compare screen may also run (repeatable); served pages"
        " cannot name one themselves",
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
                return bind_problem(host, port, exc)
    return None


def bind_problem(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is already in use (choose another with --port N)"
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"


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


def allowed_hosts(host: str, port: int, public: str) -> frozenset[str]:
    """The ``Host`` headers a browser sends for this server: its own names only, so a page
    whose domain was re-pointed at this machine (DNS rebinding) is refused."""
    names = {host, urlsplit(public).hostname or ""}
    if is_loopback(host):
        names |= {"127.0.0.1", "localhost", "::1"}
    elif host in ("0.0.0.0", "::", ""):
        import psutil

        names |= {socket.gethostname(), socket.getfqdn(), "localhost"}
        for addresses in psutil.net_if_addrs().values():
            names |= {a.address.split("%")[0] for a in addresses if a.family in _INET}
    return frozenset(_host_header(name, port) for name in names if name)


_INET = (socket.AF_INET, socket.AF_INET6)


def _host_header(name: str, port: int) -> str:
    name = name.lower()
    return f"[{name}]:{port}" if ":" in name else f"{name}:{port}"


def served_command(args: list[str], pythons: Sequence[str] = ()) -> str:
    """The shell command textual-serve runs per browser tab: this very concur-tui, told it
    is served (so its Compare screen offers only ``pythons``, never a path typed in)."""
    script = Path(sys.argv[0])
    if script.name == "concur-tui" and script.is_file():
        base = [str(script.resolve())]
    else:
        base = [sys.executable, "-c", "from tui.cli import entry; entry()"]
    if args and args[0] == "--":
        args = args[1:]
    served = ["--served"] + [arg for path in pythons for arg in ("--served-python", path)]
    return shlex.join(base + served + args)


def cmd_serve(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be 1 to 65535, not {args.port}")
    if not 1 <= args.max_sessions <= 64:
        raise UsageError(f"--max-sessions must be 1 to 64, not {args.max_sessions}")
    from tui.cli import check_served_command

    check_served_command(args.args)  # a command that fails in every tab is refused now
    pythons = _checked_pythons(args.python)
    problem = port_problem(args.host, args.port)
    if problem:
        raise UsageError(problem)
    public = (args.public_url or public_url(args.host, args.port)).rstrip("/")
    if urlsplit(public).scheme not in ("http", "https") or not urlsplit(public).hostname:
        raise UsageError(f"--public-url must be an http(s) address, not {args.public_url!r}")
    if not is_loopback(args.host):
        print(
            f"concur-tui: warning: serving on {args.host}:{args.port}, not just this machine:"
            " anyone who can reach this port and has the address below gets the dashboard,"
            " and can run every scenario it lists, as you",
            file=sys.stderr,
        )
    from tui.web.server import GuardedServer

    token = secrets.token_urlsafe(24)
    server = GuardedServer(
        command=served_command(list(args.args), pythons),
        host=args.host,
        port=args.port,
        public_url=public,
        token=token,
        hosts=allowed_hosts(args.host, args.port, public),
        max_sessions=args.max_sessions,
    )
    try:
        server.serve()
    except OSError as exc:  # the port was taken between the check and the server's bind
        raise UsageError(bind_problem(args.host, args.port, exc)) from None
    return EXIT_OK


def _checked_pythons(paths: list[str]) -> list[str]:
    from tui.compare import probe_python

    for path in paths:
        probe_python(path)
    return paths
