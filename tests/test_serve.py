"""``concur-tui serve``: loopback by default, and only the printed address can drive it.

Another web page the user visits can reach a local port (and a rebound domain can even look
same-site), so the tests play that page: no token, a foreign Origin, a foreign Host, one
session too many, a folder listing — each refused; the printed address works.
"""

from __future__ import annotations

import asyncio
import os
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from tui.commands.serve import allowed_hosts, is_loopback, public_url, served_command

CLI = str(Path(sys.executable).parent / "concur-tui")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    port: int
    address: str  # the printed one, with its token

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def token(self) -> str:
        return self.address.split("token=", 1)[1]


def start_serve(*options: str) -> Served:
    port = free_port()
    process = subprocess.Popen(
        [CLI, "serve", "--port", str(port), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 30
    seen = b""
    while b"token=" not in seen:
        left = deadline - time.monotonic()
        assert left > 0 and process.poll() is None, f"serve did not start: {seen!r}"
        if select.select([process.stdout], [], [], left)[0]:
            seen += process.stdout.readline()
    line = next(x for x in seen.decode().splitlines() if "token=" in x)
    return Served(process, port, line.split("serving on ", 1)[1].strip())


def stop_serve(served: Served) -> bytes:
    served.process.send_signal(signal.SIGTERM)
    try:
        served.process.wait(timeout=15)
    finally:
        served.process.kill()
        _, err = served.process.communicate()
    return err


@pytest.fixture
def served() -> Iterator[Served]:
    s = start_serve("--max-sessions", "1")
    try:
        yield s
    finally:
        stop_serve(s)


def status(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def test_the_printed_address_gets_the_page_and_serve_stops_cleanly() -> None:
    served = start_serve()
    try:
        assert served.address.startswith(f"http://127.0.0.1:{served.port}/?token=")
        assert len(served.token) >= 32
        code, html = status(served.address)
        assert code == 200
        assert f"ws://127.0.0.1:{served.port}/ws/{served.token}" in html
        assert "concur-tui" in html and "textual.js" in html
        # Nothing on the page comes from elsewhere (a workshop room often has no internet).
        assert "https://" not in html and "http://" not in html.replace(served.base, "")
    finally:
        err = stop_serve(served)
    assert served.process.returncode == 0, err
    assert b"Traceback" not in err
    with pytest.raises(ProcessLookupError):  # nothing left behind in its process group
        os.killpg(served.process.pid, 0)
    with socket.socket() as again:  # and the port is free again
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", served.port))


def test_no_token_wrong_token_foreign_host_and_listings_are_refused(served: Served) -> None:
    assert status(served.base + "/")[0] == 403
    assert status(served.base + "/?token=guess")[0] == 403
    # DNS rebinding: a page at evil.example re-pointed to 127.0.0.1 sends its own Host.
    assert status(served.address, {"Host": f"evil.example:{served.port}"})[0] == 403
    assert status(served.base + "/static/")[0] in (403, 404)
    assert status(served.base + "/page/")[0] in (403, 404)
    assert status(served.base + "/page/fonts/DejaVuSansMono.ttf")[0] == 200


async def _handshake(url: str, origin: str | None) -> int:
    headers = {"Origin": origin} if origin else {}
    async with aiohttp.ClientSession() as client:
        try:
            async with client.ws_connect(url, headers=headers, timeout=aiohttp.ClientWSTimeout(10)):
                return 101
        except aiohttp.WSServerHandshakeError as exc:
            return exc.status


def test_websocket_needs_the_token_and_this_origin(served: Served) -> None:
    ws = f"ws://127.0.0.1:{served.port}/ws"
    assert asyncio.run(_handshake(f"{ws}/{served.token}", "http://evil.example")) == 403
    assert asyncio.run(_handshake(f"{ws}/{served.token}", None)) == 403
    assert asyncio.run(_handshake(f"{ws}/nope", served.base)) == 403
    assert asyncio.run(_handshake(f"{ws}/{served.token}", served.base)) == 101


def test_one_session_too_many_is_refused(served: Served) -> None:
    async def two() -> tuple[int, int]:
        url = f"ws://127.0.0.1:{served.port}/ws/{served.token}?width=80&height=24"
        async with aiohttp.ClientSession() as client:
            first = await client.ws_connect(url, headers={"Origin": served.base})
            try:
                second = await _handshake(url, served.base)
            finally:
                await first.close()
            deadline = time.monotonic() + 20  # until the first session's app process has ended
            while (third := await _handshake(url, served.base)) != 101:
                if time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.2)
        return second, third

    second, third = asyncio.run(two())
    assert second == 503
    assert third == 101  # a closed session frees its place


def test_bad_options_are_one_line_and_exit_2() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        cases = {
            ("--port", str(port)): f"port {port} on 127.0.0.1 is already in use",
            ("--max-sessions", "0"): "--max-sessions must be 1 to 64",
            ("--python", "/no/such/python"): "--python /no/such/python: no such file",
            ("--public-url", "javascript:alert(1)"): "--public-url must be an http(s) address",
            ("watch", "thread-sleep", "--set", "delay=60"): "between 0.0 and 30.0",
        }
        for options, message in cases.items():
            done = subprocess.run(
                [CLI, "serve", *options], capture_output=True, text=True, timeout=30
            )
            assert done.returncode == 2, (options, done.stderr)
            assert done.stderr.count("\n") == 1 and message in done.stderr, done.stderr
            assert "Traceback" not in done.stderr


def test_a_port_taken_after_the_check_is_one_line_and_exit_2(monkeypatch, capsys) -> None:
    from tui.cli import main
    from tui.commands import serve

    monkeypatch.setattr(serve, "port_problem", lambda host, port: None)  # the check saw it free
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"concur-tui: port {port} on 127.0.0.1 is already in use (choose another with --port N)"
    ]


def test_hosts_and_command() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    assert public_url("::1", 8000) == "http://[::1]:8000"
    assert public_url("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    hosts = allowed_hosts("127.0.0.1", 8000, "http://127.0.0.1:8000")
    assert hosts == {"127.0.0.1:8000", "localhost:8000", "[::1]:8000"}
    command = served_command(["--", "replay", "--demo", "gil-convoy"], ["/usr/bin/python3"])
    assert command.endswith("--served --served-python /usr/bin/python3 replay --demo gil-convoy")


async def test_a_served_compare_screen_offers_only_the_command_line_pythons() -> None:
    """A served page must not make concur-tui execute a path typed into it."""
    from textual.widgets import Input

    from tui.app.app import ConcurApp
    from tui.app.screens.compare import CompareScreen

    app = ConcurApp(compare_pythons=["/usr/bin/python3"])
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("m")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        assert not screen.query("#compare-python")
        assert all(field.id != "compare-python" for field in screen.query(Input))
        assert screen.read_form()[2] == ["/usr/bin/python3"]
    local = ConcurApp()
    async with local.run_test(size=(140, 45)) as pilot:
        await pilot.press("m")
        await pilot.pause()
        assert local.screen.query_one("#compare-python", Input)
