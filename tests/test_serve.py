"""``concur-tui serve``: the page is served on loopback, and a busy port is a clear error."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tui.commands.serve import is_loopback, public_url, served_command

CLI = str(Path(sys.executable).parent / "concur-tui")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str, deadline: float) -> str:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_serve_answers_with_the_textual_page_and_stops_cleanly() -> None:
    port = free_port()
    server = subprocess.Popen(
        [CLI, "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        html = fetch(f"http://127.0.0.1:{port}/", time.monotonic() + 20)
        assert "textual" in html.lower()
        assert f"ws://127.0.0.1:{port}/ws" in html
        assert "concur-tui" in html
        with socket.socket() as other:  # listening on loopback only
            assert other.connect_ex(("127.0.0.1", port)) == 0
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        finally:
            server.kill()
            _, err = server.communicate()
    assert server.returncode == 0, err
    assert b"Traceback" not in err
    try:  # nothing left behind in its process group
        os.killpg(server.pid, 0)
        left = True
    except ProcessLookupError:
        left = False
    assert not left
    with socket.socket() as again:  # and the port is free again
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))


def test_port_in_use_is_one_line_and_exit_2() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [CLI, "serve", "--port", str(port)], capture_output=True, text=True, timeout=20
        )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and f"port {port}" in done.stderr
    assert "already in use" in done.stderr and "Traceback" not in done.stderr


def test_hosts_and_command() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    assert public_url("::1", 8000) == "http://[::1]:8000"
    assert public_url("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert served_command(["--", "replay", "--demo", "gil-convoy"]).endswith(
        "replay --demo gil-convoy"
    )
