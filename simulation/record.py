"""The projection's measured backtest record (``simulation/data/backtest.toml``), for the report.

The figures are measured by ``benchmarks/backtest.py`` (years from the independent truth
generator ``benchmarks/truth_generator.py``, the model as shipped) and written into the data
file by hand with the date and the command; they tell a reader how far to trust P(reach).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class BacktestFigures:
    """One measured backtest cell: the model with one source of parameters, at one month.

    Attributes
    ----------
    source : "history" (earlier years given) or "this_year" (this year's months only).
    month : the month m of the forecasts.
    years : synthetic years (cities) backtested; forecasts : county forecasts among them.
    coverage : share of actual year-end approvals inside the 90% interval (counties).
    brier, brier_pace : Brier score of P(reach target), the model and the pace baseline (counties).
    max_decile_deviation : largest |observed − mean P| over the probability deciles (counties).
    measured : date of the run; command : how to repeat it.
    """

    source: str
    month: int
    years: int
    forecasts: int
    coverage: float
    brier: float
    brier_pace: float
    max_decile_deviation: float
    measured: str
    command: str


def load_record() -> list[BacktestFigures]:
    """Every measured cell of ``data/backtest.toml``."""
    text = resources.files("simulation").joinpath("data", "backtest.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return [BacktestFigures(measured=data["measured"], command=data["command"], **row) for row in data["cell"]]


#: Largest gap between a probability decile's mean P and how often it came true that still counts as
#: calibrated (±0.10, the bound issue 12 set for the backtest); beyond it the brief says P is rough.
DECILE_TOLERANCE = 0.10


def figures_for(source: str, month: int) -> BacktestFigures | None:
    """The measured cell for this source nearest to ``month`` (None when nothing was measured for it)."""
    cells = [c for c in load_record() if c.source == source]
    if not cells or month < 1 or month > 11:
        return None
    return min(cells, key=lambda c: (abs(c.month - month), c.month))
