"""Plain-text tables for the terminal, aligned for Chinese (full-width) characters."""

from __future__ import annotations

import unicodedata


def display_width(text: object) -> int:
    """Columns a string takes on a terminal (wide CJK characters count 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def format_table(headers: list[str], rows: list[list[object]], right: set[int] | None = None) -> str:
    """Render rows under headers with columns padded to the widest cell."""
    right = right or set()
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(display_width(row[j]) for row in cells) for j in range(len(headers))]
    lines = []
    for row in cells:
        parts = []
        for j, value in enumerate(row):
            pad = " " * (widths[j] - display_width(value))
            parts.append(pad + value if j in right else value + pad)
        lines.append("  ".join(parts).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
