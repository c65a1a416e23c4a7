"""The editable subsidy schedule: the bundled example, the case mix, and clear errors."""

import numpy as np
import pandas as pd
import pytest

from scenarios.budget import load_schedule
from scenarios.budget.schedule import region_mixes
from scenarios.errors import InputError

GOOD_ITEMS = """
[[items]]
id = "crim"
label = "刑事"
kinds = ["criminal"]
litigation = true
subsidy = 1000
share = 0.3
[[items]]
id = "lit"
label = "民事行政诉讼"
kinds = ["civil", "administrative"]
litigation = true
subsidy = 2000
share = 0.6
[[items]]
id = "non"
label = "非诉讼"
kinds = ["civil", "administrative", "criminal"]
litigation = false
subsidy = 500
share = 0.1
"""


def test_bundled_schedule_is_the_marked_example_from_domain_md():
    """The bundled schedule says it is an example and carries domain.md's six amounts (元/件)."""
    schedule = load_schedule()
    assert schedule.example and "示例" in schedule.name
    assert sorted(schedule.rates) == [900, 1300, 1300, 1600, 1800, 2000]
    assert schedule.default_mix.sum() == pytest.approx(1.0)


def test_expected_subsidy_per_case_by_hand(tmp_path):
    """Mean = paid × Σ share × subsidy: 0.3×1000 + 0.6×2000 + 0.1×500 = 1550; ×0.8 paid = 1240."""
    path = tmp_path / "s.toml"
    path.write_text('name = "本县标准"\nreference = "某县2025"\npaid_share = 0.8\n' + GOOD_ITEMS, encoding="utf-8")
    schedule = load_schedule(path)
    mean, sd = schedule.per_case()
    assert mean == pytest.approx(0.8 * 1550)
    second = 0.8 * (0.3 * 1000**2 + 0.6 * 2000**2 + 0.1 * 500**2)
    assert sd == pytest.approx(np.sqrt(second - mean**2))
    assert schedule.scaled(1.15).per_case()[0] == pytest.approx(1.15 * mean)
    assert not schedule.example and schedule.reference == "某县2025"


def test_case_mix_from_a_cases_table(tmp_path):
    """A region with only civil litigation cases pays 2000 元/件; a region with few cases keeps the default."""
    path = tmp_path / "s.toml"
    path.write_text(GOOD_ITEMS, encoding="utf-8")
    schedule = load_schedule(path)
    cases = pd.DataFrame({"region": ["a"] * 40 + ["b"] * 3, "kind": ["civil"] * 43, "litigation": [True] * 43})
    mixes, notes = region_mixes(schedule, cases, ["a", "b", "c"], min_cases=30)
    assert schedule.per_case(mixes["a"])[0] == pytest.approx(2000)
    assert schedule.per_case(mixes["b"])[0] == pytest.approx(1550)
    assert notes and "b" in notes[0].ids and "c" in notes[0].ids


def test_bad_schedules_list_every_problem(tmp_path):
    """Shares not adding to 1, an unknown kind, a negative subsidy and an uncovered class are all named."""
    path = tmp_path / "bad.toml"
    path.write_text('[[items]]\nid = "x"\nlabel = "x"\nkinds = ["civil"]\nlitigation = true\nsubsidy = 100\n'
                    'share = 0.5\n[[items]]\nid = "y"\nlabel = "y"\nkinds = ["tax"]\nlitigation = true\n'
                    'subsidy = -5\nshare = 0.4\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_schedule(path)
    text = str(err.value)
    assert "kinds" in text and "subsidy" in text and "share 之和" in text and "刑事诉讼" in text
    with pytest.raises(InputError, match="找不到"):
        load_schedule(tmp_path / "none.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("name = \n", encoding="utf-8")
    with pytest.raises(InputError, match="TOML"):
        load_schedule(broken)
