"""The monthly brief (月通报) as users read it: workbook, charts and summary.md from a ``Brief``."""
