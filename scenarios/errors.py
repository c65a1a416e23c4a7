"""Errors a user can act on: plain Chinese sentences naming file, row, column and value.

Values that look like ID or phone numbers are masked in every message (personal data never
goes to a message or a log).

Every reader collects all problems of a file before raising, so a user fixes a file in one
pass. The command line prints ``InputError`` and exits with status 2, never a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: Runs of digits that may be personal data: ID numbers (18 digits, last may be X; old 15-digit
#: ones) and mobile numbers (11 digits from 1); masked wherever a message echoes a value.
_PERSONAL = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15}|1[3-9]\d{9})(?![0-9A-Za-z])")


def mask_personal(text: str) -> str:
    """``text`` with ID and phone numbers masked: only their first 3 and last 2 characters remain."""
    return _PERSONAL.sub(lambda m: m[0][:3] + "*" * (len(m[0]) - 5) + m[0][-2:], text)


@dataclass(frozen=True)
class InputIssue:
    """One problem in one input file.

    Parameters
    ----------
    file : the file as the user named it.
    row : the row number as Excel shows it (header is row 1), or None for the whole file.
    column : the column header as written in the file, or None.
    value : the offending cell text, or None.
    expected : what was expected, in Chinese (with a did-you-mean where one exists).
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str

    def __str__(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column is not None:
            parts.append(f"列“{self.column}”")
        where = "，".join(parts)
        if self.value is not None:
            return mask_personal(f"{where}：值“{self.value}”有误，{self.expected}")
        return mask_personal(f"{where}：{self.expected}")


@dataclass
class InputError(Exception):
    """All problems found in the inputs; raised once after a whole file is read."""

    issues: list[InputIssue] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        head = f"输入数据有{len(self.issues)}处错误："
        return "\n".join([head, *(f"  - {issue}" for issue in self.issues)])


class PlanError(Exception):
    """A plan or rule file that cannot be used (bad format, unknown plan, rule not in force)."""
