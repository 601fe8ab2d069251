"""The served page works in a room with no internet: everything it loads comes from the
server, and every glyph the dashboard draws is in a font the page itself serves (so no
symbol depends on the viewer's system fonts and none renders as a box)."""

from __future__ import annotations

import html
import json
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tui.app.app import ConcurApp
from tui.recording import load
from tui.web.server import PAGE_DIR, TEXTUAL_SERVE_STATIC

ROOT = Path(__file__).resolve().parents[1]
APP_DIR = ROOT / "tui" / "app"
FIXTURES = Path(__file__).parent / "fixtures"
PAGE_FONTS = [
    TEXTUAL_SERVE_STATIC / "fonts" / "RobotoMono-VariableFont_wght.ttf",
    PAGE_DIR / "fonts" / "DejaVuSansMono.ttf",
]


def covered(font: Path) -> set[int]:
    """The code points a TrueType font has a glyph for (its cmap, formats 4 and 12)."""
    data = font.read_bytes()
    tables = {
        data[12 + 16 * i : 16 + 16 * i]: struct.unpack(">II", data[20 + 16 * i : 28 + 16 * i])[0]
        for i in range(struct.unpack(">H", data[4:6])[0])
    }
    cmap = tables[b"cmap"]
    points: set[int] = set()
    for i in range(struct.unpack(">H", data[cmap + 2 : cmap + 4])[0]):
        platform, _, offset = struct.unpack(">HHI", data[cmap + 4 + 8 * i : cmap + 12 + 8 * i])
        table = cmap + offset
        kind = struct.unpack(">H", data[table : table + 2])[0]
        if platform not in (0, 3):
            continue
        if kind == 12:
            for g in range(struct.unpack(">I", data[table + 12 : table + 16])[0]):
                start, end, _ = struct.unpack(
                    ">III", data[table + 16 + 12 * g : table + 28 + 12 * g]
                )
                points.update(range(start, end + 1))
        elif kind == 4:
            segments = struct.unpack(">H", data[table + 6 : table + 8])[0] // 2
            ends = struct.unpack(f">{segments}H", data[table + 14 : table + 14 + 2 * segments])
            base = table + 16 + 2 * segments
            starts = struct.unpack(f">{segments}H", data[base : base + 2 * segments])
            deltas = struct.unpack(f">{segments}h", data[base + 2 * segments : base + 4 * segments])
            ranges_at = base + 4 * segments
            for s, (start, end) in enumerate(zip(starts, ends, strict=True)):
                range_offset = struct.unpack(">H", data[ranges_at + 2 * s : ranges_at + 2 * s + 2])[
                    0
                ]
                for c in range(start, end + 1):
                    if range_offset == 0:
                        glyph = (c + deltas[s]) & 0xFFFF
                    else:
                        at = ranges_at + 2 * s + range_offset + 2 * (c - start)
                        glyph = struct.unpack(">H", data[at : at + 2])[0]
                    if glyph:
                        points.add(c)
    return points


def written_characters() -> set[str]:
    """Every character outside ASCII in the app's own code and styles: the glyphs of every
    state, including states no recording shows."""
    files = [*APP_DIR.rglob("*.py"), *APP_DIR.rglob("*.tcss")]
    return {c for f in files for c in f.read_text(encoding="utf-8") if ord(c) > 0x7F}


async def drawn_characters() -> set[str]:
    """Every character the dashboard puts on screen (Textual's own too: borders, scroll
    bars, the footer), on finished replays, the task details, help and the picker."""
    seen: set[str] = set()
    for fixture in ("cancel_taskgroup.jsonl", "cpu_threads.jsonl"):
        app = ConcurApp(replay=load(FIXTURES / fixture)[1])
        async with app.run_test(size=(140, 45)) as pilot:
            for key in ("", "enter", "question_mark"):
                if key:
                    await pilot.press(key)
                await pilot.pause()
                seen |= _text_of(app.export_screenshot())
    picker = ConcurApp()
    async with picker.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        seen |= _text_of(picker.export_screenshot())
    return seen


def _text_of(svg: str) -> set[str]:
    return set(html.unescape("".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))))


async def test_every_glyph_on_screen_is_in_a_font_the_page_serves() -> None:
    fonts = set().union(*(covered(font) for font in PAGE_FONTS))
    drawn = await drawn_characters()
    assert len(drawn) > 60  # the screens were drawn
    drawn |= written_characters()
    missing = sorted(c for c in drawn if ord(c) > 0x20 and ord(c) not in fonts)
    assert not missing, f"no served font draws {missing} ({[hex(ord(c)) for c in missing]})"


@pytest.mark.skipif(
    not shutil.which("chromium"), reason="needs Debian's chromium (.ci/run installs it)"
)
def test_the_page_in_headless_chromium_requests_only_the_server(tmp_path: Path) -> None:
    """The browser's own network log (DevTools' Network domain) for the served page."""
    report = tmp_path / "report.json"
    shot = tmp_path / "served.png"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "serve_screenshot.py"), "-o", str(shot),
         "--report", str(report), "--settle-s", "1"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    seen = json.loads(report.read_text())
    hosts = {urlsplit(url).hostname for url in seen["requests"]}
    assert hosts == {"127.0.0.1"}, seen["requests"]
    assert any("/ws/" in url for url in seen["requests"])  # the app itself connected
    assert [font["status"] for font in seen["fonts"]] == ["loaded"] * len(PAGE_FONTS)
    assert shot.stat().st_size > 20_000  # a drawn dashboard, not a blank page
