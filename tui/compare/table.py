"""The comparison as a table: its columns, each row's cells, and the lines around it.

One renderer for every surface: ``concur-tui compare`` prints ``format_table``; the Compare
screen lays the same cells out in a DataTable and styles the same lines (the screen adds
colour, never other words or figures).
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.compare.result import CompareResult, Row


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    right: bool = True  # figures align right, words left


COLUMNS = (
    Column("mode", "mode", right=False),
    Column("python", "python", right=False),
    Column("elapsed", "elapsed"),
    Column("wall", "wall"),
    Column("speedup", "speed-up"),
    Column("predicted", "predicted"),
    Column("verdict", "verdict", right=False),
    Column("cores", "cores"),
    Column("gil", "GIL busy"),
    Column("peak", "peak MB"),
)
PREDICTION_HEADING = "The guide's prediction (speed-up over sequential):"
SKIPPED = "the remaining runs were skipped"


def cells(row: Row) -> dict[str, str]:
    """Each column's text for ``row``, by column key ("-" where nothing was measured)."""

    def num(value: float | None, fmt: str, suffix: str = "") -> str:
        return "-" if value is None else format(value, fmt) + suffix

    return {
        "mode": row.mode,
        "python": f"{row.python} {'GIL' if row.gil_enabled else 'no-GIL'}",
        "elapsed": num(row.elapsed_s, ".2f", " s"),
        "wall": num(row.wall_s, ".2f", " s"),
        "speedup": num(row.speedup, ".2f", "x"),
        "predicted": f"~{row.predicted_speedup:.1f}x",
        "verdict": row.verdict,
        "cores": num(row.cores_used, ".2f"),
        "gil": num(row.gil_busy, ".2f"),
        "peak": num(row.peak_rss_mb, ".0f"),
    }


def settings_text(result: CompareResult) -> str:
    """The parameters the workload ran with and the machine's cores."""
    shown = ", ".join(f"{k}={v}" for k, v in result.params.items() if k != "workload")
    return f"{shown}; {result.cores} cores"


def prediction_lines(result: CompareResult) -> list[str]:
    """The guide's reason for each mode's prediction, once per distinct reason."""
    lines = []
    seen: set[tuple[str, str]] = set()
    for row in result.rows:
        if row.mode == "sequential" or (row.mode, row.prediction) in seen:
            continue
        seen.add((row.mode, row.prediction))
        lines.append(f"  {row.mode:<10} ~{row.predicted_speedup:.1f}x  {row.prediction}")
    return lines


def note_lines(result: CompareResult) -> list[str]:
    """What to know about a row's figures: a failure, a busy machine, a speed-up that differs."""
    return [f"{r.mode} ({r.python}): {r.note}" for r in result.rows if r.note]


def format_table(result: CompareResult) -> str:
    lines = [f"compare: {result.workload} workload, {settings_text(result)}"]
    lines += [f"  python {i.label}: {i.description}  {i.path}" for i in result.interpreters]
    lines.append("")
    grid = [[c.label for c in COLUMNS]]
    grid += [[texts[c.key] for c in COLUMNS] for texts in map(cells, result.rows)]
    widths = [max(len(line[i]) for line in grid) for i in range(len(COLUMNS))]
    for line in grid:
        parts = [
            f"{text:{'>' if column.right else '<'}{width}}"
            for text, column, width in zip(line, COLUMNS, widths, strict=True)
        ]
        lines.append("  ".join(parts).rstrip())
    predictions = prediction_lines(result)
    if predictions:
        lines += ["", PREDICTION_HEADING, *predictions]
    notes = note_lines(result)
    if notes:
        lines += ["", "Notes:", *(f"  {note}" for note in notes)]
    if result.interrupted:
        lines += ["", f"interrupted: {SKIPPED}"]
    return "\n".join(lines)
