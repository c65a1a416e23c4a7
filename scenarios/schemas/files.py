"""Shapes of the budget scenario file, the subsidy schedule and the simulation parameter file.

Each is a pydantic model (see ``scenarios.schemas``); ``load`` reads, parses and validates one
file and raises one ``InputError`` listing every problem in Chinese.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator

from scenarios.errors import InputError, InputIssue
from scenarios.schemas import Strict, parse, read_text, validate

#: What the simulation's parameter file is called in messages.
PARAMS_FILE = "模拟参数文件"
#: A sweep grid larger than this is refused (its arrays would not fit in memory on an office PC).
MAX_GRID_POINTS = 100_000


def _change(value: float | str) -> float:
    from scenarios.budget.scenario import parse_change

    return parse_change(value)


#: A relative change: a fraction (-0.2) or a percentage ("-20%"), above -100% and at most +500%.
Change = Annotated[float | str, AfterValidator(_change)]
Amount = Annotated[float, Field(ge=0)]


class RegionChange(Strict):
    upper_funds: Change = 0.0
    local_funds: Change = 0.0
    cases: Change = 0.0
    upper_funds_yuan: Amount | None = None
    local_funds_yuan: Amount | None = None


class ScenarioSpec(Strict):
    name: str = Field(min_length=1)
    upper_funds: Change = 0.0
    local_funds: Change = 0.0
    cases: Change = 0.0
    subsidy: Change = 0.0
    regions: dict[str, RegionChange] = {}


class SweepSpec(Strict):
    upper_funds: list[Change] = Field([0.0], min_length=1)
    local_funds: list[Change] = Field([0.0], min_length=1)
    cases: list[Change] = Field([0.0], min_length=1)
    subsidy: list[Change] = Field([0.0], min_length=1)

    @model_validator(mode="after")
    def _not_too_large(self) -> SweepSpec:
        size = len(self.upper_funds) * len(self.local_funds) * len(self.cases) * len(self.subsidy)
        if size > MAX_GRID_POINTS:
            raise ValueError(f"网格共 {size:,} 个组合，超过上限 {MAX_GRID_POINTS:,}；请减少各项的取值个数")
        return self


class BaseSpec(Strict):
    plan: str | None = None
    funds: str | None = None
    month: int | None = Field(None, ge=1, le=12)
    schedule: str | None = None
    cases: str | None = None
    seed: int = Field(0, ge=0)


class ScenarioFileSpec(Strict):
    base: BaseSpec = BaseSpec()
    scenario: list[ScenarioSpec] = []
    sweep: SweepSpec | None = None

    @model_validator(mode="after")
    def _unique_names(self) -> ScenarioFileSpec:
        names = [s.name for s in self.scenario]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"情景名称重复：{'、'.join(duplicated)}（每个 [[scenario]] 的 name 应不同）")
        return self


class ItemSpec(Strict):
    id: str = Field(min_length=1)
    label: str = Field(min_length=1)
    kinds: list[Literal["criminal", "civil", "administrative"]] = Field(min_length=1)
    litigation: bool
    subsidy: Amount
    share: Amount


class ScheduleSpec(Strict):
    name: str = "办案补贴标准"
    reference: str = ""
    example: bool = False
    paid_share: float = Field(1.0, ge=0, le=1)
    items: list[ItemSpec] = Field(min_length=1)


def schedule_problems(data: dict) -> list[str]:
    """Across the items of a schedule (read from the raw file, so they show beside shape errors):
    shares add up to 1, and every case class (kind × litigation) has a subsidy."""
    from scenarios.vocab import CASE_KINDS

    items = [i for i in data.get("items", []) if isinstance(i, dict)] if isinstance(data.get("items"), list) else []
    if not items:
        return []
    shares = [i.get("share") for i in items]
    problems = []
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in shares):
        total = float(sum(shares))
        if abs(total - 1.0) > 1e-6:
            problems.append(f"各项 share 之和应为1，实为 {total:.4f}")
    for kind, label in CASE_KINDS.items():
        for lit in (True, False):
            if not any(isinstance(i.get("kinds"), list) and kind in i["kinds"] and i.get("litigation") is lit
                       for i in items):
                problems.append(f"没有适用于“{label}{'诉讼' if lit else '非诉讼'}”案件的补贴标准")
    return problems


class SeasonalitySpec(Strict):
    source: str = ""
    weights: list[Annotated[float, Field(gt=0)]] = Field(min_length=12, max_length=12)
    sd: list[Annotated[float, Field(ge=0, le=2)]] = Field(default_factory=lambda: [0.0] * 12, min_length=12,
                                                         max_length=12)


class CaseMixSpec(Strict):
    source: str = ""
    criminal: Amount
    civil: Amount
    administrative: Amount

    @model_validator(mode="after")
    def _some_cases(self) -> CaseMixSpec:
        if self.criminal + self.civil + self.administrative <= 0:
            raise ValueError("各类比例之和应大于0")
        return self


class DurationSpec(Strict):
    mean_days: float = Field(gt=0)
    shape: float = Field(gt=0)


class DurationsSpec(Strict):
    source: str = ""
    criminal: DurationSpec
    civil: DurationSpec
    administrative: DurationSpec
    calibrate: Literal["region", "city", "none"] | bool = "region"
    calibrate_min_cases: int = Field(30, ge=1)
    calibrate_min: float = Field(0.25, gt=0, le=1)
    calibrate_max: float = Field(4.0, ge=1)
    clearance_max: float = Field(0.95, ge=0, le=1)


class ArrivalsSpec(Strict):
    source: str = ""
    rate_uncertainty: bool = True
    overdispersion_prior: float = Field(0.02, ge=0)
    overdispersion_prior_weight: float = Field(24.0, ge=0)
    drift_city_sd: float = Field(0.06, ge=0)
    drift_county_sd: float = Field(0.08, ge=0)
    drift_city_prior_weight: float = Field(4.0, ge=0)
    closure_drift_city_sd: float = Field(0.1, ge=0)
    closure_drift_county_sd: float = Field(0.15, ge=0)
    history_min_years: int = Field(2, ge=1)


class RebalanceSpec(Strict):
    source: str = ""
    share_max: float = Field(0.3, gt=0, le=1)
    donor_buffer: float = Field(0.05, ge=0)
    donor_quantile: float = Field(0.1, gt=0, lt=1)
    include_city_centre: bool = False
    until_month: int = Field(12, ge=1, le=12)


class ParamsSpec(Strict):
    seasonality: SeasonalitySpec
    case_mix: CaseMixSpec
    durations: DurationsSpec
    arrivals: ArrivalsSpec = ArrivalsSpec()
    rebalance: RebalanceSpec = RebalanceSpec()
    deterministic: bool = False


def load(path: str | Path, model: type[BaseModel], what: str) -> BaseModel:
    """Read, parse and validate one file; InputError (every problem, in Chinese) otherwise."""
    return check(read(path, what), model, str(path))


def read(path: str | Path, what: str) -> dict:
    """A TOML file's parsed contents; InputError when it is missing or not valid TOML."""
    file = Path(path)
    if not file.is_file():
        raise InputError([InputIssue(str(path), None, None, None, f"找不到{what}")])
    try:
        return parse(read_text(file))
    except ValueError as exc:
        raise InputError([InputIssue(str(path), None, None, None, str(exc))]) from None


def check(data: dict, model: type[BaseModel], source: str) -> BaseModel:
    """The validated model, or InputError listing every problem."""
    spec, problems = validate(model, data)
    if spec is None:
        raise InputError([InputIssue(source, None, None, None, p) for p in problems])
    return spec
