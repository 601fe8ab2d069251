"""textual-serve's server with the doors a served dashboard needs.

Any page a browser visits may open a websocket to a local port, and a page whose domain
is re-pointed at this machine (DNS rebinding) even sends its requests as same-site. So
every request must name this server in ``Host``; the page and its websocket need the
per-start token; the websocket's ``Origin`` must be this server; sessions are capped;
static folders are never listed; the page loads nothing from the internet.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import signal
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
import textual_serve.server
from aiohttp import web
from textual_serve.server import Server

PAGE_DIR = Path(__file__).with_name("page")
TEXTUAL_SERVE_STATIC = Path(textual_serve.server.__file__).parent / "static"

log = logging.getLogger("concur-tui.serve")


class GuardedServer(Server):
    def __init__(
        self,
        *,
        command: str,
        host: str,
        port: int,
        public_url: str,
        token: str,
        hosts: frozenset[str],
        max_sessions: int,
    ) -> None:
        super().__init__(
            command=command,
            host=host,
            port=port,
            title="concur-tui",
            public_url=public_url,
            statics_path=TEXTUAL_SERVE_STATIC,
            templates_path=PAGE_DIR,
        )
        self.token = token
        self.hosts = hosts
        self.origins = frozenset(
            f"{scheme}://{host}" for host in hosts for scheme in ("http", "https")
        )
        self.max_sessions = max_sessions
        self.sessions = 0

    @property
    def page_address(self) -> str:
        """The address to open: the only one that gets the dashboard."""
        return f"{self.public_url}/?token={self.token}"

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._check_host])
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(PAGE_DIR))
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws/{token}", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.static("/static", TEXTUAL_SERVE_STATIC, name="static"),
                web.static("/page", PAGE_DIR, name="page"),
            ]
        )
        return app

    def serve(self, debug: bool = False) -> None:
        """textual-serve's ``serve``, announcing the address once the port is listening."""
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.request_exit)
        web.run_app(
            self._make_app(),
            host=self.host,
            port=self.port,
            handle_signals=False,
            loop=loop,
            print=lambda _: self._announce(),
        )

    def _announce(self) -> None:
        print(f"concur-tui: serving on {self.page_address}", flush=True)
        print("concur-tui: open that address (it carries the secret); Ctrl+C stops", flush=True)

    def initialize_logging(self) -> None:
        """Refusals are logged one line each, plainly: request text is the client's."""
        logging.basicConfig(level=logging.WARNING, format="concur-tui: %(message)s")

    @web.middleware
    async def _check_host(self, request: web.Request, handler: Any) -> web.StreamResponse:
        host = request.headers.get("Host", "").lower()
        if host not in self.hosts:
            log.warning("refused a request for host %r", host[:100])
            raise web.HTTPForbidden(text="concur-tui: unknown Host\n")
        response: web.StreamResponse = await handler(request)
        return response

    def _token_ok(self, given: str) -> bool:
        return hmac.compare_digest(given.encode(), self.token.encode())

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        if not self._token_ok(request.query.get("token", "")):
            raise web.HTTPForbidden(
                text="concur-tui: open the address `concur-tui serve` printed (with its"
                " ?token=...)\n"
            )
        ws_path = request.app.router["websocket"].url_for(token=self.token)
        scheme = "wss" if self.public_url.startswith("https") else "ws"
        context = {
            "title": self.title,
            "font_size": _font_size(request.query.get("fontsize", "16")),
            "websocket_url": f"{scheme}:{self.public_url.split(':', 1)[1]}{ws_path}",
            "static_url": f"{request.app.router['static'].url_for(filename='/')}".rstrip("/") + "/",
            "page_url": f"{request.app.router['page'].url_for(filename='/')}".rstrip("/") + "/",
        }
        response = aiohttp_jinja2.render_template("index.html", request, context)
        response.headers["Referrer-Policy"] = "no-referrer"  # the token stays in this tab
        response.headers["Cache-Control"] = "no-store"
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        if not self._token_ok(request.match_info.get("token", "")):
            raise web.HTTPForbidden(text="concur-tui: wrong or missing token\n")
        origin = request.headers.get("Origin", "").lower()
        if origin not in self.origins:
            log.warning("refused a websocket from origin %r", origin[:100])
            raise web.HTTPForbidden(text="concur-tui: this page may not drive the dashboard\n")
        if self.sessions >= self.max_sessions:
            log.warning("refused a session: %d already open (--max-sessions)", self.sessions)
            raise web.HTTPServiceUnavailable(
                text=f"concur-tui: {self.sessions} sessions already open (--max-sessions)\n"
            )
        self.sessions += 1
        try:
            return await super().handle_websocket(request)
        finally:
            self.sessions -= 1


def _font_size(value: str) -> int:
    try:
        return min(max(int(value), 8), 64)
    except ValueError:
        return 16
