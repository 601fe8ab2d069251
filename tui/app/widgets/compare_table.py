"""The comparison's table: one row per run, the measurement next to the guide's prediction.

The figures and their definitions are ``tui.compare``'s (docs/compare.md, "The columns");
this widget only lays them out and colours the verdict.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.widgets import DataTable

from tui.compare import Row

COLUMNS = (
    ("mode", "mode"),
    ("python", "python"),
    ("elapsed", "elapsed"),
    ("speedup", "speed-up"),
    ("predicted", "predicted"),
    ("verdict", "verdict"),
    ("cores", "cores"),
    ("gil", "GIL busy"),
    ("peak", "peak MB"),
)
RIGHT = {"elapsed", "speedup", "predicted", "cores", "gil", "peak"}


class CompareTable(DataTable[Text]):
    COMPONENT_CLASSES: ClassVar[set[str]] = DataTable.COMPONENT_CLASSES | {
        "compare-table--agrees",
        "compare-table--differs",
        "compare-table--failed",
    }

    DEFAULT_CSS = """
    CompareTable { height: auto; max-height: 100%; }
    CompareTable > .compare-table--agrees { color: $text-success; text-style: bold; }
    CompareTable > .compare-table--differs { color: $text-warning; text-style: bold; }
    CompareTable > .compare-table--failed { color: $text-error; text-style: bold; }
    """

    def __init__(self, *, show_python: bool = False, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.show_python = show_python

    def on_mount(self) -> None:
        self.set_python_column(self.show_python)

    def set_python_column(self, shown: bool) -> None:
        """(Re)build the columns: the python column only when interpreters are compared."""
        self.clear(columns=True)
        self.show_python = shown
        for key, label in COLUMNS:
            if key == "python" and not shown:
                continue
            self.add_column(Text(label, justify="right" if key in RIGHT else "left"), key=key)

    def add(self, row: Row) -> None:
        cells = self._cells(row)
        self.add_row(*(cells[key] for key, _ in COLUMNS if key != "python" or self.show_python))

    def _cells(self, row: Row) -> dict[str, Text]:
        def num(value: float | None, fmt: str, suffix: str = "") -> Text:
            text = "-" if value is None else format(value, fmt) + suffix
            return Text(text, justify="right")

        verdict = Text(row.verdict)
        if row.verdict in ("agrees", "differs", "failed"):
            verdict.stylize(self.get_component_rich_style(f"compare-table--{row.verdict}"))
        return {
            "mode": Text(row.mode),
            "python": Text(f"{row.python} {'GIL' if row.gil_enabled else 'no-GIL'}"),
            "elapsed": num(row.elapsed_s, ".2f", " s"),
            "speedup": num(row.speedup, ".2f", "x"),
            "predicted": Text(f"~{row.predicted_speedup:.1f}x", justify="right"),
            "verdict": verdict,
            "cores": num(row.cores_used, ".2f"),
            "gil": num(row.gil_busy, ".2f"),
            "peak": num(row.peak_rss_mb, ".0f"),
        }
