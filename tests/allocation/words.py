"""The dispatch as a user reads it, for tests that check the words: reasons, rules, summary.json.

``solve`` here runs ``allocation.solve`` and wraps its typed result so that ``assignments``
and ``unassigned`` carry the report layer's sentences in ``reason``/``rule``, ``summary`` is
summary.json and ``findings`` are sentences; every other attribute is the engine's own.
"""

from allocation import solve as engine_solve
from legalaid.report.dispatch import RULE_NAMES, blocking_text, reason_texts, sheets
from legalaid.report.dispatch_summary import summary_json, write
from legalaid.report.findings import finding_texts


class Worded:
    """A ``DispatchResult`` with its words (see the module docstring)."""

    def __init__(self, result):
        self.result = result
        self.assignments = result.assignments.assign(reason=reason_texts(result))
        u = result.unassigned
        self.unassigned = u.assign(rule=u["rule"].map(RULE_NAMES),
                                   reason=[blocking_text(result, r) for r in u.itertuples(index=False)])
        self.summary = summary_json(result)
        self.findings = finding_texts(result.findings)

    def __getattr__(self, name):
        return getattr(self.result, name)

    def write(self, out_dir):
        return write(self.result, out_dir)

    def sheets(self):
        return sheets(self.result)


def solve(*args, **kwargs) -> Worded:
    """``allocation.solve`` with the words of its result."""
    return Worded(engine_solve(*args, **kwargs))
