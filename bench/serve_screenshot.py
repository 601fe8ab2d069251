"""Capture the dashboard served to a browser: ``concur-tui serve`` + headless Chromium.

    .venv/bin/python bench/serve_screenshot.py [-o screenshots/served.png] [--report FILE]
        [-- CONCUR-TUI ARGS]

Starts ``concur-tui serve`` on a free loopback port (serving, by default, the
``cancel-taskgroup`` demo replay so the picture is the same every time), points
Debian's ``chromium`` (``apt-get install -y chromium``) at the address it prints (with its
token) in headless mode, saves the PNG, and stops the server and everything it started.
``--report FILE`` writes what the browser's network log (DevTools' Network domain) saw
the page request, and the state of each web font it declares: the tests read it to show
the page needs nothing beyond this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = Path(sys.executable).parent / "concur-tui"
CHROMIUM = "/usr/bin/chromium"
DEFAULT_ARGS = ["replay", "--demo", "cancel-taskgroup"]
BLANK_PNG_B64 = 20_000  # a screenshot of a blank (unpainted) page is a few KB


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def served_address(server: subprocess.Popen[bytes], timeout_s: float = 30.0) -> str:
    """The address (with its token) ``serve`` prints once it listens."""
    assert server.stdout is not None
    deadline = time.monotonic() + timeout_s
    while (left := deadline - time.monotonic()) > 0 and server.poll() is None:
        if select.select([server.stdout], [], [], left)[0]:
            line = server.stdout.readline().decode()
            if "serving on " in line:
                return line.split("serving on ", 1)[1].strip()
    raise SystemExit(f"concur-tui serve printed no address within {timeout_s:.0f} s")


async def capture(
    profile: Path, url: str, settle_s: float, timeout_s: float = 30.0
) -> tuple[bytes, dict[str, object]]:
    """Open ``url`` in the blank tab, wait for the served app's first frame, let it play,
    take a PNG; and report every request the page made and its fonts' states."""
    import aiohttp  # textual-serve's own dependency

    deadline = time.monotonic() + timeout_s
    port_file = profile / "DevToolsActivePort"
    while not port_file.exists() or not port_file.read_text().strip():
        if time.monotonic() > deadline:
            raise SystemExit("chromium did not open its DevTools port")
        await asyncio.sleep(0.1)
    port = int(port_file.read_text().split()[0])
    async with aiohttp.ClientSession() as http:
        while True:
            async with http.get(f"http://127.0.0.1:{port}/json/list") as response:
                pages = [t for t in await response.json() if t.get("type") == "page"]
            if pages:
                break
            await asyncio.sleep(0.1)
        async with http.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            ids = iter(range(1, 1 << 30))

            async def call(method: str, **params: object) -> dict:
                number = next(ids)
                await ws.send_json({"id": number, "method": method, "params": params})
                async for message in ws:
                    reply = json.loads(message.data)
                    if reply.get("id") == number:
                        if "error" in reply:
                            raise SystemExit(f"chromium: {method}: {reply['error']}")
                        return reply["result"]
                    if reply.get("method") in ("Network.requestWillBeSent",):
                        requests.append(reply["params"]["request"]["url"])
                    elif reply.get("method") == "Network.webSocketCreated":
                        requests.append(reply["params"]["url"])
                raise SystemExit("chromium closed the DevTools connection")

            requests: list[str] = []
            await call("Network.enable")
            await call("Page.navigate", url=url)

            probe = "document.body && document.body.classList.contains('-first-byte')"
            while True:
                result = await call("Runtime.evaluate", expression=probe, returnByValue=True)
                if result["result"].get("value"):
                    break
                if time.monotonic() > deadline:
                    raise SystemExit("the served app sent nothing to the browser")
                await asyncio.sleep(0.2)
            await asyncio.sleep(settle_s)
            while True:  # the terminal paints a little after its first byte, slower when busy
                shot = await call("Page.captureScreenshot", format="png")
                if len(shot["data"]) > BLANK_PNG_B64 or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.5)
            fonts = await call(
                "Runtime.evaluate",
                expression="[...document.fonts].map(f => ({family: f.family, status: f.status,"
                " unicodeRange: f.unicodeRange}))",
                returnByValue=True,
            )
            report = {"requests": requests, "fonts": fonts["result"]["value"]}
            return base64.b64decode(shot["data"]), report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", default=str(ROOT / "screenshots" / "served.png"))
    parser.add_argument("--size", default="1400,900", help="browser window WIDTH,HEIGHT")
    parser.add_argument(
        "--settle-s",
        type=float,
        default=4.0,
        help="seconds to let the app play after its first frame",
    )
    parser.add_argument("--report", help="write the page's requests and fonts (JSON) here")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="what concur-tui serves")
    options = parser.parse_args()
    args = [a for a in options.args if a != "--"] or DEFAULT_ARGS
    chromium = shutil.which("chromium") or CHROMIUM
    if not Path(chromium).exists():
        raise SystemExit("no chromium: install it with `apt-get install -y chromium`")
    output = Path(options.output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = subprocess.Popen(
        [str(CLI), "serve", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    profile = tempfile.mkdtemp(prefix="concur-tui-chromium-")
    browser = None
    try:
        url = served_address(server)
        started = time.monotonic()
        # Chromium's own --screenshot with --virtual-time-budget fast-forwards virtual time and
        # shoots before the served app's first frame arrives over its websocket (measured: the
        # intro card every time), so drive Chromium over the DevTools protocol and wait in
        # real time for the app's first byte, then for the replay to play.
        browser = subprocess.Popen(
            [
                chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", f"--user-data-dir={profile}", f"--window-size={options.size}",
                "--remote-debugging-port=0", "--hide-scrollbars", "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            env=dict(os.environ, TMPDIR=profile),  # its org.chromium.* folder goes too
        )  # fmt: skip
        png, report = asyncio.run(capture(Path(profile), url, options.settle_s))
        output.write_bytes(png)
        if options.report:
            Path(options.report).write_text(json.dumps(report, indent=1))
        print(f"wrote {output} ({len(png) / 1024:.0f} KB) in {time.monotonic() - started:.1f} s")
    finally:
        if browser is not None:  # first, so the served app's websocket closes
            with contextlib.suppress(ProcessLookupError):
                os.killpg(browser.pid, signal.SIGKILL)
            browser.wait()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        with contextlib.suppress(ProcessLookupError):  # the served app and all it started
            os.killpg(server.pid, signal.SIGKILL)
        shutil.rmtree(profile, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
