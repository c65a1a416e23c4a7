"""What the command line shows while it works: a progress bar on a terminal, quiet in a pipe."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def progress_bar(total: int, show: bool = True, what: str = "模拟") -> Iterator[Callable[[int], None] | None]:
    """A tqdm bar on stderr counting ``total`` replications, or None when stderr is not a terminal."""
    if not show or not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(total=total, desc=what, unit="次", file=sys.stderr, leave=False)
    try:
        yield bar.update
    finally:
        bar.close()
