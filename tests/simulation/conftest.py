"""Shared fixtures: the Anqing 2023 plan and its example year at month 6 (seed 0)."""

import pytest

from scenarios.example import generate_example
from scenarios.plans import load_plan


@pytest.fixture(scope="session")
def anqing():
    return load_plan("anqing-2023")


@pytest.fixture(scope="session")
def example6(anqing):
    return generate_example(anqing, month=6, seed=0)
