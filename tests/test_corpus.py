"""The corpus of bad and odd inputs (tests/corpus/): every case answered, zero tracebacks.

Each case runs ``legalaid`` in this process with a file a user could really produce and checks
the exit status (0 done, 1 a finding, 2 bad input or usage), that the words its message must
contain are there, that what must not be shown (personal data) is not, and that no traceback or
internal error is printed. Regenerate the files with ``python3 tests/corpus/make.py``.
"""

import json
from pathlib import Path

import pytest

from legalaid.cli import main

HERE = Path(__file__).resolve().parent / "corpus"
CASES = json.loads((HERE / "cases.json").read_text(encoding="utf-8"))


def test_corpus_is_large_and_covers_every_class():
    """At least 120 cases, from every class of input the issue names."""
    assert len(CASES) >= 120
    classes = {c["id"].split("/")[0] for c in CASES}
    assert {"table", "progress", "excel", "plan", "scenario", "schedule", "params", "personal", "usage"} <= classes


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_corpus_case(case, tmp_path, capsys):
    args = [a.replace("{files}", str(HERE / "files")).replace("{out}", str(tmp_path / "out")) for a in case["args"]]
    status = main(args)
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "Traceback" not in text and "内部错误" not in text, text
    assert status == case["status"], text
    missing = [w for w in case["words"] if w not in text]
    assert missing == [], text
    shown = [w for w in case["absent"] if w in text]
    assert shown == [], text
