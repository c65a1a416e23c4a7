"""The shared domain layer: plans, dated rules, input tables, example data, budget scenarios.

It imports no engine; ``allocation`` and ``simulation`` import it.
"""

from scenarios.errors import InputError, InputIssue, PlanError
from scenarios.plans import Plan, Region, list_plans, load_plan

__all__ = ["InputError", "InputIssue", "Plan", "PlanError", "Region", "list_plans", "load_plan"]
