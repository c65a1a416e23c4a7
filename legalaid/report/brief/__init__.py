"""The monthly brief (月通报) as users read it: workbook, 月通报.docx, charts and 摘要.txt from a ``Brief``."""
