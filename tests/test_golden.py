"""The monthly brief of both bundled plans equals its golden copy (tests/golden/), table by table.

The copies are regenerated on purpose with ``python3 tests/golden/regenerate.py`` when a change is
meant to alter what users read; any other difference is a regression.
"""

import tempfile
from pathlib import Path

import pytest

from tests.golden.regenerate import HERE, PLANS, outputs, run_brief


@pytest.fixture(scope="module", params=PLANS)
def fresh(request):
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "brief"
        assert run_brief(request.param, out) == 0
        yield request.param, outputs(out)


def test_brief_equals_golden_copy(fresh):
    """Same files, and every CSV, 摘要.txt and workbook cell byte for byte."""
    plan, files = fresh
    golden = {p.name: p.read_bytes() for p in sorted((HERE / plan).iterdir())}
    assert sorted(files) == sorted(golden)
    changed = [name for name in golden if files[name] != golden[name]]
    assert changed == []
