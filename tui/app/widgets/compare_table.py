"""The comparison's table: one row per run, the measurement next to the guide's prediction.

The columns and each cell's text are ``tui.compare.table``'s, the same as
``concur-tui compare`` prints (docs/compare.md, "The columns"); this widget only lays
them out and colours the verdict.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import JustifyMethod
from rich.text import Text
from textual.widgets import DataTable

from tui.compare import Row
from tui.compare.table import COLUMNS, Column, cells

# The wall column adds what every mode pays alike (starting the runner): the CLI prints it,
# the screen leaves it out so that the table fits 80 columns.
SHOWN = tuple(column for column in COLUMNS if column.key != "wall")
COLOURED_VERDICTS = ("agrees", "differs", "failed")


class CompareTable(DataTable[Text]):
    COMPONENT_CLASSES: ClassVar[set[str]] = DataTable.COMPONENT_CLASSES | {
        f"compare-table--{verdict}" for verdict in COLOURED_VERDICTS
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

    def _columns(self) -> list[Column]:
        return [c for c in SHOWN if c.key != "python" or self.show_python]

    def set_python_column(self, shown: bool) -> None:
        """(Re)build the columns: the python column only when interpreters are compared."""
        self.clear(columns=True)
        self.show_python = shown
        for column in self._columns():
            self.add_column(Text(column.label, justify=_justify(column)), key=column.key)

    def add(self, row: Row) -> None:
        texts = cells(row)
        line = []
        for column in self._columns():
            text = Text(texts[column.key], justify=_justify(column))
            if column.key == "verdict" and row.verdict in COLOURED_VERDICTS:
                text.stylize(self.get_component_rich_style(f"compare-table--{row.verdict}"))
            line.append(text)
        self.add_row(*line)


def _justify(column: Column) -> JustifyMethod:
    return "right" if column.right else "left"
